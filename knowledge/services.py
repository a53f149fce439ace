"""Writes to the knowledge base: create an article, edit it (each edit a new
version row, the previous state kept), retire or restore it. Only leaders and
administrators (knowledge.selectors.article_editor)."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cases.groupings import category_path_normalize
from hotline.errors import InvalidInput, NotAllowed, NotFound
from hotline.text import text_clean
from knowledge.models import ARTICLE_LIMITS, Article, ArticleKind, ArticleVersion
from knowledge.placeholders import unknown_placeholders
from knowledge.selectors import article_editor


@dataclass(frozen=True)
class ArticleInput:
    category_path: str
    kind: str
    title: str
    body: str
    active: bool = True


_LABELS = {"category_path": "问题分类", "title": "标题", "body": "正文", "note": "修改说明"}


def _text(value: str, field: str, *, required: bool) -> str:
    return text_clean(value, label=_LABELS[field], field=field, limit=ARTICLE_LIMITS[field], required=required)


def article_clean(data: ArticleInput) -> ArticleInput:
    """The input as saved, or InvalidInput naming the field."""
    if data.kind not in ArticleKind.values:
        raise InvalidInput("请选择知识库条目的类别。", field="kind")
    body = _text(data.body, "body", required=True)
    unknown = unknown_placeholders(body)
    if unknown:
        names = "、".join(f"{{{name}}}" for name in unknown)
        raise InvalidInput(f"正文中有无法识别的占位符：{names}。可用的占位符见编辑页说明。", field="body")
    return ArticleInput(
        category_path=category_path_normalize(_text(data.category_path, "category_path", required=False)),
        kind=data.kind,
        title=_text(data.title, "title", required=True),
        body=body,
        active=bool(data.active),
    )


def _check_editor(actor: User) -> None:
    if not article_editor(actor):
        raise NotAllowed("只有街道领导和系统管理员可以维护知识库。")


def _version(article: Article, actor: User, note: str) -> ArticleVersion:
    return ArticleVersion.objects.create(
        article=article,
        version=article.version,
        category_path=article.category_path,
        kind=article.kind,
        title=article.title,
        body=article.body,
        active=article.active,
        note=note,
        edited_by=actor,
        edited_at=article.updated_at,
    )


@transaction.atomic
def article_create(*, actor: User, data: ArticleInput) -> Article:
    _check_editor(actor)
    data = article_clean(data)
    article = Article.objects.create(
        category_path=data.category_path,
        kind=data.kind,
        title=data.title,
        body=data.body,
        active=data.active,
        version=1,
        updated_at=timezone.now(),
        updated_by=actor,
    )
    _version(article, actor, "新建")
    return article


FIELDS = ["category_path", "kind", "title", "body", "active"]


@transaction.atomic
def article_update(*, article_id: int, actor: User, data: ArticleInput, note: str = "") -> Article:
    """Save the article as `data`, as version n+1; the earlier versions stay."""
    _check_editor(actor)
    try:
        article = Article.objects.select_for_update().get(pk=article_id)
    except Article.DoesNotExist:
        raise NotFound("知识库条目不存在。") from None
    data = article_clean(data)
    note = _text(note, "note", required=False)
    if all(getattr(article, name) == getattr(data, name) for name in FIELDS):
        raise InvalidInput("内容没有变化。", field="body")
    for name in FIELDS:
        setattr(article, name, getattr(data, name))
    article.version += 1
    article.updated_at, article.updated_by = timezone.now(), actor
    article.save(update_fields=[*FIELDS, "version", "updated_at", "updated_by"])
    _version(article, actor, note)
    return article
