"""The weekly meeting draw (接诉即办专题会抽签): the pool, the draw, its pages and its API."""

import datetime as dt
import random
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from playwright.sync_api import expect
from rest_framework.test import APIClient

from cases import services as case_services
from cases.models import ExclusionReason, Satisfaction, Urgency
from cases.tests.factories import CaseFactory, signed_sha256
from cases.transitions import Status
from communities.models import Role
from communities.tests.factories import CommunityFactory, DepartmentFactory, PairingFactory, StreetFactory, person
from conftest import login, screenshot
from hotline.errors import InvalidInput, NotAllowed
from rankings import services, windows
from rankings.meetings import meeting_default_week, meeting_draw_items, meeting_draw_reproduce, meeting_pool
from rankings.models import MeetingDraw, MeetingDrawCase

pytestmark = pytest.mark.django_db

CALLER_NAME = "欧阳来电"
CALLER_PHONE = "13987654321"


# ---------------------------------------------------------------- building cases with the services


def _register_and_dispatch(org, *, at: dt.datetime, side: str = "a", urgency: str = Urgency.GENERAL, title: str):
    pairing, officer = (org.pairing_a, org.officer_a) if side == "a" else (org.pairing_b, org.officer_b)
    case = case_services.case_register(
        actor=org.clerk,
        title=title,
        content="楼道灯坏了，多次反映无人处理。",
        caller_name=CALLER_NAME,
        caller_phone=CALLER_PHONE,
        urgency=urgency,
        received_at=at,
        at=at,
    )
    return case_services.case_dispatch(
        case_id=case.pk, actor=org.clerk, pairing_id=pairing.pk, handler_id=officer.pk, at=at
    )


def _closed(
    org,
    *,
    at: dt.datetime,
    side: str = "a",
    urgency: str = Urgency.GENERAL,
    title: str,
    after: dt.timedelta = dt.timedelta(hours=1),
):
    """Dispatched at `at`, closed (double-signed) `after` later."""
    officer, secretary, chief = (
        (org.officer_a, org.secretary_a, org.chief_a) if side == "a" else (org.officer_b, org.secretary_b, org.chief_b)
    )
    case = _register_and_dispatch(org, at=at, side=side, urgency=urgency, title=title)
    done = at + after
    case_services.case_respond(case_id=case.pk, actor=officer, at=done)
    case_services.case_reply(case_id=case.pk, actor=officer, text="已联系物业更换灯泡。", at=done)
    case_services.case_sign_reply(
        case_id=case.pk, actor=secretary, at=done, expected_sha256=signed_sha256(case.pk, "reply_text")
    )
    return case_services.case_sign_reply(
        case_id=case.pk, actor=chief, at=done, expected_sha256=signed_sha256(case.pk, "reply_text")
    )


def _called_back(org, *, at: dt.datetime, called: dt.datetime, resolved: bool, valid: bool = True, side="a", **kw):
    case = _closed(org, at=at, side=side, title=kw.pop("title"))
    return case_services.case_record_callback(
        case_id=case.pk,
        actor=org.clerk,
        contacted=True,
        resolved=resolved,
        satisfaction=kw.pop("satisfaction", Satisfaction.UNSATISFIED if not resolved else Satisfaction.SATISFIED),
        valid=valid,
        called_at=called,
    )


@pytest.fixture
def street(org):
    """One case of every edge around the pool of last week's draw, made with the services."""
    now = timezone.now()
    week = meeting_default_week()
    tuesday = week.start_at + dt.timedelta(days=1, hours=9)
    wednesday = tuesday + dt.timedelta(days=1)
    before = week.start_at - dt.timedelta(days=5)
    cases = SimpleNamespace(week=week, now=now)

    # In the pool: a valid 未解决 callback in the week (双否 and 单否), one with its explanation written.
    cases.unresolved = _called_back(org, at=tuesday, called=wednesday, resolved=False, title="回访未解决双否")
    cases.unresolved_basic = _called_back(
        org, at=tuesday, called=wednesday, resolved=False, satisfaction=Satisfaction.BASIC, side="b", title="回访单否"
    )
    cases.explained = _called_back(org, at=tuesday, called=wednesday, resolved=False, title="已写说明")
    case_services.case_write_explanation(case_id=cases.explained.pk, actor=org.officer_a, text="业主不同意施工方案。")
    # In the pool: still open and past its closure deadline now (an emergency of yesterday; a returned one).
    cases.overdue = _register_and_dispatch(
        org, at=now - dt.timedelta(days=1), urgency=Urgency.EMERGENCY, title="超期未办结"
    )
    cases.returned = _register_and_dispatch(
        org, at=now - dt.timedelta(days=1), urgency=Urgency.EMERGENCY, side="b", title="退回超期"
    )
    case_services.case_return(case_id=cases.returned.pk, actor=org.officer_b, reason="不属于本社区")

    # Not in the pool.
    cases.invalid = _called_back(org, at=tuesday, called=wednesday, resolved=False, valid=False, title="无效回访")
    cases.resolved_unsatisfied = _called_back(
        org, at=tuesday, called=wednesday, resolved=True, satisfaction=Satisfaction.UNSATISFIED, title="解决但不满意"
    )
    cases.resolved = _called_back(org, at=tuesday, called=wednesday, resolved=True, title="已解决")
    cases.outside = _called_back(
        org, at=before, called=before + dt.timedelta(days=1), resolved=False, title="上上周回访未解决"
    )
    cases.excluded = _called_back(org, at=tuesday, called=wednesday, resolved=False, title="核减的未解决")
    case_services.case_exclude(
        case_id=cases.excluded.pk, actor=org.leader, reason=ExclusionReason.UNTRUE, note="经核实不属实"
    )
    cases.excluded_overdue = _register_and_dispatch(
        org, at=now - dt.timedelta(days=1), urgency=Urgency.EMERGENCY, title="核减的超期"
    )
    case_services.case_exclude(
        case_id=cases.excluded_overdue.pk, actor=org.leader, reason=ExclusionReason.UNREASONABLE, note="诉求不合理"
    )
    cases.open_in_time = _register_and_dispatch(org, at=now, title="在办未超期")
    cases.closed_late = _closed(
        org, at=now - dt.timedelta(days=2), urgency=Urgency.EMERGENCY, title="超期办结", after=dt.timedelta(hours=5)
    )
    assert cases.closed_late.closed_at > cases.closed_late.closure_deadline
    cases.registered = case_services.case_register(actor=org.clerk, title="待派发", content="内容")

    # Another street's overdue case.
    other = StreetFactory(name="邻街道")
    other_community = CommunityFactory(street=other, name="邻社区")
    other_department = DepartmentFactory(street=other, name="邻科室")
    cases.other_pairing = PairingFactory(community=other_community, department=other_department)
    cases.other_street = CaseFactory(
        status=Status.DISPATCHED,
        community=other_community,
        department=other_department,
        pairing=cases.other_pairing,
        closure_deadline=now - dt.timedelta(days=3),
    )
    cases.other_leader = person(Role.LEADER, street=other, full_name="邻街道领导")
    cases.pool = {
        cases.unresolved.pk,
        cases.unresolved_basic.pk,
        cases.explained.pk,
        cases.overdue.pk,
        cases.returned.pk,
    }
    return cases


def _drawn_ids(draw: MeetingDraw) -> list[int]:
    return list(draw.items.order_by("position").values_list("case_id", flat=True))


# ---------------------------------------------------------------- the pool


def test_the_pool_is_the_valid_unresolved_callbacks_of_the_week_and_the_overdue_open_cases(org, street):
    pool = meeting_pool(window=street.week, at=timezone.now(), street_id=org.street.pk)
    assert set(pool.values_list("pk", flat=True)) == street.pool


def test_the_pool_follows_the_week_of_the_callback_and_the_moment_of_the_draw(org, street):
    week_before = windows.week_of(street.week.start - dt.timedelta(days=7))
    pool = meeting_pool(window=week_before, at=timezone.now(), street_id=org.street.pk)
    # The week before last: its own unresolved callback, and the cases overdue now.
    assert set(pool.values_list("pk", flat=True)) == {street.outside.pk, street.overdue.pk, street.returned.pk}
    # Drawn two days ago, yesterday's emergencies were not yet dispatched, let alone overdue.
    earlier = meeting_pool(window=street.week, at=timezone.now() - dt.timedelta(days=2), street_id=org.street.pk)
    assert set(earlier.values_list("pk", flat=True)) == street.pool - {street.overdue.pk, street.returned.pk}


def test_the_pool_narrows_to_a_community_or_a_department(org, street):
    now = timezone.now()
    by_community = meeting_pool(window=street.week, at=now, street_id=org.street.pk, community_id=org.b.pk)
    assert set(by_community.values_list("pk", flat=True)) == {street.unresolved_basic.pk, street.returned.pk}
    by_department = meeting_pool(window=street.week, at=now, department_id=org.d1.pk)
    assert set(by_department.values_list("pk", flat=True)) == {
        street.unresolved.pk,
        street.explained.pk,
        street.overdue.pk,
    }
    # Without a street, every street's cases: the neighbour's overdue case joins.
    everywhere = meeting_pool(window=street.week, at=now)
    assert set(everywhere.values_list("pk", flat=True)) == street.pool | {street.other_street.pk}


# ---------------------------------------------------------------- the draw


def test_a_draw_is_reproducible_from_its_seed_and_its_stored_pool(org, street):
    draw = services.meeting_draw_create(actor=org.leader, count=3)
    assert draw.week == street.week.key
    assert (draw.window_start, draw.window_end) == (street.week.start, street.week.end)
    assert draw.pool_case_ids == sorted(street.pool)
    assert (draw.pool_size, draw.requested_count, draw.drawn_count) == (5, 3, 3)
    assert draw.drawn_by == org.leader and draw.street == org.street
    assert 0 <= int(draw.seed) < 2**64
    drawn = _drawn_ids(draw)
    assert drawn == random.Random(int(draw.seed)).sample(sorted(street.pool), 3)
    assert meeting_draw_reproduce(draw=draw) == drawn
    assert list(draw.items.values_list("position", flat=True).order_by("position")) == [1, 2, 3]


def test_the_seed_alone_decides_the_draw(org, street, monkeypatch):
    monkeypatch.setattr(services.secrets, "randbits", lambda bits: 2**64 - 1)
    first = services.meeting_draw_create(actor=org.leader, count=4)
    second = services.meeting_draw_create(actor=org.leader, count=4)
    assert first.seed == second.seed == str(2**64 - 1)
    assert _drawn_ids(first) == _drawn_ids(second) == random.Random(2**64 - 1).sample(sorted(street.pool), 4)
    # Drawing again is a new record; the first one stays.
    assert first.pk != second.pk and MeetingDraw.objects.count() == 2


def test_each_drawn_case_records_why_it_is_in_the_pool_and_whom_to_question(org, street):
    draw = services.meeting_draw_create(actor=org.leader, count=20)
    assert (draw.requested_count, draw.drawn_count) == (20, 5)  # fewer in the pool: all of them
    items = {item.case_id: item for item in meeting_draw_items(draw=draw)}
    assert items[street.unresolved.pk].reason == MeetingDrawCase.Reason.CALLBACK_UNRESOLVED
    assert items[street.overdue.pk].reason == MeetingDrawCase.Reason.OVERDUE
    assert items[street.returned.pk].reason == MeetingDrawCase.Reason.OVERDUE
    assert items[street.unresolved.pk].chief == org.chief_a
    assert items[street.unresolved_basic.pk].chief == org.chief_b
    assert items[street.explained.pk].explanation == "written"
    assert items[street.unresolved.pk].explanation == "missing"
    assert items[street.overdue.pk].explanation == "none"


def test_a_draw_cannot_be_changed(org, street):
    draw = services.meeting_draw_create(actor=org.leader, count=2)
    draw.drawn_count = 1
    with pytest.raises(ValidationError):
        draw.save()
    item = draw.items.first()
    item.position = 9
    with pytest.raises(ValidationError):
        item.save()
    draw.refresh_from_db()
    assert draw.drawn_count == 2


def test_a_week_and_the_filters_can_be_chosen(org, street):
    week_before = windows.week_of(street.week.start - dt.timedelta(days=7))
    draw = services.meeting_draw_create(actor=org.leader, week=week_before.key, count=5)
    assert draw.pool_case_ids == sorted([street.outside.pk, street.overdue.pk, street.returned.pk])
    narrowed = services.meeting_draw_create(actor=org.leader, count=5, community_id=org.b.pk, department_id=org.d2.pk)
    assert (narrowed.community, narrowed.department) == (org.b, org.d2)
    assert set(_drawn_ids(narrowed)) == {street.unresolved_basic.pk, street.returned.pk}


@pytest.mark.parametrize("role", ["clerk", "officer_a", "secretary_a", "chief_a", "supervisor", "display"])
def test_only_leaders_draw(org, street, role):
    with pytest.raises(NotAllowed) as error:
        services.meeting_draw_create(actor=getattr(org, role), count=3)
    assert error.value.message == "只有街道领导可以进行专题会抽签。"
    assert not MeetingDraw.objects.exists() and not MeetingDrawCase.objects.exists()


def _bad_inputs(org, street):
    empty = CommunityFactory(street=org.street, name="空社区")
    future = windows.week_of(windows.today() + dt.timedelta(days=14))
    return [
        ({"count": 0}, "count", "抽取件数须为1至20之间的整数。"),
        ({"count": 21}, "count", "抽取件数须为1至20之间的整数。"),
        ({"count": "5"}, "count", "抽取件数须为1至20之间的整数。"),
        ({"count": True}, "count", "抽取件数须为1至20之间的整数。"),
        ({"count": 3, "week": "2026-W99"}, "week", "2026年没有第99周。"),
        ({"count": 3, "week": "上周"}, "week", "周的格式应为“2026-W46”（ISO周）。"),
        ({"count": 3, "week": future.key}, "week", f"{future.label}尚未开始，不能从中抽签。"),
        ({"count": 3, "community_id": street.other_pairing.community_id}, "community", "所选社区不存在。"),
        ({"count": 3, "department_id": 10**9}, "department", "所选科室不存在。"),
        (
            {"count": 3, "community_id": empty.pk},
            "week",
            f"空社区在{street.week.label}没有可抽取的未解决案件（回访未解决或超期未办结），请换一周或放宽范围。",
        ),
    ]


def test_bad_input_gets_a_clear_error_and_writes_nothing(org, street):
    for arguments, field, message in _bad_inputs(org, street):
        with pytest.raises(InvalidInput) as error:
            services.meeting_draw_create(actor=org.leader, **arguments)
        assert (error.value.field, error.value.message) == (field, message), arguments
    assert not MeetingDraw.objects.exists() and not MeetingDrawCase.objects.exists()


def test_an_empty_pool_is_said_so(org):
    with pytest.raises(InvalidInput) as error:
        services.meeting_draw_create(actor=org.leader, count=5)
    assert error.value.code == "empty_pool"
    assert "全街道在" in error.value.message and "没有可抽取的未解决案件" in error.value.message
    assert not MeetingDraw.objects.exists()


# ---------------------------------------------------------------- pages


def test_a_leader_draws_on_the_page_and_gets_the_meeting_sheet(client, org, street):
    client.force_login(org.leader)
    page = client.get("/rankings/meeting/")
    body = page.content.decode()
    assert page.status_code == 200 and 'id="meeting-draw-form"' in body
    assert f'value="{street.week.key}" selected' in body  # last week by default
    response = client.post("/rankings/meeting/", {"week": street.week.key, "count": "20"})
    draw = MeetingDraw.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rankings/meeting/{draw.pk}/"
    sheet = client.get(response["Location"]).content.decode()
    for case in (street.unresolved, street.unresolved_basic, street.explained, street.overdue, street.returned):
        assert case.ticket_no in sheet and f'href="/cases/{case.pk}/"' in sheet
    assert "李科长" in sheet and "王科长" in sheet
    assert "双否" in sheet and "单否" in sheet and "已填写，待签字" in sheet and "超期未办结" in sheet
    assert draw.seed in sheet and "结果一致" in sheet and "meeting-print.css" in sheet
    # How to check the draw is said in Chinese; the code recipe stays in the API and the README.
    audit = sheet[sheet.index('id="meeting-audit"') :]
    assert "random" not in audit and "sample(" not in audit and "sorted(" not in audit
    assert "同一份名单和同一个种子重新抽取" in audit and "不能修改" in audit
    assert CALLER_NAME not in sheet and CALLER_PHONE not in sheet
    listing = client.get("/rankings/meeting/").content.decode()
    assert f'href="/rankings/meeting/{draw.pk}/"' in listing


def test_bad_input_on_the_page_shows_the_error_and_writes_nothing(client, org, street):
    client.force_login(org.leader)
    response = client.post("/rankings/meeting/", {"week": street.week.key, "count": "0"})
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    response = client.post("/rankings/meeting/", {"week": "2020-W01", "count": "3"})
    assert response.status_code == 400  # not one of the offered weeks
    empty = CommunityFactory(street=org.street, name="空社区")
    response = client.post("/rankings/meeting/", {"week": street.week.key, "count": "3", "community": empty.pk})
    assert response.status_code == 400
    assert "没有可抽取的未解决案件" in response.content.decode()
    assert not MeetingDraw.objects.exists()


def test_supervisors_read_the_draws_but_do_not_draw(client, org, street):
    draw = services.meeting_draw_create(actor=org.leader, count=2)
    client.force_login(org.supervisor)
    page = client.get("/rankings/meeting/")
    assert page.status_code == 200 and 'id="meeting-draw-form"' not in page.content.decode()
    assert client.get(f"/rankings/meeting/{draw.pk}/").status_code == 200
    assert client.post("/rankings/meeting/", {"week": street.week.key, "count": "3"}).status_code == 403
    assert MeetingDraw.objects.count() == 1


@pytest.mark.parametrize("role", ["clerk", "officer_a", "secretary_a", "chief_a"])
def test_other_roles_get_no_meeting_pages(client, org, street, role):
    draw = services.meeting_draw_create(actor=org.leader, count=2)
    client.force_login(getattr(org, role))
    assert client.get("/rankings/meeting/").status_code == 403
    assert client.get(f"/rankings/meeting/{draw.pk}/").status_code == 403
    assert client.post("/rankings/meeting/", {"week": street.week.key, "count": "3"}).status_code == 403
    assert "专题会抽签" not in client.get("/rankings/").content.decode()
    assert MeetingDraw.objects.count() == 1


def test_the_display_and_anonymous_visitors_get_no_meeting_pages(client, org, street):
    draw = services.meeting_draw_create(actor=org.leader, count=2)
    for url in ("/rankings/meeting/", f"/rankings/meeting/{draw.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(org.display)
    for url in ("/rankings/meeting/", f"/rankings/meeting/{draw.pk}/"):
        # As on every workbench page, the lobby display is sent back to its board.
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/board/"
    assert client.post("/rankings/meeting/", {"count": "3"})["Location"] == "/board/"
    assert MeetingDraw.objects.count() == 1


def test_a_draw_of_another_street_is_not_found(client, org, street):
    other = services.meeting_draw_create(actor=street.other_leader, count=1)
    assert _drawn_ids(other) == [street.other_street.pk]
    client.force_login(org.leader)
    assert client.get(f"/rankings/meeting/{other.pk}/").status_code == 404
    assert f"/rankings/meeting/{other.pk}/" not in client.get("/rankings/meeting/").content.decode()


def test_leaders_and_supervisors_find_the_meeting_in_the_navigation(client, org):
    for user in (org.leader, org.supervisor):
        client.force_login(user)
        assert 'href="/rankings/meeting/"' in client.get("/cases/").content.decode()
        assert 'href="/rankings/meeting/"' in client.get("/rankings/").content.decode()
    client.force_login(org.clerk)
    assert 'href="/rankings/meeting/"' not in client.get("/rankings/").content.decode()


# ---------------------------------------------------------------- API


def _api(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def test_a_leader_draws_through_the_api(org, street):
    api = _api(org.leader)
    response = api.post("/api/rankings/meeting-draws/", {"count": 3, "week": street.week.key}, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    draw = MeetingDraw.objects.get()
    assert data["id"] == draw.pk and data["seed"] == draw.seed and data["pool_case_ids"] == sorted(street.pool)
    assert data["window"]["week"] == street.week.key and data["drawn_count"] == 3
    assert [item["case"]["id"] for item in data["items"]] == _drawn_ids(draw)
    assert [item["position"] for item in data["items"]] == [1, 2, 3]
    item = data["items"][0]
    assert set(item) == {"position", "reason", "reason_label", "chief", "explanation", "explanation_label", "case"}
    assert item["case"]["url"] == f"/cases/{item['case']['id']}/"
    assert not {"caller_name", "caller_phone"} & set(item["case"])
    body = response.content.decode()
    assert CALLER_NAME not in body and CALLER_PHONE not in body
    listing = api.get("/api/rankings/meeting-draws/").json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == draw.pk
    detail = api.get(f"/api/rankings/meeting-draws/{draw.pk}/").json()
    assert detail["items"] == data["items"]
    assert detail["reproduce"] == f"random.Random({draw.seed}).sample(sorted(pool_case_ids), {draw.drawn_count})"


def test_the_api_reports_bad_input_and_writes_nothing(org, street):
    api = _api(org.leader)
    cases = [
        ({"count": 0}, "count"),
        ({"count": 25}, "count"),
        ({"count": "many"}, "count"),
        ({}, "count"),
        ({"count": 3, "week": "2026-W99"}, "week"),
        ({"count": 3, "community": 10**9}, "community"),
        ({"count": 3, "department": 2**70}, "department"),
    ]
    for payload, field in cases:
        response = api.post("/api/rankings/meeting-draws/", payload, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert response.json()["field"] == field and response.json()["detail"], payload
    assert not MeetingDraw.objects.exists()


def test_supervisors_read_through_the_api_but_do_not_draw(org, street):
    draw = services.meeting_draw_create(actor=org.leader, count=2)
    api = _api(org.supervisor)
    assert api.get("/api/rankings/meeting-draws/").json()["count"] == 1
    assert api.get(f"/api/rankings/meeting-draws/{draw.pk}/").status_code == 200
    response = api.post("/api/rankings/meeting-draws/", {"count": 2}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"
    assert api.get("/api/rankings/meeting-draws/999999/").status_code == 404
    assert MeetingDraw.objects.count() == 1


@pytest.mark.parametrize("role", ["clerk", "officer_a", "secretary_a", "chief_a", "display", None])
def test_other_roles_get_403_and_anonymous_401_from_the_api(org, street, role):
    draw = services.meeting_draw_create(actor=org.leader, count=2)
    api = _api(getattr(org, role) if role else None)
    refused = 403 if role else 401
    assert api.get("/api/rankings/meeting-draws/").status_code == refused
    assert api.get(f"/api/rankings/meeting-draws/{draw.pk}/").status_code == refused
    assert api.post("/api/rankings/meeting-draws/", {"count": 2}, format="json").status_code == refused
    assert MeetingDraw.objects.count() == 1


def test_the_api_hides_other_streets_draws(org, street):
    other = services.meeting_draw_create(actor=street.other_leader, count=1)
    api = _api(org.leader)
    assert api.get(f"/api/rankings/meeting-draws/{other.pk}/").status_code == 404
    assert api.get("/api/rankings/meeting-draws/").json()["count"] == 0


def test_the_meeting_api_schema_has_no_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/rankings/", include("rankings.api_urls"))]).get_schema(
        request=None, public=True
    )
    validate_schema(schema)
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache
    assert {"/api/rankings/meeting-draws/", "/api/rankings/meeting-draws/{draw_id}/"} <= set(schema["paths"])


# ---------------------------------------------------------------- browser


@pytest.mark.browser
def test_a_leader_draws_in_the_browser_and_prints_the_sheet(page, org, street):
    login(page, org.leader)
    page.get_by_role("button", name="分析研判").click()  # the bar's drop-down
    page.get_by_role("link", name="专题会抽签").first.click()
    page.get_by_label("抽取件数").fill("3")
    page.get_by_label("限定社区").select_option(label="幸福社区")
    page.get_by_role("button", name="抽签").click()
    expect(page.locator("#meeting-items tbody tr")).to_have_count(3)
    expect(page.locator("#audit-result")).to_contain_text("结果一致")
    screenshot(page, "meeting-draw")
    page.emulate_media(media="print")
    expect(page.locator(".app-navbar")).to_be_hidden()
    expect(page.locator("[data-print]")).to_be_hidden()
    expect(page.locator("#meeting-items")).to_be_visible()
    screenshot(page, "meeting-draw-print")
    page.emulate_media(media="screen")
    page.get_by_role("link", name="全部抽签").click()
    expect(page.locator("#meeting-draws tbody tr")).to_have_count(1)
    screenshot(page, "meeting-home")
