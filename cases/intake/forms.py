from django import forms

from cases.intake import parsing


class UploadForm(forms.Form):
    file = forms.FileField(
        label="12345平台导出的工单文件",
        help_text="支持 .xlsx 和 .csv（UTF-8 或 GBK）。同一文件重复导入不会重复登记；上传后先预检，确认后才写入。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            parsing.check_size(upload.size)
        except parsing.FileRejected as error:
            raise forms.ValidationError(error.message) from None
        return upload


class ConfirmForm(forms.Form):
    valid_only = forms.BooleanField(required=False)
