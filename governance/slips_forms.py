"""Forms of the slip pages: they parse input; governance.slips enforces the rules."""

from django import forms
from django.conf import settings

from attachments.forms import PHOTO_ACCEPT, MultipleFileField
from cases.models import Urgency
from communities.models import Community
from governance.models import SLIP_TEXT_LIMITS, SlipCloseReason
from governance.slips import SLIP_PHOTO_LIMIT
from hotline.web import WorkbenchForm

CONSENT = "我同意街道使用我留下的称呼和电话，仅用于就本条意见联系我、告知办理结果，不会公开或转给无关方。"


class SlipTextField(forms.CharField):
    """Text with its limit from SLIP_TEXT_LIMITS: the browser stops typing at
    it; the service refuses a longer text with a message naming the limit."""

    def __init__(self, *, label: str, limit: str, rows: int | None = None, **kwargs):
        max_length = SLIP_TEXT_LIMITS[limit]
        attrs = {"maxlength": str(max_length)}
        if rows is not None:
            kwargs["widget"] = forms.Textarea(attrs={**attrs, "rows": rows})
            kwargs.setdefault("help_text", f"不超过{max_length}字。")
        else:
            kwargs["widget"] = forms.TextInput(attrs=attrs)
        kwargs.setdefault("required", False)
        super().__init__(label=label, strip=False, **kwargs)


class SlipContentForm(WorkbenchForm):
    """What a slip says: the public page and the clerk's paper form share it."""

    problem = SlipTextField(label="反映的问题", limit="problem", rows=5, required=True)
    compound = SlipTextField(label="小区", limit="compound", help_text="可从列表中选择，也可直接填写。")
    building = SlipTextField(label="楼号/具体位置", limit="building")
    name = SlipTextField(label="称呼（选填）", limit="name")
    phone = SlipTextField(label="电话（选填）", limit="phone")
    consent = forms.BooleanField(label=CONSENT, required=False)

    def __init__(self, *args, compounds: list[str] = (), **kwargs):  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.compounds = list(compounds)
        self.fields["compound"].widget.attrs.update({"list": "compound-list", "autocomplete": "off"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})


class PublicSlipForm(SlipContentForm):
    photos = MultipleFileField(
        label="照片（选填）",
        accept=PHOTO_ACCEPT,
        help_text=f"最多{SLIP_PHOTO_LIMIT}张，每张不超过{settings.SLIP_PHOTO_MAX_BYTES // (1024 * 1024)} MB。",
    )
    # The honeypot: hidden from people (CSS), filled by robots that fill every field.
    website = forms.CharField(label="网址（请勿填写）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})


class PaperSlipForm(SlipContentForm):
    community = forms.ModelChoiceField(label="社区", queryset=Community.objects.none(), empty_label="请选择社区")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.filter(is_active=True)
        self.order_fields(["community"])
        self.fields["consent"].label = "居民已在纸质意见条上勾选同意联系"


class SlipStatusForm(WorkbenchForm):
    code = forms.CharField(label="回执码", max_length=32)
    phone_last4 = forms.CharField(
        label="电话后四位", max_length=4, required=False, help_text="提交时留了电话的，请填写电话号码的后四位。"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "autocapitalize": "characters"})
        self.fields["phone_last4"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})


class SlipConvertForm(WorkbenchForm):
    title = forms.CharField(label="案件标题", max_length=200, required=False, help_text="留空取意见条的第一行。")
    category = forms.CharField(label="问题分类", max_length=200, required=False, help_text="一级->二级->三级")
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.GENERAL)


class SlipCloseForm(WorkbenchForm):
    reason = forms.ChoiceField(label="关闭原因", choices=[("", "请选择关闭原因"), *SlipCloseReason.choices])
    note = forms.CharField(
        label="说明", max_length=SLIP_TEXT_LIMITS["note"], required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SlipSummaryForm(WorkbenchForm):
    public_summary = forms.CharField(
        label="公开答复摘要",
        max_length=SLIP_TEXT_LIMITS["public_summary"],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="居民查询进度时看到的办理结果。请勿写入姓名、电话等个人信息。",
    )
