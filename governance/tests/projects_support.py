"""Helpers of the project tests: a project through the real service, cases of a class."""

import datetime as dt

from django.utils import timezone

from cases import services as case_services
from governance import projects
from governance.models import ProjectKind


def make_project(org, **kwargs):
    today = timezone.localdate()
    data = {
        "actor": org.leader,
        "kind": ProjectKind.MONTHLY,
        "title": "电梯故障治理",
        "lead_id": org.leader.pk,
        "starts_on": today,
        "due_on": today + dt.timedelta(days=40),
        "keywords": ["电梯"],
    }
    data.update(kwargs)
    return projects.project_create(**data)


def case_at(org, *, at: dt.datetime, title: str = "电梯故障", content: str = "3号楼电梯停运", **kwargs):
    return case_services.case_register(
        actor=org.clerk, title=title, content=content, received_at=at, caller_phone="13800000000", **kwargs
    )
