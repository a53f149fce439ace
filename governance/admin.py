from django.contrib import admin

from governance.models import Slip


@admin.register(Slip)
class SlipAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the lead queue's services."""

    list_display = ["receipt_code", "community", "source", "status", "created_at"]
    list_filter = ["status", "source", "community"]
    search_fields = ["receipt_code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
