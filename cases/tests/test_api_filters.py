"""Filters, search, ordering and pagination of the case list (`CaseFilter`,
shared with the xlsx export)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Tag
from cases.tests.factories import CaseFactory
from cases.transitions import Status

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def cases(org):
    now = timezone.now()
    a = {"community": org.a, "pairing": org.pairing_a, "department": org.d1, "handler": org.officer_a}
    b = {"community": org.b, "pairing": org.pairing_b, "department": org.d2, "handler": org.officer_b}
    made = {
        "overdue": CaseFactory(
            **a,
            ticket_no="T-OVERDUE",
            status=Status.DISPATCHED,
            closure_deadline=now - dt.timedelta(hours=1),
            response_deadline=now - dt.timedelta(hours=2),
            received_at=dt.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI),
            address="幸福小区3号楼",
            title="电梯故障",
        ),
        "soon": CaseFactory(
            **b,
            ticket_no="T-SOON",
            status=Status.RESPONDED,
            channel="web_form",
            urgency="emergency",
            category="城乡建设->物业管理",
            closure_deadline=now + dt.timedelta(hours=2),
            response_deadline=now - dt.timedelta(hours=1),
            received_at=dt.datetime(2026, 3, 2, 0, 10, tzinfo=SHANGHAI),
            address="和平里5号",
            title="楼道堆物",
            content="楼道堆放杂物，存在消防隐患。",
        ),
        "later": CaseFactory(
            **a,
            ticket_no="T-LATER",
            status=Status.REPLIED,
            category="城乡建设->物业服务->收费",
            closure_deadline=now + dt.timedelta(days=5),
            received_at=dt.datetime(2026, 3, 5, 12, 0, tzinfo=SHANGHAI),
            title="物业费",
            content="物业费上涨。",
        ),
        "single": CaseFactory(
            **a,
            ticket_no="T-SINGLE",
            status=Status.NEEDS_EXPLANATION,
            closure_deadline=now - dt.timedelta(days=1),
            callback_at=now,
            callback_resolved=False,
            callback_satisfaction="basic",
            received_at=dt.datetime(2026, 2, 20, 9, 0, tzinfo=SHANGHAI),
        ),
        "double": CaseFactory(
            **b,
            ticket_no="T-DOUBLE",
            status=Status.NEEDS_EXPLANATION,
            callback_at=now,
            callback_resolved=False,
            callback_satisfaction="unsatisfied",
            received_at=dt.datetime(2026, 2, 21, 9, 0, tzinfo=SHANGHAI),
        ),
        "positive": CaseFactory(
            **b,
            ticket_no="T-POSITIVE",
            status=Status.CALLED_BACK,
            callback_at=now,
            callback_resolved=True,
            callback_satisfaction="satisfied",
            exclusion_reason="untrue",
            excluded_at=now,
            received_at=dt.datetime(2026, 2, 22, 9, 0, tzinfo=SHANGHAI),
        ),
        "new": CaseFactory(ticket_no="T-NEW", category="", received_at=dt.datetime(2026, 3, 6, 9, 0, tzinfo=SHANGHAI)),
    }
    made["overdue"].tags.add(Tag.objects.get_or_create(name="每月一题")[0])
    return {name: case.id for name, case in made.items()}


def names(cases, response) -> set[str]:
    assert response.status_code == 200, response.json()
    by_id = {pk: name for name, pk in cases.items()}
    return {by_id[row["id"]] for row in response.json()["results"]}


@pytest.fixture
def clerk(org):
    client = APIClient()
    client.force_login(org.clerk)
    return client


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"overdue", "soon", "later", "single", "double", "positive", "new"}),
        ({"status": "dispatched"}, {"overdue"}),
        ({"status": ["dispatched", "replied"]}, {"overdue", "later"}),
        ({"channel": "web_form"}, {"soon"}),
        ({"urgency": "emergency"}, {"soon"}),
        ({"tag": "每月一题"}, {"overdue"}),
        ({"category": "城乡建设"}, {"overdue", "soon", "later", "single", "double", "positive"}),
        ({"category": "城乡建设->物业管理"}, {"overdue", "soon", "single", "double", "positive"}),
        ({"category": "城乡建设 -> 物业管理 -> 电梯故障"}, {"overdue", "single", "double", "positive"}),
        ({"category": "城乡建设->物业"}, set()),  # whole levels only
        ({"received_after": "2026-03-02"}, {"soon", "later", "new"}),
        ({"received_before": "2026-03-01"}, {"overdue", "single", "double", "positive"}),
        ({"received_after": "2026-03-01", "received_before": "2026-03-02"}, {"overdue", "soon"}),
        ({"overdue": "true"}, {"overdue"}),
        ({"overdue": "false"}, {"soon", "later", "single", "double", "positive", "new"}),
        ({"due_soon": "true"}, {"soon"}),
        ({"response_overdue": "true"}, {"overdue"}),
        ({"callback": "positive"}, {"positive"}),
        ({"callback": "single"}, {"single"}),
        ({"callback": "double"}, {"double"}),
        ({"callback": "negative"}, {"single", "double"}),
        ({"callback": "none"}, {"overdue", "soon", "later", "new"}),
        ({"excluded": "true"}, {"positive"}),
        ({"excluded": "false"}, {"overdue", "soon", "later", "single", "double", "new"}),
        ({"search": "T-SOON"}, {"soon"}),
        ({"search": "幸福小区"}, {"overdue", "later", "single", "double", "positive", "new"}),
        ({"search": "消防隐患"}, {"soon"}),
        ({"search": "物业费"}, {"later"}),
        ({"overdue": "false", "community": "A"}, {"later", "single"}),
    ],
)
def test_filters_return_exactly_the_matching_cases(org, cases, clerk, params, expected):
    if params.get("community") == "A":
        params = {**params, "community": org.a.id}
    assert names(cases, clerk.get("/api/cases/", params)) == expected


def test_filters_by_unit_and_handler(org, cases, clerk):
    a_cases = {"overdue", "later", "single"}
    assert names(cases, clerk.get("/api/cases/", {"community": org.a.id})) == a_cases
    assert names(cases, clerk.get("/api/cases/", {"department": org.d1.id})) == a_cases
    assert names(cases, clerk.get("/api/cases/", {"pairing": org.pairing_b.id})) == {"soon", "double", "positive"}
    assert names(cases, clerk.get("/api/cases/", {"handler": org.officer_a.id})) == a_cases


def test_filters_combine_with_the_scope(org, cases):
    client = APIClient()
    client.force_login(org.secretary_a)
    assert names(cases, client.get("/api/cases/", {"callback": "negative"})) == {"single"}
    assert names(cases, client.get("/api/cases/", {"community": org.b.id})) == set()


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("ticket_no", ["T-LATER", "T-OVERDUE", "T-SOON"]),
        ("-ticket_no", ["T-SOON", "T-OVERDUE", "T-LATER"]),
        ("closure_deadline", ["T-OVERDUE", "T-SOON", "T-LATER"]),
        ("-closure_deadline", ["T-LATER", "T-SOON", "T-OVERDUE"]),
        ("received_at", ["T-OVERDUE", "T-SOON", "T-LATER"]),
        ("status", ["T-OVERDUE", "T-LATER", "T-SOON"]),
    ],
)
def test_ordering(cases, clerk, ordering, expected):
    response = clerk.get("/api/cases/", {"ordering": ordering, "status": ["dispatched", "responded", "replied"]})
    assert [row["ticket_no"] for row in response.json()["results"]] == expected


def test_ties_are_broken_by_id_so_pages_are_stable(org, clerk):
    ids = [CaseFactory(status=Status.REGISTERED).id for _ in range(5)]
    pages = [clerk.get("/api/cases/", {"ordering": "status", "page_size": 2, "page": p}).json() for p in (1, 2, 3)]
    assert [row["id"] for page in pages for row in page["results"]] == ids
    descending = clerk.get("/api/cases/", {"ordering": "-status"}).json()["results"]
    assert [row["id"] for row in descending] == ids[::-1]


def test_default_order_is_newest_first_and_pages_hold_page_size(cases, clerk):
    first = clerk.get("/api/cases/", {"page_size": 3}).json()
    assert first["count"] == 7 and first["next"] and first["previous"] is None
    assert [row["ticket_no"] for row in first["results"]] == ["T-NEW", "T-LATER", "T-SOON"]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"status": "bogus"}, 400, "status"),
        ({"community": "abc"}, 400, "community"),
        ({"community": 10**25}, 400, "community"),
        ({"received_after": "2026-13-01"}, 400, "received_after"),
        ({"received_after": "0001-01-01"}, 400, "received_after"),
        ({"received_before": "9999-12-31"}, 400, "received_before"),
        ({"callback": "maybe"}, 400, "callback"),
        ({"category": "城乡\x00建设"}, 400, "category"),
        ({"search": "电梯\x00"}, 400, None),
        ({"page": 99}, 404, None),
        ({"page": "abc"}, 404, None),
    ],
)
def test_bad_query_parameters_answer_4xx_json(cases, clerk, params, status, field):
    response = clerk.get("/api/cases/", params)
    assert response.status_code == status
    assert response.json().get("field") == field
    assert response.json()["detail"]
