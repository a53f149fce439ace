"""The case lists at scale: the keyword search reads indexes (ticket number
prefix, trigrams on PostgreSQL) and answers as the old definition did; list
filters add no DISTINCT; counts are taken once; labels come from dicts."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases.api.filters import CaseFilter
from cases.api.serializers import CaseListSerializer
from cases.models import Case, Channel, ExclusionReason, Urgency
from cases.tests.factories import CaseFactory
from cases.transitions import Status
from cases.vocabulary import case_keyword_q, keyword_is_ticket_like


def old_keyword_q(value: str) -> Q:
    """The keyword search before the indexes: every field, icontains."""
    value = value.replace("\x00", "").strip()
    q = Q()
    for name in ("ticket_no", "title", "content", "address"):
        q |= Q(**{f"{name}__icontains": value})
    return q


def _found(q: Q | None) -> set[int]:
    assert q is not None
    return set(Case.objects.filter(q).values_list("pk", flat=True))


@pytest.fixture
def varied_cases(db):
    """Cases with the kinds of numbers and texts a street holds."""
    rows = [
        ("2026112100001", "电梯故障无人维修", "3号楼电梯停运三天。", "幸福小区3号楼2单元"),
        ("2026112100002", "路灯不亮", "和平里路灯坏了两周", "和平里5号楼"),
        ("2026112200001", "噪音扰民", "夜间施工噪音，施工方电话13812341234", "朝阳路12号"),
        ("JD20261121A1B2C3", "占道经营", "早市占道，影响通行", "朝阳路与幸福街交叉口"),
        ("JD20261122FFEE01", "垃圾清运不及时", "垃圾桶满溢", "和平里小区东门"),
        ("KW-电梯-1", "其他", "无", "无"),
    ]
    for ticket_no, title, content, address in rows:
        CaseFactory(ticket_no=ticket_no, title=title, content=content, address=address)


@pytest.mark.parametrize(
    "term",
    [
        "2026112100001",  # a whole 12345 number
        "20261121",  # a prefix
        "JD20261121A1B2C3",  # a whole street number
        "jd2026112",  # a prefix in lower case
        "JD20261122",
        "电梯",  # two characters: trigram indexes cannot help, the answer is the same
        "朝阳路",
        "和平里小区",
        "13812341234",  # a phone number in the content looks like a ticket number
        "KW-电梯",
        "路灯不亮",
        "12号",
        "ffee",
        "无人维修",
        "不存在的内容",
    ],
)
def test_the_keyword_search_finds_what_the_old_definition_found(varied_cases, term):
    if term == "13812341234":
        # Ticket-like terms go to the ticket number only (the index); a phone
        # number in the content is no longer found by the keyword search.
        assert _found(case_keyword_q(term)) == set()
        assert len(_found(old_keyword_q(term))) == 1
        return
    assert _found(case_keyword_q(term)) == _found(old_keyword_q(term))


def test_a_ticket_like_term_is_letters_digits_and_dashes_with_a_digit():
    assert keyword_is_ticket_like("2026112100001")
    assert keyword_is_ticket_like("JD2026")
    assert keyword_is_ticket_like("jd-2026-11")
    assert not keyword_is_ticket_like("JD202")  # too short to be worth an exact look-up
    assert not keyword_is_ticket_like("ABCDEFG")  # no digit: a word
    assert not keyword_is_ticket_like("3号楼12")
    assert not keyword_is_ticket_like("JD 2026112")


def test_a_ticket_like_term_matches_ticket_numbers_that_begin_with_it_only(varied_cases):
    assert _found(case_keyword_q("00001")) == _found(old_keyword_q("00001"))  # five characters: a text search
    middle = "11210000"  # inside 2026112100001, not its beginning
    assert _found(case_keyword_q(middle)) == set()
    assert Case.objects.filter(ticket_no__contains=middle).exists()


# ---------------------------------------------------------------- PostgreSQL plans


def _plan(sql: str, params, *, ordered: bool = False) -> str:
    """The plan, with the few rows of a test: no sequential scan and, where the
    index must give the order (`ordered`), no bitmap scan that loses it."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if ordered:  # the plan the index makes possible, whatever a few rows' statistics prefer
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
@pytest.mark.parametrize(
    ("term", "indexes"),
    [
        ("JD20261121", {"cases_case_ticket_no"}),
        ("朝阳路施工", {"case_ticket_no_trgm", "case_title_trgm", "case_content_trgm", "case_address_trgm"}),
    ],
)
def test_on_postgresql_the_keyword_search_can_read_indexes_only(varied_cases, term, indexes):
    sql, params = Case.objects.filter(case_keyword_q(term)).order_by().values("pk").query.sql_with_params()
    plan = _plan(sql, params)
    assert "Seq Scan" not in plan, plan
    for index in indexes:
        assert index in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
def test_on_postgresql_the_overdue_list_walks_the_open_cases_index_in_deadline_order(org):
    from cases.selectors import case_deadline_board

    late = timezone.now() - dt.timedelta(days=1)
    CaseFactory(status=Status.RESPONDED, closure_deadline=late, community=org.a, department=org.d1)
    board = case_deadline_board(user=org.clerk)
    assert board["overdue"].count() == 1
    sql, params = board["overdue"].values("pk").query.sql_with_params()
    plan = _plan(sql, params, ordered=True)
    assert "case_open_closure_deadline" in plan and "Sort" not in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL statistics")
def test_on_postgresql_the_planner_knows_how_many_community_department_pairs_there_are(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT stxname, stxkind FROM pg_statistic_ext WHERE stxrelid = 'cases_case'::regclass")
        kinds = dict(cursor.fetchall())
    assert "d" in kinds["case_community_department_stats"]


# ---------------------------------------------------------------- lists: no DISTINCT, counts once, labels


@pytest.mark.parametrize("params", [{"status": ["responded"]}, {"channel": ["hotline"], "urgency": ["general"]}])
def test_filters_on_the_case_own_columns_add_no_distinct(db, params):
    case_filter = CaseFilter(params, queryset=Case.objects.all())
    assert case_filter.is_valid(), case_filter.errors
    assert not case_filter.qs.query.distinct


def test_the_list_labels_read_as_the_model_labels(db):
    case = CaseFactory(
        status=Status.RESPONDED,
        channel=Channel.HOTLINE,
        urgency=Urgency.values[-1],
        exclusion_reason=ExclusionReason.values[0],
    )
    fields = CaseListSerializer(case, context={"caller_visible": True, "request": None}).fields
    for name in ("status", "channel", "urgency", "exclusion_reason"):
        field = fields[f"{name}_label"]
        assert field.to_representation(field.get_attribute(case)) == getattr(case, f"get_{name}_display")(), name
    assert fields["status_label"].to_representation(Status.RESPONDED) == "办理中"
    assert fields["exclusion_reason_label"].to_representation("") == ""  # not excluded: no label


def _count_queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{"search": "电梯"}, {"search": "20261121"}, {"status": "responded"}])
def test_the_api_list_and_search_take_as_many_queries_for_many_cases_as_for_one(org, params):
    client = APIClient()
    client.force_authenticate(org.clerk)
    client.get("/api/cases/")  # what a process reads once (the calendar, the settings)
    counts = []
    for n in (1, 12):
        Case.objects.all().delete()
        for i in range(n):
            CaseFactory(ticket_no=f"20261121{i:05d}", status=Status.RESPONDED, community=org.a, department=org.d1)
        counts.append(_count_queries(client, "/api/cases/", params))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(
    ("url", "params", "role"),
    [
        ("/cases/deadlines/", {}, "clerk"),
        ("/cases/deadlines/", {"section": "today"}, "clerk"),
        ("/cases/overdue/", {}, "leader"),
        ("/cases/search/", {"q": "电梯"}, "clerk"),
    ],
)
def test_the_pages_count_each_list_once(org, client, url, params, role):
    client.force_login(getattr(org, role))
    client.get(url, params)  # what a process reads once
    late = timezone.now() - dt.timedelta(days=1)
    counts = []
    for n in (1, 12):
        Case.objects.all().delete()
        for i in range(n):
            CaseFactory(
                ticket_no=f"20261121{i:05d}",
                status=Status.RESPONDED,
                community=org.a,
                department=org.d1,
                pairing=org.pairing_a,
                closure_deadline=late,
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        counts.append(len(queries))
        counting = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
        assert len(counting) == len(set(counting)), counting
    assert counts[0] == counts[1], counts
