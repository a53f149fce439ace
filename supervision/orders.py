"""Supervision orders (督办单): opened by a daily check's finding, a 回头看
that finds the problem back, or automatically by a 不满意 callback (二次督办);
closed when the supervisor records the follow-up. Each step is an event on
the case timeline, and the handler, secretary and chief are told (RULES in
supervision.services)."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from cases.deadlines import add_working_days
from cases.models import Case, CaseEvent
from cases.selectors import case_scope_for_user
from cases.services import case_system_step
from cases.transitions import Action
from communities.models import Community, Role
from communities.selectors import person_for_user
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from supervision.models import OrderKind, OrderStatus, Recheck, RecheckStatus, SupervisionOrder

# Who orders, closes and cancels supervision orders.
ORDER_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})
# The kinds a person picks; 二次督办 and 回头看复发 are opened by the product.
MANUAL_KINDS = (OrderKind.PHONE, OrderKind.ONSITE, OrderKind.DEADLINE)

# The one transition table of a supervision order: step → (from, to).
ORDER_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "close": (frozenset({OrderStatus.OPEN}), OrderStatus.DONE),
    "cancel": (frozenset({OrderStatus.OPEN}), OrderStatus.CANCELLED),
}
NOTE_LIMIT = 2000


def order_overdue_q(today: dt.date | None = None) -> Q:
    """A late order (逾期督办单): still open after its due day."""
    return Q(status=OrderStatus.OPEN, due_on__lt=today or timezone.localdate())


def _order_person(actor: User):
    person = person_for_user(actor)
    if person is None or person.role not in ORDER_ROLES:
        raise NotAllowed("只有监察组和街道领导可以下发或办结督办单。")
    return person


def _note(value: str, *, label: str, required: bool) -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}。", field="note")
    if len(value) > NOTE_LIMIT:
        raise InvalidInput(f"{label}不能超过{NOTE_LIMIT}字。", field="note")
    return value


def _open(
    *, case: Case, kind: str, due_on: dt.date, note: str, actor: User | None, at: dt.datetime, source_event=None
) -> SupervisionOrder:
    """The order and its timeline event, on a case row locked by the caller."""
    order = SupervisionOrder.objects.create(
        case=case,
        kind=kind,
        due_on=due_on,
        note=note,
        ordered_at=at,
        ordered_by=actor,
        source_event=source_event,
    )
    case_system_step(
        case=case,
        action=Action.ORDER_SUPERVISION,
        note=note,
        data={"order": order.pk, "kind": kind, "label": order.get_kind_display(), "due_on": due_on.isoformat()},
        at=at,
        actor=actor,
    )
    return order


def order_validate(*, kind: str, due_on: dt.date | None, at: dt.datetime, kinds=MANUAL_KINDS) -> None:
    if kind not in kinds:
        raise InvalidInput("请选择督办方式。", field="order_kind")
    if due_on is None:
        raise InvalidInput("请填写督办单的办结期限。", field="due_on")
    if due_on < timezone.localdate(at):
        raise InvalidInput("督办单的办结期限不能早于今天。", field="due_on")


def order_open_on_locked_case(
    *, case: Case, actor: User, kind: str, due_on: dt.date | None, note: str, at: dt.datetime
) -> SupervisionOrder:
    """Open an order on a case row the calling service has locked (a check's
    finding, a re-check), after checking the person and the input."""
    _order_person(actor)
    order_validate(kind=kind, due_on=due_on, at=at, kinds=tuple(OrderKind))
    assert due_on is not None
    return _open(
        case=case, kind=kind, due_on=due_on, note=_note(note, label="督办要求", required=False), actor=actor, at=at
    )


def order_open(
    *, case_id: int, actor: User, kind: str, due_on: dt.date | None, note: str, at: dt.datetime | None = None
) -> SupervisionOrder:
    at = at or timezone.now()
    _order_person(actor)
    order_validate(kind=kind, due_on=due_on, at=at)
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
        if case is None:
            raise NotFound("案件不存在。")
        return order_open_on_locked_case(case=case, actor=actor, kind=kind, due_on=due_on, note=note, at=at)


def supervision_order_open_second(*, case: Case, event: CaseEvent) -> SupervisionOrder:
    """二次督办 of a 不满意 callback, in the callback step's transaction (the
    case row is locked by it), due SUPERVISION_SECOND_ORDER_WORKING_DAYS
    working days after the callback."""
    called_at = case.callback_at or event.created_at
    due_on = timezone.localdate(add_working_days(called_at, settings.SUPERVISION_SECOND_ORDER_WORKING_DAYS))
    return _open(
        case=case,
        kind=OrderKind.SECOND,
        due_on=due_on,
        note="回访不满意，二次督办：请再次联系来电人、核实诉求办理情况，并向监察组反馈。",
        actor=None,
        at=event.created_at,
        source_event=event,
    )


def _step(*, order_id: int, actor: User, step: str, note: str, at: dt.datetime | None) -> SupervisionOrder:
    _order_person(actor)
    sources, target = ORDER_TRANSITIONS[step]
    note = _note(note, label="督办落实情况" if step == "close" else "撤销理由", required=True)
    at = at or timezone.now()
    with transaction.atomic():
        case_id = SupervisionOrder.objects.filter(pk=order_id).values_list("case_id", flat=True).first()
        if case_id is None:
            raise NotFound("督办单不存在。")
        # Lock order: the case row first, then the order.
        case = Case.objects.select_for_update(of=("self",)).get(pk=case_id)
        order = SupervisionOrder.objects.select_for_update().get(pk=order_id)
        if order.status not in sources:
            raise Conflict(f"督办单当前状态为“{order.get_status_display()}”，不能再办理。", code="invalid_transition")
        order.status, order.closed_at, order.closed_by, order.close_note = target, at, actor, note
        order.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
        case_system_step(
            case=case,
            action=Action.CLOSE_SUPERVISION_ORDER,
            note=note,
            data={"order": order.pk, "kind": order.kind, "label": order.get_kind_display(), "status": target},
            at=at,
            actor=actor,
        )
    return order


def order_close(*, order_id: int, actor: User, note: str, at: dt.datetime | None = None) -> SupervisionOrder:
    """The supervisor records the follow-up: the order is done."""
    return _step(order_id=order_id, actor=actor, step="close", note=note, at=at)


def order_cancel(*, order_id: int, actor: User, note: str, at: dt.datetime | None = None) -> SupervisionOrder:
    return _step(order_id=order_id, actor=actor, step="cancel", note=note, at=at)


def order_mark_late(*, now: dt.datetime | None = None) -> int:
    """Tell the handler, secretary and chief once of each order found late
    (the beat job); returns how many were marked."""
    now = now or timezone.now()
    marked = 0
    late_ids = list(
        SupervisionOrder.objects.filter(order_overdue_q(timezone.localdate(now)), late_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "case_id")
    )
    for order_id, case_id in late_ids:
        with transaction.atomic():
            case = Case.objects.select_for_update(of=("self",)).get(pk=case_id)
            order = SupervisionOrder.objects.select_for_update().get(pk=order_id)
            if order.late_at is not None or order.status != OrderStatus.OPEN:
                continue
            order.late_at = now
            order.save(update_fields=["late_at"])
            case_system_step(
                case=case,
                action=Action.SUPERVISION_ORDER_LATE,
                note=f"{order.get_kind_display()}督办单已过办结期限（{order.due_on:%Y-%m-%d}）。",
                data={"order": order.pk, "kind": order.kind, "label": order.get_kind_display()},
                at=now,
            )
            marked += 1
    return marked


# ---------------------------------------------------------------- reading


def order_scope_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[SupervisionOrder]:
    """The orders a user may see: those of the cases they may see (a community
    its own, a chief their pairings', supervisors and leaders the street's)."""
    return SupervisionOrder.objects.filter(case__in=case_scope_for_user(user))


ORDER_STATES = {"open": "待办结", "overdue": "已逾期", "done": "已办结", "cancelled": "已撤销"}


def order_list_for_user(
    *,
    user: AbstractBaseUser | AnonymousUser,
    community_id: int | None = None,
    kind: str = "",
    state: str = "",
    today: dt.date | None = None,
) -> QuerySet[SupervisionOrder]:
    orders = order_scope_for_user(user).select_related(
        "case__community", "case__department", "ordered_by__person", "closed_by__person"
    )
    if community_id is not None:
        orders = orders.filter(case__community_id=community_id)
    if kind:
        if kind not in OrderKind.values:
            raise InvalidInput("督办方式无效。", field="kind")
        orders = orders.filter(kind=kind)
    if state:
        if state not in ORDER_STATES:
            raise InvalidInput("状态无效。", field="state")
        orders = orders.filter(order_overdue_q(today) if state == "overdue" else Q(status=state))
    return orders.order_by("due_on", "-id") if state in ("open", "overdue") else orders.order_by("-ordered_at", "-id")


def order_get_for_user(*, user: AbstractBaseUser | AnonymousUser, order_id: int) -> SupervisionOrder:
    order = order_list_for_user(user=user).filter(pk=order_id).first()
    if order is None:
        raise NotFound("督办单不存在，或您无权查看。")
    return order


def supervision_order_figures(*, street_id: int, today: dt.date | None = None) -> list[dict]:
    """Per community of the street: open orders, late orders and 回头看 found
    back, each with the list URL that shows exactly the records counted."""
    today = today or timezone.localdate()
    orders: dict[int, dict] = {
        row["case__community_id"]: dict(row)
        for row in SupervisionOrder.objects.filter(case__community__street_id=street_id)
        .values("case__community_id")
        .annotate(
            open=Count("pk", filter=Q(status=OrderStatus.OPEN)),
            overdue=Count("pk", filter=order_overdue_q(today)),
        )
    }
    found = dict(
        Recheck.objects.filter(
            draw__street_id=street_id, status=RecheckStatus.DONE, still_resolved=False, case__community__isnull=False
        )
        .values("case__community_id")
        .annotate(n=Count("pk"))
        .values_list("case__community_id", "n")
    )
    orders_url, rechecks_url = reverse("supervision-orders"), reverse("supervision-rechecks")
    rows = []
    for community in Community.objects.filter(street_id=street_id).order_by("name"):
        row = orders.get(community.pk, {})
        rows.append(
            {
                "community_id": community.pk,
                "name": community.name,
                "open": row.get("open", 0),
                "open_url": f"{orders_url}?community={community.pk}&state=open",
                "overdue": row.get("overdue", 0),
                "overdue_url": f"{orders_url}?community={community.pk}&state=overdue",
                "found_back": found.get(community.pk, 0),
                "found_back_url": f"{rechecks_url}?community={community.pk}&found_back=1",
            }
        )
    return rows
