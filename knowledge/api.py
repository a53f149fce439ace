"""`/api/knowledge/`: search (the page's one search), read with history,
create and edit (leaders, administrators); `/api/cases/{id}/reply-templates/`:
the articles the reply form offers for a case, filled with its facts."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.selectors import case_get_for_user
from communities.api import STAFF
from hotline.api import Pagination, paginated, parse_input
from hotline.api_fields import ChoiceLabelField, UserRefField
from hotline.web import signed_in
from knowledge import selectors, services
from knowledge.models import ARTICLE_LIMITS, Article, ArticleKind, ArticleVersion


class ArticleVersionSerializer(serializers.ModelSerializer):
    edited_by = UserRefField()

    class Meta:
        model = ArticleVersion
        fields = ["version", "category_path", "kind", "title", "body", "active", "note", "edited_by", "edited_at"]


class ArticleSerializer(serializers.ModelSerializer):
    kind_label = ChoiceLabelField(source="kind")

    class Meta:
        model = Article
        fields = ["id", "category_path", "kind", "kind_label", "title", "body", "active", "version", "updated_at"]


class ArticleDetailSerializer(ArticleSerializer):
    versions = ArticleVersionSerializer(many=True)

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "versions"]


class ArticleQueryInput(serializers.Serializer):
    q = serializers.CharField(label="关键词", required=False, allow_blank=True, max_length=100, default="")
    kind = serializers.ChoiceField(
        label="类别", choices=ArticleKind.choices, required=False, allow_blank=True, default=""
    )
    category = serializers.CharField(
        label="问题分类（路径前缀）", required=False, allow_blank=True, max_length=200, default=""
    )


class ArticleInputSerializer(serializers.Serializer):
    category_path = serializers.CharField(
        label="问题分类", required=False, allow_blank=True, max_length=ARTICLE_LIMITS["category_path"], default=""
    )
    kind = serializers.ChoiceField(label="类别", choices=ArticleKind.choices)
    title = serializers.CharField(label="标题", allow_blank=True, max_length=ARTICLE_LIMITS["title"])
    body = serializers.CharField(label="正文", allow_blank=True, max_length=ARTICLE_LIMITS["body"])
    active = serializers.BooleanField(label="启用", default=True)
    note = serializers.CharField(
        label="修改说明", required=False, allow_blank=True, max_length=ARTICLE_LIMITS["note"], default=""
    )


def _input(data: dict) -> services.ArticleInput:
    return services.ArticleInput(
        category_path=data["category_path"],
        kind=data["kind"],
        title=data["title"],
        body=data["body"],
        active=data["active"],
    )


class ArticleListView(APIView):
    permission_classes = STAFF

    @extend_schema(
        operation_id="knowledge_list",
        summary="知识库搜索",
        parameters=[ArticleQueryInput],
        responses=paginated("PaginatedArticleList", ArticleSerializer),
    )
    def get(self, request):
        query = parse_input(ArticleQueryInput, request.query_params)
        articles = selectors.article_search(
            user=request.user, q=query["q"], kind=query["kind"], category=query["category"]
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(articles, request, view=self)
        return paginator.get_paginated_response(ArticleSerializer(page, many=True).data)

    @extend_schema(
        summary="新建知识库条目（街道领导、系统管理员）",
        request=ArticleInputSerializer,
        responses={201: ArticleDetailSerializer},
    )
    def post(self, request):
        data = parse_input(ArticleInputSerializer, request.data)
        article = services.article_create(actor=signed_in(request.user), data=_input(data))
        return Response(ArticleDetailSerializer(article).data, status=201)


class ArticleDetailView(APIView):
    permission_classes = STAFF

    @extend_schema(summary="知识库条目及修改记录", responses=ArticleDetailSerializer)
    def get(self, request, pk: int):
        article = selectors.article_get_for_user(user=request.user, article_id=pk)
        return Response(ArticleDetailSerializer(article).data)

    @extend_schema(
        summary="修改知识库条目（新增一版，旧版保留）",
        request=ArticleInputSerializer,
        responses=ArticleDetailSerializer,
    )
    def put(self, request, pk: int):
        article = selectors.article_get_for_user(user=request.user, article_id=pk)
        data = parse_input(ArticleInputSerializer, request.data)
        article = services.article_update(
            article_id=article.pk, actor=signed_in(request.user), data=_input(data), note=data["note"]
        )
        return Response(ArticleDetailSerializer(article).data)


class OfferSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="article.id")
    kind = serializers.CharField(source="article.kind")
    category_path = serializers.CharField(source="article.category_path")
    title = serializers.CharField(source="article.title")
    text = serializers.CharField(help_text="正文，占位符已按案件填入")


class CaseReplyTemplatesView(APIView):
    permission_classes = STAFF

    @extend_schema(
        summary="案件可用的答复模板（按分类最长匹配优先，已填入案件信息）", responses=OfferSerializer(many=True)
    )
    def get(self, request, pk: int):
        case = case_get_for_user(user=request.user, case_id=pk)
        offers = selectors.article_offers_for_case(case=case, user=request.user)
        return Response(OfferSerializer(offers, many=True).data)
