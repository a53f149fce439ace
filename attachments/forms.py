"""The upload fields of the case page: a camera field (phones open the camera)
and a file field, both taking several files; the content is checked by the
service (attachments.content), not here."""

from typing import cast

from django import forms

from attachments.models import Label, Part
from cases.forms import LimitedTextField
from cases.transitions import Status
from hotline.web import WorkbenchForm

PHOTO_ACCEPT = "image/*"
FILE_ACCEPT = "image/*,.heic,.heif,application/pdf,.pdf"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; a list (empty when none was chosen)."""

    def __init__(self, *, accept: str, capture: bool = False, **kwargs):
        attrs = {"accept": accept, "multiple": True}
        if capture:
            attrs["capture"] = "environment"
        kwargs.setdefault("required", False)
        # An empty file reaches the service, which says so in its own words.
        super().__init__(widget=MultipleFileInput(attrs=attrs), allow_empty_file=True, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class _Uploads(WorkbenchForm):
    photos = MultipleFileField(label="拍照", accept=PHOTO_ACCEPT, capture=True, help_text="手机上直接打开相机。")
    documents = MultipleFileField(
        label="选择照片或文件", accept=FILE_ACCEPT, help_text="JPEG、PNG、WebP、HEIC 照片或 PDF，单个不超过 10 MB。"
    )
    label = forms.ChoiceField(label="标注", choices=Label.choices, initial=Label.DURING)

    def clean(self):
        data = super().clean()
        # Each file with the label chosen for them: what the services take.
        data["uploads"] = [
            (upload, data.get("label")) for upload in [*data.get("photos", []), *data.get("documents", [])]
        ]
        return data


class AttachForm(_Uploads):
    part = forms.ChoiceField(label="属于", choices=[(Part.CASE, Part.CASE.label)], initial=Part.CASE)

    def set_case(self, case) -> None:
        """The documents the case has open for files now (the service checks again)."""
        choices = [(Part.CASE.value, "案件材料（现场照片等）")]
        if case.status in (Status.RESPONDED, Status.REPLIED):
            choices.append((Part.REPLY.value, "办理结果（随结果签字）"))
        if case.status in (Status.NEEDS_EXPLANATION, Status.EXPLANATION_WRITTEN):
            choices.append((Part.EXPLANATION.value, "情况说明（随说明签字）"))
        cast(forms.ChoiceField, self.fields["part"]).choices = choices

    def clean(self):
        data = super().clean()
        if not self.errors and not data["uploads"]:
            raise forms.ValidationError("请拍照或选择要上传的文件。")
        return data


class ProgressNoteForm(_Uploads):
    text = LimitedTextField(label="办理进展", limit="note", rows=3, help_text="做了什么、结果如何。")
    done_at = forms.DateTimeField(
        label="办理时间",
        required=False,
        help_text="留空为现在。",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    field_order = ["text", "done_at", "photos", "documents", "label"]
