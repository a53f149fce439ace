"""Admin of the knowledge base: saving goes through knowledge.services, so an
edit here also leaves a version row."""

from django import forms
from django.contrib import admin

from hotline.errors import DomainError
from knowledge import services
from knowledge.models import Article, ArticleVersion


def _input(obj: Article) -> services.ArticleInput:
    return services.ArticleInput(
        category_path=obj.category_path, kind=obj.kind, title=obj.title, body=obj.body, active=obj.active
    )


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "kind", "category_path", "body", "active"]

    def clean(self):
        data = super().clean()
        try:
            services.article_clean(
                services.ArticleInput(
                    **{k: data.get(k) or "" for k in ["category_path", "kind", "title", "body"]},
                    active=bool(data.get("active")),
                )
            )
        except DomainError as error:
            raise forms.ValidationError(
                {error.field: error.message} if error.field in self.fields else error.message
            ) from None
        return data


class ArticleVersionInline(admin.TabularInline):
    model = ArticleVersion
    fields = readonly_fields = ("version", "title", "kind", "category_path", "active", "note", "edited_by", "edited_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "category_path", "active", "version", "updated_at"]
    list_filter = ["kind", "active"]
    search_fields = ["title", "body", "category_path"]
    form = ArticleAdminForm
    fields = ["title", "kind", "category_path", "body", "active"]
    inlines = [ArticleVersionInline]

    def save_model(self, request, obj, form, change) -> None:
        data = _input(obj)
        if change:
            saved = services.article_update(article_id=obj.pk, actor=request.user, data=data, note="后台修改")
        else:
            saved = services.article_create(actor=request.user, data=data)
        obj.pk, obj.version = saved.pk, saved.version

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # retired, not deleted: the history stays
