"""Forms of the supervision pages."""

from django import forms

from hotline.web import WorkbenchForm
from supervision.models import ChannelKind, FindingType


class ChannelForm(WorkbenchForm):
    kind = forms.ChoiceField(label="类型", choices=ChannelKind.choices)
    address = forms.CharField(
        label="地址", max_length=500, help_text="电子邮件地址，或机器人/接收系统的 Webhook 地址（http/https）。"
    )
    secret = forms.CharField(
        label="签名密钥",
        max_length=200,
        required=False,
        help_text="钉钉机器人“加签”密钥（可选）；通用 Webhook 必填，至少16个字符。",
        widget=forms.PasswordInput(render_value=False),
    )


class QuietHoursForm(WorkbenchForm):
    start = forms.TimeField(label="免打扰开始", required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label="免打扰结束", required=False, widget=forms.TimeInput(attrs={"type": "time"}))


class EmergencyRaiseForm(WorkbenchForm):
    note = forms.CharField(
        label="紧急情况",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如：燃气泄漏、人员被困。",
    )


class EmergencyArriveForm(WorkbenchForm):
    note = forms.CharField(
        label="到场情况", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="选填。"
    )


class EmergencyCloseForm(WorkbenchForm):
    note = forms.CharField(label="处置情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


# ---------------------------------------------------------------- the supervision group's records (views_checks)


def _order_kind_choices():
    from supervision.orders import MANUAL_KINDS

    return [("", "不下发督办单"), *((kind.value, kind.label) for kind in MANUAL_KINDS)]


class FindingForm(WorkbenchForm):
    case = forms.IntegerField(widget=forms.HiddenInput)
    finding = forms.ChoiceField(label="发现问题", choices=FindingType.choices)
    note = forms.CharField(label="检查情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    order_kind = forms.ChoiceField(label="督办单", choices=_order_kind_choices, required=False)
    due_on = forms.DateField(label="办结期限", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class CheckCloseForm(WorkbenchForm):
    summary = forms.CharField(
        label="检查小结", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OrderCloseForm(WorkbenchForm):
    note = forms.CharField(label="督办落实情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


YES_NO = [("yes", "是"), ("no", "否")]


class RecheckForm(WorkbenchForm):
    case = forms.IntegerField(widget=forms.HiddenInput)
    still_resolved = forms.ChoiceField(label="问题仍已解决", choices=YES_NO, widget=forms.RadioSelect)
    satisfied = forms.ChoiceField(label="来电人满意", choices=YES_NO, widget=forms.RadioSelect)
    note = forms.CharField(label="回访情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
