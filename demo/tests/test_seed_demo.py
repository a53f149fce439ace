"""The demo street: organisation, accounts, and a history whose every case was
walked through the real services — valid, deterministic and created once.

Seeding takes a while, so the tests of this module share one street, seeded
once for the module; each test runs in a transaction that is rolled back, so
a test that rebuilds or deletes the street leaves the shared one as it was."""

import datetime as dt
from collections import Counter
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.test import override_settings

from cases.models import Case, CaseEvent, Channel, Signature, Tag, Urgency, text_sha256
from cases.transitions import Action, Status
from cases.vocabulary import signed_sha256
from communities.models import Community, CommunityAlias, Department, Pairing, Person, Role, Street
from demo import replies, text
from demo import services as demo
from knowledge.models import Article, ArticleVersion
from rankings import services as rankings_services
from rankings import windows
from rankings.models import Board, MeetingDraw
from supervision.models import FollowUpAction, MeetingAnswer, NoticeSequence, Talk
from supervision.talks import talk_then_and_now

pytestmark = pytest.mark.django_db

# A fixed "now" (a Friday morning during the heating season) makes runs comparable.
NOW = dt.datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
CLOSED_STATES = {
    Status.CLOSED,
    Status.CALLED_BACK,
    Status.NEEDS_EXPLANATION,
    Status.EXPLANATION_WRITTEN,
    Status.EXPLAINED,
}


WEEKS = 2


def seed(**kwargs) -> demo.SeedResult:
    return demo.demo_seed(**{"seed": 7, "weeks": WEEKS, "now": NOW, **kwargs})


@pytest.fixture(scope="module")
def street(django_db_setup, django_db_blocker):
    """The demo street of seed 7, two weeks up to NOW, shared by the module."""
    with django_db_blocker.unblock():
        before = row_counts()
        tags = set(Tag.objects.values_list("id", flat=True))
        sequences = list(NoticeSequence.objects.all())
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            result = seed()
        yield result
        demo.demo_delete()
        get_user_model().objects.filter(username=demo.ADMIN_USERNAME).delete()
        Tag.objects.exclude(id__in=tags).delete()
        # The year's 催办通知书 numbers are the street's, not the demo's: put them back,
        # so the tests that follow number their notices from the start.
        NoticeSequence.objects.all().delete()
        NoticeSequence.objects.bulk_create(sequences)
        # Committed outside a test's transaction, the module must leave no row behind.
        assert row_counts() == before


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def cases_with_history():
    return (
        Case.objects.select_related("handler", "community", "pairing")
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.order_by("id")),
            Prefetch("signatures", queryset=Signature.objects.order_by("id")),
            "tags",
        )
        .order_by("ticket_no")
    )


def snapshot() -> list[tuple]:
    return [
        (
            case.ticket_no,
            case.title,
            case.content,
            case.address,
            case.caller_name,
            case.caller_phone,
            case.category,
            case.urgency,
            case.channel,
            case.received_at,
            case.status,
            case.community.name if case.community else None,
            case.handler.username if case.handler else None,
            case.closure_deadline,
            case.reply_text,
            case.callback_resolved,
            case.callback_satisfaction,
            case.callback_valid,
            case.exclusion_reason,
            sorted(tag.name for tag in case.tags.all()),
            [(e.action, e.created_at) for e in case.events.all()],
        )
        for case in cases_with_history()
    ]


def test_creates_the_organisation_of_a_street_office(street):
    result = street

    street = Street.objects.get()
    assert result.created and result.street == street
    communities = list(Community.objects.filter(street=street))
    assert Counter(c.kind for c in communities) == {Community.Kind.RESIDENTIAL: 16, Community.Kind.BUILDING: 1}
    assert all(c.population > 0 and c.households > 0 for c in communities)
    assert Community.objects.get(kind=Community.Kind.BUILDING).name == "时代风帆楼宇"
    assert Department.objects.filter(street=street).count() == 8
    assert {"城市管理办公室", "综合行政执法队", "市民服务中心"} <= set(
        Department.objects.values_list("name", flat=True)
    )
    for community in communities:
        assert CommunityAlias.objects.filter(community=community).count() >= 2
        pairing = Pairing.objects.get(community=community)
        chief = Person.objects.get(user=pairing.chief)
        assert chief.role == Role.CHIEF and chief.department == pairing.department
        assert pairing.chief_terms.filter(chief=pairing.chief, ended_at__isnull=True).count() == 1


def test_one_account_per_role_and_unit_all_with_the_demo_password(street):
    result = street

    people = Person.objects.select_related("user")
    for community in Community.objects.all():
        assert sorted(people.filter(community=community).values_list("role", flat=True)) == [
            Role.OFFICER,
            Role.SECRETARY,
        ]
    for department in Department.objects.all():
        assert list(people.filter(department=department).values_list("role", flat=True)) == [Role.CHIEF]
    street_wide = Counter(people.filter(community=None, department=None).values_list("role", flat=True))
    assert street_wide == {Role.CLERK: 2, Role.LEADER: 1, Role.SUPERVISOR: 1, Role.DISPLAY: 1}

    for name in ["clerk", "officer01", "secretary17", "chief08", "leader", "supervisor", "display"]:
        user = get_user_model().objects.get(username=name)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert not user.is_staff
    admin = get_user_model().objects.get(username=demo.ADMIN_USERNAME)
    assert admin.is_superuser and admin.is_staff and admin.check_password(demo.DEMO_PASSWORD)
    assert {login.username for login in result.logins} == {*demo.demo_usernames(), demo.ADMIN_USERNAME}
    assert Person.objects.get(user__username="officer17").community.name == "时代风帆楼宇"


def test_history_is_a_streets_weekly_volume(street):
    # 12,000–18,000 cases a year (DESIGN §1): 230–350 a week, the demo about 280.
    cases = Case.objects.all()
    assert 200 * WEEKS <= street.cases == cases.count() <= 360 * WEEKS
    assert cases.filter(channel=Channel.HOTLINE).count() > 0.8 * cases.count()
    assert cases.exclude(channel=Channel.HOTLINE).exists()
    assert set(cases.values_list("urgency", flat=True)) == set(Urgency.values)
    assert cases.filter(category__startswith="城乡建设->供暖->").exists()  # November: the heating season
    assert all(c.category.count("->") == 2 for c in cases)
    assert cases.filter(tags__name="每月一题").exists() and cases.filter(tags__kind="seven_five").exists()
    assert cases.filter(callback_valid=False).exists() and cases.filter(callback_valid=True).exists()
    # Every call has its caller's number; a council topic made a case (居民议事) has no caller.
    assert not cases.exclude(channel=Channel.COUNCIL).filter(caller_phone="").exists()
    phones = cases.exclude(channel=Channel.COUNCIL).values_list("caller_phone", flat=True)
    assert all("0000" in phone for phone in phones)  # obviously fake


def test_every_open_state_has_work_waiting_today(street):

    counts = Counter(Case.objects.values_list("status", flat=True))
    work = {
        Status.REGISTERED,  # clerk: to dispatch
        Status.RETURNED,  # clerk: to re-dispatch
        Status.DISPATCHED,  # officer: to contact the caller
        Status.RESPONDED,  # officer: to reply
        Status.REPLIED,  # secretary and chief: to sign
        Status.CLOSED,  # clerk: waiting for the callback
        Status.NEEDS_EXPLANATION,  # officer: to explain a 单否/双否
        Status.EXPLANATION_WRITTEN,  # secretary and chief: to sign the explanation
    }
    assert work <= set(counts), counts
    assert Signature.objects.filter(
        case__status=Status.REPLIED, document=Signature.Document.REPLY, voided_at=None
    ).exists()  # waiting for the second signature
    assert Case.objects.filter(extension_requests__decision="pending").exists()
    assert Case.objects.filter(status__in=[Status.DISPATCHED, Status.RESPONDED], closure_deadline__lt=NOW).exists()


def test_every_case_has_a_valid_timeline(street):
    assert Case.objects.filter(status=Status.EXPLAINED).exists()

    for case in cases_with_history():
        events = list(case.events.all())
        assert events[0].action == Action.REGISTER and case.received_at <= events[0].created_at
        assert all(a.created_at <= b.created_at for a, b in pairwise(events)), case.ticket_no
        status = None
        for event in events:
            assert event.created_at <= NOW
            if event.from_status != event.to_status or event.action == Action.REGISTER:
                assert (event.from_status or None) == status, (case.ticket_no, event.action)
                status = event.to_status
        assert status == case.status, case.ticket_no

        standing = [s for s in case.signatures.all() if s.voided_at is None]
        replies = {s.slot for s in standing if s.document == Signature.Document.REPLY}
        if case.status in CLOSED_STATES:
            assert replies == {Signature.Slot.SECRETARY, Signature.Slot.CHIEF}, case.ticket_no
            assert case.closed_at >= case.replied_at >= case.responded_at >= case.first_dispatched_at
            reply_signatures = [s for s in standing if s.document == Signature.Document.REPLY]
            assert {s.text_sha256 for s in reply_signatures} == {signed_sha256(case, Signature.Document.REPLY)}
            assert case.reply_resolved is not None and case.reply_final_unit == case.community.name
            chief = next(s for s in reply_signatures if s.slot == Signature.Slot.CHIEF)
            assert chief.signer_id == case.pairing.chief_id
        if case.status == Status.EXPLAINED:
            explanations = [s for s in standing if s.document == Signature.Document.EXPLANATION]
            assert {s.slot for s in explanations} == {Signature.Slot.SECRETARY, Signature.Slot.CHIEF}
            assert {s.text_sha256 for s in explanations} == {text_sha256(case.explanation_text)}
        if case.callback_at is not None:
            assert case.closed_at < case.callback_at <= NOW
            if case.callback_negatives == 0:
                assert case.status == Status.CALLED_BACK
            else:  # 单否/双否 asks for an explanation
                assert case.status in (Status.NEEDS_EXPLANATION, Status.EXPLANATION_WRITTEN, Status.EXPLAINED)


def test_cases_name_only_places_of_their_own_community(street):
    # A compound or a road named after another community would place the case there.
    places = {
        name: {*compounds, *(road for road in text.ROADS[name] if road.startswith(name.removesuffix("社区")))}
        for name, *_, compounds in [*text.RESIDENTIAL_COMMUNITIES, text.BUILDING_UNIT]
    }
    assert all(places.values())
    for case in Case.objects.select_related("reported_community"):
        others = {place for name, own in places.items() if name != case.reported_community.name for place in own}
        named = [place for place in others if place in case.title or place in case.address]
        assert not named, (case.ticket_no, case.title, case.address, case.reported_community.name)


def test_a_second_run_adds_nothing_and_a_rebuild_gives_the_same_street(street):
    first = snapshot()
    logins = [(p.user.username, p.full_name, p.role) for p in Person.objects.select_related("user").order_by("id")]
    counts = (Case.objects.count(), CaseEvent.objects.count(), get_user_model().objects.count())

    again = seed()
    assert not again.created
    assert (Case.objects.count(), CaseEvent.objects.count(), get_user_model().objects.count()) == counts

    assert demo.demo_delete()
    assert not Case.objects.exists() and not Street.objects.exists()
    steps = []
    rebuilt = seed(progress=lambda done, total: steps.append((done, total)))
    assert rebuilt.created and Street.objects.count() == 1
    assert snapshot() == first
    assert [(p.user.username, p.full_name, p.role) for p in Person.objects.select_related("user").order_by("id")] == (
        logins
    )
    assert steps[-1] == (rebuilt.cases, rebuilt.cases) and [d for d, _ in steps] == sorted({d for d, _ in steps})

    other = demo.demo_seed(seed=8, weeks=0, now=NOW, reset=True)
    assert other.created and Street.objects.count() == 1
    assert [p.full_name for p in Person.objects.order_by("id")] != [full_name for _, full_name, _ in logins]


def test_reset_also_removes_the_boards_and_draws_made_of_the_demo_street(street):
    board = rankings_services.board_compute(window=windows.week_of(NOW.date() - dt.timedelta(days=7)))
    assert board.members.exists()
    leader = get_user_model().objects.get(username="leader")
    rankings_services.meeting_draw_create(actor=leader, week=windows.week_of(NOW.date()).key, count=1)

    rebuilt = seed(reset=True, weeks=0)
    assert rebuilt.created and Street.objects.count() == 1
    assert not Board.objects.exists() and not MeetingDraw.objects.exists()
    assert Article.objects.count() == len(replies.ARTICLES)  # rebuilt, not doubled
    demo.demo_delete()
    assert not Article.objects.exists() and not ArticleVersion.objects.exists()


def test_the_knowledge_base_has_articles_with_history(street):
    kinds = set(Article.objects.values_list("kind", flat=True))
    assert kinds == {"standard_reply", "policy", "guidance"}
    assert ArticleVersion.objects.filter(version=2).count() == 1


def test_the_admin_account_opens_on_the_admin(client, street):
    client.force_login(get_user_model().objects.get(username=demo.ADMIN_USERNAME))
    response = client.get("/")
    assert response.status_code == 302 and response.url == "/admin/"


def test_the_demo_has_a_duty_roster_and_one_emergency_under_way_before_contact(street):
    from supervision.models import DutyDay, Emergency, EmergencyStatus, Notification, NotificationKind

    today = DutyDay.objects.get(date=NOW.date())
    leader = Person.objects.get(street=street.street, role=Role.LEADER)
    assert today.leader_id == leader.user_id and today.members.exists()
    (under_way,) = Emergency.objects.filter(case__responded_at__isnull=True).exclude(status=EmergencyStatus.CLOSED)
    assert under_way.case.status == Status.DISPATCHED and under_way.raised_at <= NOW
    # The leader on duty was alerted of it, urgently.
    alert = Notification.objects.get(kind=NotificationKind.EMERGENCY, case=under_way.case, recipient=leader.user)
    assert alert.urgent


def test_the_demo_shows_the_callers_context_and_repeat_callers(street):
    """Issue 12: the demo's officers meet repeat callers and compounds with earlier cases."""
    from cases.context import case_context_for_user, case_repeat_caller_ids

    officer = Person.objects.filter(street=street.street, role=Role.OFFICER).select_related("user").first()
    assert officer is not None
    own = list(Case.objects.filter(community=officer.community_id).values_list("pk", flat=True))
    repeat = case_repeat_caller_ids(user=officer.user, case_ids=own)
    assert repeat, "some caller of the community called twice"
    context = case_context_for_user(user=officer.user, case=Case.objects.get(pk=min(repeat)), now=NOW)
    assert context.repeat_caller and context.caller_cases and context.details_visible
    with_compound = Case.objects.filter(community=officer.community_id).exclude(compound="").order_by("-received_at")
    assert any(
        case_context_for_user(user=officer.user, case=case, now=NOW).compound_total for case in with_compound[:5]
    )


def test_the_demo_has_weeks_of_checks_orders_and_rechecks(street):
    from supervision.models import DailyCheck, OrderKind, Recheck, RecheckDraw, SupervisionOrder

    assert DailyCheck.objects.filter(status="closed").count() >= 10
    assert DailyCheck.objects.filter(findings__order__isnull=False).exists()
    assert RecheckDraw.objects.count() == 4 and Recheck.objects.filter(status="done").exists()
    kinds = set(SupervisionOrder.objects.values_list("kind", flat=True))
    assert {OrderKind.SECOND, OrderKind.PHONE} <= kinds
    assert set(SupervisionOrder.objects.values_list("status", flat=True)) >= {"open", "done"}


# Deletes the demo street: the module's last test.
def test_the_demo_has_field_work_and_its_reset_leaves_no_file(street, django_capture_on_commit_callbacks):
    from attachments.models import Attachment, Part
    from attachments.tests.helpers import stored_names

    notes = CaseEvent.objects.filter(action=Action.PROGRESS_NOTE)
    assert notes.exists() and Attachment.objects.filter(event__in=notes).exists()
    # Replies waiting for signatures show photos beside their text.
    assert Attachment.objects.filter(part=Part.REPLY, case__status=Status.REPLIED).exists()
    storage = Attachment._meta.get_field("file").storage
    names = {a.file.name for a in Attachment.objects.all()}
    assert names <= stored_names(storage)
    with django_capture_on_commit_callbacks(execute=True):
        demo.demo_delete()
    assert not Attachment.objects.exists() and not (names & stored_names(storage))


def test_the_demo_has_weeks_of_graded_meetings_and_talks_then_and_now(street):
    answers = MeetingAnswer.objects.all()
    assert {a.grade for a in answers} == {"clear", "unclear"}
    assert MeetingDraw.objects.exists()  # one a week of the history (two weeks here)
    assert (
        FollowUpAction.objects.filter(status="done").exists() and FollowUpAction.objects.filter(status="open").exists()
    )
    records = list(Talk.objects.order_by("held_at"))
    assert len(records) == 5
    leader = get_user_model().objects.get(username="leader")
    # The older ones are past their follow-up date: their page shows the figures then and now.
    assert talk_then_and_now(talk=records[0], user=leader) is not None
    assert talk_then_and_now(talk=records[-1], user=leader, now=NOW) is None
    with pytest.raises(RolledBack), transaction.atomic():  # the shared street stays for the other tests
        assert demo.demo_delete()
        assert not Talk.objects.exists() and not MeetingAnswer.objects.exists()
        assert not FollowUpAction.objects.exists()
        raise RolledBack


class RolledBack(Exception):
    pass
