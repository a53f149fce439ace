from django import forms

from hotline.web import WorkbenchForm
from knowledge.models import ARTICLE_LIMITS, ArticleKind


class ArticleSearchForm(WorkbenchForm):
    q = forms.CharField(label="关键词", required=False, max_length=100)
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部"), *ArticleKind.choices])
    category = forms.CharField(label="问题分类（路径前缀）", required=False, max_length=200)


class ArticleForm(WorkbenchForm):
    """Parses the edit page; the service checks and saves."""

    title = forms.CharField(label="标题", max_length=ARTICLE_LIMITS["title"])
    kind = forms.ChoiceField(label="类别", choices=ArticleKind.choices)
    category_path = forms.CharField(
        label="问题分类",
        required=False,
        max_length=ARTICLE_LIMITS["category_path"],
        help_text="与案件的问题分类同一写法，如“城乡建设->物业管理”；办理结果表单按最长匹配的分类优先提供。留空适用于所有分类。",
    )
    body = forms.CharField(label="正文", max_length=ARTICLE_LIMITS["body"], widget=forms.Textarea(attrs={"rows": 8}))
    active = forms.BooleanField(label="启用", required=False, initial=True)
    note = forms.CharField(label="修改说明", required=False, max_length=ARTICLE_LIMITS["note"])
