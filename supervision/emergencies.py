"""Emergencies (应急机制, DESIGN §6): services and selectors.

The case steps (`cases.services.case_raise_emergency`, `case_arrive_on_scene`,
`case_close_emergency`) lock the case row, ask the one predicate, and call the
services here for the emergency record, then append the timeline event; the
event's notification rule (supervision.services.RULES) alerts the leader on
duty and the day's duty roster, marked urgent so every channel delivers it at
once, quiet hours or not.

An emergency has its own small status table: raised → on scene → closed (or
raised → closed). Contact with the caller is the case's own `responded_at`:
an emergency counts as contacted once the case has been responded to."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent
from cases.selectors import case_scope_for_user, mask_phones_in_text
from cases.transitions import Action
from communities.models import Person, Role
from communities.selectors import person_for_user
from hotline.errors import Conflict, InvalidInput, NotFound
from hotline.validators import ID_MAX
from supervision.models import DutyDay, Emergency, EmergencyStatus

E = EmergencyStatus

# The emergency's own transitions, keyed by the case step that takes them.
EMERGENCY_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    Action.ARRIVE_ON_SCENE: (frozenset({E.RAISED}), E.ON_SCENE),
    Action.CLOSE_EMERGENCY: (frozenset({E.RAISED, E.ON_SCENE}), E.CLOSED),
}

# A case registered (or imported) as 紧急 raises an emergency only when the
# call is recent and registered now: an import of last month's orders (or a
# history brought in with past times) must not alarm today's roster.
AUTOMATIC_RAISE_WINDOW = dt.timedelta(hours=24)

_CACHE = "_emergency_open_status"


# ---------------------------------------------------------------- selectors


def emergency_open_status(*, case: Case) -> str:
    """The status of the case's emergency under way, "" when there is none.
    Cached on the case object (the case page asks once per action)."""
    cache = vars(case)
    if _CACHE not in cache:
        cache[_CACHE] = (
            Emergency.objects.filter(case_id=case.pk).exclude(status=E.CLOSED).values_list("status", flat=True).first()
            or ""
        )
    return cache[_CACHE]


def _forget(case: Case) -> None:
    vars(case).pop(_CACHE, None)


def emergency_open_for_case(*, case: Case) -> Emergency | None:
    return Emergency.objects.filter(case_id=case.pk).exclude(status=E.CLOSED).first()


def emergency_list_for_case(*, case: Case) -> QuerySet[Emergency]:
    return Emergency.objects.filter(case_id=case.pk).select_related(
        "raised_by__person", "on_scene_by__person", "closed_by__person"
    )


def duty_alert_user_ids(*, day: dt.date) -> list[int]:
    """Who is alerted of an emergency on `day`: the leader on duty and the
    people on the duty roster. A day the roster does not name a leader for
    alerts every street leader: an emergency must never reach nobody."""
    duty = DutyDay.objects.select_related("leader").filter(date=day).first()
    leader_on_duty = duty.leader_id if duty is not None and duty.leader and duty.leader.is_active else None
    ids: list[int] = [leader_on_duty] if leader_on_duty else []
    if duty is not None:
        ids += list(duty.members.filter(is_active=True).values_list("id", flat=True))
    if leader_on_duty is None:
        ids += list(
            Person.objects.filter(role=Role.LEADER, user__is_active=True)
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )
    return list(dict.fromkeys(ids))


def emergency_alert_recipients(case: Case, event: CaseEvent) -> list[int]:
    """The recipients of the alert of a raised emergency (the RULES entry):
    the duty roster of the day, and the case's handler and community secretaries
    when the case has been dispatched."""
    ids = duty_alert_user_ids(day=timezone.localdate(event.created_at))
    if case.handler_id:
        ids.append(case.handler_id)
    if case.community_id:
        ids += list(
            Person.objects.filter(
                role=Role.SECRETARY, community_id=case.community_id, user__is_active=True
            ).values_list("user_id", flat=True)
        )
    return list(dict.fromkeys(ids))


def emergency_list_for_user(*, user: AbstractBaseUser | AnonymousUser, state: str = "") -> QuerySet[Emergency]:
    """The emergencies of the cases the user may see (the one scoping
    function); `state` "open" (under way) or "closed" narrows the list."""
    emergencies = Emergency.objects.filter(case__in=case_scope_for_user(user)).select_related(
        "case__community", "raised_by__person", "on_scene_by__person", "closed_by__person"
    )
    if state == "open":
        emergencies = emergencies.exclude(status=E.CLOSED)
    elif state == "closed":
        emergencies = emergencies.filter(status=E.CLOSED)
    elif state:
        raise InvalidInput("状态无效。", field="state")
    return emergencies.order_by("-raised_at", "-id")


def emergency_get_for_user(*, user: AbstractBaseUser | AnonymousUser, emergency_id: int) -> Emergency:
    if not 0 < int(emergency_id) <= ID_MAX:
        raise NotFound("应急事件不存在，或不在您的查看范围内。")
    emergency = emergency_list_for_user(user=user).filter(pk=emergency_id).first()
    if emergency is None:
        raise NotFound("应急事件不存在，或不在您的查看范围内。")
    return emergency


def emergency_contacted_at(emergency: Emergency) -> dt.datetime | None:
    """When the caller was contacted: the case's response, not before the raise."""
    responded = emergency.case.responded_at
    return max(responded, emergency.raised_at) if responded else None


def _span(start: dt.datetime, end: dt.datetime | None) -> dt.timedelta | None:
    return max(end - start, dt.timedelta(0)) if end is not None else None


@dataclass(frozen=True)
class EmergencyTimes:
    to_contact: dt.timedelta | None
    to_scene: dt.timedelta | None
    to_closure: dt.timedelta | None


def emergency_times(emergency: Emergency) -> EmergencyTimes:
    """The three figures of an emergency: from its raise to the caller's
    contact, to the scene, to its closure (None while not reached)."""
    return EmergencyTimes(
        to_contact=_span(emergency.raised_at, emergency_contacted_at(emergency)),
        to_scene=_span(emergency.raised_at, emergency.on_scene_at),
        to_closure=_span(emergency.raised_at, emergency.closed_at),
    )


def emergency_banner_for_user(*, user: AbstractBaseUser | AnonymousUser) -> list[dict]:
    """The red banner of every staff page: emergencies under way whose caller
    has not been contacted. Every staff member sees them (an emergency is the
    whole street's); the case's title and link only those who may open it.
    No caller data."""
    person = person_for_user(user)
    if person is None or person.role == Role.DISPLAY:
        return []
    waiting = list(
        Emergency.objects.exclude(status=E.CLOSED)
        .filter(case__responded_at__isnull=True)
        .select_related("case__community")
        .order_by("raised_at", "id")[:10]
    )
    if not waiting:
        return []
    visible = set(case_scope_for_user(user).filter(pk__in=[e.case_id for e in waiting]).values_list("pk", flat=True))
    return [
        {
            "ticket_no": e.case.ticket_no,
            "community": e.case.community.name if e.case.community is not None else "",
            "raised_at": e.raised_at,
            "title": mask_phones_in_text(e.case.title) if e.case_id in visible else "",
            "url": reverse("case-detail", args=[e.case_id]) if e.case_id in visible else "",
        }
        for e in waiting
    ]


def emergency_today_summary(*, user: AbstractBaseUser | AnonymousUser, now: dt.datetime | None = None) -> dict:
    """For the leader's overview: today's emergencies with their figures."""
    now = now or timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today = list(
        emergency_list_for_user(user=user).filter(Q(raised_at__gte=start) | ~Q(status=E.CLOSED)).order_by("raised_at")
    )
    times = [emergency_times(e) for e in today]
    rows = [{"emergency": e, "times": t} for e, t in zip(today, times, strict=True)]
    contacts = [t.to_contact for t in times if t.to_contact is not None]
    return {
        "rows": rows,
        "waiting_contact": sum(1 for t in times if t.to_contact is None),
        "mean_to_contact": sum(contacts, dt.timedelta(0)) / len(contacts) if contacts else None,
    }


# ---------------------------------------------------------------- services
# Called by the case services with the case row locked and the step allowed.


def emergency_raise(*, case: Case, actor: User | None, note: str, at: dt.datetime) -> Emergency:
    """Open the emergency record of a case (the case row is locked)."""
    try:
        with transaction.atomic():
            emergency = Emergency.objects.create(case=case, raised_at=at, raised_by=actor, raise_note=note)
    except IntegrityError:
        raise Conflict("该案件已在应急处置中。", code="emergency_open") from None
    _forget(case)
    return emergency


def emergency_should_raise_on_register(*, case: Case, at: dt.datetime) -> bool:
    from cases.models import Urgency

    recent = timezone.now() - AUTOMATIC_RAISE_WINDOW
    return case.urgency == Urgency.EMERGENCY and at >= recent and case.received_at >= at - AUTOMATIC_RAISE_WINDOW


def _move(case: Case, action: Action, at: dt.datetime) -> Emergency:
    """Lock the case's emergency under way (after the case row) and check its table."""
    emergency = Emergency.objects.select_for_update().filter(case_id=case.pk).exclude(status=E.CLOSED).first()
    if emergency is None:
        raise Conflict("该案件没有进行中的应急事件。", code="no_emergency")
    sources, target = EMERGENCY_TRANSITIONS[action]
    if emergency.status not in sources:
        raise Conflict(
            f"应急事件当前状态为“{emergency.get_status_display()}”，不能{action.label}。", code="invalid_transition"
        )
    if at < emergency.raised_at:
        raise InvalidInput("时间不能早于应急启动时间。", field="at")
    emergency.status = target
    _forget(case)
    return emergency


def emergency_arrive(*, case: Case, actor: User, at: dt.datetime) -> Emergency:
    """Someone is on the scene of the case's emergency."""
    emergency = _move(case, Action.ARRIVE_ON_SCENE, at)
    emergency.on_scene_at, emergency.on_scene_by = at, actor
    emergency.save(update_fields=["status", "on_scene_at", "on_scene_by"])
    return emergency


def emergency_close(*, case: Case, actor: User, note: str, at: dt.datetime) -> Emergency:
    """Close the case's emergency with a note."""
    emergency = _move(case, Action.CLOSE_EMERGENCY, at)
    emergency.closed_at, emergency.closed_by, emergency.close_note = at, actor, note
    emergency.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
    return emergency
