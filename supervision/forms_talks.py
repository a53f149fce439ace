"""Forms of the 约谈 and of the weekly meeting's answers."""

from django import forms

from communities.models import Person
from hotline.web import WorkbenchForm
from supervision.models import AnswerGrade, TalkReason
from supervision.talks import ActionInput

ACTION_SLOTS = 3


class TalkUnitForm(WorkbenchForm):
    """Which unit and which reason: loads the figures the 约谈 form is pre-filled with."""

    unit = forms.ChoiceField(label="被约谈单位")
    reason = forms.ChoiceField(label="约谈原因", choices=TalkReason.choices)

    def __init__(self, *args, units: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "请选择社区或科室"), *units]  # type: ignore[attr-defined]  # fields[name] is typed as the base Field


class TalkForm(WorkbenchForm):
    reason_text = forms.CharField(label="原因说明", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    held_at = forms.DateTimeField(
        label="约谈时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    attendees = forms.CharField(label="参加人员", max_length=300)
    promises = forms.CharField(
        label="整改承诺", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up_on = forms.DateField(
        label="复查日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="复查日期当天起，约谈页面并列显示约谈时和当前的数据。",
    )


class MeetingAnswerForm(WorkbenchForm):
    answer = forms.CharField(label="回答情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    grade = forms.ChoiceField(label="评定", choices=AnswerGrade.choices, widget=forms.RadioSelect)

    def __init__(self, *args, street_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        owners = [("", "责任人")] + [
            (str(uid), name)
            for uid, name in Person.objects.filter(street_id=street_id, user__is_active=True)
            .exclude(role="display")
            .order_by("role", "full_name")
            .values_list("user_id", "full_name")
        ]
        for n in range(1, ACTION_SLOTS + 1):
            self.fields[f"action_{n}_text"] = forms.CharField(label=f"跟进事项{n}", max_length=300, required=False)
            self.fields[f"action_{n}_owner"] = forms.ChoiceField(label=f"责任人{n}", choices=owners, required=False)
            self.fields[f"action_{n}_due"] = forms.DateField(
                label=f"完成期限{n}",
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs.setdefault("class", css)

    def action_slots(self) -> list[tuple]:
        return [
            (self[f"action_{n}_text"], self[f"action_{n}_owner"], self[f"action_{n}_due"])
            for n in range(1, ACTION_SLOTS + 1)
        ]

    def actions(self) -> list[ActionInput]:
        data = self.cleaned_data
        return [
            ActionInput(
                data.get(f"action_{n}_text") or "",
                int(data[f"action_{n}_owner"]) if data.get(f"action_{n}_owner") else None,
                data.get(f"action_{n}_due"),
            )
            for n in range(1, ACTION_SLOTS + 1)
        ]
