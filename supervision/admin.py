from django.contrib import admin, messages

from supervision.ladder import ladder_rule_create
from supervision.models import LadderRule, LadderStep, Notification


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


@admin.register(LadderRule)
class LadderRuleAdmin(admin.ModelAdmin):
    """Every save adds a version (per urgency level); the sweep uses the newest one in force."""

    list_display = [
        "id",
        "urgency",
        "effective_from",
        "first_reminder_percent",
        "second_reminder_percent",
        "notice_after_working_days",
        "report_after_working_days",
        "note",
        "created_by",
        "created_at",
    ]
    list_filter = ["urgency"]
    readonly_fields = ["created_by", "created_at"]
    fields = [
        "urgency",
        "effective_from",
        ("first_reminder_percent", "second_reminder_percent"),
        ("notice_after_working_days", "report_after_working_days"),
        "note",
        "created_by",
        "created_at",
    ]

    def save_model(self, request, obj, form, change):
        rule = ladder_rule_create(actor=request.user, **form.cleaned_data)
        obj.pk, obj.created_by, obj.created_at = rule.pk, rule.created_by, rule.created_at
        obj._state.adding = False
        if change:
            messages.info(request, f"已保存为新版本（{rule}），原版本保留在历史中。")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LadderStep)
class LadderStepAdmin(admin.ModelAdmin):
    """Read-only: levels are taken by the sweep."""

    list_display = ["reached_at", "case", "level", "number", "community", "department"]
    list_filter = ["level"]
    search_fields = ["number", "case__ticket_no"]
    raw_id_fields = ["case", "event"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
