"""Forms of the project pages: they parse input; governance.projects enforces the rules."""

from django import forms
from django.contrib.auth.models import User

from attachments.forms import PHOTO_ACCEPT, MultipleFileField
from cases.models import Tag
from communities.models import Community, Department, Role
from governance.models import ProjectKind
from governance.models.projects import PROJECT_TEXT_LIMITS
from governance.projects import NOTE_PHOTO_LIMIT
from governance.projects_transitions import ProjectAction, ProjectStatus
from hotline.web import WorkbenchForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _lines(text: str) -> list[str]:
    """One item per line (or separated by 、 , ；)."""
    for sep in ("、", ",", "，", ";", "；"):
        text = text.replace(sep, "\n")
    return [line.strip() for line in text.splitlines() if line.strip()]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        person = getattr(obj, "person", None)
        return f"{person.full_name}（{person.get_role_display()}）" if person else obj.get_username()


class ProjectForm(WorkbenchForm):
    kind = forms.ChoiceField(label="项目类型", choices=ProjectKind.choices, initial=ProjectKind.MONTHLY)
    title = forms.CharField(label="项目名称", max_length=PROJECT_TEXT_LIMITS["title"])
    description = forms.CharField(
        label="问题描述",
        required=False,
        max_length=PROJECT_TEXT_LIMITS["description"],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    category_paths = forms.CharField(
        label="问题分类（路径，每行一个）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如 城乡建设->物业管理"}),
        help_text="该分类及其下级分类的诉求都计入本项目的问题类别。",
    )
    keywords = forms.CharField(
        label="关键词（用顿号或换行分隔）",
        required=False,
        help_text="标题或内容含任一关键词的诉求计入问题类别。问题分类、标签、关键词至少填一项。",
    )
    tags = forms.ModelMultipleChoiceField(
        label="标签", queryset=Tag.objects.order_by("id"), required=False, widget=forms.CheckboxSelectMultiple
    )
    lead = PersonChoiceField(label="牵头领导", queryset=User.objects.none(), required=False, empty_label="请选择")
    departments = forms.ModelMultipleChoiceField(
        label="责任科室", queryset=Department.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    communities = forms.ModelMultipleChoiceField(
        label="责任社区", queryset=Community.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    due_on = forms.DateField(label="完成期限", widget=DATE)

    def __init__(self, *args, street_id: int, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        lead = self.fields["lead"]
        assert isinstance(lead, forms.ModelChoiceField)
        lead.queryset = User.objects.filter(person__street_id=street_id, person__role=Role.LEADER).select_related(
            "person"
        )
        for name, model in (("departments", Department), ("communities", Community)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = model.objects.filter(street_id=street_id, is_active=True)
        if editing:
            del self.fields["kind"]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "category_paths": _lines(data["category_paths"]),
            "keywords": _lines(data["keywords"]),
            "tag_ids": [tag.pk for tag in data["tags"]],
            "lead_id": data["lead"].pk if data["lead"] else None,
            "department_ids": [d.pk for d in data["departments"]],
            "community_ids": [c.pk for c in data["communities"]],
            "starts_on": data["starts_on"],
            "due_on": data["due_on"],
        }


class MilestoneForm(WorkbenchForm):
    title = forms.CharField(label="节点", max_length=PROJECT_TEXT_LIMITS["milestone"])
    owner = PersonChoiceField(label="责任人", queryset=User.objects.none(), required=False, empty_label="请选择")
    due_on = forms.DateField(label="完成期限", widget=DATE)

    def __init__(self, *args, street_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = (
            User.objects.filter(person__street_id=street_id, is_active=True)
            .exclude(person__role=Role.DISPLAY)
            .select_related("person")
            .order_by("person__role", "person__full_name")
        )


class NoteForm(WorkbenchForm):
    text = forms.CharField(
        label="推进情况", max_length=PROJECT_TEXT_LIMITS["note"], widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = MultipleFileField(label="照片", accept=PHOTO_ACCEPT, help_text=f"最多{NOTE_PHOTO_LIMIT}张。")


class TransitionForm(WorkbenchForm):
    action = forms.ChoiceField(choices=ProjectAction.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="说明（搁置、或有未完成节点时完成，须填写）",
        required=False,
        max_length=PROJECT_TEXT_LIMITS["reason"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    outcome = forms.CharField(
        label="治理成效（完成时填写）",
        required=False,
        max_length=PROJECT_TEXT_LIMITS["outcome"],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LinkCasesForm(forms.Form):
    """The cases listed on the case search (their ids, hidden), or work order
    numbers typed on the project page."""

    case_ids = forms.CharField(required=False, widget=forms.HiddenInput)
    tickets = forms.CharField(label="工单编号（多个用逗号或换行分隔）", required=False)
    source = forms.CharField(required=False)

    def clean_case_ids(self) -> list[int]:
        try:
            return [int(part) for part in _lines(self.cleaned_data["case_ids"]) if part]
        except ValueError:
            raise forms.ValidationError("案件 ID 须为数字。") from None

    def clean_tickets(self) -> list[str]:
        return _lines(self.cleaned_data["tickets"])

    def clean(self):
        data = super().clean()
        if not data.get("case_ids") and not data.get("tickets"):
            raise forms.ValidationError("请填写要关联的工单编号。")
        return data


class BoardFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "全部状态"), *ProjectStatus.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "全部类型"), *ProjectKind.choices], required=False)
    month = forms.CharField(required=False)
    open = forms.BooleanField(required=False)
    late = forms.BooleanField(required=False)
    milestones_late = forms.BooleanField(required=False)
    community = forms.IntegerField(required=False)
    department = forms.IntegerField(required=False)
