"""The caller's context (cases.context): the same caller's other cases (in
full for who calls callers, counts for the others), the compound's recent
cases with status and callback outcome, the repeat-caller flag in the lists,
one selector for the pages and the API, in two queries."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import groupings, selectors
from cases.context import CONTEXT_LIST_LIMIT, case_context_for_user, case_repeat_caller_ids
from cases.models import Case, Satisfaction
from cases.transitions import Status
from communities.selectors import person_for_user

PHONE = "13812341234"
_numbers = itertools.count(1)


def _case(org, *, community="a", days_ago: float = 1, **fields) -> Case:
    """A case row of community A (or B) as the services leave it at `status`."""
    pairing = org.pairing_a if community == "a" else org.pairing_b
    data = {
        "ticket_no": f"CTX{next(_numbers):06d}",
        "received_at": timezone.now() - dt.timedelta(days=days_ago),
        "title": "电梯故障",
        "content": "3号楼电梯停运",
        "caller_name": "张三",
        "caller_phone": PHONE,
        "compound": "幸福小区",
        "status": Status.RESPONDED,
        "pairing": pairing,
        "community": pairing.community,
        "department": pairing.department,
    }
    data.update(fields)
    return Case.objects.create(**data)


@pytest.fixture
def history(org):
    """A case of community A with the same caller's earlier cases in A and in B,
    a masked-phone import of the same caller, another caller in the compound, and an old compound case."""
    now = timezone.now()
    case = _case(org, days_ago=0.1, title="电梯又坏了")
    return {
        "case": case,
        "earlier": _case(
            org,
            days_ago=3,
            title=f"电梯故障，请回电{PHONE}",
            status=Status.CALLED_BACK,
            callback_at=now - dt.timedelta(days=2),
            callback_resolved=False,
            callback_satisfaction=Satisfaction.UNSATISFIED,
        ),
        "masked": _case(org, days_ago=5, caller_phone="138****1234", caller_name="张*", compound=""),
        "other_unit": _case(org, community="b", days_ago=2),
        "neighbour": _case(
            org, days_ago=10, caller_phone="13900001111", caller_name="李四", title="楼道堆物", status=Status.CLOSED
        ),
        "old": _case(org, days_ago=120, caller_phone="13900002222", title="去年的噪音"),
    }


def test_the_officer_sees_the_callers_other_cases_of_the_community_in_full(org, history):
    context = case_context_for_user(user=org.officer_a, case=history["case"])
    assert context.details_visible and context.repeat_caller
    # Masked and full numbers are one caller (the caller key of cases.groupings); community B's case is out of scope.
    assert [c.pk for c in context.caller_cases] == [history["earlier"].pk, history["masked"].pk]
    assert context.caller_total == 2 and context.caller_counts is None
    assert context.caller_key == "138****1234"


def test_roles_that_do_not_call_callers_get_counts_only(org, history):
    context = case_context_for_user(user=org.chief_a, case=history["case"])
    assert not context.details_visible and context.caller_cases == []
    assert (context.caller_counts.total, context.caller_counts.open, context.caller_counts.negative) == (2, 1, 1)
    # The leader sees the whole street: community B's case is counted too.
    assert case_context_for_user(user=org.leader, case=history["case"]).caller_counts.total == 3


def test_the_compound_lists_the_last_90_days_with_status_and_callback_outcome(org, history):
    context = case_context_for_user(user=org.officer_a, case=history["case"])
    assert context.compound == "幸福小区" and context.compound_days == 90
    assert [c.pk for c in context.compound_cases] == [history["earlier"].pk, history["neighbour"].pk]
    assert context.compound_total == 2


def test_the_compound_window_is_a_setting(org, history, settings):
    settings.CASE_CONTEXT_COMPOUND_DAYS = 200
    context = case_context_for_user(user=org.officer_a, case=history["case"])
    assert history["old"].pk in [c.pk for c in context.compound_cases] and context.compound_days == 200
    settings.CASE_CONTEXT_COMPOUND_DAYS = 5
    assert case_context_for_user(user=org.officer_a, case=history["case"]).compound_total == 1


def test_the_lists_stop_at_the_limit_and_the_totals_count_all(org):
    case = _case(org, days_ago=0)
    for i in range(CONTEXT_LIST_LIMIT + 2):
        _case(org, days_ago=i + 1)
    context = case_context_for_user(user=org.officer_a, case=case)
    assert len(context.caller_cases) == CONTEXT_LIST_LIMIT and context.caller_total == CONTEXT_LIST_LIMIT + 2
    assert len(context.compound_cases) == CONTEXT_LIST_LIMIT and context.compound_total == CONTEXT_LIST_LIMIT + 2
    assert context.caller_cases[0].received_at > context.caller_cases[-1].received_at


def test_a_phone_too_short_to_tell_callers_apart_has_no_caller_context(org):
    case = _case(org, caller_phone="12345", compound="")
    _case(org, caller_phone="12345", compound="")
    context = case_context_for_user(user=org.officer_a, case=case)
    assert context.caller_key == "" and context.caller_total == 0 and not context.repeat_caller
    assert context.compound_total == 0


def test_the_context_costs_two_queries(org, history, django_assert_num_queries):
    for user in (org.officer_a, org.chief_a):
        person_for_user(user)  # read once per request, before any case is
        with django_assert_num_queries(2):
            case_context_for_user(user=user, case=history["case"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL")
def test_both_lists_are_read_from_their_index(org, history):
    from cases.context import _others

    scope = selectors.case_scope_for_user(org.officer_a)
    case = history["case"]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    caller = _others(scope, case).filter(caller_key="138****1234")[:10].explain()
    compound = _others(scope, case).filter(compound="幸福小区", received_at__gte=timezone.now())[:10].explain()
    assert "case_callerkey_received" in caller
    assert "case_compound_received" in compound


# ---------------------------------------------------------------- the repeat-caller flag


def test_the_repeat_flag_is_the_repeat_caller_filter_of_the_scope(org, history):
    scope = selectors.case_scope_for_user(org.officer_a)
    ids = [c.pk for c in scope]
    flagged = case_repeat_caller_ids(user=org.officer_a, case_ids=ids)
    expected = set(groupings.case_filter_repeat_callers(scope, repeat=True).values_list("pk", flat=True))
    assert flagged == expected == {history["case"].pk, history["earlier"].pk, history["masked"].pk}
    # The leader's scope holds community B's case of the same caller too.
    assert history["other_unit"].pk in case_repeat_caller_ids(user=org.leader, case_ids=[history["other_unit"].pk])
    assert case_repeat_caller_ids(user=org.officer_b, case_ids=[history["other_unit"].pk]) == set()


def test_the_lists_flag_a_repeat_caller(client, org, history):
    client.force_login(org.leader)
    page = client.get(reverse("case-search")).content.decode()
    assert page.count("repeat-badge") == 4  # the case, the earlier one, the masked import, community B's


# ---------------------------------------------------------------- pages


def test_the_case_page_shows_the_context(client, org, history):
    client.force_login(org.officer_a)
    page = client.get(reverse("case-detail", args=[history["case"].pk])).content.decode()
    assert 'id="case-context"' in page and "重复来电" in page
    assert history["earlier"].ticket_no in page and history["neighbour"].ticket_no in page
    assert history["other_unit"].ticket_no not in page and history["old"].ticket_no not in page
    assert "回访单否" not in page and "回访双否" in page


def test_the_case_page_shows_counts_only_to_roles_that_see_callers_masked(client, org, history):
    client.force_login(org.chief_a)
    page = client.get(reverse("case-detail", args=[history["case"].pk])).content.decode()
    assert "caller-counts" in page and history["masked"].ticket_no not in page
    assert PHONE not in page, "a phone in a listed title is masked too"


def test_the_dispatch_page_shows_the_callers_earlier_cases(client, org):
    earlier = _case(org, days_ago=4, title="上次反映的漏水")
    new = _case(org, days_ago=0, status=Status.REGISTERED, pairing=None, community=None, department=None)
    client.force_login(org.clerk)
    page = client.get(reverse("case-dispatch", args=[new.pk])).content.decode()
    assert 'id="case-context"' in page and earlier.ticket_no in page and "上次反映的漏水" in page


# ---------------------------------------------------------------- API


def _api(user, case) -> tuple[int, dict]:
    client = APIClient()
    client.force_login(user)
    response = client.get(f"/api/cases/{case.pk}/context/")
    return response.status_code, response.json()


def test_the_api_answers_with_the_same_selector(org, history):
    status, body = _api(org.officer_a, history["case"])
    assert status == 200 and body["details_visible"] is True
    caller = body["caller"]
    assert caller["repeat"] is True and caller["total"] == 2 and caller["counts"] is None
    assert [c["id"] for c in caller["cases"]] == [history["earlier"].pk, history["masked"].pk]
    assert caller["cases"][0]["caller_phone"] == PHONE and PHONE in caller["cases"][0]["title"]
    assert caller["cases"][0]["callback_outcome"] == "double" and caller["cases"][0]["callback_outcome_label"] == "双否"
    compound = body["compound"]
    assert compound["name"] == "幸福小区" and compound["days"] == 90 and compound["total"] == 2
    assert "caller_phone" not in compound["cases"][0]


def test_the_api_gives_counts_only_and_masks_phones_for_the_others(org, history):
    status, body = _api(org.chief_a, history["case"])
    assert status == 200 and body["details_visible"] is False
    assert body["caller"]["cases"] is None and body["caller"]["counts"] == {"total": 2, "open": 1, "negative": 1}
    assert PHONE not in str(body)


def test_another_units_case_answers_404(org, history):
    status, body = _api(org.officer_b, history["case"])
    assert status == 404 and "范围" in body["detail"]
    status, _ = _api(org.chief_b, history["case"])
    assert status == 404


def test_the_api_refuses_anonymous_and_the_lobby_display(org, history):
    assert APIClient().get(f"/api/cases/{history['case'].pk}/context/").status_code in (401, 403)
    status, _ = _api(org.display, history["case"])
    assert status in (403, 404)


def test_the_case_page_reads_the_context_in_the_same_queries_however_many_cases_it_lists(client, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = _case(org, days_ago=0)
    client.force_login(org.officer_a)
    url = reverse("case-detail", args=[case.pk])
    _case(org, days_ago=2)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(5):
        _case(org, days_ago=3 + i, handler=org.officer_a if i % 2 else None)
    with CaptureQueriesContext(connection) as six:
        page = client.get(url).content.decode()
    assert page.count('class="context-item"') == 12  # six of the caller's, six of the compound's
    assert len(six) == len(one)
