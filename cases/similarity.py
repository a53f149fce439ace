"""Similar cases in Chinese (重复诉求): the likely duplicates of a new
complaint, and the clerk's link of a case as a repeat of an earlier one.

A likely duplicate is a case of the same compound (小区点位) or the same
address, received within SIMILAR_CASE_DAYS of the new one, whose text is
similar: the cosine of the two texts' character bigrams, after the words
every order shares (来电人反映, 希望尽快解决…) and the place itself (the
compound and address, which both texts name anyway) are taken out. The
candidates come from two indexed range scans (compound, received_at) and
(address, received_at); only they are scored, in Python.

Character bigrams rather than a word segmenter: a paraphrase of a Chinese
complaint keeps most of its two-character words (电梯, 漏水, 噪音) and a
bigram needs no dictionary to load, so the look-up costs nothing at start-up
and reads the same on every machine. The precision and recall on the
labelled set the tests generate are in the README.
"""

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import Case, CaseEvent
from cases.permissions import case_action_refusal
from cases.selectors import case_scope_for_user
from cases.transitions import Action
from hotline.errors import InvalidInput, NotFound
from supervision.services import notification_for_case_event

# How far apart in time two complaints may be and still be one problem.
DEFAULT_DAYS = 30
# The lowest score shown as a likely duplicate (measured: README "Similar cases").
DEFAULT_MIN_SCORE = 0.2
# A compound with more cases than this in the window is scored on its newest ones.
MAX_CANDIDATES = 400

# What every order says whatever it is about: left out before comparing.
BOILERPLATE = (
    "来电人反映",
    "来电反映",
    "市民来电",
    "市民反映",
    "居民反映",
    "来电人称",
    "来电称",
    "反映",
    "诉求",
    "希望",
    "要求",
    "请求",
    "相关部门",
    "有关部门",
    "尽快",
    "及时",
    "处理",
    "解决",
    "协调",
    "帮助",
    "一下",
    "问题",
    "情况",
    "目前",
    "现在",
    "已经",
    "多次",
    "本人",
    "我们",
    "我家",
    "小区",
    "社区",
    "号楼",
    "单元",
)
# Building and unit numbers say where, not what: the place is compared apart.
_NOT_HAN_OR_LETTER = re.compile(r"[^\u4e00-\u9fffa-zA-Z]+")


def similar_days() -> int:
    return int(getattr(settings, "SIMILAR_CASE_DAYS", DEFAULT_DAYS))


def similar_min_score() -> float:
    return float(getattr(settings, "SIMILAR_CASE_MIN_SCORE", DEFAULT_MIN_SCORE))


def text_bigrams(text: str, *, places: tuple[str, ...] = ()) -> Counter[str]:
    """The character bigrams of a complaint, without the boilerplate, the
    place names and anything but Chinese characters, digits and letters."""
    for place in sorted((p for p in places if p), key=len, reverse=True):
        text = text.replace(place, " ")
    for word in BOILERPLATE:
        text = text.replace(word, " ")
    bigrams: Counter[str] = Counter()
    for run in _NOT_HAN_OR_LETTER.split(text.lower()):
        bigrams.update(run)
        bigrams.update(run[i : i + 2] for i in range(len(run) - 1))
    return bigrams


def text_similarity(a: Counter[str], b: Counter[str]) -> float:
    """The cosine of two bigram counts, 0 to 1."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(count * large[gram] for gram, count in small.items() if gram in large)
    if not dot:
        return 0.0
    norm = math.sqrt(sum(c * c for c in a.values())) * math.sqrt(sum(c * c for c in b.values()))
    return dot / norm


@dataclass(frozen=True)
class SimilarCase:
    case: Case
    score: float
    # What the two share: "compound", "address" or both ("compound+address").
    same: str

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def same_label(self) -> str:
        return {"compound": "同小区", "address": "同地址", "compound+address": "同小区同地址"}[self.same]


def case_similar_candidates(
    *, scope: QuerySet[Case], compound: str, address: str, received_at: dt.datetime, days: int
) -> QuerySet[Case]:
    """The cases a new one at this compound or address, at this time, may
    repeat: two index range scans, newest first, at most MAX_CANDIDATES."""
    compound, address = compound.strip(), address.strip()
    place = Q()
    if compound:
        place |= Q(compound=compound)
    if address:
        place |= Q(address=address)
    if not place:
        return scope.none()
    span = dt.timedelta(days=days)
    return (
        scope.filter(place, received_at__gte=received_at - span, received_at__lte=received_at + span)
        .order_by("-received_at", "-id")
        .only("id", "ticket_no", "title", "content", "compound", "address", "received_at", "status", "community")
        .select_related("community")[:MAX_CANDIDATES]
    )


def case_similar_list(
    *,
    text: str,
    compound: str = "",
    address: str = "",
    received_at: dt.datetime | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
    scope: QuerySet[Case] | None = None,
    exclude_id: int | None = None,
    days: int | None = None,
    min_score: float | None = None,
    limit: int = 5,
) -> list[SimilarCase]:
    """The likely duplicates of a complaint (its title and content in `text`)
    at this compound or address: the cases `user` may see (or of `scope`)
    received within `days` (SIMILAR_CASE_DAYS) of `received_at` (now) whose
    text scores at least `min_score` (SIMILAR_CASE_MIN_SCORE), best first."""
    if scope is None:
        scope = case_scope_for_user(user) if user is not None else Case.objects.none()
    if exclude_id is not None:
        scope = scope.exclude(pk=exclude_id)
    compound, address = (compound or "").strip(), (address or "").strip()
    received_at = received_at or timezone.now()
    threshold = similar_min_score() if min_score is None else min_score
    places = (compound, address)
    new = text_bigrams(text or "", places=places)
    if not new:
        return []
    found = []
    for candidate in case_similar_candidates(
        scope=scope, compound=compound, address=address, received_at=received_at, days=days or similar_days()
    ):
        score = text_similarity(
            new, text_bigrams(f"{candidate.title} {candidate.content}", places=(*places, candidate.compound))
        )
        if score >= threshold:
            same = "+".join(
                name
                for name, mine, theirs in (
                    ("compound", compound, candidate.compound),
                    ("address", address, candidate.address),
                )
                if mine and mine == theirs
            )
            found.append(SimilarCase(case=candidate, score=round(score, 4), same=same))
    found.sort(key=lambda s: (-s.score, -s.case.received_at.timestamp(), -s.case.pk))
    return found[:limit]


def case_similar_to_case(*, case: Case, user: AbstractBaseUser | AnonymousUser, limit: int = 5) -> list[SimilarCase]:
    """The likely duplicates of a registered case among the earlier ones (what
    it may repeat), itself left out."""
    return case_similar_list(
        scope=case_scope_for_user(user).filter(received_at__lte=case.received_at),
        text=f"{case.title} {case.content}",
        compound=case.compound,
        address=case.address,
        received_at=case.received_at,
        exclude_id=case.pk,
        limit=limit,
    )


@dataclass(frozen=True)
class Complaint:
    """One complaint of a batch to look up (an import row)."""

    key: int
    text: str
    compound: str
    address: str
    received_at: dt.datetime


def case_similar_for_many(*, complaints: list[Complaint], scope: QuerySet[Case]) -> dict[int, SimilarCase]:
    """The best likely duplicate of each complaint of a batch (the import
    preview), by key: ONE candidate query for the whole batch (its compounds
    and addresses, its time span widened by the window), scored in Python."""
    days = similar_days()
    threshold = similar_min_score()
    compounds = {c.compound.strip() for c in complaints if c.compound.strip()}
    addresses = {c.address.strip() for c in complaints if c.address.strip()}
    if not complaints or not (compounds or addresses):
        return {}
    span = dt.timedelta(days=days)
    earliest = min(c.received_at for c in complaints) - span
    latest = max(c.received_at for c in complaints) + span
    place = Q(compound__in=compounds) | Q(address__in=addresses)
    by_compound: dict[str, list[Case]] = {}
    by_address: dict[str, list[Case]] = {}
    for case in scope.filter(place, received_at__gte=earliest, received_at__lte=latest).only(
        "id", "ticket_no", "title", "content", "compound", "address", "received_at", "status"
    ):
        by_compound.setdefault(case.compound, []).append(case)
        by_address.setdefault(case.address, []).append(case)
    best: dict[int, SimilarCase] = {}
    for complaint in complaints:
        compound, address = complaint.compound.strip(), complaint.address.strip()
        same_place = (by_compound.get(compound, []) if compound else []) + (
            by_address.get(address, []) if address else []
        )
        near = {case.pk: case for case in same_place if abs(case.received_at - complaint.received_at) <= span}
        new = text_bigrams(complaint.text, places=(compound, address))
        for case in near.values():
            score = text_similarity(new, text_bigrams(f"{case.title} {case.content}", places=(compound, address)))
            if score >= threshold and (complaint.key not in best or score > best[complaint.key].score):
                same = "compound" if compound and case.compound == compound else "address"
                best[complaint.key] = SimilarCase(case=case, score=round(score, 4), same=same)
    return best


# ---------------------------------------------------------------- the repeat link


@transaction.atomic
def case_link_repeat(
    *,
    case_id: int,
    actor: User,
    original_id: int | None = None,
    original_ticket: str = "",
    note: str = "",
    at: dt.datetime | None = None,
) -> Case:
    """Link a case as a repeat (重复诉求) of an earlier one, named by its id or
    its ticket number: an event on both timelines, and the earlier case's
    handler is told. Both rows are locked, the lower id first (two clerks
    linking the pair both ways cannot deadlock)."""
    from cases.services import _person, _text  # the case services' own helpers

    if original_id is None:
        ticket = (original_ticket or "").strip()
        if not ticket:
            raise InvalidInput("请填写原案件的工单编号。", field="original")
        original_id = case_scope_for_user(actor).filter(ticket_no=ticket).values_list("pk", flat=True).first()
        if original_id is None:
            raise InvalidInput(f"没有工单编号为 {ticket} 的案件。", field="original")
    if case_id == original_id:
        raise InvalidInput("不能把案件关联为它自己的重复诉求。", field="original")
    rows = {
        c.pk: c
        for c in Case.objects.select_for_update(of=("self",))
        .select_related("pairing")
        .filter(pk__in=[case_id, original_id])
        .order_by("pk")
    }
    person = _person(actor)
    if case_id not in rows:
        raise NotFound("案件不存在。")
    case = rows[case_id]
    refusal = case_action_refusal(case=case, person=person, action=Action.LINK_REPEAT)
    if refusal is not None:
        raise refusal
    visible = set(case_scope_for_user(actor).filter(pk__in=rows).values_list("pk", flat=True))
    if case_id not in visible:
        raise NotFound("案件不存在。")
    if original_id not in visible:
        raise InvalidInput("要关联的原案件不存在。", field="original")
    original = rows[original_id]
    if original.received_at > case.received_at:
        raise InvalidInput("原案件须早于本案件受理。", field="original")
    if original.repeat_of_id == case.pk:
        raise InvalidInput("原案件已关联为本案件的重复诉求，不能互相关联。", field="original")
    note = _text(note, label="说明", field="note", limit=500)
    at = at or timezone.now()
    case.repeat_of = original
    case.save(update_fields=["repeat_of", "updated_at"])
    for subject, data in (
        (case, {"original": original.pk, "original_ticket": original.ticket_no}),
        (original, {"repeat": case.pk, "repeat_ticket": case.ticket_no}),
    ):
        event = CaseEvent.objects.create(
            case=subject,
            action=Action.LINK_REPEAT,
            from_status=subject.status,
            to_status=subject.status,
            actor=actor,
            created_at=at,
            note=note,
            data=data,
        )
        notification_for_case_event(case=subject, event=event)
    return case
