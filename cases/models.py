"""The case (one 12345 work order or a request from another channel) and
everything recorded about it: timeline events, signatures, extension requests;
plus the configuration of deadlines and the working-day calendar."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.groupings import address_cluster_expression, caller_key_expression
from cases.transitions import OPEN, Action, Status
from communities.models import Community, Department, Pairing
from hotline.models import TimeStampedModel


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", "紧急"
    UTILITY = "utility", "水电气热"
    GENERAL = "general", "一般"
    COMPLEX = "complex", "疑难复杂"


class Channel(models.TextChoices):
    HOTLINE = "hotline", "12345热线"
    WALK_IN = "walk_in", "来访接待"
    WEB_FORM = "web_form", "急难愁盼网上留言"
    PAPER_SLIP = "paper_slip", "纸质意见条"
    WECHAT = "wechat", "微信群"
    VISIT = "visit", "入户走访"
    COUNCIL = "council", "居民议事"
    COMMITTEE_PHONE = "committee_phone", "居委会电话"
    OTHER = "other", "其他"


# The channels a community officer or secretary registers cases from
# (社区自行登记, DESIGN §7): such a case goes at once to their own community.
COMMUNITY_CHANNELS: tuple[str, ...] = (
    Channel.VISIT,
    Channel.WECHAT,
    Channel.COUNCIL,
    Channel.COMMITTEE_PHONE,
)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class ExclusionReason(models.TextChoices):
    OUTSIDE_DUTIES = "outside_duties", "不属于街道职责"
    LEGAL_PROCESS = "legal_process", "已进入诉讼、仲裁或信访程序"
    AGAINST_POLICY = "against_policy", "诉求违反法律法规或政策"
    UNTRUE = "untrue", "经核实反映情况不属实"
    UNREASONABLE = "unreasonable", "诉求不合理"
    MALICIOUS_REPEAT = "malicious_repeat", "恶意重复来电"


class UnresolvedReason(models.TextChoices):
    """Why a reply says the request is not resolved (the 12345 platform's list)."""

    UNREASONABLE = "unreasonable", "诉求超出合理范围"
    PARTY_MISSING = "party_missing", "责任主体无法找到"
    NO_EVIDENCE = "no_evidence", "缺少证据材料"
    LIMITATION_EXPIRED = "limitation_expired", "已过法定时效"
    HISTORICAL = "historical", "历史遗留问题"
    POLICY = "policy", "现行政策不支持"
    PLANNED = "planned", "已纳入计划，尚需时间"
    OTHER_AUTHORITY = "other_authority", "属其他部门职责"
    OTHER = "other", "其他"


TAG_NAME_MAX_LENGTH = 32

# The longest text each field accepts, in characters: the one home of the
# rule (README "Text limits"). The service refuses a longer text naming the
# field and its limit; forms and API serializers read the same numbers so the
# limit shows at the field, and the import refuses the row. The free texts
# (TextField columns) are not shortened in the database: rows written before
# the limits keep loading. The short fields equal their column's max_length.
TEXT_LIMITS: dict[str, int] = {
    # Citizen text as the platform records it.
    "title": 200,
    "content": 3000,
    # Staff text that goes back to the platform and is signed.
    "reply_text": 2000,
    "explanation_text": 2000,
    # Reasons and notes on a step (dispatch note, return/redispatch reason,
    # extension reason, callback note, supervision, exclusion...).
    "note": 500,
    # Work-order fields with a column of their own.
    "ticket_no": 32,
    "order_type": 16,
    "caller_name": 64,
    "caller_phone": 32,
    "address": 255,
    "compound": 128,
    "reported_community_name": 64,
    "category": 200,
    # The structured reply (the platform's fields).
    "reply_basis": 500,
    "reply_final_unit": 128,
    "reply_met_place": 128,
    "reply_whistle_parties": 200,
    "reply_whistle_result": 500,
}


class Tag(models.Model):
    class Kind(models.TextChoices):
        MONTHLY_TOPIC = "monthly_topic", "每月一题"
        SEVEN_FIVE = "seven_five", "七有五性"
        OTHER = "other", "其他"

    name = models.CharField("标签", max_length=TAG_NAME_MAX_LENGTH, unique=True)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        verbose_name = verbose_name_plural = "标签"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Case(TimeStampedModel):
    # The work order as the hotline (or another channel) gave it.
    ticket_no = models.CharField("工单编号", max_length=TEXT_LIMITS["ticket_no"], unique=True)
    channel = models.CharField("来源渠道", max_length=16, choices=Channel.choices, default=Channel.HOTLINE)
    order_type = models.CharField("工单类型", max_length=TEXT_LIMITS["order_type"], blank=True)
    received_at = models.DateTimeField("来电时间")
    caller_name = models.CharField("来电人", max_length=TEXT_LIMITS["caller_name"], blank=True)
    caller_phone = models.CharField("来电人电话", max_length=TEXT_LIMITS["caller_phone"], blank=True)
    address = models.CharField("地址", max_length=TEXT_LIMITS["address"], blank=True)
    # The grouping keys of cases.groupings, stored by the database as the row is written (the
    # hotspots group by them over a window of a million-case table; computed per row per query
    # they were half its time). Read-only: the database keeps them in step with the phone and address.
    caller_key = models.GeneratedField(
        expression=caller_key_expression(), output_field=models.TextField(), db_persist=True, verbose_name="来电人标识"
    )
    address_cluster = models.GeneratedField(
        expression=address_cluster_expression(),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name="地址聚类",
    )
    compound = models.CharField("小区点位", max_length=TEXT_LIMITS["compound"], blank=True)
    reported_community_name = models.CharField(
        "被反映社区（原文）", max_length=TEXT_LIMITS["reported_community_name"], blank=True
    )
    reported_community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="被反映社区"
    )
    category = models.CharField(
        "问题分类", max_length=TEXT_LIMITS["category"], blank=True, help_text="一级->二级->三级"
    )
    category_l1 = models.CharField("一级分类", max_length=64, blank=True, db_index=True)
    title = models.CharField("标题", max_length=TEXT_LIMITS["title"])
    content = models.TextField("主要内容")
    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices, default=Urgency.GENERAL)
    tags = models.ManyToManyField(Tag, blank=True, related_name="cases", verbose_name="标签")

    # Where the case is in its lifecycle; only cases.services writes these.
    status = models.CharField("状态", max_length=24, choices=Status.choices, default=Status.REGISTERED)
    pairing = models.ForeignKey(
        Pairing, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name="包片"
    )
    # Denormalised from the pairing so scoping and the board need no join.
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name="承办社区"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name="包片科室"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_cases",
        verbose_name="承办人",
    )
    first_dispatched_at = models.DateTimeField("首次派发时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("派发时间", null=True, blank=True)
    response_deadline = models.DateTimeField("响应时限", null=True, blank=True)
    closure_deadline = models.DateTimeField("办结时限", null=True, blank=True)
    responded_at = models.DateTimeField("联系时间", null=True, blank=True)
    reply_text = models.TextField("办理结果", blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    # The structured reply the 12345 platform asks for; written with the reply
    # text (cases.reply_facts) and signed with it. Empty on replies written
    # before these fields existed.
    reply_contacted_at = models.DateTimeField("联系来电人时间", null=True, blank=True)
    reply_met_caller = models.BooleanField("是否见面", null=True, blank=True)
    reply_met_at = models.DateTimeField("见面时间", null=True, blank=True)
    reply_met_place = models.CharField("见面地点", max_length=TEXT_LIMITS["reply_met_place"], blank=True)
    reply_basis = models.TextField("办理依据", blank=True)
    reply_final_unit = models.CharField("最终办理单位", max_length=TEXT_LIMITS["reply_final_unit"], blank=True)
    reply_whistle = models.BooleanField("是否吹哨", null=True, blank=True)
    reply_whistle_parties = models.CharField("吹哨对象", max_length=TEXT_LIMITS["reply_whistle_parties"], blank=True)
    reply_whistle_result = models.TextField("吹哨结果", blank=True)
    reply_resolved = models.BooleanField("是否解决", null=True, blank=True)
    reply_unresolved_reason = models.CharField(
        "未解决原因类型", max_length=24, choices=UnresolvedReason.choices, blank=True
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    # The hotline's callback (回访).
    callback_at = models.DateTimeField("回访时间", null=True, blank=True)
    callback_contacted = models.BooleanField("是否联系", null=True, blank=True)
    callback_resolved = models.BooleanField("是否解决", null=True, blank=True)
    callback_satisfaction = models.CharField("是否满意", max_length=16, choices=Satisfaction.choices, blank=True)
    callback_valid = models.BooleanField("是否有效回访", null=True, blank=True)
    explanation_text = models.TextField("未解决案件情况说明", blank=True)
    explained_at = models.DateTimeField("说明完成时间", null=True, blank=True)

    # 核减: excluded from the three rates by a leader's recorded decision.
    exclusion_reason = models.CharField("核减原因", max_length=24, choices=ExclusionReason.choices, blank=True)
    excluded_at = models.DateTimeField("核减时间", null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # 重复诉求: the earlier case this one repeats (linked by a clerk, cases.similarity).
    repeat_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="repeats", verbose_name="重复诉求原案件"
    )

    class Meta:
        verbose_name = verbose_name_plural = "案件"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "closure_deadline"], name="case_status_deadline"),
            # The open cases by closure deadline (overdue, due soon, the deadline
            # board): a four-status IN list cannot walk the index above in
            # deadline order; this one holds only the open cases, in that order.
            models.Index(
                fields=["closure_deadline", "id"],
                condition=Q(status__in=sorted(OPEN)),
                name="case_open_closure_deadline",
            ),
            models.Index(fields=["status", "response_deadline"], name="case_status_resp_deadline"),
            models.Index(fields=["first_dispatched_at"], name="case_first_dispatched"),
            models.Index(fields=["dispatched_at"], name="case_dispatched"),
            models.Index(fields=["closed_at"], name="case_closed"),
            models.Index(fields=["callback_at"], name="case_callback"),
            models.Index(fields=["received_at"], name="case_received"),
            # The caller's context (cases.context): the same caller's cases, and a
            # compound's recent cases, newest first, each read from one index.
            models.Index(fields=["caller_key", "-received_at"], name="case_callerkey_received"),
            # It also gives the similar-case look-up (cases.similarity) its candidates
            # by compound, and this one by address.
            models.Index(fields=["compound", "-received_at"], name="case_compound_received"),
            models.Index(fields=["address", "received_at"], name="case_address_received"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_no} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_overdue(self) -> bool:
        from cases.vocabulary import case_is_overdue

        return case_is_overdue(self)

    @property
    def callback_negatives(self) -> int:
        """0 for a positive callback (or none yet), 1 for 单否, 2 for 双否."""
        from cases.vocabulary import callback_negatives

        if self.callback_at is None:
            return 0
        return callback_negatives(resolved=self.callback_resolved, satisfaction=self.callback_satisfaction)

    @property
    def callback_outcome(self) -> str:
        """The API's code of the callback: none, positive, single (单否), double (双否)."""
        if self.callback_at is None:
            return "none"
        return {0: "positive", 1: "single", 2: "double"}[self.callback_negatives]

    @property
    def callback_outcome_label(self) -> str:
        from cases.vocabulary import CALLBACK_OUTCOMES, case_callback_outcome

        return CALLBACK_OUTCOMES[case_callback_outcome(self)]


class CaseEvent(models.Model):
    """One line of the case timeline; appended by every service, never edited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name="案件")
    action = models.CharField("操作", max_length=24, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=24, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name="操作人"
    )
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件时间线"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_action_display()}"


class Signature(models.Model):
    class Document(models.TextChoices):
        REPLY = "reply", "办理结果"
        EXPLANATION = "explanation", "情况说明"

    class Slot(models.TextChoices):
        SECRETARY = "secretary", "社区书记"
        CHIEF = "chief", "包片科长"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="signatures", verbose_name="案件")
    document = models.CharField("签署文书", max_length=16, choices=Document.choices)
    slot = models.CharField("签字角色", max_length=16, choices=Slot.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="签字人")
    signed_at = models.DateTimeField("签字时间", default=timezone.now)
    text_sha256 = models.CharField("所签文本SHA-256", max_length=64)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "签字"
        ordering = ["signed_at", "id"]
        constraints = [
            # At most one standing signature per document and slot: the
            # database itself refuses a second click that slips past the lock.
            models.UniqueConstraint(
                fields=["case", "document", "slot"],
                condition=Q(voided_at__isnull=True),
                name="signature_one_standing_per_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_document_display()} {self.get_slot_display()}"


class ExtensionRequest(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "未批准"
        LAPSED = "lapsed", "已失效（案件已办结）"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extension_requests", verbose_name="案件")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    working_days = models.PositiveSmallIntegerField("延期工作日")
    reason = models.TextField("延期理由")
    decision = models.CharField("审批结果", max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    old_deadline = models.DateTimeField("原办结时限", null=True, blank=True)
    new_deadline = models.DateTimeField("新办结时限", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "延期申请"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(decision="pending"), name="extension_one_pending_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.working_days} {self.get_decision_display()}"


class DeadlineRule(models.Model):
    """The four deadline levels; editable by the street's administrators."""

    class Unit(models.TextChoices):
        MINUTES = "minutes", "分钟"
        HOURS = "hours", "小时"
        WORKING_DAYS = "working_days", "工作日"

    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices, unique=True)
    response_amount = models.PositiveIntegerField("响应时限")
    response_unit = models.CharField("响应时限单位", max_length=16, choices=Unit.choices)
    closure_amount = models.PositiveIntegerField("办结时限")
    closure_unit = models.CharField("办结时限单位", max_length=16, choices=Unit.choices)
    # The platform expects a case to be dispatched within minutes of arriving;
    # the queue warns when a case has waited longer than this.
    dispatch_minutes = models.PositiveIntegerField(
        "派发时限（分钟）", null=True, blank=True, help_text="待派发案件等待超过此时长即提醒；留空使用默认值。"
    )

    class Meta:
        verbose_name = verbose_name_plural = "办理时限"
        ordering = ["urgency"]

    def __str__(self) -> str:
        return self.get_urgency_display()


class CalendarDay(models.Model):
    """A day the administrators declared a holiday or a (swapped) working day;
    overrides the calendar package, and covers years the package does not know."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.note}"


class ReplySheetField(models.TextChoices):
    """What a column of the platform's reply sheet can hold (cases.reply_sheet)."""

    TICKET_NO = "ticket_no", "工单编号"
    RECEIVED_AT = "received_at", "来电时间"
    CALLER_NAME = "caller_name", "来电人（仅限可查看来电人的角色）"
    CALLER_PHONE = "caller_phone", "来电人电话（仅限可查看来电人的角色）"
    TITLE = "title", "标题"
    CATEGORY = "category", "问题分类"
    COMMUNITY = "community", "承办社区"
    DEPARTMENT = "department", "包片科室"
    HANDLER = "handler", "承办人"
    CONTACTED_AT = "contacted_at", "联系来电人时间"
    MET_CALLER = "met_caller", "是否见面"
    MET_AT = "met_at", "见面时间"
    MET_PLACE = "met_place", "见面地点"
    BASIS = "basis", "办理依据"
    FINAL_UNIT = "final_unit", "最终办理单位"
    WHISTLE = "whistle", "是否吹哨"
    WHISTLE_PARTIES = "whistle_parties", "吹哨对象"
    WHISTLE_RESULT = "whistle_result", "吹哨结果"
    RESOLVED = "resolved", "是否解决"
    UNRESOLVED_REASON = "unresolved_reason", "未解决原因类型"
    REPLY_TEXT = "reply_text", "办理结果"
    REPLIED_AT = "replied_at", "回复时间"
    CLOSED_AT = "closed_at", "办结时间"


class ReplySheetColumn(models.Model):
    """One column of the 12345 platform's reply sheet, in order; kept in the
    admin (a default set is written by a migration)."""

    position = models.PositiveSmallIntegerField("顺序", unique=True)
    header = models.CharField("列标题", max_length=64)
    field = models.CharField("内容", max_length=24, choices=ReplySheetField.choices)

    class Meta:
        verbose_name = verbose_name_plural = "回复单列设置"
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position} {self.header}"
