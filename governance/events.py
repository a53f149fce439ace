"""Writing the governance record (models.events.GovernanceEvent): one call
per state change, inside the step's transaction."""

import datetime as dt

from django.contrib.auth.models import User

from governance.models import Council, GovernanceEvent, Meeting, Project


def governance_event_record(
    *,
    street_id: int,
    subject: str,
    action: str,
    at: dt.datetime,
    actor: User | None,
    project: Project | None = None,
    meeting: Meeting | None = None,
    council: Council | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
) -> GovernanceEvent:
    return GovernanceEvent.objects.create(
        street_id=street_id,
        project=project,
        meeting=meeting,
        council=council,
        subject=subject,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        actor=actor,
        at=at,
    )
