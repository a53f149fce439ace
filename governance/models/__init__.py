"""未诉先办 (DESIGN §7): slips and their lead queue, governance projects, 吹哨
meetings with the register of outside bodies, and resident councils."""

from governance.models.councils import Council, CouncilMember, CouncilSession, CouncilTopic, MemberKind
from governance.models.events import GovernanceEvent
from governance.models.meetings import (
    Decision,
    Meeting,
    MeetingCase,
    MeetingParty,
    Organisation,
    OrganisationKind,
    PartyKind,
    decision_done_on_time,
    decision_done_on_time_q,
    decision_is_late,
    decision_late_q,
)
from governance.models.projects import (
    Milestone,
    Project,
    ProjectCase,
    ProjectCaseSource,
    ProjectKind,
    ProjectNote,
    milestone_late_q,
    project_late_q,
)
from governance.models.slips import (
    SLIP_TEXT_LIMITS,
    Slip,
    SlipCloseReason,
    SlipPhoto,
    SlipSource,
    slip_photo_files_delete,
)

__all__ = [
    "SLIP_TEXT_LIMITS",
    "Council",
    "CouncilMember",
    "CouncilSession",
    "CouncilTopic",
    "Decision",
    "GovernanceEvent",
    "Meeting",
    "MeetingCase",
    "MeetingParty",
    "MemberKind",
    "Milestone",
    "Organisation",
    "OrganisationKind",
    "PartyKind",
    "Project",
    "ProjectCase",
    "ProjectCaseSource",
    "ProjectKind",
    "ProjectNote",
    "Slip",
    "SlipCloseReason",
    "SlipPhoto",
    "SlipSource",
    "decision_done_on_time",
    "decision_done_on_time_q",
    "decision_is_late",
    "decision_late_q",
    "milestone_late_q",
    "project_late_q",
    "slip_photo_files_delete",
]
