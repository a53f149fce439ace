"""吹哨 meetings in the demo street (issue 15, item 2): the register of outside
bodies, a meeting held about a lift case with the property company (one
decision done on time, one open, one late and told), one scheduled, and the
每月一题 project's meeting with a property company."""

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Max
from django.utils import timezone

from cases.models import Case, CaseEvent
from cases.transitions import OPEN
from communities.models import Street
from governance import meetings
from governance.models import Meeting, Organisation, OrganisationKind, Project, ProjectKind
from governance.projects_transitions import PROJECT_OPEN_STATUSES
from hotline.dates import local_midnight

if TYPE_CHECKING:  # pragma: no cover
    from demo.services import Organisation as DemoOrganisation

# (kind, name, contact); the contacts' phones stay empty: made-up bodies.
REGISTER = [
    (OrganisationKind.HOUSING_OFFICE, "区房屋管理所", "房管所 刘所长"),
    (OrganisationKind.PROPERTY_COMPANY, "安居物业服务有限公司", "项目经理 王经理"),
    (OrganisationKind.PROPERTY_COMPANY, "嘉园物业管理有限公司", "客服主管 陈主管"),
    (OrganisationKind.ENFORCEMENT, "街道城管执法队", "执法队 张队长"),
    (OrganisationKind.OWNERS_COMMITTEE, "幸福家园业主委员会", "业委会 李主任"),
    (OrganisationKind.OWNER, "市电梯产权单位（产权方）", "设备科 赵科长"),
]


def _demo_case(units: list, quiet_since: dt.datetime, *, exclude: list[int]) -> Case | None:
    """A case whose timeline has been quiet since `quiet_since` (the history is
    already walked: the meeting's entries must come last), an open one if any,
    of the first community that has one."""
    for unit in units:
        cases = (
            Case.objects.filter(community_id=unit.community.pk)
            .exclude(pk__in=exclude)
            .annotate(last=Max("events__created_at"))
            .filter(last__lte=quiet_since)
        )
        found = cases.filter(status__in=OPEN).order_by("-last").first() or cases.order_by("-last").first()
        if found is not None:
            return found
    return None


def _last_event_at(case: Case) -> dt.datetime:
    return CaseEvent.objects.filter(case=case).order_by("-created_at").values_list("created_at", flat=True)[0]


def demo_meetings(*, street: Street, org: "DemoOrganisation", now: dt.datetime) -> list[Meeting]:
    """The register and two meetings, through the services (a few records)."""
    register = {
        name: Organisation.objects.create(street=street, kind=kind, name=name, contact_name=contact)
        for kind, name, contact in REGISTER
    }
    company = register["安居物业服务有限公司"]
    today = timezone.localdate(now)
    case = _demo_case(org.units, now - dt.timedelta(days=3), exclude=[])
    if case is None:
        return []
    unit = next(u for u in org.units if u.community.pk == case.community_id)
    for body in register.values():
        body.communities.add(unit.community)
    # Called just after the case's last step, held a day later, decisions due around it.
    convened_at = _last_event_at(case) + dt.timedelta(minutes=30)
    held_at = convened_at + dt.timedelta(days=1)
    held_on = timezone.localdate(held_at)
    held = meetings.meeting_convene(
        actor=org.leader,
        title="电梯反复停运多方协调会",
        held_at=held_at,
        place=f"{unit.community.name}居委会会议室",
        agenda="一、物业公司说明电梯故障和维修情况；\n二、产权单位、房管所明确维修资金和责任；\n三、议定整改时限和跟进人。",
        case_ids=[case.pk],
        department_ids=[unit.pairing.department_id],
        community_ids=[unit.community.pk],
        organisation_ids=[company.pk, register["区房屋管理所"].pk, register["幸福家园业主委员会"].pk],
        residents=["居民代表（3号楼）"],
        now=convened_at,
    )
    meetings.meeting_record_minutes(
        actor=org.leader,
        meeting_id=held.pk,
        minutes="物业公司说明：电梯主板老化，已报产权单位更换。房管所同意协调维修资金。业委会提出每周公示维修进度。"
        "会议议定三项事项，由社区书记和包片科长分别跟进。",
        attendees={p.pk: "王经理" for p in held.parties.filter(organisation=company)},
        now=held_at,
    )
    on_time = meetings.decision_add(
        actor=org.leader,
        meeting_id=held.pk,
        text="物业在电梯厅公示维修进度和联系电话",
        organisation_id=company.pk,
        follow_up_id=unit.secretary.pk,
        due_on=held_on + dt.timedelta(days=1),
        now=held_at,
    )
    meetings.decision_complete(
        actor=unit.secretary,
        decision_id=on_time.pk,
        note="已张贴公示，社区拍照留存。",
        now=held_at + dt.timedelta(hours=12),
    )
    meetings.decision_add(
        actor=org.leader,
        meeting_id=held.pk,
        text="更换电梯主板并通过检验",
        organisation_id=company.pk,
        follow_up_id=unit.chief.pk,
        due_on=today + dt.timedelta(days=7),
        now=held_at,
    )
    meetings.decision_add(
        actor=org.leader,
        meeting_id=held.pk,
        text="房管所书面答复维修资金使用方案",
        organisation_id=register["区房屋管理所"].pk,
        follow_up_id=unit.chief.pk,
        due_on=held_on,
        now=held_at,
    )
    meetings.decisions_late_sweep(now=now)
    scheduled = [held]
    other = _demo_case([unit], now - dt.timedelta(hours=3), exclude=[case.pk])
    if other is not None:
        scheduled.append(
            meetings.meeting_convene(
                actor=unit.secretary,
                title="小区楼道堆物清理协调会",
                held_at=now + dt.timedelta(days=2),
                place=f"{unit.community.name}党群服务中心",
                agenda="一、物业说明楼道清理安排；\n二、城管执法队说明执法依据；\n三、业委会动员居民配合。",
                case_ids=[other.pk],
                organisation_ids=[company.pk, register["街道城管执法队"].pk, register["幸福家园业主委员会"].pk],
                department_ids=[unit.pairing.department_id],
                now=now - dt.timedelta(hours=3),
            )
        )
    scheduled += _monthly_project_meeting(street=street, org=org, register=register, now=now)
    return scheduled


def _monthly_project_meeting(*, street: Street, org: "DemoOrganisation", register: dict, now: dt.datetime) -> list:
    """The 每月一题 project (demo/governance_projects.py) blew the whistle a week
    after it started: the property company at the table, one decision done."""
    project = (
        Project.objects.filter(street=street, kind=ProjectKind.MONTHLY, status__in=PROJECT_OPEN_STATUSES)
        .order_by("starts_on")
        .first()
    )
    if project is None:
        return []
    held_at = local_midnight(project.starts_on + dt.timedelta(days=7)) + dt.timedelta(hours=15)
    if held_at >= now:
        return []
    company = register["嘉园物业管理有限公司"]
    meeting = meetings.meeting_convene(
        actor=org.leader,
        title=f"{project.title}多方会谈",
        held_at=held_at,
        place="街道三层会议室",
        agenda="一、物业公司说明充电设施建设条件；\n二、城管执法队说明飞线充电整治安排；\n三、议定建设时限和跟进人。",
        project_id=project.pk,
        department_ids=[d.pk for d in project.departments.all()],
        community_ids=[c.pk for c in project.communities.all()],
        organisation_ids=[company.pk, register["街道城管执法队"].pk],
        now=held_at - dt.timedelta(days=2),
    )
    meetings.meeting_record_minutes(
        actor=org.leader,
        meeting_id=meeting.pk,
        minutes="物业公司同意在两个小区各建一处集中充电棚；城管执法队对飞线充电先劝导、后执法。会议议定两项事项。",
        attendees={},
        now=held_at + dt.timedelta(hours=2),
    )
    done = meetings.decision_add(
        actor=org.leader,
        meeting_id=meeting.pk,
        text="物业公司提交充电棚选址和建设方案",
        organisation_id=company.pk,
        follow_up_id=project.lead_id,
        due_on=timezone.localdate(held_at) + dt.timedelta(days=5),
        now=held_at + dt.timedelta(hours=2),
    )
    meetings.decision_complete(
        actor=org.leader,
        decision_id=done.pk,
        note="方案已提交，选址经社区征求居民意见。",
        now=held_at + dt.timedelta(days=4),
    )
    meetings.decision_add(
        actor=org.leader,
        meeting_id=meeting.pk,
        text="两处集中充电棚建成投用",
        organisation_id=company.pk,
        follow_up_id=project.lead_id,
        due_on=timezone.localdate(now) + dt.timedelta(days=20),
        now=held_at + dt.timedelta(hours=2),
    )
    return [meeting]


def demo_meetings_delete(*, street: Street) -> None:
    """The demo street's meetings and register go before its cases and units."""
    Meeting.objects.filter(street=street).delete()
    Organisation.objects.filter(street=street).delete()
