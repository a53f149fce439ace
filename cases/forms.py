"""Forms of the workbench. They only parse and validate input; every write
goes through `cases.services`, whose domain errors are put back next to the
field they name (`WorkbenchForm.add_domain_error`)."""

import datetime as dt
from dataclasses import asdict
from dataclasses import fields as dataclass_fields

from django import forms
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    COMMUNITY_CHANNELS,
    TAG_NAME_MAX_LENGTH,
    TEXT_LIMITS,
    Channel,
    ExclusionReason,
    Satisfaction,
    UnresolvedReason,
    Urgency,
)
from cases.reply_facts import ReplyFacts, reply_facts_of
from cases.services import SUPERVISION_KINDS
from cases.vocabulary import street_ticket_no
from communities.models import Community, Pairing, Role
from communities.selectors import handler_list_for_community, pairing_list
from hotline.web import WorkbenchForm

YES_NO = [("yes", "是"), ("no", "否")]


class LimitedTextField(forms.CharField):
    """Text with its limit from cases.models.TEXT_LIMITS (the service enforces
    the same number): the browser stops typing at it, and a line break counts
    as one character here as in the service (browsers send it as two)."""

    def __init__(self, *, label: str, limit: str, rows: int | None = None, **kwargs):
        max_length = TEXT_LIMITS[limit]
        if rows is not None:
            kwargs["widget"] = forms.Textarea(attrs={"rows": rows})
            kwargs.setdefault("help_text", f"不超过{max_length}字。")
        kwargs["error_messages"] = {
            "max_length": f"{label}不能超过%(limit_value)d字（现为%(show_value)d字），请精简后再提交。",
            **kwargs.get("error_messages", {}),
        }
        super().__init__(label=label, max_length=max_length, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=lambda value: value == "yes", widget=forms.RadioSelect, empty_value=None
    )


class CaseRegisterForm(WorkbenchForm):
    # No default: the clerk says where the case came from (a 12345 order typed
    # in by hand, a walk-in, a slip…), so nothing is filed under 12345 by omission.
    channel = forms.ChoiceField(label="来源渠道", choices=[("", "请选择来源渠道"), *Channel.choices])
    ticket_no = LimitedTextField(
        label="工单编号",
        limit="ticket_no",
        required=False,
        help_text="12345工单请填写热线工单号；其他渠道可使用自动生成的编号。",
    )
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.GENERAL)
    received_at = forms.DateTimeField(
        label="来电/收到时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="留空为当前时间。",
    )
    caller_name = LimitedTextField(label="来电人", limit="caller_name", required=False)
    caller_phone = forms.RegexField(
        label="来电人电话",
        max_length=TEXT_LIMITS["caller_phone"],
        required=False,
        regex=r"^[0-9+\-\s()]{5,32}$",
        error_messages={"invalid": "请输入有效的电话号码。"},
    )
    reported_community = forms.ModelChoiceField(
        label="被反映社区", queryset=Community.objects.none(), required=False, empty_label="（不确定）"
    )
    address = LimitedTextField(label="地址", limit="address", required=False)
    compound = LimitedTextField(label="小区点位", limit="compound", required=False)
    category = LimitedTextField(
        label="问题分类",
        limit="category",
        required=False,
        help_text="一级->二级->三级，如 城乡建设->物业管理->电梯故障",
    )
    title = LimitedTextField(label="标题", limit="title")
    content = LimitedTextField(label="主要内容", limit="content", rows=5)
    tags = forms.CharField(label="标签", max_length=200, required=False, help_text="多个标签以逗号分隔，如 每月一题")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reported_community"].queryset = Community.objects.filter(is_active=True)
        mark_similar_sources(self)
        if not self.is_bound:
            # A number fixed when the form is shown: a second submit of the same
            # form then hits the unique ticket number instead of a second case.
            self.initial["ticket_no"] = street_ticket_no()

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data["tags"].replace("，", ",").replace("、", ",")
        names = [name.strip() for name in raw.split(",") if name.strip()]
        limit = TAG_NAME_MAX_LENGTH
        too_long = [name for name in names if len(name) > limit]
        if too_long:
            # The tag table would refuse it (PostgreSQL) or keep it cut (nowhere else).
            raise forms.ValidationError(f"每个标签不超过{limit}个字：“{too_long[0][:limit]}…”过长。")
        return names


class AssignmentForm(WorkbenchForm):
    """Pairing and handler; the handler list follows the chosen pairing's community."""

    pairing = forms.ModelChoiceField(
        label="包片（社区+科室）", queryset=Pairing.objects.none(), empty_label="请选择包片"
    )
    handler = forms.TypedChoiceField(label="承办人", coerce=int, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairing"].queryset = pairing_list()
        # htmx reloads the handler list when the pairing changes.
        self.fields["pairing"].widget.attrs.update(
            {"hx-get": reverse("case-handler-options"), "hx-target": "#id_handler", "hx-trigger": "change"}
        )
        pairing = self._selected_pairing()
        self.fields["handler"].choices = handler_choices(pairing)
        if not self.is_bound and not self.initial.get("handler"):
            self.initial["handler"] = handler_default(pairing)

    def _selected_pairing(self):
        value = self.data.get(self.add_prefix("pairing")) if self.is_bound else self.initial.get("pairing")
        if value is None or value == "":
            return None
        pk = getattr(value, "pk", value)
        try:
            return self.fields["pairing"].queryset.filter(pk=int(pk)).first()
        except (TypeError, ValueError):
            return None


def handler_choices(pairing: Pairing | None) -> list[tuple[int | str, str]]:
    if pairing is None:
        return [("", "请先选择包片")]
    people = handler_list_for_community(community=pairing.community).order_by("role", "full_name")
    return [("", "请选择承办人")] + [(p.user_id, f"{p.full_name}（{p.get_role_display()}）") for p in people]


def handler_default(pairing: Pairing | None) -> int | None:
    """The handler to pre-select: the community's officer when it has exactly one."""
    if pairing is None:
        return None
    officers = [p.user_id for p in handler_list_for_community(community=pairing.community) if p.role == Role.OFFICER]
    return officers[0] if len(officers) == 1 else None


class DispatchForm(AssignmentForm):
    note = LimitedTextField(label="派发说明", limit="note", required=False, rows=2)


class RedispatchForm(AssignmentForm):
    reason = LimitedTextField(label="改派理由", limit="note", rows=3)


class ReturnForm(WorkbenchForm):
    reason = LimitedTextField(label="退单理由", limit="note", rows=3)


class RespondForm(WorkbenchForm):
    note = LimitedTextField(
        label="联系情况", limit="note", required=False, rows=2, help_text="选填，如约定上门时间（不超过500字）。"
    )


def _optional_yes_no(label: str) -> forms.TypedChoiceField:
    # Whether it is required is the service's rule (cases.reply_facts).
    field = _yes_no(label)
    field.required = False
    return field


def _when(label: str, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=help_text,
    )


class ReplyForm(WorkbenchForm):
    """The reply text and the platform's structured fields; which of them are
    required (and when) is decided by the service (cases.reply_facts)."""

    text = LimitedTextField(label="办理结果", limit="reply_text", rows=5)
    contacted_at = _when("联系来电人时间", "默认取“已联系来电人”的时间。")
    met_caller = _optional_yes_no("是否与来电人见面")
    met_at = _when("见面时间")
    met_place = LimitedTextField(label="见面地点", limit="reply_met_place", required=False)
    basis = LimitedTextField(label="办理依据", limit="reply_basis", rows=2, required=False)
    final_unit = LimitedTextField(label="最终办理单位", limit="reply_final_unit", required=False)
    whistle = _optional_yes_no("是否吹哨")
    whistle_parties = LimitedTextField(label="吹哨对象", limit="reply_whistle_parties", required=False)
    whistle_result = LimitedTextField(label="吹哨结果", limit="reply_whistle_result", rows=2, required=False)
    resolved = _optional_yes_no("是否解决")
    unresolved_reason = forms.ChoiceField(
        label="未解决原因类型", choices=[("", "——未解决时必选——"), *UnresolvedReason.choices], required=False
    )


def reply_facts_of_form(data: dict) -> ReplyFacts:
    """The facts of a valid ReplyForm's cleaned data (a blank answer as the
    dataclass's empty value: None or "")."""
    values: dict = {}
    for field in dataclass_fields(ReplyFacts):
        value = data.get(field.name)
        values[field.name] = field.default if value in (None, "") else value
    return ReplyFacts(**values)


def reply_form_initial(case) -> dict:
    """The form as the case stands: its text and facts, the contact time of
    the contact step when the reply has none yet."""
    initial: dict = {"text": case.reply_text}
    for name, value in asdict(reply_facts_of(case)).items():
        if isinstance(value, bool):
            value = "yes" if value else "no"
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value)
        if value not in (None, ""):
            initial[name] = value
    if "contacted_at" not in initial and case.responded_at:
        initial["contacted_at"] = timezone.localtime(case.responded_at)
    return initial


class ExplanationForm(WorkbenchForm):
    text = LimitedTextField(label="未解决案件情况说明", limit="explanation_text", rows=5)


class SignForm(WorkbenchForm):
    """The digest of the text the signer saw; a text changed meanwhile is refused."""

    expected_sha256 = forms.RegexField(
        regex=r"^[0-9a-f]{64}$",
        widget=forms.HiddenInput,
        error_messages={
            "required": "缺少所签文本的校验值，请刷新页面后再签字。",
            "invalid": "校验值无效，请刷新页面。",
        },
    )


class CallbackForm(WorkbenchForm):
    called_at = forms.DateTimeField(
        label="回访时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="留空为当前时间。",
    )
    contacted = _yes_no("是否联系")
    resolved = _yes_no("是否解决")
    satisfaction = forms.ChoiceField(label="是否满意", choices=Satisfaction.choices, widget=forms.RadioSelect)
    valid = _yes_no("是否有效回访")
    note = LimitedTextField(label="备注", limit="note", required=False, rows=2)

    def __init__(self, *args, **kwargs):
        # Most callbacks count for assessment; the case page passes its own
        # (empty) initial, so merge rather than set a default.
        kwargs["initial"] = {"valid": "yes", **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)


class ExtensionRequestForm(WorkbenchForm):
    working_days = forms.IntegerField(label="延期工作日", min_value=1, max_value=30, initial=3)
    reason = LimitedTextField(label="延期理由", limit="note", rows=3)


class ExtensionDecisionForm(WorkbenchForm):
    decision = forms.ChoiceField(choices=[("approve", "批准"), ("refuse", "不批准")], widget=forms.HiddenInput)
    note = LimitedTextField(label="审批意见", limit="note", required=False)


class SuperviseForm(WorkbenchForm):
    kind = forms.ChoiceField(label="督办方式", choices=list(SUPERVISION_KINDS.items()), widget=forms.RadioSelect)
    note = LimitedTextField(label="督办情况", limit="note", rows=3)


class ExcludeForm(WorkbenchForm):
    reason = forms.ChoiceField(label="核减原因", choices=[("", "请选择核减原因"), *ExclusionReason.choices])
    note = LimitedTextField(label="核减说明", limit="note", rows=3)


class RestoreForm(WorkbenchForm):
    note = LimitedTextField(label="撤销理由", limit="note", rows=2)


class ReplySheetForm(forms.Form):
    start = forms.DateField(
        label="办结日期自", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label="至", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
    )


SIMILAR_SOURCES = ("title", "content", "compound", "address")


def mark_similar_sources(form: forms.Form) -> None:
    """The fields the likely-duplicates preview reads (templates/cases/_similar_preview.html)."""
    for name in SIMILAR_SOURCES:
        attrs = form.fields[name].widget.attrs
        attrs["class"] = f"{attrs.get('class', '')} similar-source".strip()


class LinkRepeatForm(WorkbenchForm):
    original = forms.CharField(
        label="原案件工单编号", max_length=TEXT_LIMITS["ticket_no"], help_text="本案件重复反映的较早案件。"
    )
    note = LimitedTextField(label="说明", limit="note", required=False, rows=2)


class CommunityIntakeForm(WorkbenchForm):
    """社区自行登记: what an officer learnt on a visit, in a group, at a council."""

    channel = forms.ChoiceField(label="来源", choices=[], widget=forms.RadioSelect)
    title = LimitedTextField(label="标题", limit="title", help_text="一句话概括，如：3号楼楼道灯不亮")
    content = LimitedTextField(label="情况描述", limit="content", rows=4)
    compound = LimitedTextField(label="小区点位", limit="compound", required=False)
    address = LimitedTextField(label="地址", limit="address", required=False, help_text="楼号、单元等。")
    caller_name = LimitedTextField(label="反映人", limit="caller_name", required=False)
    caller_phone = forms.RegexField(
        label="反映人电话",
        max_length=TEXT_LIMITS["caller_phone"],
        required=False,
        regex=r"^[0-9+\-\s()]{5,32}$",
        error_messages={"invalid": "请输入有效的电话号码。"},
    )
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.GENERAL)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c, Channel(c).label) for c in COMMUNITY_CHANNELS]
        mark_similar_sources(self)
