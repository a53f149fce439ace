from django.contrib import admin

from supervision.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are written by the case steps."""

    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
