"""Forms of the supervision pages."""

from django import forms

from hotline.web import WorkbenchForm


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
