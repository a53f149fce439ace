"""Case representations (list row, detail with timeline) and the input of each
step. Input serializers only check types and shapes; `cases.services` decides
whether the step is allowed."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import permissions, selectors
from cases.models import (
    COMMUNITY_CHANNELS,
    TEXT_LIMITS,
    Case,
    CaseEvent,
    Channel,
    ExclusionReason,
    ExtensionRequest,
    Satisfaction,
    Signature,
    UnresolvedReason,
    Urgency,
)
from cases.models import text_sha256 as sha256_of
from cases.reply_facts import ReplyFacts, reply_facts_lines, reply_facts_of
from cases.services import SUPERVISION_KINDS
from cases.transitions import Action, Status
from cases.vocabulary import CALLBACK_OUTCOMES, signature_stands, signed_sha256, signed_text
from communities.models import Community
from hotline.api_fields import ID_MAX, ChoiceLabelField, RefSerializer, UserRefField

# The endpoint of each step under /api/cases/{id}/ (complete_explanation has
# none: the second signature on the explanation completes it).
ACTION_PATHS: dict[str, str] = {
    Action.DISPATCH: "dispatch",
    Action.REDISPATCH: "redispatch",
    Action.RETURN: "return",
    Action.RESPOND: "respond",
    Action.REPLY: "reply",
    Action.SIGN_REPLY: "sign-reply",
    Action.CLOSE: "close",
    Action.RECORD_CALLBACK: "callback",
    Action.WRITE_EXPLANATION: "explanation",
    Action.SIGN_EXPLANATION: "sign-explanation",
    Action.REQUEST_EXTENSION: "extension",
    Action.SUPERVISE: "supervise",
    Action.EXCLUDE: "exclude",
    Action.RESTORE: "restore",
}
# Field work (attachments/api.py): its own endpoints under /api/cases/{id}/.
FIELD_WORK_PATHS: dict[str, str] = {
    Action.PROGRESS_NOTE: "api-case-progress-notes",
    Action.ATTACH: "api-case-attachments",
}


class EventSerializer(serializers.ModelSerializer):
    action_label = ChoiceLabelField(source="action")
    from_status_label = ChoiceLabelField(source="from_status")
    to_status_label = ChoiceLabelField(source="to_status")
    actor = UserRefField(allow_null=True)
    data = serializers.JSONField()  # type: ignore[assignment]  # the event's `data` key, not Serializer.data

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "action",
            "action_label",
            "from_status",
            "from_status_label",
            "to_status",
            "to_status_label",
            "actor",
            "created_at",
            "note",
            "data",
        ]


class SignatureSerializer(serializers.ModelSerializer):
    document_label = ChoiceLabelField(source="document")
    slot_label = ChoiceLabelField(source="slot")
    signer = UserRefField()
    voided = serializers.SerializerMethodField(help_text="已作废（所签文本被修改）")
    stale = serializers.SerializerMethodField(help_text="未作废，但所签文本与当前文本不一致")
    standing = serializers.SerializerMethodField(help_text="有效：未作废且签的是当前文本")

    class Meta:
        model = Signature
        fields = [
            "id",
            "document",
            "document_label",
            "slot",
            "slot_label",
            "signer",
            "signed_at",
            "text_sha256",
            "voided",
            "voided_at",
            "void_reason",
            "stale",
            "standing",
        ]

    def get_voided(self, signature: Signature) -> bool:
        return signature.voided_at is not None

    def get_stale(self, signature: Signature) -> bool:
        return signature.voided_at is None and not self.get_standing(signature)

    def get_standing(self, signature: Signature) -> bool:
        return signature_stands(signature, text=signed_text(self.context["case"], signature.document))


class ExtensionSerializer(serializers.ModelSerializer):
    requested_by = UserRefField()
    decision_label = ChoiceLabelField(source="decision")
    decided_by = UserRefField(allow_null=True)

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "requested_by",
            "requested_at",
            "working_days",
            "reason",
            "decision",
            "decision_label",
            "decided_by",
            "decided_at",
            "decision_note",
            "old_deadline",
            "new_deadline",
        ]


class ExtensionCaseSerializer(serializers.ModelSerializer):
    status_label = ChoiceLabelField(source="status")
    community = RefSerializer(allow_null=True)

    class Meta:
        model = Case
        fields = ["id", "ticket_no", "title", "status", "status_label", "community", "closure_deadline"]


class ExtensionListSerializer(ExtensionSerializer):
    case = ExtensionCaseSerializer()

    class Meta(ExtensionSerializer.Meta):
        fields = ["id", "case", *ExtensionSerializer.Meta.fields[1:]]

    def to_representation(self, request: ExtensionRequest) -> dict:
        data = super().to_representation(request)
        if not selectors.caller_visible_to(self.context["request"].user, request.case):
            data["case"]["title"] = selectors.mask_phones_in_text(data["case"]["title"])
            mask_free_text({"extension_requests": [data]})
        return data


class AvailableActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=Action.choices)
    label = serializers.CharField()  # type: ignore[assignment]  # the payload's `label` key, not Field.label
    path = serializers.CharField(allow_null=True, help_text="执行该步骤的接口（POST），无则为 null")


class LimitedTextField(serializers.CharField):
    """Text with its limit from cases.models.TEXT_LIMITS, counted as the
    service counts it (a line break is one character)."""

    def __init__(self, *, label: str, limit: str, **kwargs):
        max_length = TEXT_LIMITS[limit]
        kwargs.setdefault("help_text", f"不超过{max_length}字")
        kwargs["error_messages"] = {"max_length": f"{label}不能超过{{max_length}}字，请精简后再提交。"}
        super().__init__(label=label, max_length=max_length, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.replace("\r\n", "\n")
        return super().to_internal_value(data)


def _text(label: str, *, required: bool = True, limit: str = "note") -> serializers.CharField:
    # Blank passes here so the service answers with its own message ("请填写…").
    optional: dict[str, Any] = {} if required else {"default": ""}
    return LimitedTextField(label=label, limit=limit, required=required, allow_blank=True, **optional)


def _short(label: str, limit: str) -> serializers.CharField:
    return LimitedTextField(label=label, limit=limit, required=False, allow_blank=True, default="")


class ReplyFactsSerializer(serializers.Serializer):
    """The structured reply the 12345 platform asks for (cases.reply_facts).
    Required as the platform requires them: contacted_at (default: the
    contact step's time), basis, final_unit, met_caller, whistle and resolved;
    met_at/met_place when met_caller, whistle_parties/whistle_result when
    whistle, unresolved_reason when not resolved."""

    contacted_at = serializers.DateTimeField(label="联系来电人时间", required=False, allow_null=True, default=None)
    met_caller = serializers.BooleanField(label="是否见面", allow_null=True, default=None)
    met_at = serializers.DateTimeField(label="见面时间", required=False, allow_null=True, default=None)
    met_place = _short("见面地点", "reply_met_place")
    basis = _short("办理依据", "reply_basis")
    final_unit = _short("最终办理单位", "reply_final_unit")
    whistle = serializers.BooleanField(label="是否吹哨", allow_null=True, default=None)
    whistle_parties = _short("吹哨对象", "reply_whistle_parties")
    whistle_result = _short("吹哨结果", "reply_whistle_result")
    resolved = serializers.BooleanField(label="是否解决", allow_null=True, default=None)
    unresolved_reason = serializers.ChoiceField(
        label="未解决原因类型", choices=UnresolvedReason.choices, required=False, allow_blank=True, default=""
    )


# ---------------------------------------------------------------- cases


class CaseListSerializer(serializers.ModelSerializer):
    """A list row. Reads only what `case_list_for_user` loads: no query per row."""

    channel_label = ChoiceLabelField(source="channel")
    urgency_label = ChoiceLabelField(source="urgency")
    status_label = ChoiceLabelField(source="status")
    community = RefSerializer(allow_null=True)
    department = RefSerializer(allow_null=True)
    pairing = serializers.SerializerMethodField()
    handler = UserRefField(allow_null=True)
    caller_name = serializers.SerializerMethodField(help_text="仅办件员和社区办件员可见全文，其他角色为脱敏值")
    caller_phone = serializers.SerializerMethodField(help_text="仅办件员和社区办件员可见全文，其他角色为脱敏值")
    is_overdue = serializers.BooleanField()
    callback_outcome = serializers.SerializerMethodField(help_text="none 未回访；positive；single 单否；double 双否")
    callback_outcome_label = serializers.CharField()
    exclusion_reason_label = ChoiceLabelField(source="exclusion_reason")
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "ticket_no",
            "channel",
            "channel_label",
            "received_at",
            "title",
            "caller_name",
            "caller_phone",
            "address",
            "compound",
            "category",
            "urgency",
            "urgency_label",
            "status",
            "status_label",
            "community",
            "department",
            "pairing",
            "handler",
            "dispatched_at",
            "response_deadline",
            "closure_deadline",
            "responded_at",
            "closed_at",
            "is_overdue",
            "callback_at",
            "callback_outcome",
            "callback_outcome_label",
            "exclusion_reason",
            "exclusion_reason_label",
            "tags",
        ]

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_pairing(self, case: Case) -> dict | None:
        # Named from the case's own community and department (already joined),
        # not str(pairing), which would load both again for every row.
        if case.pairing_id is None:
            return None
        return {"id": case.pairing_id, "name": f"{case.community} + {case.department}"}

    def _caller_visible(self, case: Case) -> bool:
        # The role's answer is worked out once per request; the handler check is per row.
        return self.context["caller_visible"] or case.handler_id == self.context["request"].user.pk

    def get_caller_name(self, case: Case) -> str:
        return case.caller_name if self._caller_visible(case) else selectors.mask_name(case.caller_name)

    def get_caller_phone(self, case: Case) -> str:
        return case.caller_phone if self._caller_visible(case) else selectors.mask_phone(case.caller_phone)

    def to_representation(self, case: Case) -> dict:
        data = super().to_representation(case)
        if not self._caller_visible(case):
            mask_free_text(data)
        return data

    @extend_schema_field(serializers.ChoiceField(choices=list(CALLBACK_OUTCOMES)))
    def get_callback_outcome(self, case: Case) -> str:
        return case.callback_outcome

    def get_tags(self, case: Case) -> list[str]:
        return [tag.name for tag in case.tags.all()]


def mask_free_text(data: dict) -> None:
    """Phone numbers in the free text of a case (as serialized) masked, for
    those who see the caller masked: the texts, the notes, and the reply's
    structured facts (place, basis, 吹哨 parties and result are typed freely)."""
    for key in ("title", "content", "reply_text", "explanation_text"):
        if data.get(key):
            data[key] = selectors.mask_phones_in_text(data[key])
    for event in data.get("events", []):
        event["note"] = selectors.mask_phones_in_text(event["note"])
        if isinstance(event.get("data"), dict) and isinstance(event["data"].get("facts"), str):
            event["data"] = {**event["data"], "facts": selectors.mask_phones_in_text(event["data"]["facts"])}
    if data.get("reply_facts"):
        data["reply_facts"] = {
            key: selectors.mask_phones_in_text(value) if isinstance(value, str) else value
            for key, value in data["reply_facts"].items()
        }
    if data.get("reply_facts_lines"):
        data["reply_facts_lines"] = [
            [label, selectors.mask_phones_in_text(value)] for label, value in data["reply_facts_lines"]
        ]
    for request in data.get("extension_requests", []):
        request["reason"] = selectors.mask_phones_in_text(request["reason"])
        request["decision_note"] = selectors.mask_phones_in_text(request["decision_note"])


class CaseDetailSerializer(CaseListSerializer):
    """The case with its timeline, signatures and extension requests, as
    loaded by `case_get_for_user`, plus what this user may do next."""

    reported_community = RefSerializer(allow_null=True)
    reply_sha256 = serializers.SerializerMethodField(help_text="当前办理结果的SHA-256，签字时作为 expected_sha256 回传")
    explanation_sha256 = serializers.SerializerMethodField(
        help_text="当前情况说明的SHA-256，签字时作为 expected_sha256 回传"
    )
    reply_facts = serializers.SerializerMethodField(help_text="结构化回复（未填写时为 null）")
    reply_facts_lines = serializers.SerializerMethodField(help_text="结构化回复逐项文字，与签字文本一致")
    callback_satisfaction_label = ChoiceLabelField(source="callback_satisfaction")
    events = EventSerializer(many=True, help_text="时间线")
    signatures = serializers.SerializerMethodField()
    extension_requests = ExtensionSerializer(many=True)
    available_actions = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "order_type",
            "reported_community_name",
            "reported_community",
            "content",
            "first_dispatched_at",
            "reply_text",
            "reply_sha256",
            "reply_facts",
            "reply_facts_lines",
            "replied_at",
            "callback_contacted",
            "callback_resolved",
            "callback_satisfaction",
            "callback_satisfaction_label",
            "callback_valid",
            "explanation_text",
            "explanation_sha256",
            "explained_at",
            "excluded_at",
            "created_at",
            "events",
            "signatures",
            "extension_requests",
            "available_actions",
        ]

    def get_reply_sha256(self, case: Case) -> str | None:
        return signed_sha256(case, Signature.Document.REPLY) if case.reply_text else None

    @extend_schema_field(ReplyFactsSerializer(allow_null=True))
    def get_reply_facts(self, case: Case) -> dict | None:
        facts = reply_facts_of(case)
        return None if facts == ReplyFacts() else ReplyFactsSerializer(facts).data

    @extend_schema_field(serializers.ListField(child=serializers.ListField(child=serializers.CharField())))
    def get_reply_facts_lines(self, case: Case) -> list[list[str]]:
        return [[label, value] for label, value in reply_facts_lines(reply_facts_of(case))]

    def get_explanation_sha256(self, case: Case) -> str | None:
        return sha256_of(case.explanation_text) if case.explanation_text else None

    @extend_schema_field(SignatureSerializer(many=True))
    def get_signatures(self, case: Case) -> list[dict]:
        return SignatureSerializer(case.signatures.all(), many=True, context={"case": case}).data  # type: ignore[return-value]  # many=True: a list

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, case: Case) -> list[dict]:
        """Exactly what the one predicate (cases.permissions) allows this user now."""
        pending = next(
            (r for r in case.extension_requests.all() if r.decision == ExtensionRequest.Decision.PENDING), None
        )
        result = []
        for action in permissions.case_available_actions(case=case, user=self.context["request"].user):
            if action in ACTION_PATHS:
                path = reverse(f"api-case-{ACTION_PATHS[action]}", kwargs={"pk": case.pk})
            elif action in FIELD_WORK_PATHS:
                path = reverse(FIELD_WORK_PATHS[action], kwargs={"case_pk": case.pk})
            elif action == Action.DECIDE_EXTENSION and pending is not None:
                path = reverse("api-extension-decide", kwargs={"pk": pending.pk})
            else:
                path = None
            result.append({"action": action.value, "label": action.label, "path": path})
        return result


# ---------------------------------------------------------------- input of each step


def _id(label: str) -> serializers.IntegerField:
    return serializers.IntegerField(label=label, min_value=1, max_value=ID_MAX)


class CaseRegisterInput(serializers.Serializer):
    title = LimitedTextField(label="标题", limit="title")
    content = LimitedTextField(label="主要内容", limit="content")
    received_at = serializers.DateTimeField(label="来电时间", required=False)
    ticket_no = _short("工单编号", "ticket_no")
    channel = serializers.ChoiceField(label="来源渠道", choices=Channel.choices, default=Channel.HOTLINE)
    order_type = _short("工单类型", "order_type")
    caller_name = _short("来电人", "caller_name")
    caller_phone = _short("来电人电话", "caller_phone")
    address = _short("地址", "address")
    compound = _short("小区点位", "compound")
    reported_community = serializers.PrimaryKeyRelatedField(
        label="被反映社区", queryset=Community.objects.all(), required=False, allow_null=True, default=None
    )
    reported_community_name = _short("被反映社区（原文）", "reported_community_name")
    category = _short("问题分类", "category")
    urgency = serializers.ChoiceField(label="紧急程度", choices=Urgency.choices, default=Urgency.GENERAL)
    tags = serializers.ListField(
        label="标签", child=serializers.CharField(max_length=32), required=False, default=list, max_length=20
    )


class DispatchInput(serializers.Serializer):
    pairing = _id("包片")
    handler = _id("承办人")
    note = _text("派发说明", required=False)


class RedispatchInput(serializers.Serializer):
    pairing = _id("包片")
    handler = _id("承办人")
    reason = _text("改派理由")


class ReturnInput(serializers.Serializer):
    reason = _text("退单理由")


class NoteInput(serializers.Serializer):
    note = _text("说明", required=False)


class ReplyInput(serializers.Serializer):
    text = _text("办理结果", limit="reply_text")
    facts = ReplyFactsSerializer(label="结构化回复")

    def validate_facts(self, value: dict) -> ReplyFacts:
        return ReplyFacts(**value)


class ExplanationInput(serializers.Serializer):
    text = _text("情况说明", limit="explanation_text")


class SignInput(serializers.Serializer):
    expected_sha256 = serializers.CharField(
        label="所签文本SHA-256",
        min_length=64,
        max_length=64,
        help_text="必填：详情中的 reply_sha256 / explanation_sha256，即签字人核对过的文本；文本已被他人修改时拒绝签字",
    )


class EmptyInput(serializers.Serializer):
    pass


class CallbackInput(serializers.Serializer):
    contacted = serializers.BooleanField(label="是否联系")
    resolved = serializers.BooleanField(label="是否解决")
    satisfaction = serializers.ChoiceField(label="是否满意", choices=Satisfaction.choices)
    valid = serializers.BooleanField(label="是否有效回访", default=True)
    called_at = serializers.DateTimeField(label="回访时间", required=False, allow_null=True, default=None)
    note = _text("回访备注", required=False)


class ExtensionInput(serializers.Serializer):
    working_days = serializers.IntegerField(label="延期工作日", min_value=-ID_MAX, max_value=ID_MAX)
    reason = _text("延期理由")


class SuperviseInput(serializers.Serializer):
    kind = serializers.ChoiceField(label="督办方式", choices=list(SUPERVISION_KINDS.items()))
    note = _text("督办情况")


class ExcludeInput(serializers.Serializer):
    reason = serializers.ChoiceField(label="核减原因", choices=ExclusionReason.choices)
    note = _text("核减说明")


class RestoreInput(serializers.Serializer):
    note = _text("撤销理由")


class DecideExtensionInput(serializers.Serializer):
    approve = serializers.BooleanField(label="是否批准")
    note = _text("审批意见", required=False)


# ---------------------------------------------------------------- community intake and similar cases


class CommunityIntakeInput(serializers.Serializer):
    channel = serializers.ChoiceField(label="来源渠道", choices=[(c, Channel(c).label) for c in COMMUNITY_CHANNELS])
    title = LimitedTextField(label="标题", limit="title")
    content = LimitedTextField(label="主要内容", limit="content")
    received_at = serializers.DateTimeField(label="收到时间", required=False, default=None)
    caller_name = _short("反映人", "caller_name")
    caller_phone = _short("反映人电话", "caller_phone")
    address = _short("地址", "address")
    compound = _short("小区点位", "compound")
    category = _short("问题分类", "category")
    urgency = serializers.ChoiceField(label="紧急程度", choices=Urgency.choices, default=Urgency.GENERAL)


class SimilarQueryInput(serializers.Serializer):
    text = serializers.CharField(label="诉求内容", max_length=TEXT_LIMITS["title"] + TEXT_LIMITS["content"] + 1)
    compound = _short("小区点位", "compound")
    address = _short("地址", "address")
    received_at = serializers.DateTimeField(label="来电时间", required=False, default=None)


class SimilarCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="case.pk")
    ticket_no = serializers.CharField(source="case.ticket_no")
    title = serializers.CharField(source="case.title")
    received_at = serializers.DateTimeField(source="case.received_at")
    status = serializers.CharField(source="case.status")
    status_label = ChoiceLabelField(source="case.status", choices=Status.choices)
    score = serializers.FloatField(help_text="文本相似度，0–1")
    same = serializers.CharField(help_text="compound / address / compound+address")
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return reverse("case-detail", args=[obj.case.pk])


class LinkRepeatInput(serializers.Serializer):
    original = serializers.IntegerField(label="原案件", min_value=1, max_value=ID_MAX, required=False, default=None)
    original_ticket = _short("原案件工单编号", "ticket_no")
    note = _text("说明", required=False)
