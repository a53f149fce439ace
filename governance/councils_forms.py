"""Forms of the council pages: they parse input; governance.councils enforces the rules."""

from django import forms
from django.utils import timezone

from cases.models import Urgency
from communities.models import Department, Person, Role
from governance.councils import COUNCIL_TEXT_LIMITS
from governance.models import Council, CouncilMember, MemberKind
from hotline.web import WorkbenchForm


def _text(label: str, key: str, *, required: bool = False, rows: int | None = None, **kwargs) -> forms.CharField:
    """Text with its limit from COUNCIL_TEXT_LIMITS (the browser stops typing at it)."""
    limit = COUNCIL_TEXT_LIMITS[key]
    attrs = {"maxlength": str(limit)}
    widget = forms.Textarea(attrs={**attrs, "rows": rows}) if rows else forms.TextInput(attrs=attrs)
    return forms.CharField(label=label, required=required, widget=widget, **kwargs)


class MemberForm(WorkbenchForm):
    name = _text("姓名", "name", required=True)
    kind = forms.ChoiceField(label="身份", choices=[("", "请选择身份"), *MemberKind.choices])
    building = _text("楼号/单位", "building")
    phone = _text("联系电话", "phone")
    joined_on = forms.DateField(label="加入日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class SessionForm(WorkbenchForm):
    held_at = forms.DateTimeField(
        label="议事时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = _text("地点", "place", required=True)
    attendees = MemberChoiceField(
        label="出席成员",
        queryset=CouncilMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = _text("议事纪要", "summary", rows=4, help_text="请勿写入居民电话等个人信息。")

    def __init__(self, *args, council: Council, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = CouncilMember.objects.filter(council=council, is_active=True)
        if not self.is_bound:
            self.initial.setdefault("held_at", timezone.localtime().replace(second=0, microsecond=0))


class TopicForm(WorkbenchForm):
    title = _text("议题名称", "title")
    discussion = _text("讨论情况", "discussion", rows=2)
    outcome = _text("议事结果", "outcome", rows=2)


TopicFormSet = forms.formset_factory(TopicForm, extra=3, max_num=20, absolute_max=20)


class ToCaseForm(WorkbenchForm):
    title = forms.CharField(label="案件标题", max_length=200, required=False, help_text="留空取议题名称。")
    category = forms.CharField(label="问题分类", max_length=200, required=False, help_text="一级->二级->三级")
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.GENERAL)


class ToProjectForm(WorkbenchForm):
    title = forms.CharField(label="项目名称", max_length=120, required=False, help_text="留空取议题名称。")
    keywords = forms.CharField(
        label="关键词", max_length=400, required=False, help_text="问题类别的关键词，多个用逗号或空格分开。"
    )
    category = forms.CharField(label="问题分类", max_length=200, required=False, help_text="一级->二级（可选）")
    lead = forms.ChoiceField(label="牵头领导")
    due_on = forms.DateField(label="完成期限", widget=forms.DateInput(attrs={"type": "date"}))
    departments = forms.ModelMultipleChoiceField(
        label="责任科室", queryset=Department.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, street_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        leaders = Person.objects.filter(street_id=street_id, role=Role.LEADER).order_by("full_name")
        self.fields["lead"].choices = [("", "请选择牵头领导"), *((p.user_id, p.full_name) for p in leaders)]  # type: ignore[attr-defined]
        departments = self.fields["departments"]
        assert isinstance(departments, forms.ModelMultipleChoiceField)
        departments.queryset = Department.objects.filter(street_id=street_id, is_active=True)

    def keyword_list(self) -> list[str]:
        raw = self.cleaned_data.get("keywords") or ""
        return [w for w in raw.replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if w.strip()]


class FiguresPeriodForm(forms.Form):
    date_from = forms.DateField(
        label="起始日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label="截止日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
