from django.contrib import admin

from supervision.models import DutyDay, Emergency, Notification


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


# ---------------------------------------------------------------- emergencies


@admin.register(DutyDay)
class DutyDayAdmin(admin.ModelAdmin):
    """The duty roster (值班表): who is alerted of an emergency on each day."""

    list_display = ["date", "leader", "member_names", "note"]
    date_hierarchy = "date"
    filter_horizontal = ["members"]

    @admin.display(description="值班人员")
    def member_names(self, obj: DutyDay) -> str:
        names = [
            member.person.full_name if hasattr(member, "person") else member.get_username()
            for member in obj.members.all()
        ]
        return "、".join(names)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("leader").prefetch_related("members__person")


@admin.register(Emergency)
class EmergencyAdmin(admin.ModelAdmin):
    """Read-only: emergencies are raised, attended and closed by the case steps."""

    list_display = ["raised_at", "case", "status", "on_scene_at", "closed_at"]
    list_filter = ["status"]
    search_fields = ["case__ticket_no"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
