from django.contrib import admin

from hotline.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: administrators see what waits to be sent and why it failed."""

    list_display = ["id", "kind", "name", "state", "attempts", "created_at", "available_at", "sent_at", "last_error"]
    list_filter = ["state", "kind"]
    search_fields = ["name", "key"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
