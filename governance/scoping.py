"""Who sees which governance records: one scoping function per kind of
record, used by every page, API endpoint, figure and export. Leaders,
supervisors and clerks see the street's; a community's officers and
secretary see their community's; a department's chief sees the records
their department takes part in; everyone sees what they lead or answer for."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from communities.models import STREET_WIDE_ROLES, Role
from communities.selectors import person_for_user
from governance.models import Council, Decision, Meeting, MeetingParty, Milestone, Project


def project_scope_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Project]:
    person = person_for_user(user)
    projects = Project.objects.all()
    if person is None or person.role == Role.DISPLAY:
        return projects.none()
    projects = projects.filter(street_id=person.street_id)
    if person.role in STREET_WIDE_ROLES:
        return projects
    own = Q(lead_id=person.user_id) | Q(pk__in=Milestone.objects.filter(owner_id=person.user_id).values("project_id"))
    if person.community_id is not None:
        own |= Q(
            pk__in=Project.communities.through.objects.filter(community_id=person.community_id).values("project_id")
        )
    if person.department_id is not None:
        own |= Q(
            pk__in=Project.departments.through.objects.filter(department_id=person.department_id).values("project_id")
        )
    return projects.filter(own)


def meeting_scope_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Meeting]:
    person = person_for_user(user)
    meetings = Meeting.objects.all()
    if person is None or person.role == Role.DISPLAY:
        return meetings.none()
    meetings = meetings.filter(street_id=person.street_id)
    if person.role in STREET_WIDE_ROLES:
        return meetings
    own = Q(convener_id=person.user_id) | Q(
        pk__in=Decision.objects.filter(Q(owner_id=person.user_id) | Q(follow_up_id=person.user_id)).values("meeting_id")
    )
    if person.community_id is not None:
        own |= Q(community_id=person.community_id) | Q(
            pk__in=MeetingParty.objects.filter(community_id=person.community_id).values("meeting_id")
        )
    if person.department_id is not None:
        own |= Q(pk__in=MeetingParty.objects.filter(department_id=person.department_id).values("meeting_id"))
    return meetings.filter(own | Q(project__in=project_scope_for_user(user)))


def council_scope_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Council]:
    person = person_for_user(user)
    councils = Council.objects.select_related("community")
    if person is None or person.role == Role.DISPLAY:
        return councils.none()
    councils = councils.filter(community__street_id=person.street_id)
    if person.role in STREET_WIDE_ROLES:
        return councils
    if person.community_id is not None:
        return councils.filter(community_id=person.community_id)
    return councils.none()
