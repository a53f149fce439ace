"""The case lifecycle: statuses, actions, and the one table of allowed steps.

Every status change in the code goes through `cases.services`, which looks the
step up here. Reading TRANSITIONS top to bottom is reading the lifecycle.
"""

from dataclasses import dataclass

from django.db import models

from communities.models import Role


class Status(models.TextChoices):
    REGISTERED = "registered", "待派发"
    DISPATCHED = "dispatched", "待联系"
    RETURNED = "returned", "已退回"
    RESPONDED = "responded", "办理中"
    REPLIED = "replied", "待签字"
    CLOSED = "closed", "已办结"
    CALLED_BACK = "called_back", "已回访"
    NEEDS_EXPLANATION = "needs_explanation", "待写说明"
    EXPLANATION_WRITTEN = "explanation_written", "说明待签字"
    EXPLAINED = "explained", "已说明"


class Action(models.TextChoices):
    REGISTER = "register", "登记"
    REGISTER_IN_COMMUNITY = "register_in_community", "社区登记"
    DISPATCH = "dispatch", "派发"
    REDISPATCH = "redispatch", "改派"
    RETURN = "return", "退单"
    RESPOND = "respond", "联系来电人"
    REPLY = "reply", "填写办理结果"
    SIGN_REPLY = "sign_reply", "办理结果签字"
    CLOSE = "close", "办结"
    RECORD_CALLBACK = "record_callback", "录入回访"
    WRITE_EXPLANATION = "write_explanation", "填写情况说明"
    SIGN_EXPLANATION = "sign_explanation", "情况说明签字"
    COMPLETE_EXPLANATION = "complete_explanation", "情况说明完成"
    REQUEST_EXTENSION = "request_extension", "申请延期"
    DECIDE_EXTENSION = "decide_extension", "审批延期"
    SUPERVISE = "supervise", "督办"
    EXCLUDE = "exclude", "核减"
    RESTORE = "restore", "撤销核减"
    RECALCULATE_DEADLINES = "recalculate_deadlines", "时限按工作日历重算"
    # The 催办 ladder (supervision.ladder), taken by its sweep.
    REMIND = "remind", "时限提醒"
    URGE = "urge", "催办"
    URGE_NOTICE = "urge_notice", "催办通知书"
    REPORT = "report", "通报"
    RAISE_EMERGENCY = "raise_emergency", "启动应急"
    ARRIVE_ON_SCENE = "arrive_on_scene", "应急到场"
    CLOSE_EMERGENCY = "close_emergency", "结束应急"
    # Field work (attachments app): timeline-only steps.
    PROGRESS_NOTE = "progress_note", "记录办理进展"
    ATTACH = "attach", "添加附件"
    DETACH = "detach", "删除附件"
    # Supervision orders (督办单, supervision.orders): the order has its own status table.
    ORDER_SUPERVISION = "order_supervision", "下发督办单"
    CLOSE_SUPERVISION_ORDER = "close_supervision_order", "督办单办结"
    SUPERVISION_ORDER_LATE = "supervision_order_late", "督办单逾期"
    # The weekly meeting on record (supervision.talks).
    MEETING_ANSWER = "meeting_answer", "专题会问询"
    FOLLOW_UP_LATE = "follow_up_late", "专题会跟进事项逾期"
    LINK_REPEAT = "link_repeat", "关联重复诉求"
    # 未诉先办 (governance): a case taken into a governance project, named by a 吹哨 meeting.
    PROJECT_LINK = "project_link", "纳入治理项目"
    PROJECT_UNLINK = "project_unlink", "移出治理项目"
    MEETING_LINK = "meeting_link", "吹哨会议"


S = Status
OPEN = frozenset({S.DISPATCHED, S.RETURNED, S.RESPONDED, S.REPLIED})
DISPATCHED_ONCE = frozenset(set(Status) - {S.REGISTERED})
COMMUNITY = frozenset({Role.OFFICER, Role.SECRETARY})
SIGNERS = frozenset({Role.SECRETARY, Role.CHIEF})
# While the community still works on the case or its explanation: files may be added and removed.
BEING_WORKED = OPEN | {S.NEEDS_EXPLANATION, S.EXPLANATION_WRITTEN}


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    # None: the step leaves the status as it is (a timeline-only step).
    targets: frozenset[Status] | None
    roles: frozenset[Role]


def _t(sources, targets, roles) -> Transition:
    return Transition(frozenset(sources), frozenset(targets) if targets is not None else None, frozenset(roles))


TRANSITIONS: dict[Action, Transition] = {
    Action.REGISTER: _t([], [S.REGISTERED], [Role.CLERK]),
    # What the community learns itself (入户走访, 微信群…): registered and at
    # once dispatched to its own pairing, the officer as handler.
    Action.REGISTER_IN_COMMUNITY: _t([], [S.REGISTERED], COMMUNITY),
    Action.DISPATCH: _t([S.REGISTERED, S.RETURNED], [S.DISPATCHED], [Role.CLERK]),
    Action.REDISPATCH: _t([S.DISPATCHED, S.RESPONDED], [S.DISPATCHED], [Role.CLERK]),
    Action.RETURN: _t([S.DISPATCHED, S.RESPONDED], [S.RETURNED], COMMUNITY),
    Action.RESPOND: _t([S.DISPATCHED], [S.RESPONDED], COMMUNITY),
    Action.REPLY: _t([S.RESPONDED, S.REPLIED], [S.REPLIED], COMMUNITY),
    Action.SIGN_REPLY: _t([S.REPLIED], None, SIGNERS),
    Action.CLOSE: _t([S.REPLIED], [S.CLOSED], SIGNERS | {Role.CLERK}),
    Action.RECORD_CALLBACK: _t([S.CLOSED], [S.CALLED_BACK, S.NEEDS_EXPLANATION], [Role.CLERK]),
    Action.WRITE_EXPLANATION: _t([S.NEEDS_EXPLANATION, S.EXPLANATION_WRITTEN], [S.EXPLANATION_WRITTEN], COMMUNITY),
    Action.SIGN_EXPLANATION: _t([S.EXPLANATION_WRITTEN], None, SIGNERS),
    Action.COMPLETE_EXPLANATION: _t([S.EXPLANATION_WRITTEN], [S.EXPLAINED], SIGNERS),
    Action.REQUEST_EXTENSION: _t([S.DISPATCHED, S.RESPONDED], None, COMMUNITY),
    Action.DECIDE_EXTENSION: _t(OPEN, None, [Role.LEADER]),
    Action.SUPERVISE: _t(OPEN, None, [Role.SUPERVISOR, Role.LEADER]),
    Action.EXCLUDE: _t(DISPATCHED_ONCE, None, [Role.LEADER]),
    Action.RESTORE: _t(DISPATCHED_ONCE, None, [Role.LEADER]),
    # Taken by the system when administrators change the working-day calendar.
    Action.RECALCULATE_DEADLINES: _t(OPEN, None, []),
    # Taken by the 催办 sweep as the clock passes a case's deadlines.
    Action.REMIND: _t(OPEN, None, []),
    Action.URGE: _t(OPEN, None, []),
    Action.URGE_NOTICE: _t(OPEN, None, []),
    Action.REPORT: _t(OPEN, None, []),
    # Emergencies (DESIGN §6): timeline steps; the emergency record has its
    # own status table (supervision.emergencies). Raised on a case still being
    # handled (also by the system when a case is registered as 紧急); its end
    # is recorded whatever became of the case meanwhile.
    Action.RAISE_EMERGENCY: _t({S.REGISTERED} | OPEN, None, [Role.CLERK, Role.LEADER]),
    Action.ARRIVE_ON_SCENE: _t(Status, None, COMMUNITY | {Role.LEADER}),
    Action.CLOSE_EMERGENCY: _t(Status, None, [Role.CLERK, Role.LEADER]),
    # Field work: a progress note (办理进展) between the contact and the reply;
    # photos and documents while the community works on the case. Adding a file
    # to the reply or the explanation also needs that document's own step
    # (attachments.owners), and voids its signatures like an edit.
    Action.PROGRESS_NOTE: _t([S.RESPONDED], None, COMMUNITY),
    Action.ATTACH: _t(BEING_WORKED, None, COMMUNITY),
    Action.DETACH: _t(BEING_WORKED, None, COMMUNITY),
    # Supervision orders: timeline steps in any status, written by the order
    # services (supervision.orders), which check who may order and close.
    Action.ORDER_SUPERVISION: _t(Status, None, []),
    Action.CLOSE_SUPERVISION_ORDER: _t(Status, None, []),
    Action.SUPERVISION_ORDER_LATE: _t(Status, None, []),
    # The weekly meeting (supervision.talks): recorded on the drawn case's
    # timeline whatever its status; the services check who records them.
    Action.MEETING_ANSWER: _t(Status, None, []),
    Action.FOLLOW_UP_LATE: _t(Status, None, []),
    # 重复诉求: a clerk links a case as a repeat of an earlier one, whatever
    # became of either (cases.similarity); on both timelines.
    Action.LINK_REPEAT: _t(Status, None, [Role.CLERK]),
    # Governance (governance.projects, governance.meetings): timeline steps in
    # any status, written by those services, which check who may link.
    Action.PROJECT_LINK: _t(Status, None, []),
    Action.PROJECT_UNLINK: _t(Status, None, []),
    Action.MEETING_LINK: _t(Status, None, []),
}


# Steps that follow from another one rather than being offered to a user: the
# second signature closes the case (or completes the explanation), and a change
# of the calendar recalculates deadlines. Their services still check the table.
AUTOMATIC = frozenset(
    {
        Action.CLOSE,
        Action.COMPLETE_EXPLANATION,
        Action.RECALCULATE_DEADLINES,
        Action.REMIND,
        Action.URGE,
        Action.URGE_NOTICE,
        Action.REPORT,
        Action.ORDER_SUPERVISION,
        Action.CLOSE_SUPERVISION_ORDER,
        Action.SUPERVISION_ORDER_LATE,
        Action.MEETING_ANSWER,
        Action.FOLLOW_UP_LATE,
        Action.PROJECT_LINK,
        Action.PROJECT_UNLINK,
        Action.MEETING_LINK,
    }
)


def transition_for(action: Action) -> Transition:
    return TRANSITIONS[action]


def allowed_actions(status: Status) -> list[Action]:
    return [action for action, t in TRANSITIONS.items() if status in t.sources]
