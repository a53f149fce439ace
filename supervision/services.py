"""Writes of the supervision app. `notification_for_case_event` is called by
the case services inside the step's transaction, so a step and the
notifications it owes people commit (or roll back) together."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, ExtensionRequest, Satisfaction
from cases.selectors import mask_phones_in_text
from cases.transitions import Action, Status
from communities.models import Person, Role
from hotline.errors import NotFound
from supervision.delivery import delivery_create_for_notifications
from supervision.emergencies import emergency_alert_recipients
from supervision.models import Notification, NotificationKind


def _people(case: Case, *roles: Role) -> list[int]:
    """The user ids of the case's unit people in these roles (clerks and leaders are the street's)."""
    people = Person.objects.filter(role__in=roles, user__is_active=True)
    community_roles = {Role.OFFICER, Role.SECRETARY}
    if set(roles) <= community_roles:
        people = people.filter(community=case.community_id)
    return list(people.values_list("user_id", flat=True))


def _handler(case: Case) -> list[int]:
    return [case.handler_id] if case.handler_id else []


def _chief(case: Case) -> list[int]:
    chief_id = case.pairing.chief_id if case.pairing_id and case.pairing else None
    return [chief_id] if chief_id else []


def _requester(case: Case, event: CaseEvent) -> list[int]:
    request = ExtensionRequest.objects.filter(pk=event.data.get("extension"), case=case).first()
    return [request.requested_by_id] if request and request.requested_by_id else []


@dataclass(frozen=True)
class Rule:
    kind: NotificationKind
    recipients: Callable[[Case, CaseEvent], Iterable[int]]
    title: str  # formatted with the case's ticket number and title
    text: str
    # Delivered on every channel at once, quiet hours or not.
    urgent: bool = False


# Who is handed work by which step: the one table of the in-app notifications.
RULES: dict[str, Rule] = {
    Action.DISPATCH: Rule(
        NotificationKind.ASSIGNED,
        lambda case, event: _handler(case) + _people(case, Role.SECRETARY),
        "新派发：{title}",
        "工单 {ticket} 已派发至本社区，请在响应时限内联系来电人。",
    ),
    Action.REDISPATCH: Rule(
        NotificationKind.ASSIGNED,
        lambda case, event: _handler(case) + _people(case, Role.SECRETARY),
        "改派至本社区：{title}",
        "工单 {ticket} 已改派至本社区，请联系来电人。",
    ),
    Action.RETURN: Rule(
        NotificationKind.RETURNED,
        lambda case, event: _people(case, Role.CLERK),
        "社区退单：{title}",
        "工单 {ticket} 被社区退回，请重新派发。",
    ),
    Action.REPLY: Rule(
        NotificationKind.SIGNATURE_DUE,
        lambda case, event: _people(case, Role.SECRETARY) + _chief(case),
        "办理结果待签字：{title}",
        "工单 {ticket} 的办理结果已提交，请核对后签字。",
    ),
    Action.WRITE_EXPLANATION: Rule(
        NotificationKind.SIGNATURE_DUE,
        lambda case, event: _people(case, Role.SECRETARY) + _chief(case),
        "情况说明待签字：{title}",
        "工单 {ticket} 的未解决案件情况说明已提交，请核对后签字。",
    ),
    Action.CLOSE: Rule(
        NotificationKind.CLOSED,
        lambda case, event: _handler(case) + _people(case, Role.CLERK),
        "已办结：{title}",
        "工单 {ticket} 已双签办结，等待回访。",
    ),
    Action.RECORD_CALLBACK: Rule(
        NotificationKind.EXPLANATION_DUE,
        lambda case, event: (
            _handler(case) + _people(case, Role.SECRETARY) if event.to_status == Status.NEEDS_EXPLANATION else []
        ),
        "回访单否/双否，待写情况说明：{title}",
        "工单 {ticket} 回访未解决或不满意，请填写未解决案件情况说明。",
    ),
    Action.REQUEST_EXTENSION: Rule(
        NotificationKind.EXTENSION_REQUESTED,
        lambda case, event: _people(case, Role.LEADER),
        "延期申请待审批：{title}",
        "工单 {ticket} 申请延期，请审批。",
    ),
    Action.DECIDE_EXTENSION: Rule(
        NotificationKind.EXTENSION_DECIDED,
        _requester,
        "延期申请已审批：{title}",
        "工单 {ticket} 的延期申请已审批，请查看结果和新的办结时限。",
    ),
    # The 催办 ladder (supervision.ladder): each level is told once, by its event.
    Action.REMIND: Rule(
        NotificationKind.REMINDER,
        lambda case, event: _handler(case),
        "时限提醒：{title}",
        "工单 {ticket} 的时限已过半或将到期，请抓紧办理。",
    ),
    Action.URGE: Rule(
        NotificationKind.URGE,
        lambda case, event: _handler(case) + _people(case, Role.SECRETARY) + _chief(case),
        "催办：{title}",
        "工单 {ticket} 已超过时限，请立即办理。",
    ),
    Action.URGE_NOTICE: Rule(
        NotificationKind.URGE_NOTICE,
        lambda case, event: _people(case, Role.SECRETARY) + _chief(case) + _people(case, Role.LEADER),
        "催办通知书：{title}",
        "工单 {ticket} 超期未办结，已发出催办通知书（抄送街道领导）。",
    ),
    Action.REPORT: Rule(
        NotificationKind.REPORT,
        lambda case, event: _people(case, Role.LEADER),
        "通报：{title}",
        "工单 {ticket} 超期多个工作日仍未办结，予以通报。",
    ),
    # The weekly meeting (supervision.talks): a follow-up action late, told once.
    Action.FOLLOW_UP_LATE: Rule(
        NotificationKind.FOLLOW_UP_LATE,
        lambda case, event: [uid for uid in (event.data.get("owner"), event.data.get("leader")) if uid],
        "专题会跟进事项逾期：{title}",
        "工单 {ticket} 的专题会跟进事项已过完成期限，请尽快完成并标记。",
    ),
    Action.RAISE_EMERGENCY: Rule(
        NotificationKind.EMERGENCY,
        emergency_alert_recipients,
        "【紧急】应急启动：{title}",
        "工单 {ticket} 已启动应急处置，请立即联系来电人、赶赴现场。",
        urgent=True,
    ),
    # Supervision orders (supervision.orders): the handler, the secretary and the chief.
    Action.ORDER_SUPERVISION: Rule(
        NotificationKind.SUPERVISION_ORDER,
        lambda case, event: _handler(case) + _people(case, Role.SECRETARY) + _chief(case),
        "督办单：{title}",
        "工单 {ticket} 收到督办单，请按督办要求在期限内办理并向监察组反馈。",
    ),
    Action.SUPERVISION_ORDER_LATE: Rule(
        NotificationKind.SUPERVISION_ORDER_LATE,
        lambda case, event: _handler(case) + _people(case, Role.SECRETARY) + _chief(case),
        "督办单逾期：{title}",
        "工单 {ticket} 的督办单已过办结期限，请立即办理并向监察组反馈。",
    ),
    # 重复诉求: the earlier case's handler learns that the problem came back
    # (the event on the earlier case's timeline names the repeat).
    Action.LINK_REPEAT: Rule(
        NotificationKind.REPEAT_LINKED,
        lambda case, event: _handler(case) if event.data.get("repeat") else [],
        "重复诉求：{title}",
        "工单 {ticket} 又有新的同类诉求（{repeat}），已关联为重复诉求，请查看。",
    ),
}


def notification_for_case_event(*, case: Case, event: CaseEvent) -> list[Notification]:
    """The notifications a case step owes people (none for most steps). The
    actor is not told of their own step; a person is told once per event."""
    rule = RULES.get(event.action)
    if rule is None:
        return []
    recipients = [uid for uid in dict.fromkeys(rule.recipients(case, event)) if uid != event.actor_id]
    if not recipients:
        return []
    facts = {"ticket": case.ticket_no, "title": case.title, "repeat": event.data.get("repeat_ticket", "")}
    title = rule.title.format(**facts)
    title = title if len(title) <= 200 else title[:199] + "…"
    notifications = [
        Notification(
            recipient_id=uid,
            kind=rule.kind,
            case=case,
            event=event,
            title=title,
            text=rule.text.format(**facts),
            url=reverse("case-detail", args=[case.pk]),
            created_at=event.created_at,
            urgent=rule.urgent,
        )
        for uid in recipients
    ]
    # A new event: no one has been told of it yet, so there is nothing to conflict
    # with (the unique constraint still guards it), and the rows come back with their ids.
    created = Notification.objects.bulk_create(notifications)
    # Outbound copies (e-mail, group robots, webhooks): written now, sent after the commit.
    delivery_create_for_notifications(notifications=created)
    return created


def notification_send(
    *,
    recipients: Iterable[int],
    kind: NotificationKind,
    title: str,
    text: str,
    url: str,
    at: dt.datetime,
    actor_id: int | None = None,
) -> list[Notification]:
    """Notifications for work that is not a case step (a governance milestone,
    a meeting decision): in the caller's transaction, each person once, the
    actor not told of their own step. The caller records that it told them
    (so a sweep tells once); outbound copies go through the outbox as for case steps.
    Only our own words go in `title` and `text`: they leave the building."""
    people = [uid for uid in dict.fromkeys(recipients) if uid and uid != actor_id]
    if not people:
        return []
    # Staff write these texts (a decision, a milestone): a phone number typed in them is masked.
    title, text = mask_phones_in_text(title), mask_phones_in_text(text)
    title = title if len(title) <= 200 else title[:199] + "…"
    text = text if len(text) <= 300 else text[:299] + "…"
    created = Notification.objects.bulk_create(
        Notification(recipient_id=uid, kind=kind, title=title, text=text, url=url, created_at=at) for uid in people
    )
    delivery_create_for_notifications(notifications=created)
    return created


def supervision_for_case_event(*, case: Case, event: CaseEvent) -> None:
    """What the supervision group's records owe a case step, in its
    transaction: every 不满意 callback opens a 二次督办 order."""
    from supervision.orders import supervision_order_open_second  # the order services use the case services

    if event.action == Action.RECORD_CALLBACK and case.callback_satisfaction == Satisfaction.UNSATISFIED:
        supervision_order_open_second(case=case, event=event)


@transaction.atomic
def notification_mark_read(*, user: AbstractBaseUser, notification_id: int) -> Notification:
    notification = Notification.objects.select_for_update().filter(pk=notification_id, recipient_id=user.pk).first()
    if notification is None:
        raise NotFound("通知不存在。")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_read_before(*, before: dt.datetime) -> int:
    """Mark read everything told before `before`, as read an hour after it was
    told (for history brought in, such as the demo street's)."""
    return Notification.objects.filter(created_at__lt=before, read_at__isnull=True).update(
        read_at=F("created_at") + dt.timedelta(hours=1)
    )


def notification_mark_all_read(*, user: AbstractBaseUser) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())
