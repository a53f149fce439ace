"""吹哨 meetings (吹哨报到, 多方会谈, DESIGN §7) convened for cases or a
project, with the register of the outside bodies that come to them, the
parties at the table, and the decisions tracked to done."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from governance.meetings_transitions import DecisionStatus, MeetingStatus


class OrganisationKind(models.TextChoices):
    HOUSING_OFFICE = "housing_office", "房管所"
    PROPERTY_COMPANY = "property_company", "物业公司"
    OWNER = "owner", "产权单位"
    ENFORCEMENT = "enforcement", "城管执法队"
    OWNERS_COMMITTEE = "owners_committee", "业委会"
    UTILITY = "utility", "公共服务企业"
    OTHER = "other", "其他单位"


class Organisation(models.Model):
    """An outside body kept in the register (the admin): who to call to the table."""

    street = models.ForeignKey("communities.Street", on_delete=models.PROTECT, related_name="+", verbose_name="街道")
    kind = models.CharField("类别", max_length=20, choices=OrganisationKind.choices)
    name = models.CharField("单位名称", max_length=120)
    contact_name = models.CharField("联系人", max_length=64, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    communities = models.ManyToManyField("communities.Community", blank=True, related_name="+", verbose_name="服务社区")
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "外部单位名录"
        ordering = ["kind", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["street", "name"], name="organisation_name_once")]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """A 吹哨 meeting: for one or more cases (MeetingCase) and/or a project."""

    street = models.ForeignKey("communities.Street", on_delete=models.PROTECT, related_name="+", verbose_name="街道")
    title = models.CharField("会议主题", max_length=120)
    project = models.ForeignKey(
        "governance.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name="治理项目",
    )
    # The community the meeting is about (scoping: a community sees its own meetings).
    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="社区"
    )
    convener = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="召集人"
    )
    held_at = models.DateTimeField("会议时间", db_index=True)
    place = models.CharField("会议地点", max_length=120)
    agenda = models.TextField("会议议程", max_length=2000)
    minutes = models.TextField("会议纪要", max_length=8000, blank=True)
    status = models.CharField("状态", max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    cancel_reason = models.TextField("取消原因", max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间")
    recorded_at = models.DateTimeField("纪要记录时间", null=True, blank=True)
    cases = models.ManyToManyField(
        "cases.Case", through="MeetingCase", related_name="governance_meetings", verbose_name="关联案件"
    )

    class Meta:
        verbose_name = verbose_name_plural = "吹哨会议"
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return self.title


class MeetingCase(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="links", verbose_name="吹哨会议")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="案件")
    # The event on the case's timeline that names the meeting.
    event = models.ForeignKey(
        "cases.CaseEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="时间线事件"
    )

    class Meta:
        verbose_name = verbose_name_plural = "吹哨会议关联案件"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="meeting_case_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.case_id}"


class PartyKind(models.TextChoices):
    DEPARTMENT = "department", "街道科室"
    COMMUNITY = "community", "社区"
    ORGANISATION = "organisation", "外部单位"
    RESIDENT = "resident", "居民代表"


class MeetingParty(models.Model):
    """A party at the table: a street department, a community, an outside
    body from the register, or a resident representative (by name)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="parties", verbose_name="吹哨会议")
    kind = models.CharField("类别", max_length=16, choices=PartyKind.choices)
    department = models.ForeignKey(
        "communities.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="科室"
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="社区"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="外部单位"
    )
    name = models.CharField("居民代表", max_length=64, blank=True)
    attendee = models.CharField("出席人", max_length=64, blank=True)
    attended = models.BooleanField("已到会", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "参会方"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="meeting_party_names_one",
                condition=Q(kind="department", department__isnull=False)
                | Q(kind="community", community__isnull=False)
                | Q(kind="organisation", organisation__isnull=False)
                | (Q(kind="resident") & ~Q(name="")),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        unit = self.department or self.community or self.organisation
        return unit.name if unit is not None else self.name


class Decision(models.Model):
    """A decision of the meeting with its owner and due date, tracked to done.
    The owner is a person of the street, or an outside body with a street-side
    follow-up person (`follow_up`), who is told and answers for it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name="吹哨会议")
    text = models.CharField("决定事项", max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="责任人",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="责任单位"
    )
    follow_up = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="街道跟进人",
    )
    due_on = models.DateField("完成期限", db_index=True)
    status = models.CharField("状态", max_length=8, choices=DecisionStatus.choices, default=DecisionStatus.OPEN)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认完成人",
    )
    done_note = models.TextField("完成情况", max_length=1000, blank=True)
    late_told_at = models.DateTimeField("逾期提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议决定事项"
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="decision_has_owner",
                condition=Q(owner__isnull=False, organisation__isnull=True)
                | Q(organisation__isnull=False, follow_up__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def responsible_user_id(self) -> int | None:
        """Who is told and answers for it: the owner, or the street-side follow-up person."""
        return self.owner_id or self.follow_up_id


def decision_late_q(*, today: dt.date) -> Q:
    """The one definition of a late decision: still open after its due date, of a held meeting."""
    return Q(status=DecisionStatus.OPEN, due_on__lt=today, meeting__status=MeetingStatus.HELD)


def decision_is_late(decision: "Decision", *, today: dt.date) -> bool:
    """`decision_late_q` for one decision in hand."""
    return (
        decision.status == DecisionStatus.OPEN
        and decision.due_on < today
        and decision.meeting.status == MeetingStatus.HELD
    )


def decision_done_on_time_q() -> Q:
    """The one definition of a decision done on time: done on a local date
    (Asia/Shanghai) on or before its due date. Done, and not on time: done late."""
    return Q(status=DecisionStatus.DONE, done_at__date__lte=F("due_on"))


def decision_done_on_time(decision: "Decision") -> bool:
    """`decision_done_on_time_q` for one decision in hand."""
    return (
        decision.status == DecisionStatus.DONE
        and decision.done_at is not None
        and timezone.localdate(decision.done_at) <= decision.due_on
    )
