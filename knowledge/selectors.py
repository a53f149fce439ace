"""Reads of the knowledge base: who may read and edit, the one search
(page and API), and the articles the reply form offers for a case."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from cases.groupings import CATEGORY_SEPARATOR, category_path_normalize
from cases.models import Case
from communities.models import Role
from communities.selectors import person_for_user
from hotline.errors import NotFound
from knowledge.models import Article, ArticleKind
from knowledge.placeholders import article_fill


def article_editor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Leaders and the administrators keep the knowledge base."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    person = person_for_user(user)
    return person is not None and person.role == Role.LEADER


def article_scope_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Article]:
    """Every staff member reads the active articles; editors also the retired ones."""
    if article_editor(user):
        return Article.objects.all()
    person = person_for_user(user)
    if person is None or person.role == Role.DISPLAY:
        return Article.objects.none()
    return Article.objects.filter(active=True)


KEYWORD_FIELDS = ("title", "body", "category_path")


def article_keyword_q(value: str) -> Q | None:
    """The knowledge base's keyword search (标题、正文、分类), in the style of
    cases.vocabulary.case_keyword_q; None for an empty keyword."""
    value = (value or "").replace("\x00", "").strip()
    if not value:
        return None
    q = Q()
    for name in KEYWORD_FIELDS:
        q |= Q(**{f"{name}__icontains": value})
    return q


def article_search(
    *, user: AbstractBaseUser | AnonymousUser, q: str = "", kind: str = "", category: str = ""
) -> QuerySet[Article]:
    articles = article_scope_for_user(user).select_related("updated_by__person")
    keyword = article_keyword_q(q)
    if keyword is not None:
        articles = articles.filter(keyword)
    if kind:
        articles = articles.filter(kind=kind)
    path = category_path_normalize(category)
    if path:
        articles = articles.filter(Q(category_path=path) | Q(category_path__startswith=f"{path}{CATEGORY_SEPARATOR}"))
    return articles


def article_get_for_user(*, user: AbstractBaseUser | AnonymousUser, article_id: int) -> Article:
    try:
        return article_scope_for_user(user).get(pk=article_id)
    except Article.DoesNotExist:
        raise NotFound("知识库条目不存在。") from None


def _prefixes(path: str) -> list[str]:
    """ "a->b->c" → ["a->b->c", "a->b", "a", ""]: the longest first."""
    parts = path.split(CATEGORY_SEPARATOR) if path else []
    return [CATEGORY_SEPARATOR.join(parts[:n]) for n in range(len(parts), -1, -1)]


@dataclass(frozen=True)
class OfferedArticle:
    article: Article
    text: str  # the body with the case's facts filled in


def article_offers_for_case(*, case: Case, user: AbstractBaseUser | AnonymousUser) -> list[OfferedArticle]:
    """The active articles whose category path is a prefix of the case's
    (whole levels), the longest matching prefix first, filled with the
    case's facts as this user may see them."""
    prefixes = _prefixes(category_path_normalize(case.category))
    rank = {prefix: index for index, prefix in enumerate(prefixes)}
    kinds = list(ArticleKind.values)
    articles = Article.objects.filter(active=True, category_path__in=prefixes)
    ordered = sorted(articles, key=lambda a: (rank[a.category_path], kinds.index(a.kind), a.title, a.pk))
    return [OfferedArticle(article=a, text=article_fill(a.body, case=case, user=user)) for a in ordered]
