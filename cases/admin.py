"""Admin: configuration (deadlines, calendar, tags) is edited here; cases are
read-only here, because every change to a case goes through the services."""

from django.contrib import admin

from cases import services
from cases.models import (
    CalendarDay,
    Case,
    CaseEvent,
    DeadlineRule,
    ExtensionRequest,
    ReplySheetColumn,
    Signature,
    Tag,
)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["urgency", "response_amount", "response_unit", "closure_amount", "closure_unit", "dispatch_minutes"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    change_list_template = "admin/cases/calendarday/change_list.html"

    # Through the service, so open cases' working-day deadlines follow the calendar.
    def save_model(self, request, obj, form, change):
        if change and "date" in form.changed_data:
            services.calendar_day_set(day=form.initial["date"], is_workday=None, actor=request.user)
        moved = services.calendar_day_set(day=obj.date, is_workday=obj.is_workday, note=obj.note, actor=request.user)
        obj.pk = CalendarDay.objects.get(date=obj.date).pk
        self._report(request, moved)

    def delete_model(self, request, obj):
        self._report(request, services.calendar_day_set(day=obj.date, is_workday=None, actor=request.user))

    def delete_queryset(self, request, queryset):
        moved = sum(
            services.calendar_day_set(day=day, is_workday=None, actor=request.user)
            for day in queryset.values_list("date", flat=True)
        )
        self._report(request, moved)

    def _report(self, request, moved: int) -> None:
        if moved:
            self.message_user(request, f"已按新的工作日历重算 {moved} 件在办案件的办理时限（见各案件时间线）。")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "note"]


class SignatureInline(ReadOnlyInline):
    model = Signature
    fields = ["document", "slot", "signer", "signed_at", "text_sha256", "voided_at", "void_reason"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["ticket_no", "title", "status", "community", "urgency", "received_at", "closure_deadline"]
    list_filter = ["status", "urgency", "channel", "community"]
    search_fields = ["ticket_no", "title", "address"]
    list_select_related = ["community"]
    inlines = [SignatureInline, CaseEventInline]
    exclude = ["caller_name", "caller_phone"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(admin.ModelAdmin):
    list_display = ["case", "working_days", "decision", "requested_at", "decided_at"]
    list_filter = ["decision"]

    # Requests are made and decided in the workbench, where each is a timeline event.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReplySheetColumn)
class ReplySheetColumnAdmin(admin.ModelAdmin):
    """The 12345 reply sheet's columns, in order (cases.reply_sheet). Without
    any row the sheet uses the default set."""

    list_display = ["position", "header", "field"]
    list_editable = ["header", "field"]
    ordering = ["position"]
