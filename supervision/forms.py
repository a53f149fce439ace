"""Forms of the supervision pages."""

from django import forms

from hotline.web import WorkbenchForm
from supervision.models import ChannelKind


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
