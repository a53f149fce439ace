"""The red-black board: the ranking rule (kept with its history), immutable
board snapshots with one row per unit and one row per case counted (so every
figure can be traced to its cases), and the lobby display links."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from cases.models import Case, Channel
from communities.models import Community, Department, Street

# Weights and rates are written out on each field (not unpacked from a dict)
# so that the type checker sees which of them may be null.
WEIGHT_VALIDATORS = [MinValueValidator(Decimal(0))]


class Immutable(models.Model):
    """Rows that are written once and never changed: a board shows what was
    computed, and a rule stays what the boards computed with it say it was."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(f"{self._meta.verbose_name}一经生成不可修改。")
        super().save(*args, **kwargs)


def default_board_channels() -> list[str]:
    return [Channel.HOTLINE.value]


class RankingRule(Immutable):
    """One version of the ranking rule. Editing the rule adds a version; a
    window is computed with the newest version in force on its last day."""

    effective_from = models.DateField("生效日期", help_text="该日及以后结束的榜单使用本规则")
    response_weight = models.DecimalField(
        "响应率权重", default=Decimal("0.1"), max_digits=5, decimal_places=4, validators=WEIGHT_VALIDATORS
    )
    resolution_weight = models.DecimalField(
        "解决率权重", default=Decimal("0.5"), max_digits=5, decimal_places=4, validators=WEIGHT_VALIDATORS
    )
    satisfaction_weight = models.DecimalField(
        "满意率权重", default=Decimal("0.4"), max_digits=5, decimal_places=4, validators=WEIGHT_VALIDATORS
    )
    basic_satisfied_weight = models.DecimalField(
        "基本满意折算系数",
        default=Decimal("0.9"),
        help_text="满意率 =（满意 + 系数 × 基本满意）/ 有效回访",
        max_digits=5,
        decimal_places=4,
        validators=WEIGHT_VALIDATORS,
    )
    min_valid_callbacks = models.PositiveSmallIntegerField(
        "参与排名的最少有效回访数", default=3, help_text="有效回访少于此数的单位照常显示，但不参与三率排名"
    )
    band_parts = models.PositiveSmallIntegerField(
        "分档份数", default=3, validators=[MinValueValidator(2), MaxValueValidator(20)], help_text="默认三等分"
    )
    green_parts = models.PositiveSmallIntegerField("绿榜份数", default=1, help_text="排名靠前的份数显示绿色")
    pink_parts = models.PositiveSmallIntegerField("粉榜份数", default=1, help_text="排名靠后的份数显示粉色")
    period_start_day = models.PositiveSmallIntegerField(
        "考核期起始日",
        default=19,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="月度考核期从上月该日起至本月前一日止（默认19日至18日）",
    )
    # Which channels the board counts (DESIGN §7): 12345 alone by default; the
    # community's own intake and the slips are shown apart as 未诉先办.
    board_channels = models.JSONField(
        "计入排名的来源渠道",
        default=default_board_channels,
        help_text="只有这些渠道的案件计入红黑榜；其他渠道的案件作为“未诉先办”单列。",
    )
    note = models.CharField("调整说明", max_length=200, blank=True)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="设置人",
    )

    class Meta:
        verbose_name = verbose_name_plural = "排名规则"
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return f"规则#{self.pk}（{self.effective_from:%Y-%m-%d}起）"

    def clean(self):
        total = self.response_weight + self.resolution_weight + self.satisfaction_weight
        if total <= 0:
            raise ValidationError("三率权重之和必须大于0。")
        if self.basic_satisfied_weight is not None and self.basic_satisfied_weight > 1:
            raise ValidationError({"basic_satisfied_weight": "基本满意折算系数不能大于1。"})
        channels = self.board_channels
        if not isinstance(channels, list) or not channels or not set(channels) <= set(Channel.values):
            raise ValidationError({"board_channels": "请至少选择一个有效的来源渠道。"})
        if (self.green_parts or 0) + (self.pink_parts or 0) > (self.band_parts or 0):
            raise ValidationError({"pink_parts": "绿榜与粉榜份数之和不能超过分档份数。"})

    def as_dict(self) -> dict:
        return {
            "id": self.pk,
            "effective_from": self.effective_from.isoformat(),
            "response_weight": str(self.response_weight),
            "resolution_weight": str(self.resolution_weight),
            "satisfaction_weight": str(self.satisfaction_weight),
            "basic_satisfied_weight": str(self.basic_satisfied_weight),
            "min_valid_callbacks": self.min_valid_callbacks,
            "band_parts": self.band_parts,
            "green_parts": self.green_parts,
            "pink_parts": self.pink_parts,
            "period_start_day": self.period_start_day,
            "board_channels": list(self.board_channels),
        }


class Board(Immutable):
    class Kind(models.TextChoices):
        WEEK = "week", "周榜"
        PERIOD = "period", "考核期"
        RANGE = "range", "自定义区间"

    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    key = models.CharField("窗口", max_length=32, help_text="2026-W46 / 2026-11 / 2026-01-01..2026-01-31")
    version = models.PositiveIntegerField("版本")
    window_start = models.DateField("开始日期")
    window_end = models.DateField("截止日期")
    period_end = models.DateField("考核期结束日", null=True, blank=True)
    label = models.CharField("名称", max_length=80)
    previous_key = models.CharField("对比窗口", max_length=32, blank=True)
    rule = models.ForeignKey(RankingRule, on_delete=models.PROTECT, related_name="boards", verbose_name="排名规则")
    # The rule's values as used, so the board explains itself on its own.
    rule_values = models.JSONField("规则取值")
    computed_at = models.DateTimeField("计算时间")
    computed_by = models.CharField("触发方式", max_length=32, blank=True)
    # Boards stored before the membership existed have none: their drill-down
    # can only filter today's cases.
    membership_stored = models.BooleanField("已保存案件明细", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "榜单快照"
        ordering = ["-computed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "key", "version"], name="board_unique_version")]
        indexes = [models.Index(fields=["kind", "window_start"], name="board_kind_start")]

    def __str__(self) -> str:
        return f"{self.label} v{self.version}"


class Band(models.TextChoices):
    GREEN = "green", "绿榜"
    YELLOW = "yellow", "黄榜"
    PINK = "pink", "粉榜"
    UNRANKED = "", "不参与排名"


class UnitKind(models.TextChoices):
    COMMUNITY = "community", "社区"
    DEPARTMENT = "department", "科室"


class BoardRow(Immutable):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="rows", verbose_name="榜单")
    unit_kind = models.CharField("单位类型", max_length=16, choices=UnitKind.choices)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="社区"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="科室"
    )
    unit_name = models.CharField("单位", max_length=64)
    position = models.PositiveIntegerField("显示顺序")

    received = models.PositiveIntegerField("接件量")
    received_excluded = models.PositiveIntegerField("其中核减")
    closed = models.PositiveIntegerField("办结量")
    valid_callbacks = models.PositiveIntegerField("有效回访")
    contacted = models.PositiveIntegerField("已联系")
    resolved = models.PositiveIntegerField("已解决")
    satisfied = models.PositiveIntegerField("满意")
    basically_satisfied = models.PositiveIntegerField("基本满意")
    excluded_callbacks = models.PositiveIntegerField("核减回访")
    invalid_callbacks = models.PositiveIntegerField("无效回访")

    response_rate = models.DecimalField("响应率", max_digits=5, decimal_places=4, null=True, blank=True)
    resolution_rate = models.DecimalField("解决率", max_digits=5, decimal_places=4, null=True, blank=True)
    satisfaction_rate = models.DecimalField("满意率", max_digits=5, decimal_places=4, null=True, blank=True)
    score = models.DecimalField("综合成绩", max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField("排名", null=True, blank=True)
    band = models.CharField("档次", max_length=8, choices=Band.choices, blank=True)

    previous_rank = models.PositiveIntegerField("上期排名", null=True, blank=True)
    previous_score = models.DecimalField("上期成绩", max_digits=6, decimal_places=2, null=True, blank=True)
    rank_change = models.IntegerField("名次变化", null=True, blank=True, help_text="正数为上升")
    score_change = models.DecimalField("成绩变化", max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "榜单行"
        ordering = ["board", "unit_kind", "position"]
        constraints = [
            models.CheckConstraint(
                name="boardrow_one_unit",
                condition=Q(unit_kind="community", community__isnull=False, department__isnull=True)
                | Q(unit_kind="department", department__isnull=False, community__isnull=True),
            ),
        ]
        indexes = [
            models.Index(fields=["board", "unit_kind", "position"], name="boardrow_board_order"),
            models.Index(fields=["community", "board"], name="boardrow_community"),
            models.Index(fields=["department", "board"], name="boardrow_department"),
        ]

    def __str__(self) -> str:
        return f"{self.board_id} {self.unit_name}"

    @property
    def unit_id(self) -> int:
        unit_id = self.community_id or self.department_id
        if unit_id is None:  # ruled out for a stored row by the boardrow_one_unit constraint
            raise ValueError("A board row belongs to a community or a department.")
        return unit_id


class BoardCase(Immutable):
    """One case counted by a board: the unit it counted for and the figures it
    counts in, written with the board in the same transaction. The board's
    counts are these rows added up, so a drill-down lists exactly the cases
    behind a stored figure, whatever happened to the cases since.

    Written only by one INSERT ... SELECT from the case table, in the
    transaction that creates the board: every reference is valid by
    construction, so the database checks none of them (at city scale the
    deferred foreign-key checks cost more than the whole insert, and would
    lock every case row counted). Django still enforces on_delete: deleting a
    board deletes its membership; a case, community or department on a board
    cannot be deleted. The primary key (board, case) is the only index: a
    drill-down reads one board's rows along it."""

    pk = models.CompositePrimaryKey("board", "case")
    board = models.ForeignKey(
        Board,
        on_delete=models.CASCADE,
        db_index=False,
        db_constraint=False,
        related_name="members",
        verbose_name="榜单",
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, db_index=False, db_constraint=False, related_name="+", verbose_name="案件"
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        db_index=False,
        db_constraint=False,
        related_name="+",
        verbose_name="社区",
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        db_index=False,
        db_constraint=False,
        related_name="+",
        verbose_name="科室",
    )
    # One column per count of a BoardRow: does this case count in it.
    received = models.BooleanField("接件量")
    received_excluded = models.BooleanField("其中核减")
    closed = models.BooleanField("办结量")
    valid_callbacks = models.BooleanField("有效回访")
    contacted = models.BooleanField("已联系")
    resolved = models.BooleanField("已解决")
    satisfied = models.BooleanField("满意")
    basically_satisfied = models.BooleanField("基本满意")
    excluded_callbacks = models.BooleanField("核减回访")
    invalid_callbacks = models.BooleanField("无效回访")

    class Meta:
        verbose_name = verbose_name_plural = "榜单案件明细"

    def __str__(self) -> str:
        return f"{self.board_id} {self.case_id}"


def new_display_token() -> str:
    return secrets.token_urlsafe(32)


class DisplayLink(models.Model):
    """A link for a lobby screen: the random token in it grants the board and
    nothing else, and can be revoked at any time."""

    name = models.CharField("名称", max_length=64, help_text="例如：一楼大厅屏")
    token = models.CharField("令牌", max_length=64, unique=True, default=new_display_token, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="创建人",
    )
    revoked_at = models.DateTimeField("停用时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "大厅展示链接"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# ---------------------------------------------------------------- weekly meeting draws


class MeetingDraw(Immutable):
    """One draw for the weekly meeting (接诉即办专题会): unresolved cases picked
    at random, whose pairing chiefs the leaders question. Kept as drawn; drawing
    again makes a new record. Auditable: with the stored pool and seed,
    `random.Random(int(seed)).sample(sorted(pool_case_ids), drawn_count)`
    gives the drawn cases in their order."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="+", verbose_name="街道")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="抽签人"
    )
    drawn_at = models.DateTimeField("抽签时间")
    week = models.CharField("抽取周", max_length=10, help_text="ISO周，如 2026-W46")
    window_start = models.DateField("周开始日期")
    window_end = models.DateField("周截止日期")
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="限定社区"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="限定科室"
    )
    requested_count = models.PositiveSmallIntegerField("要求抽取件数")
    pool_size = models.PositiveIntegerField("候选案件数")
    drawn_count = models.PositiveSmallIntegerField("实际抽取件数")
    # A 64-bit unsigned integer does not fit a signed bigint column: kept as its decimal digits.
    seed = models.CharField("随机种子", max_length=20)
    pool_case_ids = models.JSONField("候选案件ID（升序）")

    class Meta:
        verbose_name = verbose_name_plural = "专题会抽签"
        ordering = ["-drawn_at", "-id"]
        indexes = [models.Index(fields=["street", "drawn_at"], name="meetingdraw_street_time")]

    def __str__(self) -> str:
        return f"专题会抽签#{self.pk}（{self.week}）"


class MeetingDrawCase(Immutable):
    class Reason(models.TextChoices):
        CALLBACK_UNRESOLVED = "callback_unresolved", "回访未解决"
        OVERDUE = "overdue", "超期未办结"

    # Not stored: set by rankings.meetings.meeting_draw_items for the meeting sheet.
    explanation: str
    explanation_label: str

    draw = models.ForeignKey(MeetingDraw, on_delete=models.CASCADE, related_name="items", verbose_name="抽签")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+", verbose_name="案件")
    position = models.PositiveSmallIntegerField("抽中顺序")
    reason = models.CharField("入选原因", max_length=24, choices=Reason.choices)
    # The pairing's chief when the case was drawn: the person to question.
    chief = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="被问询的包片科长",
    )

    class Meta:
        verbose_name = verbose_name_plural = "专题会抽中案件"
        ordering = ["draw", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "position"], name="meetingdrawcase_unique_position"),
            models.UniqueConstraint(fields=["draw", "case"], name="meetingdrawcase_unique_case"),
        ]

    def __str__(self) -> str:
        return f"{self.draw_id}#{self.position} {self.case_id}"
