from django import forms
from django.contrib import admin, messages

from hotline.errors import DomainError
from supervision.delivery import delivery_resend
from supervision.ladder import ladder_rule_create
from supervision.models import (
    Channel,
    ChannelKind,
    Delivery,
    DutyDay,
    Emergency,
    LadderRule,
    LadderStep,
    Notification,
    QuietHours,
)


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


class ChannelAdminForm(forms.ModelForm):
    class Meta:
        model = Channel
        fields = ["kind", "user", "community", "department", "address", "secret", "is_active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    """A person's channels, and a unit's (a community's or a department's group robot).
    The address is checked when saved (Channel.clean)."""

    form = ChannelAdminForm
    list_display = ["id", "kind", "owner_label", "address_shown", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["address", "user__username", "community__name", "department__name"]
    raw_id_fields = ["user"]

    @admin.display(description="所属")
    def owner_label(self, obj):
        return obj.owner_label

    @admin.display(description="地址")
    def address_shown(self, obj):
        # A robot's URL holds its key: shown cut short.
        return (
            obj.address if obj.kind == ChannelKind.EMAIL else obj.address[:48] + ("…" if len(obj.address) > 48 else "")
        )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: what went out on which channel, its attempts and last error."""

    list_display = [
        "id",
        "created_at",
        "channel",
        "notification",
        "state",
        "urgent",
        "attempts",
        "next_attempt_at",
        "last_error_short",
    ]
    list_filter = ["state", "channel__kind", "urgent"]
    search_fields = ["notification__title", "channel__address", "last_error"]
    list_select_related = ["channel__user", "channel__community", "channel__department", "notification"]
    actions = ["resend"]

    @admin.display(description="最近错误")
    def last_error_short(self, obj):
        return obj.last_error[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="重新发送选中的失败记录")
    def resend(self, request, queryset):
        done = 0
        for delivery_id in queryset.values_list("pk", flat=True):
            try:
                delivery_resend(delivery_id=delivery_id)
            except DomainError as error:
                self.message_user(request, f"#{delivery_id}：{error.message}", level=messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, f"已重新发送 {done} 条。")


@admin.register(QuietHours)
class QuietHoursAdmin(admin.ModelAdmin):
    list_display = ["user", "start", "end"]
    raw_id_fields = ["user"]


# ---------------------------------------------------------------- the 催办 ladder


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
