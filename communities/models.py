"""The organisation of a street office: communities, departments, the pairings
(包片) that join them, and the people with their roles."""

from django.conf import settings
from django.db import models

from communities.sorting import name_sort_key, unit_order
from hotline.models import TimeStampedModel


class UnitQuerySet(models.QuerySet):
    """Bulk writes keep the pinyin sort key in step with the name, as `save` does."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.sort_key = name_sort_key(obj.name)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        if "name" in fields:
            for obj in objs:
                obj.sort_key = name_sort_key(obj.name)
            fields = [*fields, "sort_key"]
        return super().bulk_update(objs, fields, *args, **kwargs)


class Unit(TimeStampedModel):
    """What a community and a department share: a number that orders every list
    of units, and the pinyin of the name that orders units within a number."""

    number = models.PositiveSmallIntegerField(
        "编号", null=True, blank=True, help_text="各单位列表按编号排列；未编号的按名称拼音排在其后"
    )
    sort_key = models.CharField("拼音排序键", max_length=200, blank=True, editable=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.sort_key = name_sort_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sort_key"}
        super().save(*args, **kwargs)


class Street(TimeStampedModel):
    name = models.CharField("街道名称", max_length=64, unique=True)
    district = models.CharField("所属区", max_length=64, blank=True)
    # The demo street of `manage.py seed_demo`: pages may offer made-up sample
    # data to try things with, which a real street must never be offered.
    is_demo = models.BooleanField("演示街道", default=False, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "街道"

    def __str__(self) -> str:
        return self.name


class Community(Unit):
    class Kind(models.TextChoices):
        RESIDENTIAL = "residential", "社区"
        BUILDING = "building", "楼宇/商务单元"

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities", verbose_name="街道")
    name = models.CharField("名称", max_length=64)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.RESIDENTIAL)
    population = models.PositiveIntegerField("常住人口", default=0)
    households = models.PositiveIntegerField("户数", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "社区"
        ordering = unit_order()
        constraints = [models.UniqueConstraint(fields=["street", "name"], name="community_unique_name")]

    def __str__(self) -> str:
        return self.name


class CommunityAlias(models.Model):
    """Other names under which orders name a community: a residential compound
    (小区点位), an old name, an address fragment. Used to match imported orders."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="aliases", verbose_name="社区")
    alias = models.CharField("别名/小区/地址关键词", max_length=128, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "社区别名"
        ordering = ["alias"]

    def __str__(self) -> str:
        return f"{self.alias} → {self.community}"


class Department(Unit):
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="departments", verbose_name="街道")
    name = models.CharField("科室名称", max_length=64)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "科室"
        ordering = unit_order()
        constraints = [models.UniqueConstraint(fields=["street", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return self.name


class Pairing(TimeStampedModel):
    """包片: one community hand in hand with one department. The chief who signs
    for it can change; cases keep their pairing, and the history of chiefs is
    kept in PairingChiefTerm."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="pairings", verbose_name="社区")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="pairings", verbose_name="科室")
    chief = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_pairings",
        verbose_name="包片科长",
        null=True,
        blank=True,
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "包片"
        ordering = [*unit_order("community__"), *unit_order("department__")]
        constraints = [
            models.UniqueConstraint(fields=["community", "department"], name="pairing_unique_units"),
        ]

    def __str__(self) -> str:
        return f"{self.community.name} + {self.department.name}"


class PairingChiefTerm(models.Model):
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="chief_terms", verbose_name="包片")
    chief = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="包片科长")
    started_at = models.DateTimeField("开始")
    ended_at = models.DateTimeField("结束", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "包片科长任期"
        ordering = ["pairing", "-started_at"]

    def __str__(self) -> str:
        return f"{self.pairing_id} {self.chief_id} {self.started_at:%Y-%m-%d}"


class Role(models.TextChoices):
    CLERK = "clerk", "办件员（诉求处置中心）"
    OFFICER = "officer", "社区办件员"
    SECRETARY = "secretary", "社区书记"
    CHIEF = "chief", "包片科长"
    LEADER = "leader", "街道领导"
    SUPERVISOR = "supervisor", "监察组"
    DISPLAY = "display", "大厅展示屏"


STREET_WIDE_ROLES = frozenset({Role.CLERK, Role.LEADER, Role.SUPERVISOR})
COMMUNITY_ROLES = frozenset({Role.OFFICER, Role.SECRETARY})


class Person(TimeStampedModel):
    """A user's place in the organisation: one role, tied to its unit."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person", verbose_name="账号"
    )
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="people", verbose_name="街道")
    full_name = models.CharField("姓名", max_length=32)
    phone = models.CharField("电话", max_length=32, blank=True)
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name="所属社区"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name="所属科室"
    )

    class Meta:
        verbose_name = verbose_name_plural = "人员"
        ordering = ["role", "full_name"]
        constraints = [
            models.CheckConstraint(
                name="person_unit_matches_role",
                condition=(
                    models.Q(role__in=["officer", "secretary"], community__isnull=False, department__isnull=True)
                    | models.Q(role="chief", department__isnull=False, community__isnull=True)
                    | models.Q(
                        role__in=["clerk", "leader", "supervisor", "display"],
                        community__isnull=True,
                        department__isnull=True,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.get_role_display()}）"

    @property
    def unit(self) -> Community | Department | Street:
        return self.community or self.department or self.street
