"""Every write to a case. Each public function is one step of the lifecycle:
it locks the case row, checks who may take the step and that the table in
`cases.transitions` allows it from the current status, saves the changed
fields, and appends the timeline event — all in one transaction."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import cast

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cases import deadlines
from cases.groupings import category_path_normalize
from cases.models import (
    COMMUNITY_CHANNELS,
    TEXT_LIMITS,
    CalendarDay,
    Case,
    CaseEvent,
    Channel,
    ExclusionReason,
    ExtensionRequest,
    Satisfaction,
    Signature,
    Tag,
    Urgency,
    text_sha256,
)
from cases.permissions import SIGNING_SLOT, case_action_refusal
from cases.reply_facts import ReplyFacts, reply_facts_assign, reply_facts_clean, reply_facts_of, reply_facts_text
from cases.transitions import TRANSITIONS, Action, Status
from cases.vocabulary import signature_standing_slots, signed_sha256, signed_text, street_ticket_no
from communities.models import COMMUNITY_ROLES, Community, Pairing, Person
from communities.selectors import pairing_suggest_for_community, person_for_user
from hotline.dates import local_midnight
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hotline.text import text_clean
from supervision import emergencies
from supervision.services import notification_for_case_event, supervision_for_case_event

# ---------------------------------------------------------------- internals


def _person(actor: User) -> Person:
    person = person_for_user(actor)
    if person is None:
        raise NotAllowed("您的账号尚未分配岗位，不能办理案件。")
    return person


def _lock(case_id: int, *, signatures: bool = False) -> Case:
    """The case row, locked. `signatures`: its signatures come along (one
    query), for the signing steps whose checks all read them."""
    cases = Case.objects.select_for_update(of=("self",)).select_related("pairing")
    if signatures:
        cases = cases.prefetch_related("signatures")
    try:
        # Lock only the case row; the pairing comes along for the chief check.
        return cases.get(pk=case_id)
    except Case.DoesNotExist:
        raise NotFound("案件不存在。") from None


def _check(case: Case, action: Action, person: Person | None) -> None:
    """Raise the refusal of the one predicate (403 not this person's step, 409 not now)."""
    refusal = case_action_refusal(case=case, person=person, action=action)
    if refusal is not None:
        raise refusal


def _begin(case_id: int, action: Action, actor: User, *, signatures: bool = False) -> tuple[Case, Person]:
    case = _lock(case_id, signatures=signatures)
    person = _person(actor)
    _check(case, action, person)
    return case, person


def _commit_step(
    case: Case,
    action: Action,
    actor: User | None,
    *,
    to: Status | None = None,
    fields: Iterable[str] = (),
    note: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> Case:
    """Move the case (or keep it where it is, for timeline-only steps), save
    the named fields and append the event."""
    targets = TRANSITIONS[action].targets
    from_status = case.status
    if targets is not None:
        if to is None:
            (to,) = targets
        if to not in targets:
            raise AssertionError(f"{action} cannot lead to {to}")
        case.status = to
    case.save(update_fields=[*fields, "status", "updated_at"])
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=from_status,
        to_status=case.status,
        actor=actor,
        created_at=at or timezone.now(),
        note=note,
        data=data or {},
    )
    # Whoever the step hands work to is told, in the same transaction.
    notification_for_case_event(case=case, event=event)
    supervision_for_case_event(case=case, event=event)
    return case


def case_system_step(
    *,
    case: Case,
    action: Action,
    note: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
    actor: User | None = None,
) -> CaseEvent:
    """A timeline-only step the system takes (roles [] in the table), on a case
    row the caller has locked in its transaction; returns the event. `actor`:
    the person whose record the step follows from (a supervisor's order, a
    meeting answer), whose right to it the calling service has checked."""
    _check(case, action, None)
    _commit_step(case, action, actor, note=note, data=data, at=at)
    return CaseEvent.objects.filter(case=case, action=action).latest("id")


def case_lock_for_step(*, case_id: int, action: Action, actor: User) -> tuple[Case, Person]:
    """For another app's step on a case (attachments, progress notes): the case
    row locked (with its signatures) and the one predicate asked; call inside
    the step's transaction, then `case_record_step`."""
    return _begin(case_id, action, actor, signatures=True)


def case_check_step(*, case: Case, action: Action, person: Person) -> None:
    """Raise the predicate's refusal of `action` (a second condition of a step)."""
    _check(case, action, person)


def case_record_step(
    *, case: Case, action: Action, actor: User, note: str = "", data: dict | None = None, at: dt.datetime | None = None
) -> CaseEvent:
    """Append the timeline event of a timeline-only step on a locked case."""
    _commit_step(case, action, actor, note=note, data=data, at=at)
    return CaseEvent.objects.filter(case=case, action=action).latest("id")


def case_signatures_void(*, case: Case, document: str, reason: str, at: dt.datetime) -> int:
    """Void the standing signatures on a document whose signed content changed."""
    return _void_signatures(case, document, reason, at)


NOTE_LIMIT = TEXT_LIMITS["note"]
# No order this system handles is older than this: an earlier call time is a typing error.
EARLIEST_CALL_YEAR = 2000


def _text(value: str, *, label: str, field: str, limit: int, required: bool = False) -> str:
    """A text as stored (hotline.text.text_clean), within its limit
    (cases.models.TEXT_LIMITS), whichever door the text came through."""
    return text_clean(value, label=label, field=field, limit=limit, required=required)


def _required(value: str, label: str, field: str, limit: int = NOTE_LIMIT) -> str:
    return _text(value, label=label, field=field, limit=limit, required=True)


# ---------------------------------------------------------------- intake


def case_register(
    *,
    actor: User,
    title: str,
    content: str,
    received_at: dt.datetime | None = None,
    ticket_no: str = "",
    channel: str = Channel.HOTLINE,
    order_type: str = "",
    caller_name: str = "",
    caller_phone: str = "",
    address: str = "",
    compound: str = "",
    reported_community: Community | None = None,
    reported_community_name: str = "",
    category: str = "",
    urgency: str = Urgency.GENERAL,
    tags: Iterable[str] = (),
    at: dt.datetime | None = None,
) -> Case:
    """Register a case from the hotline or another channel (登记). `at` (here
    and in every step below) is when the step happened, for history brought in
    from the city platform; it defaults to now."""
    (case,) = case_register_many(
        actor=actor,
        at=at,
        orders=[
            {
                "title": title,
                "content": content,
                "received_at": received_at,
                "ticket_no": ticket_no,
                "channel": channel,
                "order_type": order_type,
                "caller_name": caller_name,
                "caller_phone": caller_phone,
                "address": address,
                "compound": compound,
                "reported_community": reported_community,
                "reported_community_name": reported_community_name,
                "category": category,
                "urgency": urgency,
                "tags": tags,
            }
        ],
    )
    return case


def _check_may_register(actor: User, action: Action = Action.REGISTER) -> Person:
    person = _person(actor)
    if person.role not in TRANSITIONS[action].roles:
        raise NotAllowed(f"{person.get_role_display()}不能{action.label}案件。")
    return person


def _new_case(
    *,
    actor: User,
    at: dt.datetime,
    title: str,
    content: str,
    received_at: dt.datetime | None = None,
    ticket_no: str = "",
    channel: str = Channel.HOTLINE,
    order_type: str = "",
    caller_name: str = "",
    caller_phone: str = "",
    address: str = "",
    compound: str = "",
    reported_community: Community | None = None,
    reported_community_name: str = "",
    category: str = "",
    urgency: str = Urgency.GENERAL,
) -> Case:
    """The unsaved case of a registration, validated (shared by the single and the bulk form)."""
    if channel not in Channel.values:
        raise InvalidInput("来源渠道无效。", field="channel")
    if urgency not in Urgency.values:
        raise InvalidInput("紧急程度无效。", field="urgency")
    if received_at is not None and received_at.year < EARLIEST_CALL_YEAR:
        raise InvalidInput(f"来电时间早于{EARLIEST_CALL_YEAR}年，请核对。", field="received_at")
    if received_at is not None and received_at > at + dt.timedelta(minutes=5):
        raise InvalidInput("来电时间不能晚于登记时间。", field="received_at")

    def short(value: str, label: str, field: str) -> str:
        return _text(value, label=label, field=field, limit=TEXT_LIMITS[field])

    ticket_no = short(ticket_no, "工单编号", "ticket_no") or street_ticket_no()
    category = short(category_path_normalize(category), "问题分类", "category")
    reported_community_name = reported_community_name or (reported_community.name if reported_community else "")
    return Case(
        ticket_no=ticket_no,
        channel=channel,
        order_type=short(order_type, "工单类型", "order_type"),
        received_at=received_at or at,
        caller_name=short(caller_name, "来电人", "caller_name"),
        caller_phone=short(caller_phone, "来电人电话", "caller_phone"),
        address=short(address, "地址", "address"),
        compound=short(compound, "小区点位", "compound"),
        reported_community=reported_community,
        reported_community_name=short(reported_community_name, "被反映社区", "reported_community_name"),
        category=category,
        category_l1=category.split("->")[0] if category else "",
        title=_required(title, "标题", "title", TEXT_LIMITS["title"]),
        content=_required(content, "主要内容", "content", TEXT_LIMITS["content"]),
        urgency=urgency,
        status=Status.REGISTERED,
        created_by=actor,
    )


def _street_tickets_unique(cases: list[Case], *, attempts: int = 5) -> None:
    """The street's own numbers drawn for `cases` (24 random bits a day: a batch
    of hundreds meets a repeat now and then) drawn again until none repeats
    another of the batch or one on record; only a number given by 12345 that
    exists already is the caller's Conflict."""
    for _ in range(attempts):
        drawn = [case.ticket_no for case in cases]
        taken = set(Case.objects.filter(ticket_no__in=drawn).values_list("ticket_no", flat=True))
        seen: set[str] = set()
        again = []
        for case in cases:
            if case.ticket_no in taken or case.ticket_no in seen:
                again.append(case)
            seen.add(case.ticket_no)
        if not again:
            return
        for case in again:
            case.ticket_no = street_ticket_no()


@transaction.atomic
def case_register_many(
    *,
    actor: User,
    orders: Sequence[Mapping],
    at: dt.datetime | None = None,
    event_data: dict | None = None,
    action: Action = Action.REGISTER,
) -> list[Case]:
    """Register many orders at once (the 12345 import) with the rules of
    `case_register`: each mapping holds its keyword arguments. All or none:
    a ticket number that exists already, or twice in `orders`, is a Conflict.
    Cases, tags and register events are written in bulk. `action`: whose
    registration it is (REGISTER for the clerks, REGISTER_IN_COMMUNITY for the
    community's own); the timeline says 登记 either way, the event's data
    says which."""
    at = at or timezone.now()
    _check_may_register(actor, action)
    cases = [_new_case(actor=actor, at=at, **{k: v for k, v in order.items() if k != "tags"}) for order in orders]
    drawn = [case for case, order in zip(cases, orders, strict=True) if not str(order.get("ticket_no") or "").strip()]
    _street_tickets_unique(drawn)
    names_per_case = [[n.strip() for n in order.get("tags", ()) if n and n.strip()] for order in orders]
    all_names = {name for names in names_per_case for name in names}
    tag_max = cast(int, Tag._meta.get_field("name").max_length)
    if any(len(name) > tag_max for name in all_names):
        raise InvalidInput(f"标签不能超过{tag_max}字。", field="tags")
    tickets = [case.ticket_no for case in cases]
    repeated = sorted({t for t in tickets if tickets.count(t) > 1}) if len(set(tickets)) < len(tickets) else []
    existing = repeated or sorted(Case.objects.filter(ticket_no__in=tickets).values_list("ticket_no", flat=True)[:5])
    if existing:
        raise Conflict(f"工单编号 {'、'.join(existing[:5])} 已存在。", code="duplicate_ticket", field="ticket_no")
    try:
        with transaction.atomic():
            Case.objects.bulk_create(cases, batch_size=500)
    except IntegrityError:
        raise Conflict("部分工单编号已存在（可能正被同时导入）。", code="duplicate_ticket", field="ticket_no") from None
    if all_names:
        Tag.objects.bulk_create([Tag(name=name) for name in all_names], ignore_conflicts=True)
        tag_ids = dict(Tag.objects.filter(name__in=all_names).values_list("name", "id"))
        Case.tags.through.objects.bulk_create(
            [
                Case.tags.through(case_id=case.id, tag_id=tag_ids[name])
                for case, names in zip(cases, names_per_case, strict=True)
                for name in dict.fromkeys(names)
            ],
            batch_size=1000,
        )
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                action=Action.REGISTER,
                to_status=Status.REGISTERED,
                actor=actor,
                created_at=at,
                data={"channel": case.channel, **(event_data or {})},
            )
            for case in cases
        ],
        batch_size=1000,
    )
    _raise_registered_emergencies(cases, at)
    return cases


@transaction.atomic
def case_register_in_community(
    *,
    actor: User,
    channel: str,
    title: str,
    content: str,
    received_at: dt.datetime | None = None,
    ticket_no: str = "",
    caller_name: str = "",
    caller_phone: str = "",
    address: str = "",
    compound: str = "",
    category: str = "",
    urgency: str = Urgency.GENERAL,
    at: dt.datetime | None = None,
) -> Case:
    """社区自行登记: a community officer or secretary registers what they
    learnt on a home visit, in a WeChat group, at a resident council or on the
    居委会's phone; the case is dispatched at once to their own community's
    pairing with themselves as handler, in the same transaction (two events on
    the timeline). A clerk may still re-dispatch it."""
    person = _check_may_register(actor, Action.REGISTER_IN_COMMUNITY)
    if channel not in COMMUNITY_CHANNELS:
        labels = "、".join(Channel(c).label for c in COMMUNITY_CHANNELS)
        raise InvalidInput(f"社区登记的来源渠道须为{labels}之一。", field="channel")
    community = person.community
    pairing = pairing_suggest_for_community(community=community)
    if community is None or pairing is None:
        raise InvalidInput("本社区尚无启用的包片，请联系诉求处置中心登记。", field="channel")
    pairing, handler = _validate_assignment(pairing.id, person.user_id)
    at = at or timezone.now()
    (registered,) = case_register_many(
        actor=actor,
        at=at,
        action=Action.REGISTER_IN_COMMUNITY,
        event_data={"community_intake": True},
        orders=[
            {
                "title": title,
                "content": content,
                "received_at": received_at,
                "ticket_no": ticket_no,
                "channel": channel,
                "caller_name": caller_name,
                "caller_phone": caller_phone,
                "address": address,
                "compound": compound,
                "reported_community": community,
                "category": category,
                "urgency": urgency,
            }
        ],
    )
    case = _lock(registered.id)
    # The role was checked for the registration; the dispatch checks the state.
    _check(case, Action.DISPATCH, None)
    fields = _assign(case, pairing, handler, at)
    return _commit_step(
        case,
        Action.DISPATCH,
        actor,
        fields=fields,
        note="社区登记，即派本社区承办",
        data={**_assignment_data(pairing, handler), "community_intake": True},
        at=at,
    )


# ---------------------------------------------------------------- dispatch


def _validate_assignment(pairing_id: int, handler_id: int) -> tuple[Pairing, Person]:
    try:
        pairing = Pairing.objects.select_related("community", "department").get(pk=pairing_id, is_active=True)
    except (Pairing.DoesNotExist, ValueError, TypeError):
        raise InvalidInput("请选择有效的包片。", field="pairing") from None
    if pairing.chief_id is None:
        # Without a chief the reply could never be double-signed and closed.
        raise InvalidInput(f"包片“{pairing}”尚未指定包片科长，请先在后台指定后再派发。", field="pairing")
    try:
        handler = Person.objects.get(user_id=handler_id, community_id=pairing.community_id, role__in=COMMUNITY_ROLES)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise InvalidInput(f"承办人必须是{pairing.community.name}的社区办件员或书记。", field="handler") from None
    return pairing, handler


def _assign(case: Case, pairing: Pairing, handler: Person, now: dt.datetime) -> list[str]:
    """Give the case to a pairing and a handler, who contacts the caller afresh."""
    fields = ["pairing", "community", "department", "handler", "responded_at"]
    case.responded_at = None
    if case.pairing_id != pairing.id:
        # When the case came to its pairing: the board counts it as received
        # there, in that window. Another handler of the same pairing (or the
        # same pairing again after a return) does not receive it anew.
        case.dispatched_at = now
        fields.append("dispatched_at")
    case.pairing = pairing
    case.community_id = pairing.community_id
    case.department_id = pairing.department_id
    case.handler_id = handler.user_id
    if case.first_dispatched_at is None:
        # The first dispatch starts the clock; a later re-dispatch does not.
        case.first_dispatched_at = now
        case.response_deadline, case.closure_deadline = deadlines.deadlines_for(urgency=case.urgency, start=now)
        fields += ["first_dispatched_at", "response_deadline", "closure_deadline"]
    return fields


def _assignment_data(pairing: Pairing, handler: Person) -> dict:
    return {
        "pairing": pairing.id,
        "pairing_name": str(pairing),
        "handler": handler.user_id,
        "handler_name": handler.full_name,
    }


@transaction.atomic
def case_dispatch(
    *, case_id: int, actor: User, pairing_id: int, handler_id: int, note: str = "", at: dt.datetime | None = None
) -> Case:
    """First dispatch to a pairing and a named handler (首派)."""
    case, _ = _begin(case_id, Action.DISPATCH, actor)
    pairing, handler = _validate_assignment(pairing_id, handler_id)
    at = at or timezone.now()
    note = _text(note, label="派发说明", field="note", limit=NOTE_LIMIT)
    fields = _assign(case, pairing, handler, at)
    return _commit_step(
        case, Action.DISPATCH, actor, fields=fields, note=note, data=_assignment_data(pairing, handler), at=at
    )


@transaction.atomic
def case_redispatch(
    *, case_id: int, actor: User, pairing_id: int, handler_id: int, reason: str, at: dt.datetime | None = None
) -> Case:
    """Re-dispatch a not yet replied case with a reason (改派)."""
    case, _ = _begin(case_id, Action.REDISPATCH, actor)
    reason = _required(reason, "改派理由", "reason")
    pairing, handler = _validate_assignment(pairing_id, handler_id)
    if pairing.id == case.pairing_id and handler.user_id == case.handler_id:
        raise InvalidInput("改派的包片和承办人与当前相同。", field="handler")
    at = at or timezone.now()
    fields = _assign(case, pairing, handler, at)
    return _commit_step(
        case,
        Action.REDISPATCH,
        actor,
        fields=fields,
        note=reason,
        data=_assignment_data(pairing, handler),
        at=at,
    )


@transaction.atomic
def case_return(*, case_id: int, actor: User, reason: str, at: dt.datetime | None = None) -> Case:
    """A community returns a wrongly dispatched case to the clerks (退单)."""
    case, _ = _begin(case_id, Action.RETURN, actor)
    return _commit_step(case, Action.RETURN, actor, note=_required(reason, "退单理由", "reason"), at=at)


# ---------------------------------------------------------------- handling


@transaction.atomic
def case_respond(*, case_id: int, actor: User, note: str = "", at: dt.datetime | None = None) -> Case:
    """The handler has contacted the caller (响应)."""
    case, _ = _begin(case_id, Action.RESPOND, actor)
    note = _text(note, label="联系情况", field="note", limit=NOTE_LIMIT)
    case.responded_at = at or timezone.now()
    late = case.response_deadline is not None and case.responded_at > case.response_deadline
    return _commit_step(
        case,
        Action.RESPOND,
        actor,
        fields=["responded_at"],
        note=note,
        data={"late": late},
        at=case.responded_at,
    )


def _void_signatures(case: Case, document: str, reason: str, at: dt.datetime) -> int:
    return Signature.objects.filter(case=case, document=document, voided_at__isnull=True).update(
        voided_at=at, void_reason=reason
    )


@transaction.atomic
def case_reply(
    *, case_id: int, actor: User, text: str, facts: ReplyFacts | None = None, at: dt.datetime | None = None
) -> Case:
    """Write (or rewrite) the handling result with its structured facts
    (cases.reply_facts; None keeps the facts the case holds). Changing the
    text or a fact voids every signature on the previous reply."""
    case, _ = _begin(case_id, Action.REPLY, actor)
    at = at or timezone.now()
    text = _required(text, "办理结果", "text", TEXT_LIMITS["reply_text"])
    facts = reply_facts_of(case) if facts is None else reply_facts_clean(facts, case=case, now=at)
    if case.status == Status.REPLIED and text == case.reply_text and facts == reply_facts_of(case):
        raise InvalidInput("办理结果没有变化。", field="text")
    voided = _void_signatures(case, Signature.Document.REPLY, "办理结果已修改", at)
    case.reply_text, case.replied_at = text, at
    columns = reply_facts_assign(case, facts)
    return _commit_step(
        case,
        Action.REPLY,
        actor,
        fields=["reply_text", "replied_at", *columns],
        data={
            "sha256": signed_sha256(case, Signature.Document.REPLY),
            "voided_signatures": voided,
            "facts": reply_facts_text(facts),
        },
        at=at,
    )


def _standing_slots(case: Case, document: str, text: str) -> set[str]:
    return signature_standing_slots(case.signatures.all(), document=document, text=text)


def _sign(
    case: Case, person: Person, actor: User, *, document: str, text: str, expected_sha256: str, at: dt.datetime
) -> tuple[Signature, bool]:
    """Add the person's signature on the text whose hash they name (the text
    they read); returns it and whether both slots now stand. The predicate
    has refused a slot that stands already."""
    if not (expected_sha256 or "").strip():
        raise InvalidInput("签字须回传所签文本的校验值（SHA-256）。", field="expected_sha256")
    digest = text_sha256(text)
    if expected_sha256.strip().lower() != digest:
        raise Conflict("要签署的文本已被修改，请刷新后核对新文本再签字。", code="text_changed")
    slot = SIGNING_SLOT[person.role]
    standing = _standing_slots(case, document, text)
    try:
        with transaction.atomic():
            # Through the case's manager: the signatures read with the case are
            # forgotten, so the closing check reads them again with this one.
            signature = case.signatures.create(
                document=document, slot=slot, signer=actor, text_sha256=digest, signed_at=at
            )
    except IntegrityError:
        raise Conflict(f"{Signature.Slot(slot).label}已签字，无需重复签字。", code="already_signed") from None
    return signature, standing | {slot} == set(Signature.Slot.values)


@transaction.atomic
def case_sign_reply(*, case_id: int, actor: User, expected_sha256: str, at: dt.datetime | None = None) -> Case:
    """The community secretary or the pairing's chief signs the reply whose
    hash they name; the second of the two signatures closes the case."""
    case, person = _begin(case_id, Action.SIGN_REPLY, actor, signatures=True)
    at = at or timezone.now()
    document = Signature.Document.REPLY
    signature, complete = _sign(
        case, person, actor, document=document, text=signed_text(case, document), expected_sha256=expected_sha256, at=at
    )
    _commit_step(case, Action.SIGN_REPLY, actor, data={"slot": signature.slot, "sha256": signature.text_sha256}, at=at)
    if complete:
        _close(case, person, actor, at)
    return case


def _close(case: Case, person: Person, actor: User, at: dt.datetime | None) -> Case:
    _check(case, Action.CLOSE, person)
    case.closed_at = at or timezone.now()
    late = case.closure_deadline is not None and case.closed_at > case.closure_deadline
    # A request still waiting for a leader has nothing left to extend. The case
    # row is locked already: the requests come after it, as in every step.
    lapsed = ExtensionRequest.objects.filter(case=case, decision=ExtensionRequest.Decision.PENDING).update(
        decision=ExtensionRequest.Decision.LAPSED, decided_at=case.closed_at
    )
    data = {"late": late, **({"lapsed_extensions": lapsed} if lapsed else {})}
    return _commit_step(case, Action.CLOSE, actor, fields=["closed_at"], data=data, at=case.closed_at)


@transaction.atomic
def case_close(*, case_id: int, actor: User, at: dt.datetime | None = None) -> Case:
    """Close a double-signed case (normally done by the second signature)."""
    case = _lock(case_id)
    return _close(case, _person(actor), actor, at)


# ---------------------------------------------------------------- callback and explanation


@transaction.atomic
def case_record_callback(
    *,
    case_id: int,
    actor: User | None,
    contacted: bool,
    resolved: bool,
    satisfaction: str,
    valid: bool = True,
    called_at: dt.datetime | None = None,
    note: str = "",
) -> Case:
    """Record the hotline's callback (回访). A 单否/双否 callback asks for an
    explanation. `actor` None is the import of the platform's callback data:
    its time is the platform's and counts on the board as it is, even when the
    office recorded the closure later than the platform's callback; the event
    then stands after the closure so the timeline keeps its order."""
    case = _lock(case_id)
    _check(case, Action.RECORD_CALLBACK, _person(actor) if actor is not None else None)
    if satisfaction not in Satisfaction.values:
        raise InvalidInput("请选择是否满意。", field="satisfaction")
    note = _text(note, label="回访备注", field="note", limit=NOTE_LIMIT)
    called_at = called_at or timezone.now()
    if actor is not None and case.closed_at and called_at < case.closed_at:
        raise InvalidInput("回访时间不能早于办结时间。", field="called_at")
    if called_at > timezone.now() + dt.timedelta(minutes=5):
        raise InvalidInput("回访时间不能晚于当前时间。", field="called_at")
    event_at = max(called_at, case.closed_at) if case.closed_at else called_at
    case.callback_at = called_at
    case.callback_contacted, case.callback_resolved = contacted, resolved
    case.callback_satisfaction, case.callback_valid = satisfaction, valid
    negative = case.callback_negatives > 0
    return _commit_step(
        case,
        Action.RECORD_CALLBACK,
        actor,
        to=Status.NEEDS_EXPLANATION if negative else Status.CALLED_BACK,
        fields=["callback_at", "callback_contacted", "callback_resolved", "callback_satisfaction", "callback_valid"],
        note=note,
        data={"outcome": case.callback_outcome_label, "valid": valid, "called_at": called_at.isoformat()},
        at=event_at,
    )


@transaction.atomic
def case_write_explanation(*, case_id: int, actor: User, text: str, at: dt.datetime | None = None) -> Case:
    """Write (or rewrite) the 未解决案件情况说明 of a 单否/双否 case."""
    case, _ = _begin(case_id, Action.WRITE_EXPLANATION, actor)
    text = _required(text, "情况说明", "text", TEXT_LIMITS["explanation_text"])
    if case.status == Status.EXPLANATION_WRITTEN and text == case.explanation_text:
        raise InvalidInput("情况说明没有变化。", field="text")
    at = at or timezone.now()
    voided = _void_signatures(case, Signature.Document.EXPLANATION, "情况说明已修改", at)
    case.explanation_text = text
    return _commit_step(
        case,
        Action.WRITE_EXPLANATION,
        actor,
        fields=["explanation_text"],
        data={"sha256": text_sha256(text), "voided_signatures": voided},
        at=at,
    )


@transaction.atomic
def case_sign_explanation(*, case_id: int, actor: User, expected_sha256: str, at: dt.datetime | None = None) -> Case:
    """The secretary or the chief signs the explanation whose hash they name;
    the second signature completes it."""
    case, person = _begin(case_id, Action.SIGN_EXPLANATION, actor, signatures=True)
    at = at or timezone.now()
    document = Signature.Document.EXPLANATION
    signature, complete = _sign(
        case,
        person,
        actor,
        document=document,
        text=signed_text(case, document),
        expected_sha256=expected_sha256,
        at=at,
    )
    _commit_step(
        case, Action.SIGN_EXPLANATION, actor, data={"slot": signature.slot, "sha256": signature.text_sha256}, at=at
    )
    if complete:
        _check(case, Action.COMPLETE_EXPLANATION, person)
        case.explained_at = at
        _commit_step(case, Action.COMPLETE_EXPLANATION, actor, fields=["explained_at"], at=at)
    return case


# ---------------------------------------------------------------- extension, supervision, exclusion


@transaction.atomic
def case_request_extension(
    *, case_id: int, actor: User, working_days: int, reason: str, at: dt.datetime | None = None
) -> ExtensionRequest:
    case, _ = _begin(case_id, Action.REQUEST_EXTENSION, actor)
    reason = _required(reason, "延期理由", "reason")
    if not 1 <= int(working_days) <= 30:
        raise InvalidInput("延期天数须在1到30个工作日之间。", field="working_days")
    at = at or timezone.now()
    request = ExtensionRequest.objects.create(
        case=case, requested_by=actor, requested_at=at, working_days=working_days, reason=reason
    )
    _commit_step(
        case,
        Action.REQUEST_EXTENSION,
        actor,
        note=reason,
        data={"extension": request.id, "working_days": working_days},
        at=at,
    )
    return request


@transaction.atomic
def case_decide_extension(
    *, request_id: int, actor: User, approve: bool, note: str = "", at: dt.datetime | None = None
) -> ExtensionRequest:
    """A leader approves (the closure deadline moves) or refuses an extension.
    The case row is locked first, then the request — the order of every step
    (closing a case lapses its pending requests with the case row locked)."""
    case_id = ExtensionRequest.objects.filter(pk=request_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound("延期申请不存在。")
    case, _ = _begin(case_id, Action.DECIDE_EXTENSION, actor)
    note = _text(note, label="审批意见", field="note", limit=NOTE_LIMIT)
    request = ExtensionRequest.objects.select_for_update().get(pk=request_id)
    if request.decision != ExtensionRequest.Decision.PENDING:
        raise Conflict("该延期申请已审批。", code="already_decided")
    request.decision = ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REFUSED
    at = at or timezone.now()
    request.decided_by, request.decided_at, request.decision_note = actor, at, note
    fields = []
    if approve:
        request.old_deadline = case.closure_deadline
        base = max(case.closure_deadline or at, at)
        case.closure_deadline = request.new_deadline = deadlines.add_working_days(base, request.working_days)
        fields = ["closure_deadline"]
    request.save()
    _commit_step(
        case,
        Action.DECIDE_EXTENSION,
        actor,
        fields=fields,
        note=note,
        data={
            "extension": request.id,
            "approved": approve,
            "new_deadline": request.new_deadline.isoformat() if request.new_deadline else None,
        },
        at=at,
    )
    return request


SUPERVISION_KINDS = {"phone": "电话督导", "onsite": "现场督办", "talk": "约谈"}


@transaction.atomic
def case_supervise(*, case_id: int, actor: User, kind: str, note: str, at: dt.datetime | None = None) -> Case:
    case, _ = _begin(case_id, Action.SUPERVISE, actor)
    if kind not in SUPERVISION_KINDS:
        raise InvalidInput("督办方式无效。", field="kind")
    note = _required(note, "督办情况", "note")
    # A timeline-only step has no state to check: the same record again within
    # minutes is a second click, not a second supervision.
    latest = case.events.filter(action=Action.SUPERVISE, actor=actor).order_by("-created_at", "-id").first()
    if (
        latest is not None
        and latest.note == note
        and latest.data.get("kind") == kind
        and latest.created_at > (at or timezone.now()) - dt.timedelta(minutes=10)
    ):
        raise Conflict("同样的督办记录刚刚已保存，请勿重复提交。", code="duplicate_supervision")
    return _commit_step(
        case,
        Action.SUPERVISE,
        actor,
        note=note,
        data={"kind": kind, "label": SUPERVISION_KINDS[kind]},
        at=at,
    )


@transaction.atomic
def case_exclude(*, case_id: int, actor: User, reason: str, note: str, at: dt.datetime | None = None) -> Case:
    """核减: a leader's recorded decision to leave the case out of the rates."""
    case, _ = _begin(case_id, Action.EXCLUDE, actor)
    if reason not in ExclusionReason.values:
        raise InvalidInput("请选择核减原因。", field="reason")
    case.exclusion_reason, case.excluded_at = reason, at or timezone.now()
    return _commit_step(
        case,
        Action.EXCLUDE,
        actor,
        fields=["exclusion_reason", "excluded_at"],
        note=_required(note, "核减说明", "note"),
        data={"reason": reason, "label": ExclusionReason(reason).label},
        at=case.excluded_at,
    )


@transaction.atomic
def case_restore(*, case_id: int, actor: User, note: str, at: dt.datetime | None = None) -> Case:
    case, _ = _begin(case_id, Action.RESTORE, actor)
    previous = case.exclusion_reason
    case.exclusion_reason, case.excluded_at = "", None
    return _commit_step(
        case,
        Action.RESTORE,
        actor,
        fields=["exclusion_reason", "excluded_at"],
        note=_required(note, "撤销理由", "note"),
        data={"previous_reason": previous},
        at=at,
    )


# ---------------------------------------------------------------- the working-day calendar


@transaction.atomic
def calendar_day_set(*, day: dt.date, is_workday: bool | None, note: str = "", actor: User | None = None) -> int:
    """Declare `day` a working day (True) or a day off (False), or remove the
    administrators' entry (None) so the package or Monday–Friday decides again.

    Open cases keep the number of working days they were granted: every
    working-day deadline that runs across the day is counted on the calendar
    before the change and counted out again after it, with a timeline event.
    Returns how many cases had a deadline moved."""
    start = local_midnight(day)
    touched = list(
        Case.objects.select_for_update()
        .filter(status__in=TRANSITIONS[Action.RECALCULATE_DEADLINES].sources, first_dispatched_at__lt=start)
        .filter(Q(closure_deadline__gte=start) | Q(response_deadline__gte=start))
        .order_by("pk")
    )
    units = {urgency: deadlines.rule_for(urgency) for urgency in {case.urgency for case in touched}}
    granted = []
    for case in touched:
        _, response_unit, _, closure_unit = units[case.urgency]
        days = {}
        for name, unit in (("response_deadline", response_unit), ("closure_deadline", closure_unit)):
            deadline = getattr(case, name)
            if deadlines.is_working_day_deadline(deadline, unit) and deadline >= start:
                days[name] = deadlines.working_days_between(cast(dt.datetime, case.first_dispatched_at), deadline)
        granted.append((case, days))

    if is_workday is None:
        CalendarDay.objects.filter(date=day).delete()
    else:
        CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": is_workday, "note": note.strip()})
    deadlines.forget_read_once()

    label = {True: "上班", False: "休息", None: "恢复默认"}[is_workday]
    moved = 0
    for case, days in granted:
        changes = {}
        dispatched_at = cast(dt.datetime, case.first_dispatched_at)  # the query took dispatched cases only
        for name, count in days.items():
            old, new = getattr(case, name), deadlines.add_working_days(dispatched_at, count)
            if new != old:
                setattr(case, name, new)
                changes[name] = {"from": old.isoformat(), "to": new.isoformat(), "working_days": count}
        if changes:
            moved += 1
            _commit_step(
                case,
                Action.RECALCULATE_DEADLINES,
                actor,
                fields=list(changes),
                note=f"工作日历调整：{day:%Y-%m-%d} 设为{label}",
                data={"day": day.isoformat(), **changes},
            )
    return moved


# ---------------------------------------------------------------- emergencies (DESIGN §6)
# The emergency record and its own status table live in supervision.emergencies;
# these steps lock the case row first, ask the predicate, and put the step on
# the timeline, whose notification rule alerts the duty roster.


def _raise_emergency(case: Case, actor: User | None, note: str, at: dt.datetime | None):
    at = at or timezone.now()
    emergency = emergencies.emergency_raise(case=case, actor=actor, note=note, at=at)
    _commit_step(case, Action.RAISE_EMERGENCY, actor, note=note, data={"emergency": emergency.id}, at=at)
    return emergency


def _raise_registered_emergencies(cases: Sequence[Case], at: dt.datetime) -> None:
    """A case registered (or imported) as 紧急 raises its emergency at once, the system as actor."""
    for case in cases:
        if emergencies.emergency_should_raise_on_register(case=case, at=at):
            _check(case, Action.RAISE_EMERGENCY, None)
            _raise_emergency(case, None, "登记为紧急案件，系统自动启动应急。", at)


@transaction.atomic
def case_raise_emergency(*, case_id: int, actor: User, note: str, at: dt.datetime | None = None):
    """A clerk or a leader raises an emergency on a case (启动应急)."""
    case, _ = _begin(case_id, Action.RAISE_EMERGENCY, actor)
    return _raise_emergency(case, actor, _required(note, "紧急情况说明", "note"), at)


@transaction.atomic
def case_arrive_on_scene(*, case_id: int, actor: User, note: str = "", at: dt.datetime | None = None):
    """Someone of the community (or a leader) is on the scene of the emergency (到场)."""
    case, _ = _begin(case_id, Action.ARRIVE_ON_SCENE, actor)
    at = at or timezone.now()
    emergency = emergencies.emergency_arrive(case=case, actor=actor, at=at)
    _commit_step(case, Action.ARRIVE_ON_SCENE, actor, note=note.strip(), data={"emergency": emergency.id}, at=at)
    return emergency


@transaction.atomic
def case_close_emergency(*, case_id: int, actor: User, note: str, at: dt.datetime | None = None):
    """A clerk or a leader closes the emergency with a note (结束应急)."""
    case, _ = _begin(case_id, Action.CLOSE_EMERGENCY, actor)
    note = _required(note, "处置情况", "note")
    at = at or timezone.now()
    emergency = emergencies.emergency_close(case=case, actor=actor, note=note, at=at)
    _commit_step(case, Action.CLOSE_EMERGENCY, actor, note=note, data={"emergency": emergency.id}, at=at)
    return emergency
