"""The words of the domain, each defined once: a standing signature, overdue,
due soon, the callback outcomes (单否/双否), the keyword search, the street's
ticket number. Everything else imports them from here; the tests in
`cases/tests/test_vocabulary.py` pin each definition."""

import datetime as dt
import secrets
from collections.abc import Iterable

from django.db.models import Case as DbCase
from django.db.models import DateTimeField, F, Q, Value, When
from django.utils import timezone

from cases.models import Satisfaction, Signature, text_sha256
from cases.transitions import OPEN, Status

# ---------------------------------------------------------------- a standing signature

# In the database: a signature not voided. Every rewrite of a text voids the
# signatures on it in the same transaction, so this is the query form of
# `signature_stands` (SQL cannot hash the text to compare).
STANDING_SIGNATURE = Q(voided_at__isnull=True)


def signature_stands(signature: Signature, *, text: str) -> bool:
    """A signature stands when it is not voided and names the hash of exactly
    the text as it is now."""
    return signature.voided_at is None and signature.text_sha256 == text_sha256(text)


def signature_standing_slots(signatures: Iterable[Signature], *, document: str, text: str) -> set[str]:
    """The slots whose signature on `document` stands on `text`."""
    return {s.slot for s in signatures if s.document == document and signature_stands(s, text=text)}


def signed_text(case, document: str) -> str:
    """What a signature on `document` binds: its text, then one line per file
    attached to that document (the SHA-256 of each, sorted), so adding or
    removing a photo changes the hash like an edit. Without files it is the
    text alone. Reads `case.attachments` (prefetched by the detail page)."""
    text = case.reply_text if document == Signature.Document.REPLY else case.explanation_text
    digests = sorted(a.sha256 for a in case.attachments.all() if a.part == document)
    return text + "".join(f"\n[附件 SHA-256 {digest}]" for digest in digests)


# ---------------------------------------------------------------- deadlines

# "Due soon" (即将到期): an open case whose closure deadline is less than this away.
DUE_SOON = dt.timedelta(hours=24)
# The deadline board's wider horizon (三日内到期) — not "due soon".
DUE_WITHIN_DAYS = dt.timedelta(days=3)


def overdue_q(now: dt.datetime | None = None) -> Q:
    """Overdue (超时): an open case past its closure deadline."""
    now = now or timezone.now()
    return Q(status__in=OPEN, closure_deadline__lt=now)


def case_is_overdue(case, now: dt.datetime | None = None) -> bool:
    """`overdue_q` for one case in memory."""
    now = now or timezone.now()
    return case.status in OPEN and case.closure_deadline is not None and case.closure_deadline < now


def due_soon_q(now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(status__in=OPEN, closure_deadline__gte=now, closure_deadline__lt=now + DUE_SOON)


def deadline_is_due_soon(deadline: dt.datetime, now: dt.datetime) -> bool:
    """`due_soon_q`'s window for one deadline (not yet passed, less than DUE_SOON away)."""
    return now <= deadline < now + DUE_SOON


def response_overdue_q(now: dt.datetime | None = None) -> Q:
    """Not contacted in time (超时未联系): still dispatched past the response deadline."""
    now = now or timezone.now()
    return Q(status=Status.DISPATCHED, response_deadline__lt=now)


# ---------------------------------------------------------------- the deadline of the current step

# The clock running for a case now: a dispatched case waits for the call to the
# caller (the response deadline); any other open case for its closure. A case
# waiting for dispatch, or no longer open, has no clock running. Every list
# that shows "the deadline" of a case shows this one.
CURRENT_DEADLINE_FIELDS: dict[str, str] = {
    **dict.fromkeys(OPEN, "closure_deadline"),
    Status.DISPATCHED: "response_deadline",
}
DEADLINE_LABELS: dict[str, str] = {"response_deadline": "响应", "closure_deadline": "办结"}


def current_deadline_field(status: str) -> str | None:
    """The name of the deadline field running for a case in `status` (None: no clock)."""
    return CURRENT_DEADLINE_FIELDS.get(status)


def current_deadline_expression() -> DbCase:
    """`current_deadline_field` as a query expression (annotate and order by it)."""
    return DbCase(
        *[When(status=status, then=F(name)) for status, name in CURRENT_DEADLINE_FIELDS.items()],
        default=Value(None),
        output_field=DateTimeField(),
    )


# ---------------------------------------------------------------- callback outcomes

CALLBACK_OUTCOMES: dict[str, str] = {
    "none": "未回访",
    "positive": "满意/解决",
    "single": "单否",
    "double": "双否",
}
# The outcome keys a search may filter by, with their labels.
CALLBACK_OUTCOME_FILTERS: tuple[tuple[str, str], ...] = (
    *CALLBACK_OUTCOMES.items(),
    ("negative", "单否或双否"),
)


def callback_negatives(*, resolved: bool | None, satisfaction: str) -> int:
    """单否/双否: one "no" for an unresolved problem, one for an unsatisfied caller."""
    return int(resolved is False) + int(satisfaction == Satisfaction.UNSATISFIED)


def case_callback_outcome(case) -> str:
    """The key in CALLBACK_OUTCOMES of the case's callback."""
    if case.callback_at is None:
        return "none"
    negatives = callback_negatives(resolved=case.callback_resolved, satisfaction=case.callback_satisfaction)
    return ("positive", "single", "double")[negatives]


def callback_outcome_q(outcome: str) -> Q:
    """The cases of one outcome key (or 'negative': 单否 or 双否)."""
    unresolved = Q(callback_resolved=False)
    unsatisfied = Q(callback_satisfaction=Satisfaction.UNSATISFIED)
    called = Q(callback_at__isnull=False)
    return {
        "none": Q(callback_at__isnull=True),
        "positive": called & ~unresolved & ~unsatisfied,
        "single": called & ((unresolved & ~unsatisfied) | (~unresolved & unsatisfied)),
        "double": called & unresolved & unsatisfied,
        "negative": called & (unresolved | unsatisfied),
    }[outcome]


# ---------------------------------------------------------------- keyword search

KEYWORD_FIELDS = ("ticket_no", "title", "content", "address")


def case_keyword_q(value: str) -> Q | None:
    """The keyword search (工单号、标题、内容、地址); None for an empty keyword."""
    value = (value or "").replace("\x00", "").strip()
    if not value:
        return None
    q = Q()
    for name in KEYWORD_FIELDS:
        q |= Q(**{f"{name}__icontains": value})
    return q


# ---------------------------------------------------------------- street ticket numbers

STREET_TICKET_PREFIX = "JD"  # 街道: a case that did not come with a 12345 number


def street_ticket_no(day: dt.date | None = None) -> str:
    return f"{STREET_TICKET_PREFIX}{day or timezone.localdate():%Y%m%d}{secrets.token_hex(3).upper()}"
