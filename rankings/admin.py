from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from cases.models import Channel
from rankings import boards, services
from rankings.models import Board, BoardRow, DisplayLink, MeetingDraw, MeetingDrawCase, RankingRule


class RankingRuleForm(forms.ModelForm):
    board_channels = forms.MultipleChoiceField(
        label="计入排名的来源渠道",
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="只有这些渠道的案件计入红黑榜（默认仅12345热线）；其他渠道的案件作为“未诉先办”单列。",
    )

    class Meta:
        model = RankingRule
        fields = [
            "effective_from",
            "response_weight",
            "resolution_weight",
            "satisfaction_weight",
            "basic_satisfied_weight",
            "min_valid_callbacks",
            "band_parts",
            "green_parts",
            "pink_parts",
            "period_start_day",
            "board_channels",
            "note",
        ]


@admin.register(RankingRule)
class RankingRuleAdmin(admin.ModelAdmin):
    """Every save adds a version: the boards computed with a rule keep it as it was."""

    form = RankingRuleForm

    list_display = [
        "id",
        "effective_from",
        "response_weight",
        "resolution_weight",
        "satisfaction_weight",
        "basic_satisfied_weight",
        "min_valid_callbacks",
        "band_parts",
        "green_parts",
        "pink_parts",
        "period_start_day",
        "board_channels",
        "note",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["created_by", "created_at"]
    fields = [
        "effective_from",
        ("response_weight", "resolution_weight", "satisfaction_weight"),
        "basic_satisfied_weight",
        "min_valid_callbacks",
        ("band_parts", "green_parts", "pink_parts"),
        "period_start_day",
        "note",
        "created_by",
        "created_at",
    ]

    def save_model(self, request, obj, form, change):
        # Adding and editing alike save a new version through the service; the old one stays in the history.
        rule = services.rule_create(actor=request.user, **form.cleaned_data)
        obj.pk, obj.created_by, obj.created_at = rule.pk, rule.created_by, rule.created_at
        obj._state.adding = False
        if change:
            messages.info(request, f"已保存为新版本（{rule}），原版本保留在历史中。")

    def has_delete_permission(self, request, obj=None):
        return False


class BoardRowInline(admin.TabularInline):
    model = BoardRow
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "position",
        "unit_kind",
        "unit_name",
        "received",
        "received_excluded",
        "closed",
        "valid_callbacks",
        "response_rate",
        "resolution_rate",
        "satisfaction_rate",
        "score",
        "rank",
        "band",
        "rank_change",
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = [
        "label",
        "kind",
        "key",
        "version",
        "window_start",
        "window_end",
        "rule",
        "computed_at",
        "computed_by",
    ]
    list_filter = ["kind"]
    search_fields = ["key", "label"]
    inlines = [BoardRowInline]
    readonly_fields = [f.name for f in Board._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method == "GET" and super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DisplayLink)
class DisplayLinkAdmin(admin.ModelAdmin):
    list_display = ["name", "link", "is_active", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", "link", "created_by", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["link", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.display(description="展示链接")
    def link(self, obj):
        if not obj.pk:
            return "保存后生成"
        if obj.revoked_at:
            return "已停用"
        path = boards.display_link_path(link=obj)
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>（在大厅屏的浏览器中打开本站的此地址）', path, path
        )

    @admin.display(boolean=True, description="有效")
    def is_active(self, obj):
        return obj.is_active

    def get_readonly_fields(self, request, obj=None):
        # A link is created and revoked, never edited: its name is fixed once saved.
        return [*self.readonly_fields, "name"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        link = services.display_link_create(name=form.cleaned_data["name"], actor=request.user)
        obj.pk, obj.token, obj.created_by, obj.created_at = link.pk, link.token, link.created_by, link.created_at
        obj._state.adding = False

    @admin.action(description="停用所选展示链接")
    def revoke(self, request, queryset):
        for link in queryset:
            services.display_link_revoke(link_id=link.pk)
        messages.success(request, f"已停用 {queryset.count()} 个展示链接。")


class MeetingDrawCaseInline(admin.TabularInline):
    model = MeetingDrawCase
    extra = 0
    can_delete = False
    fields = readonly_fields = ("position", "case", "reason", "chief")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MeetingDraw)
class MeetingDrawAdmin(admin.ModelAdmin):
    """Read-only: a draw stays as drawn (see the meeting pages for the sheet)."""

    list_display = ["id", "week", "drawn_at", "drawn_by", "community", "department", "pool_size", "drawn_count"]
    list_filter = ["week"]
    inlines = [MeetingDrawCaseInline]
    readonly_fields = [f.name for f in MeetingDraw._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method == "GET" and super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
