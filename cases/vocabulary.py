"""The words of the domain, each defined once: a standing signature, overdue,
due soon, the callback outcomes (单否/双否), the keyword search, the street's
ticket number. Everything else imports them from here; the tests in
`cases/tests/test_vocabulary.py` pin each definition."""

import datetime as dt
import re
import secrets
from collections.abc import Iterable

from django.db.models import Case as DbCase
from django.db.models import DateTimeField, F, Q, Value, When
from django.utils import timezone

from cases.models import Satisfaction, Signature, text_sha256
from cases.reply_facts import reply_facts_of, reply_facts_text
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


def document_text(case, document: str) -> str:
    """What the signer of `document` reads: its text — for the reply with its
    structured facts (cases.reply_facts). A reply without facts (written before
    they existed) is its text alone, so its signatures stand."""
    if document != Signature.Document.REPLY:
        return case.explanation_text
    facts = reply_facts_text(reply_facts_of(case))
    return f"{case.reply_text}\n\n{facts}" if facts else case.reply_text


def signed_text(case, document: str) -> str:
    """What a signature on `document` binds, the one input of its hash
    (`signed_sha256`): `document_text`, then one line per file attached to that
    document (the SHA-256 of each, sorted), so changing a fact or adding or
    removing a photo voids it like an edit. Without files it is the document
    text alone. Reads `case.attachments` (prefetched by the detail page)."""
    digests = sorted(a.sha256 for a in case.attachments.all() if a.part == document)
    return document_text(case, document) + "".join(f"\n[附件 SHA-256 {digest}]" for digest in digests)


def signed_sha256(case, document: str) -> str:
    """The hash a signature on `document` binds: that of `signed_text`."""
    return text_sha256(signed_text(case, document))


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
# The free-text fields: on PostgreSQL each has a trigram (pg_trgm GIN) index on
# UPPER(field::text) — the expression Django's `icontains` compares — so a
# search of three or more characters reads the index instead of every case
# (migration cases 0010_case_search_trigram_indexes). SQLite scans.
KEYWORD_TEXT_FIELDS = ("title", "content", "address")
# A term that looks like a ticket number (12345 numbers, JD… street numbers):
# letters, digits and dashes only, at least six, at least one of them a digit.
TICKET_LIKE = re.compile(r"(?=[A-Za-z0-9-]*[0-9])[A-Za-z0-9-]{6,}")


def keyword_is_ticket_like(value: str) -> bool:
    return TICKET_LIKE.fullmatch(value) is not None


def case_keyword_q(value: str) -> Q | None:
    """The keyword search (工单号、标题、内容、地址); None for an empty keyword.

    A term that looks like a ticket number matches the ticket numbers that
    begin with it — or with JD and it, the street's own numbers of a date
    (index ranges on PostgreSQL and SQLite alike); any other term matches the
    cases whose ticket number, title, content or address contains it (trigram
    indexes on PostgreSQL)."""
    value = (value or "").replace("\x00", "").strip()
    if not value:
        return None
    if keyword_is_ticket_like(value):
        # Ticket numbers are stored as given (upper case, as a rule): the term as
        # typed or in upper case, each a prefix range on the unique index.
        prefixes = {value, value.upper()}
        if value[0].isdigit():
            prefixes.add(STREET_TICKET_PREFIX + value)
        q = Q()
        for prefix in sorted(prefixes):
            q |= Q(ticket_no__startswith=prefix)
        return q
    q = Q(ticket_no__icontains=value)
    for name in KEYWORD_TEXT_FIELDS:
        q |= Q(**{f"{name}__icontains": value})
    return q


# ---------------------------------------------------------------- street ticket numbers

STREET_TICKET_PREFIX = "JD"  # 街道: a case that did not come with a 12345 number


def street_ticket_no(day: dt.date | None = None) -> str:
    return f"{STREET_TICKET_PREFIX}{day or timezone.localdate():%Y%m%d}{secrets.token_hex(3).upper()}"
