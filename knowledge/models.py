"""The knowledge base (知识库): standard replies, policy bases and the
street's guidance for long-standing problems, filed by case category path.
Every edit keeps the previous text as a version row."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ArticleKind(models.TextChoices):
    STANDARD_REPLY = "standard_reply", "标准答复"
    POLICY = "policy", "政策依据"
    GUIDANCE = "guidance", "对策指引"


ARTICLE_LIMITS = {"title": 100, "body": 4000, "category_path": 200, "note": 200}


class Article(models.Model):
    category_path = models.CharField(
        "问题分类",
        max_length=ARTICLE_LIMITS["category_path"],
        blank=True,
        db_index=True,
        help_text="与案件的问题分类同一写法，如“城乡建设->物业管理”；留空适用于所有分类。",
    )
    kind = models.CharField("类别", max_length=16, choices=ArticleKind.choices)
    title = models.CharField("标题", max_length=ARTICLE_LIMITS["title"])
    body = models.TextField("正文")
    active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最后修改人",
    )

    class Meta:
        verbose_name = verbose_name_plural = "知识库条目"
        ordering = ["category_path", "kind", "title", "id"]

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    """One saved state of an article (version 1 is its creation)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions", verbose_name="条目")
    version = models.PositiveIntegerField("版本")
    category_path = models.CharField("问题分类", max_length=ARTICLE_LIMITS["category_path"], blank=True)
    kind = models.CharField("类别", max_length=16, choices=ArticleKind.choices)
    title = models.CharField("标题", max_length=ARTICLE_LIMITS["title"])
    body = models.TextField("正文")
    active = models.BooleanField("启用", default=True)
    note = models.CharField("修改说明", max_length=ARTICLE_LIMITS["note"], blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="修改人",
    )
    edited_at = models.DateTimeField("修改时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "知识库修改记录"
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["article", "version"], name="article_version_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.version}"
