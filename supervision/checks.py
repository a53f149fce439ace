"""The daily check (每日检查): a supervisor opens today's check, the product
proposes the cases worth a look, the supervisor records per case what was
found (and may order supervision), closes the check — locked from then on —
and prints it as a one-page report."""

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import IntegrityError, transaction
from django.db.models import Count, F, QuerySet
from django.db.models.functions import Length
from django.utils import timezone

from cases.models import Case
from cases.transitions import OPEN
from cases.vocabulary import callback_outcome_q, overdue_q
from communities.models import Role
from communities.selectors import person_for_user
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hotline.text import text_clean
from supervision.models import (
    CheckFinding,
    CheckStatus,
    DailyCheck,
    FindingType,
    LadderLevel,
    LadderStep,
    ProposalReason,
)
from supervision.orders import order_open_on_locked_case, order_validate

CHECK_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})

# The one transition table of a daily check: step → (from, to). Recording a
# finding keeps an open check open; closing locks it.
CHECK_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "record": (frozenset({CheckStatus.OPEN}), CheckStatus.OPEN),
    "close": (frozenset({CheckStatus.OPEN}), CheckStatus.CLOSED),
}

# Why a case is proposed, in the order the check shows them.
REASONS: dict[str, str] = dict(ProposalReason.choices)
# Replies, contacts and callbacks of the last days are looked at; overdue cases whatever their age.
LOOKBACK = dt.timedelta(days=7)
# A copied reply is looked for among the replies of this period.
COPY_LOOKBACK = dt.timedelta(days=30)
PROPOSAL_LIMIT = 60
NOTE_LIMIT = 2000
LADDER_URGED = (LadderLevel.RESPONSE_MISSED, LadderLevel.CLOSURE_MISSED, LadderLevel.NOTICE, LadderLevel.REPORT)


def reply_normalised(text: str) -> str:
    """A reply without spaces and punctuation: two replies equal in this form are copies."""
    return re.sub(r"[\W_]+", "", text or "").lower()


# The finding a proposal's first reason suggests.
FINDING_FOR_REASON: dict[str, str] = {
    "overdue": FindingType.OVERDUE,
    "ladder": FindingType.LADDER,
    "no_explanation": FindingType.NO_EXPLANATION,
    "slow_contact": FindingType.SLOW_CONTACT,
    "short_reply": FindingType.POOR_REPLY,
    "copied_reply": FindingType.POOR_REPLY,
}


@dataclass
class Proposal:
    case: Case
    reasons: list[str] = field(default_factory=list)

    @property
    def suggested_finding(self) -> str:
        return FINDING_FOR_REASON[self.reasons[0]]

    @property
    def reason_labels(self) -> list[str]:
        return [REASONS[key] for key in self.reasons]


def _check_person(user: AbstractBaseUser | AnonymousUser):
    person = person_for_user(user)
    if person is None or person.role not in CHECK_ROLES:
        raise NotAllowed("只有监察组和街道领导可以进行每日检查。")
    return person


def check_proposal_reasons(*, street_id: int, now: dt.datetime | None = None) -> dict[int, list[str]]:
    """case id → the keys of REASONS that make the product propose it."""
    now = now or timezone.now()
    since = now - LOOKBACK
    cases = Case.objects.filter(community__street_id=street_id, exclusion_reason="")
    found: dict[int, list[str]] = defaultdict(list)

    def add(key: str, ids) -> None:
        for pk in ids:
            found[pk].append(key)

    add("overdue", cases.filter(overdue_q(now)).values_list("pk", flat=True))
    add(
        "ladder",
        cases.filter(
            status__in=OPEN,
            pk__in=LadderStep.objects.filter(level__in=LADDER_URGED).values("case_id"),
        ).values_list("pk", flat=True),
    )
    add(
        "no_explanation",
        cases.filter(callback_outcome_q("negative"), explanation_text="", explained_at__isnull=True).values_list(
            "pk", flat=True
        ),
    )
    add(
        "slow_contact",
        cases.filter(responded_at__gte=since, responded_at__gt=F("response_deadline")).values_list("pk", flat=True),
    )
    add(
        "short_reply",
        cases.exclude(reply_text="")
        .annotate(reply_length=Length("reply_text"))
        .filter(replied_at__gte=since, reply_length__lt=settings.SUPERVISION_SHORT_REPLY_CHARS)
        .values_list("pk", flat=True),
    )
    by_text: dict[str, list[tuple[int, dt.datetime | None]]] = defaultdict(list)
    for pk, text, replied_at in (
        cases.exclude(reply_text="")
        .filter(replied_at__gte=now - COPY_LOOKBACK)
        .values_list("pk", "reply_text", "replied_at")
    ):
        by_text[reply_normalised(text)].append((pk, replied_at))
    add(
        "copied_reply",
        [
            pk
            for key, rows in by_text.items()
            if key and len(rows) > 1
            for pk, replied_at in rows
            if replied_at and replied_at >= since
        ],
    )
    order = list(REASONS)
    return {pk: sorted(set(keys), key=order.index) for pk, keys in found.items()}


def check_proposals(*, check: DailyCheck, now: dt.datetime | None = None) -> list[Proposal]:
    """The cases the product proposes for this check that it has no finding on
    yet, the most reasons first (at most PROPOSAL_LIMIT)."""
    if check.status != CheckStatus.OPEN:
        return []
    reasons = check_proposal_reasons(street_id=check.street_id, now=now)
    done = set(check.findings.values_list("case_id", flat=True))
    wanted = [pk for pk in reasons if pk not in done]
    cases = Case.objects.filter(pk__in=wanted).select_related("community", "department", "handler__person")
    proposals = [Proposal(case=case, reasons=reasons[case.pk]) for case in cases]
    proposals.sort(key=lambda p: (-len(p.reasons), list(REASONS).index(p.reasons[0]), p.case.pk))
    return proposals[:PROPOSAL_LIMIT]


# ---------------------------------------------------------------- writes


def check_open_today(*, actor: User, at: dt.datetime | None = None) -> DailyCheck:
    """Open the actor's check of today; a second one the same day is a conflict."""
    person = _check_person(actor)
    at = at or timezone.now()
    day = timezone.localdate(at)
    if DailyCheck.objects.filter(supervisor=actor, day=day).exists():
        raise Conflict("您今天的每日检查已经开始，请打开它继续记录。", code="duplicate_check")
    try:
        with transaction.atomic():
            return DailyCheck.objects.create(street_id=person.street_id, day=day, supervisor=actor, opened_at=at)
    except IntegrityError:
        raise Conflict("您今天的每日检查已经开始，请打开它继续记录。", code="duplicate_check") from None


def _locked_check(check_id: int, actor: User, step: str) -> DailyCheck:
    check = DailyCheck.objects.select_for_update().filter(pk=check_id).first()
    if check is None or check.street_id != getattr(person_for_user(actor), "street_id", None):
        raise NotFound("每日检查不存在。")
    if check.supervisor_id != actor.pk:
        raise NotAllowed("只能在自己的每日检查中记录。")
    sources, _ = CHECK_TRANSITIONS[step]
    if check.status not in sources:
        raise Conflict("该每日检查已完成并锁定，不能再修改。", code="check_closed")
    return check


def _text(value: str, *, label: str, field_name: str, required: bool) -> str:
    return text_clean(value, label=label, field=field_name, limit=NOTE_LIMIT, required=required)


def check_record_finding(
    *,
    check_id: int,
    actor: User,
    case_id: int,
    finding: str,
    note: str,
    order_kind: str = "",
    due_on: dt.date | None = None,
    order_note: str = "",
    at: dt.datetime | None = None,
) -> CheckFinding:
    """Record what the check found on one case, and the order it gives (if any)."""
    _check_person(actor)
    at = at or timezone.now()
    if finding not in FindingType.values:
        raise InvalidInput("请选择发现的问题。", field="finding")
    note = _text(note, label="检查情况", field_name="note", required=True)
    if order_kind:
        order_validate(kind=order_kind, due_on=due_on, at=at)
    with transaction.atomic():
        # Lock order: the case row first, then the check hanging off it.
        case = Case.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
        check = _locked_check(check_id, actor, "record")
        if case is None or not Case.objects.filter(pk=case.pk, community__street_id=check.street_id).exists():
            raise NotFound("案件不存在。")
        if CheckFinding.objects.filter(check_record=check, case=case).exists():
            raise Conflict(f"本次检查已记录过工单 {case.ticket_no}，不能重复记录。", code="duplicate_finding")
        order = None
        if order_kind:
            order = order_open_on_locked_case(
                case=case, actor=actor, kind=order_kind, due_on=due_on, note=order_note or note, at=at
            )
        reasons = check_proposal_reasons(street_id=check.street_id, now=at).get(case.pk, [])
        return CheckFinding.objects.create(
            check_record=check, case=case, reasons=reasons, finding=finding, note=note, order=order, recorded_at=at
        )


def check_close(*, check_id: int, actor: User, summary: str = "", at: dt.datetime | None = None) -> DailyCheck:
    """Close the check: from now on it is locked."""
    _check_person(actor)
    summary = _text(summary, label="检查小结", field_name="summary", required=False)
    with transaction.atomic():
        check = _locked_check(check_id, actor, "close")
        check.status, check.closed_at, check.summary = CHECK_TRANSITIONS["close"][1], at or timezone.now(), summary
        check.save(update_fields=["status", "closed_at", "summary"])
    return check


# ---------------------------------------------------------------- reading


def check_list_for_user(
    *, user: AbstractBaseUser | AnonymousUser, community_id: int | None = None
) -> QuerySet[DailyCheck]:
    """The checks of the user's street (supervisors and leaders), newest first;
    with a community, the checks with a finding on one of its cases."""
    person = person_for_user(user)
    if person is None or person.role not in CHECK_ROLES:
        return DailyCheck.objects.none()
    checks = (
        DailyCheck.objects.filter(street_id=person.street_id)
        .select_related("supervisor__person")
        .annotate(finding_count=Count("findings"), order_count=Count("findings__order"))
    )
    if community_id is not None:
        checks = checks.filter(
            pk__in=CheckFinding.objects.filter(case__community_id=community_id).values("check_record_id")
        )
    return checks.order_by("-day", "-id")


def check_get_for_user(*, user: AbstractBaseUser | AnonymousUser, check_id: int) -> DailyCheck:
    check = check_list_for_user(user=user).filter(pk=check_id).first()
    if check is None:
        raise NotFound("每日检查不存在，或您无权查看。")
    return check


def check_today_for_user(*, user: AbstractBaseUser | AnonymousUser) -> DailyCheck | None:
    return check_list_for_user(user=user).filter(supervisor_id=user.pk, day=timezone.localdate()).first()


def check_findings(*, check: DailyCheck) -> list[CheckFinding]:
    findings = list(
        check.findings.select_related("case__community", "case__department", "order").order_by("recorded_at", "id")
    )
    return findings
