"""约谈 of units and the weekly meeting on record (DESIGN §6, issue 13).

A 约谈 is held over one of four reasons, each with its figures and the cases
behind them computed from the product's own definitions (`talk_figures`); the
figures are stored when the 约谈 is recorded and, from the follow-up date on,
shown beside the same function's figures now.

At the weekly meeting the leader records, for each drawn case, the questioned
chief's answer, a grade and follow-up actions with owners and due dates. A
follow-up action has its own tiny transition table (open → done); one still
open after its due date is late, and the sweep tells its owner and the leader
once (a timeline event on the case, notified through the RULES table)."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import Case
from cases.selectors import case_list_for_user
from cases.services import case_system_step
from cases.transitions import Action
from cases.vocabulary import callback_outcome_q, overdue_q
from communities.models import Community, Department, Person, Role
from communities.selectors import person_for_user
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hotline.text import text_clean
from rankings.boards import board_latest, unit_q
from rankings.models import Board, BoardCase, BoardRow, MeetingDrawCase
from supervision.ladder import ladder_case_list_for_user
from supervision.models import (
    AnswerGrade,
    FollowUpAction,
    FollowUpStatus,
    LadderLevel,
    MeetingAnswer,
    Talk,
    TalkReason,
)

TALK_RECORDERS = frozenset({Role.LEADER, Role.SUPERVISOR})
UNIT_KINDS = {"community": "社区", "department": "科室"}
# "Repeated 不满意": the 单否/双否 callbacks of the last days.
UNSATISFIED_DAYS = 30
TEXT_LIMIT = 1000


def _text(value: str, *, label: str, field: str, required: bool = False, limit: int = TEXT_LIMIT) -> str:
    return text_clean(value, label=label, field=field, limit=limit, required=required)


# ---------------------------------------------------------------- units


@dataclass(frozen=True)
class Unit:
    kind: str  # "community" or "department"
    id: int
    name: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def _unit_row(kind: str, unit_id: int | None, street_id: int | None = None) -> Community | Department | None:
    if not unit_id:
        return None
    of_street = {"street_id": street_id} if street_id is not None else {}
    if kind == "community":
        return Community.objects.filter(pk=unit_id, **of_street).first()
    if kind == "department":
        return Department.objects.filter(pk=unit_id, **of_street).first()
    return None


def unit_get(*, street_id: int, kind: str, unit_id: int | None) -> Unit:
    """A community or department of the street, or InvalidInput."""
    unit = _unit_row(kind, unit_id, street_id)
    if unit is None:
        raise InvalidInput("请选择被约谈的社区或科室。", field="unit")
    return Unit(kind, unit.pk, unit.name)


def unit_parse(*, street_id: int, key: str) -> Unit:
    """A unit from its form key "community:3" / "department:2"."""
    kind, _, raw = (key or "").partition(":")
    return unit_get(street_id=street_id, kind=kind, unit_id=int(raw) if raw.isdigit() else None)


def unit_name(*, kind: str, unit_id: int | None) -> str:
    found = _unit_row(kind, unit_id)
    return found.name if found is not None else ""


def person_name(*, user_id: int | None) -> str:
    return Person.objects.filter(user_id=user_id).values_list("full_name", flat=True).first() or "" if user_id else ""


def today() -> dt.date:
    return timezone.localdate()


def unit_choices(*, street_id: int) -> list[tuple[str, str]]:
    communities = Community.objects.filter(street_id=street_id, is_active=True).order_by("name")
    departments = Department.objects.filter(street_id=street_id, is_active=True).order_by("name")
    return [(f"community:{c.pk}", f"社区 · {c.name}") for c in communities] + [
        (f"department:{d.pk}", f"科室 · {d.name}") for d in departments
    ]


# ---------------------------------------------------------------- the figures of a reason


def _board_figures(unit: Unit) -> dict:
    """The unit's row on the newest weekly board; the cases behind it: its valid callbacks that said 未解决."""
    board = board_latest(kind=Board.Kind.WEEK)
    row = (
        BoardRow.objects.filter(unit_q(unit.kind, unit.id), board=board, unit_kind=unit.kind).first()
        if board is not None
        else None
    )
    if board is None or row is None:
        return {"items": [["榜单", "暂无该单位的周榜数据"]], "case_ids": []}
    ranked = BoardRow.objects.filter(board=board, unit_kind=unit.kind, rank__isnull=False).count()
    members = BoardCase.objects.filter(
        unit_q(unit.kind, unit.id), board=board, valid_callbacks=True, resolved=False
    ).values_list("case_id", flat=True)
    return {
        "items": [
            ["榜单", board.label],
            ["排名", f"{row.rank}/{ranked}" if row.rank else "不参与排名"],
            ["综合成绩", str(row.score) if row.score is not None else "—"],
            ["档次", row.get_band_display() if row.band else "—"],
            ["有效回访未解决", row.valid_callbacks - row.resolved],
        ],
        "case_ids": sorted(members),
    }


def _case_figures(label: str, cases: QuerySet[Case]) -> dict:
    ids = sorted(cases.values_list("pk", flat=True))
    return {"items": [[label, len(ids)]], "case_ids": ids}


def talk_figures(
    *, unit: Unit, reason: str, user: AbstractBaseUser | AnonymousUser, now: dt.datetime | None = None
) -> dict:
    """The figures of a 约谈 reason for a unit and the case ids behind them, from
    the product's own definitions. The same function gives the figures when the
    约谈 is recorded (stored) and now (on and after the follow-up date). `user`:
    the reader (leaders and supervisors see the street, a community itself)."""
    now = now or timezone.now()
    of_unit = Case.objects.filter(unit_q(unit.kind, unit.id))
    if reason == TalkReason.BOARD_BOTTOM:
        figures = _board_figures(unit)
    elif reason == TalkReason.OVERDUE:
        figures = _case_figures("超期未办结案件", of_unit.filter(overdue_q(now)))
    elif reason == TalkReason.REPORTED:
        # 通报: the open cases standing at the ladder's REPORT level.
        reported = ladder_case_list_for_user(user=user, level=LadderLevel.REPORT, **{f"{unit.kind}_id": unit.id})
        figures = _case_figures("通报中的案件", of_unit.filter(pk__in=reported.values("pk")))
    elif reason == TalkReason.UNSATISFIED:
        since = now - dt.timedelta(days=UNSATISFIED_DAYS)
        figures = _case_figures(
            f"近{UNSATISFIED_DAYS}日回访单否/双否",
            of_unit.filter(callback_outcome_q("negative"), callback_at__gte=since, callback_at__lte=now),
        )
    else:
        raise InvalidInput("请选择约谈原因。", field="reason")
    figures["computed_at"] = now.isoformat()
    return figures


def talk_reason_text(*, unit: Unit, reason: str, figures: dict) -> str:
    """The reason text the form is pre-filled with."""
    facts = "，".join(f"{label}{value}" for label, value in figures["items"])
    return f"{unit.name}因{TalkReason(reason).label}被约谈：{facts}。"


# ---------------------------------------------------------------- 约谈: writes and reads


def _recorder(actor: User) -> Person:
    person = person_for_user(actor)
    if person is None or person.role not in TALK_RECORDERS:
        raise NotAllowed("只有街道领导和监察组可以记录约谈。")
    return person


@transaction.atomic
def talk_create(
    *,
    actor: User,
    unit_kind: str,
    unit_id: int | None,
    reason: str,
    reason_text: str,
    held_at: dt.datetime,
    attendees: str,
    promises: str = "",
    follow_up_on: dt.date,
    now: dt.datetime | None = None,
) -> Talk:
    """Record a 约谈 with its reason's figures as they are now (a unit with no figures still saves)."""
    now = now or timezone.now()
    person = _recorder(actor)
    unit = unit_get(street_id=person.street_id, kind=unit_kind, unit_id=unit_id)
    if reason not in TalkReason.values:
        raise InvalidInput("请选择约谈原因。", field="reason")
    reason_text = _text(reason_text, label="原因说明", field="reason_text", required=True)
    attendees = _text(attendees, label="参加人员", field="attendees", required=True, limit=300)
    promises = _text(promises, label="整改承诺", field="promises")
    if held_at is None:
        raise InvalidInput("请填写约谈时间。", field="held_at")
    if held_at > now + dt.timedelta(days=1):
        raise InvalidInput("约谈时间不能晚于明天：请在约谈后记录。", field="held_at")
    if follow_up_on is None:
        raise InvalidInput("请填写复查日期。", field="follow_up_on")
    if follow_up_on < timezone.localdate(now):
        raise InvalidInput("复查日期不能早于今天。", field="follow_up_on")
    return Talk.objects.create(
        street_id=person.street_id,
        community_id=unit.id if unit.kind == "community" else None,
        department_id=unit.id if unit.kind == "department" else None,
        reason=reason,
        reason_text=reason_text,
        held_at=held_at,
        attendees=attendees,
        promises=promises,
        follow_up_on=follow_up_on,
        figures=talk_figures(unit=unit, reason=reason, user=actor, now=now),
        recorded_by=actor,
        recorded_at=now,
    )


def talk_scope_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Talk]:
    """The 约谈 a user may read: a community its own, supervisors and leaders the street's."""
    person = person_for_user(user)
    talks = Talk.objects.select_related("community", "department", "recorded_by__person")
    if person is None:
        return talks.none()
    if person.role in TALK_RECORDERS:
        return talks.filter(street_id=person.street_id)
    if person.role in (Role.OFFICER, Role.SECRETARY) and person.community_id is not None:
        return talks.filter(community_id=person.community_id)
    return talks.none()


def talk_list_for_user(
    *,
    user: AbstractBaseUser | AnonymousUser,
    community_id: int | None = None,
    department_id: int | None = None,
    since: dt.datetime | None = None,
) -> QuerySet[Talk]:
    talks = talk_scope_for_user(user)
    if community_id:
        talks = talks.filter(community_id=community_id)
    if department_id:
        talks = talks.filter(department_id=department_id)
    if since is not None:
        talks = talks.filter(held_at__gte=since)
    return talks.order_by("-held_at", "-id")


def talk_get_for_user(*, user: AbstractBaseUser | AnonymousUser, talk_id: int) -> Talk:
    talk = talk_scope_for_user(user).filter(pk=talk_id).first()
    if talk is None:
        raise NotFound("约谈记录不存在，或不在您的查看范围内。")
    return talk


def talk_unit(talk: Talk) -> Unit:
    return Unit(talk.unit_kind, talk.unit_id, talk.unit_name)


def talk_then_and_now(
    *, talk: Talk, user: AbstractBaseUser | AnonymousUser, now: dt.datetime | None = None
) -> dict | None:
    """From the follow-up date on: the stored figures and the same figures now,
    side by side, with the cases behind each (as far as the user may see them);
    None before the follow-up date."""
    now = now or timezone.now()
    if timezone.localdate(now) < talk.follow_up_on:
        return None
    current = talk_figures(unit=talk_unit(talk), reason=talk.reason, user=user, now=now)
    then_items, now_items = talk.figures.get("items", []), current["items"]
    rows = [
        (label, value, now_items[n][1] if n < len(now_items) else "—") for n, (label, value) in enumerate(then_items)
    ]
    then_ids, now_ids = set(talk.figures.get("case_ids", [])), set(current["case_ids"])
    visible = {c.pk: c for c in case_list_for_user(user).filter(pk__in=then_ids | now_ids)}
    return {
        "rows": rows,
        "then_cases": [visible[pk] for pk in sorted(then_ids) if pk in visible],
        "now_cases": [visible[pk] for pk in sorted(now_ids) if pk in visible],
        "then_count": len(then_ids),
        "now_count": len(now_ids),
        "computed_at": now,
    }


def talks_case_list(*, user: AbstractBaseUser | AnonymousUser, case_ids: list[int]) -> QuerySet[Case]:
    """Cases by id, as far as the user may see them (the cases behind a figure)."""
    return case_list_for_user(user).filter(pk__in=case_ids).order_by("pk")


def talk_cases_for_user(*, talk: Talk, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Case]:
    """The cases behind the stored figures, as far as the user may see them."""
    return case_list_for_user(user).filter(pk__in=talk.figures.get("case_ids", [])).order_by("pk")


# ---------------------------------------------------------------- the weekly meeting: answers and grades


@dataclass(frozen=True)
class ActionInput:
    text: str
    owner_id: int | None
    due_on: dt.date | None


def _leader(actor: User) -> Person:
    person = person_for_user(actor)
    if person is None or person.role != Role.LEADER:
        raise NotAllowed("只有街道领导可以记录专题会问询。")
    return person


@transaction.atomic
def meeting_answer_record(
    *,
    actor: User,
    item_id: int,
    answer: str,
    grade: str,
    actions: list[ActionInput] | tuple[ActionInput, ...] = (),
    now: dt.datetime | None = None,
) -> MeetingAnswer:
    """Record the chief's answer about one drawn case, its grade and the
    follow-up actions; once per drawn case (again: a conflict). The case row is
    locked first, then the drawn item; the answer goes on the case's timeline."""
    now = now or timezone.now()
    person = _leader(actor)
    item = MeetingDrawCase.objects.select_related("draw").filter(pk=item_id, draw__street_id=person.street_id).first()
    if item is None:
        raise NotFound("抽中案件不存在，或不在您的查看范围内。")
    answer = _text(answer, label="回答情况", field="answer", required=True)
    if grade not in AnswerGrade.values:
        raise InvalidInput("请评定答得清或答不清。", field="grade")
    today = timezone.localdate(now)
    cleaned: list[tuple[str, int, dt.date]] = []
    for n, action in enumerate(actions, start=1):
        text = _text(action.text, label=f"第{n}项跟进事项", field="actions", limit=300)
        if not text and action.owner_id is None and action.due_on is None:
            continue
        if not text or action.owner_id is None or action.due_on is None:
            raise InvalidInput(f"第{n}项跟进事项须同时填写事项、责任人和完成期限。", field="actions")
        if action.due_on < today:
            raise InvalidInput(f"第{n}项跟进事项的完成期限不能早于今天。", field="actions")
        if not Person.objects.filter(user_id=action.owner_id, street_id=person.street_id).exists():
            raise InvalidInput(f"第{n}项跟进事项的责任人不是本街道人员。", field="actions")
        cleaned.append((text, action.owner_id, action.due_on))
    case = Case.objects.select_for_update(of=("self",)).get(pk=item.case_id)
    MeetingDrawCase.objects.select_for_update().filter(pk=item.pk).first()
    if MeetingAnswer.objects.filter(item_id=item.pk).exists():
        raise Conflict("该案件的问询已记录，请勿重复提交。", code="answer_recorded")
    record = MeetingAnswer.objects.create(
        item=item,
        chief_id=item.chief_id,
        community_id=case.community_id,
        department_id=case.department_id,
        answer=answer,
        grade=grade,
        recorded_by=actor,
        recorded_at=now,
    )
    FollowUpAction.objects.bulk_create(
        FollowUpAction(answer=record, text=text, owner_id=owner_id, due_on=due_on) for text, owner_id, due_on in cleaned
    )
    record.event = case_system_step(
        case=case,
        action=Action.MEETING_ANSWER,
        note=f"专题会（{item.draw.week}）问询：{AnswerGrade(grade).label}。跟进事项{len(cleaned)}项。",
        data={"draw": item.draw_id, "item": item.pk, "grade": grade},
        at=now,
        actor=actor,
    )
    record.save(update_fields=["event"])
    return record


def meeting_answers_for_draw(*, draw_id: int) -> dict[int, MeetingAnswer]:
    """The answers of a draw's items (the caller has scoped the draw), by item id, with their actions."""
    answers = (
        MeetingAnswer.objects.filter(item__draw_id=draw_id)
        .select_related("recorded_by__person")
        .prefetch_related("actions__owner__person")
    )
    return {answer.item_id: answer for answer in answers}


# ---------------------------------------------------------------- follow-up actions: the transition table

# The one table of a follow-up action's statuses: step → (from, to).
FOLLOW_UP_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "complete": (frozenset({FollowUpStatus.OPEN}), FollowUpStatus.DONE),
}


def follow_up_is_late(action: FollowUpAction, *, today: dt.date) -> bool:
    return action.status == FollowUpStatus.OPEN and action.due_on < today


def follow_up_late_q(*, today: dt.date) -> Q:
    """`follow_up_is_late` as a filter."""
    return Q(status=FollowUpStatus.OPEN, due_on__lt=today)


@transaction.atomic
def follow_up_complete(*, actor: User, action_id: int, now: dt.datetime | None = None) -> FollowUpAction:
    """The owner (or a leader) marks a follow-up action done."""
    now = now or timezone.now()
    person = person_for_user(actor)
    found = FollowUpAction.objects.select_related("answer__item").filter(pk=action_id).first()
    if found is None or person is None or (found.owner_id != actor.pk and person.role != Role.LEADER):
        raise NotFound("跟进事项不存在，或不是您负责的事项。")
    Case.objects.select_for_update(of=("self",)).filter(pk=found.answer.item.case_id).first()
    action = FollowUpAction.objects.select_for_update().get(pk=action_id)
    sources, target = FOLLOW_UP_TRANSITIONS["complete"]
    if action.status not in sources:
        raise Conflict(f"该跟进事项当前为“{action.get_status_display()}”，不能再标记完成。", code="invalid_transition")
    action.status, action.done_at, action.done_by = target, now, actor
    action.save(update_fields=["status", "done_at", "done_by"])
    return action


@transaction.atomic
def follow_up_mark_late(*, action_id: int, now: dt.datetime | None = None) -> FollowUpAction | None:
    """Tell the owner and the leader, once, that an action is late: an event on
    the case's timeline, notified by its rule. None when it is done meanwhile or told already."""
    now = now or timezone.now()
    found = FollowUpAction.objects.select_related("answer__item").filter(pk=action_id).first()
    if found is None:
        return None
    case = Case.objects.select_for_update(of=("self",)).get(pk=found.answer.item.case_id)
    action = FollowUpAction.objects.select_for_update().get(pk=action_id)
    if action.late_event_id is not None or not follow_up_is_late(action, today=timezone.localdate(now)):
        return None
    action.late_event = case_system_step(
        case=case,
        action=Action.FOLLOW_UP_LATE,
        note=f"专题会跟进事项逾期未完成：{action.text}（期限{action.due_on:%Y-%m-%d}）。",
        data={"follow_up": action.pk, "owner": action.owner_id, "leader": found.answer.recorded_by_id},
        at=now,
    )
    action.save(update_fields=["late_event"])
    return action


def follow_up_late_sweep(*, now: dt.datetime | None = None) -> int:
    """Every late action not told yet: one short transaction each. Safe to run again."""
    now = now or timezone.now()
    due = FollowUpAction.objects.filter(follow_up_late_q(today=timezone.localdate(now)), late_event__isnull=True)
    return sum(1 for pk in list(due.values_list("pk", flat=True)) if follow_up_mark_late(action_id=pk, now=now))


def follow_up_list_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[FollowUpAction]:
    """Leaders and supervisors: the street's actions; anyone else: their own."""
    person = person_for_user(user)
    actions = FollowUpAction.objects.select_related("owner__person", "answer__item__case", "answer__item__draw")
    if person is None:
        return actions.none()
    if person.role in TALK_RECORDERS:
        return actions.filter(answer__item__draw__street_id=person.street_id)
    return actions.filter(owner_id=person.user_id)
