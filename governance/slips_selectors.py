"""Reads of the 急难愁盼 slips: the lead queue's scope, the compounds a slip
page offers, and what the resident's status page may show."""

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db.models import Q, QuerySet

from cases.models import Case
from cases.selectors import mask_phones_in_text
from cases.similarity import SimilarCase, case_similar_list
from communities.models import Community
from communities.selectors import person_for_user
from governance.models import Slip
from governance.slips import QUEUE_ROLES, RATE_WINDOW, RateLimited, receipt_code_normalize
from governance.slips_transitions import SlipStatus
from hotline.errors import InvalidInput, NotFound


def slip_scope_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Slip]:
    """The one scoping of slips (page list, detail, API): the street's clerks
    and leaders see the queue; nobody else sees a slip."""
    person = person_for_user(user)
    if person is None or person.role not in QUEUE_ROLES:
        return Slip.objects.none()
    return Slip.objects.filter(community__street_id=person.street_id)


def slip_list_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Slip]:
    return slip_scope_for_user(user).select_related("community", "case")


def slip_get_for_user(*, user: AbstractBaseUser | AnonymousUser, slip_id: int) -> Slip:
    slip = slip_list_for_user(user).select_related("handled_by__person").filter(pk=slip_id).first()
    if slip is None:
        raise NotFound("线索不存在，或不在您的查看范围内。")
    return slip


def slip_community_for_public(community_id: int) -> Community:
    community = Community.objects.select_related("street").filter(pk=community_id, is_active=True).first()
    if community is None:
        raise NotFound("社区不存在。")
    return community


COMPOUND_CHOICES_LIMIT = 200


def slip_compound_choices(*, community: Community) -> list[str]:
    """The compounds the street knows in this community (from its cases), for
    the slip page's list; a resident may still type another."""
    names = (
        Case.objects.filter(Q(community=community) | Q(reported_community=community))
        .exclude(compound="")
        .order_by("compound")
        .values_list("compound", flat=True)
        .distinct()[:COMPOUND_CHOICES_LIMIT]
    )
    return list(names)


# ---------------------------------------------------------------- the resident's status page


@dataclass(frozen=True)
class SlipProgress:
    """What a resident may learn about their slip: nothing about people."""

    code: str
    community: str
    received_at: dt.datetime
    stage: str = "received"  # received / accepted / done / closed
    label: str = "已收到，等待街道受理"
    ticket_no: str = ""
    summary: str = ""


def _lookup_throttle(client_address: str | None) -> None:
    """SLIP_STATUS_RATE_PER_HOUR look-ups per address and hour (Django's cache:
    set CACHES to a shared cache when several web processes serve the site)."""
    limit = settings.SLIP_STATUS_RATE_PER_HOUR
    if client_address is None or limit <= 0:
        return
    key = f"slip-status:{client_address}"
    cache.add(key, 0, timeout=int(RATE_WINDOW.total_seconds()))
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=int(RATE_WINDOW.total_seconds()))
        count = 1
    if count > limit:
        raise RateLimited(f"查询过于频繁：同一网络每小时最多查询{limit}次，请稍后再试。")


NOT_FOUND = "未找到该回执码对应的意见条，请核对回执码和电话后四位。"


def slip_progress_for_resident(*, code: str, phone_last4: str, client_address: str | None) -> SlipProgress:
    """The progress of a slip for whoever holds its receipt code and, when the
    slip left a phone, the phone's last four digits. A slip sent without a
    phone is found by its code alone (its code is its only key). Wrong code and
    wrong digits answer the same, so neither can be probed apart."""
    _lookup_throttle(client_address)
    code = receipt_code_normalize(code)
    phone_last4 = (phone_last4 or "").strip()
    if not code:
        raise InvalidInput("请填写回执码。", field="code")
    if phone_last4 and not (len(phone_last4) == 4 and phone_last4.isdigit()):
        raise InvalidInput("电话后四位应为4位数字。", field="phone_last4")
    slip = Slip.objects.select_related("community", "case").filter(receipt_code=code).first()
    if slip is None:
        raise NotFound(NOT_FOUND)
    if slip.phone and slip.phone[-4:] != phone_last4:
        raise NotFound(NOT_FOUND)
    received = SlipProgress(code=slip.receipt_code, community=slip.community.name, received_at=slip.created_at)
    if slip.status == SlipStatus.CLOSED:
        return replace(received, stage="closed", label=f"未立案：{slip.get_close_reason_display()}")
    if slip.status == SlipStatus.CONVERTED and slip.case is not None:
        ticket = slip.case.ticket_no
        if slip.case.closed_at is not None:
            summary = mask_phones_in_text(slip.public_summary)
            return replace(received, stage="done", label="已办结", ticket_no=ticket, summary=summary)
        return replace(received, stage="accepted", label=f"已受理为案件 {ticket}，正在办理", ticket_no=ticket)
    return received


def slip_similar_cases(*, user: AbstractBaseUser | AnonymousUser, slip: Slip) -> list[SimilarCase]:
    """The likely duplicates of a slip waiting in the queue (同小区/同地址, similar
    text, within SIMILAR_CASE_DAYS of the slip): the one look-up of
    cases.similarity, among the cases the clerk may see."""
    if slip.status != SlipStatus.RECEIVED:
        return []
    return case_similar_list(
        text=slip.problem,
        compound=slip.compound,
        address=slip.building,
        received_at=slip.created_at,
        user=user,
    )
