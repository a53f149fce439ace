"""Forms of the 吹哨 meeting pages: they parse input; governance.meetings enforces the rules."""

from typing import Any

from django import forms

from attachments.forms import FILE_ACCEPT, MultipleFileField
from communities.models import Community, Department
from governance.meetings import LIMITS
from governance.meetings_selectors import DECISION_STATES
from governance.meetings_transitions import MeetingStatus
from governance.models import MeetingParty, Organisation
from hotline.web import WorkbenchForm


def _area(label: str, limit: int, rows: int = 3, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": str(limit)}),
    )


class MeetingForm(WorkbenchForm):
    title = forms.CharField(label="会议主题", max_length=LIMITS["title"])
    held_at = forms.DateTimeField(
        label="会议时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    place = forms.CharField(label="会议地点", max_length=LIMITS["place"])
    agenda = _area("会议议程", LIMITS["agenda"], rows=4)
    cases = forms.CharField(
        label="关联案件（工单编号或案件ID）",
        required=False,
        help_text="可填多个，用逗号或空格分隔；只能关联您办理范围内的案件。",
    )
    project = forms.IntegerField(widget=forms.HiddenInput, required=False)
    community = forms.ModelChoiceField(
        label="所属社区", queryset=Community.objects.none(), required=False, empty_label="按关联案件确定"
    )
    departments = forms.ModelMultipleChoiceField(
        label="街道科室", queryset=Department.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    communities = forms.ModelMultipleChoiceField(
        label="社区", queryset=Community.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    organisations = forms.ModelMultipleChoiceField(
        label="外部单位（名录）",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    residents = forms.CharField(
        label="居民代表", required=False, help_text="每行一位（姓名或称呼）。", widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, street_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        fields: Any = self.fields  # the typed field classes' attributes
        communities = Community.objects.filter(street_id=street_id, is_active=True)
        fields["community"].queryset = communities
        fields["communities"].queryset = communities
        fields["departments"].queryset = Department.objects.filter(street_id=street_id, is_active=True)
        fields["organisations"].queryset = Organisation.objects.filter(street_id=street_id, is_active=True)
        fields["organisations"].label_from_instance = lambda o: f"{o.name}（{o.get_kind_display()}）"

    def clean_residents(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("residents") or "").splitlines() if line.strip()]

    def clean_cases(self) -> list[str]:
        raw = (self.cleaned_data.get("cases") or "").replace("，", ",").replace(",", " ")
        return list(dict.fromkeys(part for part in raw.split() if part))


class MinutesForm(WorkbenchForm):
    minutes = _area("会议纪要", LIMITS["minutes"], rows=6, help_text="会议情况、各方意见和议定事项。")

    def __init__(self, *args, parties: list[MeetingParty], **kwargs):
        super().__init__(*args, **kwargs)
        self.parties = parties
        for party in parties:
            self.fields[f"attended_{party.pk}"] = forms.BooleanField(
                label=f"{party.label} 到会", required=False, initial=True
            )
            self.fields[f"attendee_{party.pk}"] = forms.CharField(
                label=f"{party.label} 出席人", required=False, max_length=LIMITS["name"]
            )
        for name, field in self.fields.items():
            if name.startswith(("attended_", "attendee_")):
                field.widget.attrs["class"] = (
                    "form-check-input" if name.startswith("attended_") else "form-control form-control-sm"
                )

    def party_rows(self) -> list[tuple[MeetingParty, forms.BoundField, forms.BoundField]]:
        return [(p, self[f"attended_{p.pk}"], self[f"attendee_{p.pk}"]) for p in self.parties]

    def absent_ids(self) -> list[int]:
        return [p.pk for p in self.parties if not self.cleaned_data.get(f"attended_{p.pk}")]

    def attendees(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data.get(f"attendee_{p.pk}") or "" for p in self.parties}


class CancelForm(WorkbenchForm):
    reason = _area("取消原因", LIMITS["reason"], rows=2)


class DecisionForm(WorkbenchForm):
    text = forms.CharField(label="决定事项", max_length=LIMITS["text"])
    owner = forms.TypedChoiceField(label="责任人（街道人员）", coerce=int, required=False, empty_value=None)
    organisation = forms.ModelChoiceField(
        label="或：责任单位（外部单位）", queryset=Organisation.objects.none(), required=False, empty_label="——"
    )
    follow_up = forms.TypedChoiceField(
        label="街道跟进人（外部单位负责时必填）", coerce=int, required=False, empty_value=None
    )
    due_on = forms.DateField(label="完成期限", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, street_id: int, people: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        fields: Any = self.fields  # the typed field classes' attributes
        choices = [("", "——"), *people]
        fields["owner"].choices = choices
        fields["follow_up"].choices = choices
        fields["organisation"].queryset = Organisation.objects.filter(street_id=street_id, is_active=True)


class DoneForm(WorkbenchForm):
    note = forms.CharField(label="完成情况", max_length=LIMITS["reason"], required=False)


class LinkCaseForm(WorkbenchForm):
    case = forms.CharField(label="工单编号或案件ID", max_length=64)


class FilesForm(WorkbenchForm):
    documents = MultipleFileField(
        label="会议材料（签到表、现场照片、文件）", accept=FILE_ACCEPT, help_text="照片或 PDF，单个不超过 10 MB。"
    )


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"})


class _UnitFilterForm(forms.Form):
    """A list's filters by the street's communities and departments; the
    subclasses add theirs (`field_order` puts them in the page's order)."""

    community = forms.ModelChoiceField(
        label="社区", queryset=Community.objects.none(), required=False, empty_label="全部"
    )
    department = forms.ModelChoiceField(
        label="科室", queryset=Department.objects.none(), required=False, empty_label="全部"
    )

    def __init__(self, *args, street_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        fields: Any = self.fields  # the typed field classes' attributes
        fields["community"].queryset = Community.objects.filter(street_id=street_id)
        fields["department"].queryset = Department.objects.filter(street_id=street_id)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")


class MeetingFilterForm(_UnitFilterForm):
    field_order = ["status", "community", "department", "project", "decisions", "held_from", "held_to"]
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), *MeetingStatus.choices], required=False)
    project = forms.IntegerField(widget=forms.HiddenInput, required=False)
    decisions = forms.ChoiceField(
        label="决定事项",
        choices=[("", "全部"), ("open", "有未到期"), ("late", "有逾期"), ("done_on_time", "有按期完成")],
        required=False,
    )
    held_from = forms.DateField(label="会议日期自", required=False, widget=_date_input())
    held_to = forms.DateField(label="至", required=False, widget=_date_input())


class DecisionFilterForm(_UnitFilterForm):
    field_order = ["state", "community", "department", "due_from", "due_to"]
    state = forms.ChoiceField(label="状态", choices=[("", "全部"), *DECISION_STATES.items()], required=False)
    due_from = forms.DateField(label="完成期限自", required=False, widget=_date_input())
    due_to = forms.DateField(label="至", required=False, widget=_date_input())
