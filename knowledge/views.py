"""Pages of the knowledge base: search and read (staff), create and edit
with the version history (leaders and administrators)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from hotline.errors import DomainError, NotFound
from hotline.web import paginate, signed_in, staff_required
from knowledge import selectors, services
from knowledge.forms import ArticleForm, ArticleSearchForm
from knowledge.models import Article
from knowledge.placeholders import PLACEHOLDERS


@require_GET
@staff_required
def article_list(request: HttpRequest):
    form = ArticleSearchForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    articles = selectors.article_search(
        user=request.user, q=params.get("q", ""), kind=params.get("kind", ""), category=params.get("category", "")
    )
    page = paginate(request, articles, per_page=20)
    context = {"form": form, "page": page, "editor": selectors.article_editor(request.user)}
    return render(request, "knowledge/list.html", context)


def _article(request: HttpRequest, pk: int) -> Article:
    try:
        return selectors.article_get_for_user(user=request.user, article_id=pk)
    except NotFound as error:
        raise Http404(error.message) from None


@require_GET
@staff_required
def article_detail(request: HttpRequest, pk: int):
    article = _article(request, pk)
    versions = article.versions.select_related("edited_by__person")
    context = {"article": article, "versions": versions, "editor": selectors.article_editor(request.user)}
    return render(request, "knowledge/detail.html", context)


@require_http_methods(["GET", "POST"])
@staff_required
def article_edit(request: HttpRequest, pk: int | None = None):
    if not selectors.article_editor(request.user):
        raise PermissionDenied("只有街道领导和系统管理员可以维护知识库。")
    article = _article(request, pk) if pk is not None else None
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            values = services.ArticleInput(
                category_path=data["category_path"],
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                active=data["active"],
            )
            try:
                if article is None:
                    article = services.article_create(actor=signed_in(request.user), data=values)
                else:
                    article = services.article_update(
                        article_id=article.pk, actor=signed_in(request.user), data=values, note=data["note"]
                    )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(request, f"已保存（第{article.version}版）。")
                return redirect("knowledge-detail", pk=article.pk)
    elif article is not None:
        form = ArticleForm(
            initial={
                "title": article.title,
                "kind": article.kind,
                "category_path": article.category_path,
                "body": article.body,
                "active": article.active,
            }
        )
    else:
        form = ArticleForm()
    placeholders = [(f"{{{token}}}", label) for token, (label, _) in PLACEHOLDERS.items()]
    context = {"form": form, "article": article, "placeholders": placeholders}
    return render(request, "knowledge/edit.html", context, status=400 if form.errors else 200)
