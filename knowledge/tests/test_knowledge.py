"""The knowledge base: kept by leaders and administrators with history, one
search for page and API, and the reply form's templates of the case's
category, filled with its facts (callers only for roles that may see them)."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from rest_framework.test import APIClient

from hotline.errors import InvalidInput, NotAllowed
from knowledge import selectors, services
from knowledge.models import Article, ArticleKind, ArticleVersion

CATEGORY = "城乡建设->物业管理->电梯故障"


def _article(
    org,
    *,
    path="城乡建设->物业管理",
    kind=ArticleKind.STANDARD_REPLY,
    title="电梯维修答复",
    body="您好，工单{工单编号}所反映{小区}电梯问题已处理。",
):
    data = services.ArticleInput(category_path=path, kind=kind, title=title, body=body)
    return services.article_create(actor=org.leader, data=data)


def test_a_leader_creates_and_edits_and_every_edit_is_a_version(org):
    article = _article(org)
    data = services.ArticleInput(
        category_path=" 城乡建设 -> 物业管理 ",
        kind=ArticleKind.STANDARD_REPLY,
        title="电梯维修答复",
        body="新的正文{工单编号}",
    )
    article = services.article_update(article_id=article.pk, actor=org.leader, data=data, note="补充")
    assert (article.version, article.category_path, article.body) == (2, "城乡建设->物业管理", "新的正文{工单编号}")
    versions = list(
        ArticleVersion.objects.filter(article=article).order_by("version").values_list("version", "body", "note")
    )
    assert versions == [
        (1, "您好，工单{工单编号}所反映{小区}电梯问题已处理。", "新建"),
        (2, "新的正文{工单编号}", "补充"),
    ]
    with pytest.raises(InvalidInput, match="没有变化"):
        services.article_update(article_id=article.pk, actor=org.leader, data=data)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": " "}, "title"),
        ({"body": ""}, "body"),
        ({"kind": "x"}, "kind"),
        ({"body": "{来电人身份证}"}, "body"),
        ({"title": "长" * 101}, "title"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(org, change, field):
    data = {"category_path": "", "kind": ArticleKind.POLICY, "title": "标题", "body": "正文", **change}
    with pytest.raises(InvalidInput) as refused:
        services.article_create(actor=org.leader, data=services.ArticleInput(**data))
    assert refused.value.field == field
    assert not Article.objects.exists() and not ArticleVersion.objects.exists()


def test_only_leaders_and_administrators_edit(org, client):
    for user in (org.officer_a, org.clerk, org.secretary_a):
        with pytest.raises(NotAllowed):
            services.article_create(actor=user, data=services.ArticleInput("", ArticleKind.POLICY, "标题", "正文"))
    admin = User.objects.create_superuser("root", password="x")
    assert services.article_create(actor=admin, data=services.ArticleInput("", ArticleKind.POLICY, "标题", "正文")).pk
    client.force_login(org.officer_a)
    assert client.get(reverse("knowledge-new")).status_code == 403
    api = APIClient()
    api.force_authenticate(org.officer_a)
    body = {"kind": "policy", "title": "x", "body": "y"}
    assert api.post("/api/knowledge/", body, format="json").status_code == 403


def test_one_search_for_page_and_api_and_retired_articles_only_for_editors(org, client):
    elevator = _article(org)
    _article(org, path="市场监管", title="预付卡退费", body="依据《单用途商业预付卡管理办法》")
    retired = _article(org, title="旧答复电梯", body="停用")
    services.article_update(
        article_id=retired.pk,
        actor=org.leader,
        data=services.ArticleInput(retired.category_path, retired.kind, retired.title, retired.body, active=False),
    )
    assert list(selectors.article_search(user=org.officer_a, q="电梯")) == [elevator]
    assert set(selectors.article_search(user=org.leader, q="电梯")) == {elevator, retired}
    assert [a.title for a in selectors.article_search(user=org.officer_a, category="城乡建设")] == ["电梯维修答复"]
    client.force_login(org.officer_a)
    page = client.get(reverse("knowledge-list"), {"q": "电梯"}).content.decode()
    assert "电梯维修答复" in page and "预付卡退费" not in page and "旧答复电梯" not in page
    assert client.get(reverse("knowledge-detail", args=[retired.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(org.officer_a)
    assert [a["title"] for a in api.get("/api/knowledge/", {"q": "电梯"}).json()["results"]] == ["电梯维修答复"]
    assert api.get(f"/api/knowledge/{retired.pk}/").status_code == 404


def test_the_reply_form_offers_the_longest_matching_category_first_filled_with_the_case(org, walk, client):
    case = walk.responded(category=CATEGORY, compound="幸福家园")
    _article(org, path="城乡建设", title="城建通用", body="通用答复")
    _article(org, path=CATEGORY, kind=ArticleKind.POLICY, title="电梯条例", body="《特种设备安全法》")
    _article(org, title="物业答复", body="{工单编号}/{小区}/{来电人}/{来电人电话}")
    _article(org, path="城乡建设->物业", title="不是整级前缀", body="x")
    _article(org, path="", kind=ArticleKind.GUIDANCE, title="责任主体无法找到", body="对策")

    officer = [o.article.title for o in selectors.article_offers_for_case(case=case, user=org.officer_a)]
    assert officer == ["电梯条例", "物业答复", "城建通用", "责任主体无法找到"]
    filled = {o.article.title: o.text for o in selectors.article_offers_for_case(case=case, user=org.officer_a)}
    assert filled["物业答复"] == f"{case.ticket_no}/幸福家园/张三/13812341234"
    # A chief does not see callers: the placeholders say so, masked.
    masked = {o.article.title: o.text for o in selectors.article_offers_for_case(case=case, user=org.chief_a)}
    assert masked["物业答复"] == f"{case.ticket_no}/幸福家园/来电人/138****1234"

    client.force_login(org.officer_a)
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "知识库模板（4）" in page and 'data-fill-field="basis"' in page and "js/reply_templates.js" in page


def test_the_api_offers_the_templates_of_a_case_in_scope_only(org, walk):
    case = walk.responded(category=CATEGORY)
    _article(org)
    api = APIClient()
    api.force_authenticate(org.officer_a)
    offers = api.get(f"/api/cases/{case.pk}/reply-templates/").json()
    assert [o["title"] for o in offers] == ["电梯维修答复"] and case.ticket_no in offers[0]["text"]
    api.force_authenticate(org.officer_b)
    assert api.get(f"/api/cases/{case.pk}/reply-templates/").status_code == 404


def test_the_edit_page_documents_the_placeholders_and_saves_a_version(org, client):
    article = _article(org)
    client.force_login(org.leader)
    page = client.get(reverse("knowledge-edit", args=[article.pk])).content.decode()
    assert "{工单编号}" in page and "{来电人电话}" in page
    response = client.post(
        reverse("knowledge-edit", args=[article.pk]),
        {
            "title": "电梯维修答复",
            "kind": "standard_reply",
            "category_path": "城乡建设->物业管理",
            "body": "改过{未知}",
            "active": "on",
        },
    )
    assert response.status_code == 400 and "无法识别的占位符" in response.content.decode()
    response = client.post(
        reverse("knowledge-edit", args=[article.pk]),
        {
            "title": "电梯维修答复",
            "kind": "standard_reply",
            "category_path": "城乡建设->物业管理",
            "body": "改过",
            "active": "on",
            "note": "精简",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("knowledge-detail", args=[article.pk])).content.decode()
    assert "第2版" in page and "精简" in page and "第1版" in page


def test_the_api_edits_with_history(org):
    api = APIClient()
    api.force_authenticate(org.leader)
    created = api.post(
        "/api/knowledge/", {"kind": "guidance", "title": "证据缺失", "body": "先调取监控"}, format="json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    bad = api.put(f"/api/knowledge/{pk}/", {"kind": "guidance", "title": "", "body": "x"}, format="json")
    assert (bad.status_code, bad.json()["field"]) == (400, "title")
    body = api.put(
        f"/api/knowledge/{pk}/",
        {"kind": "guidance", "title": "证据缺失", "body": "先调取监控录像", "note": "补充"},
        format="json",
    ).json()
    assert body["version"] == 2 and [v["version"] for v in body["versions"]] == [2, 1]
