import factory
from django.utils import timezone

from cases import vocabulary
from cases.models import Case, Signature, text_sha256
from cases.reply_facts import ReplyFacts


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    """A registered case, written directly (for selectors and boards). Tests of
    the lifecycle go through the services instead."""

    class Meta:
        model = Case

    ticket_no = factory.Sequence(lambda n: f"2026112100{n:05d}")
    received_at = factory.LazyFunction(timezone.now)
    caller_name = "张三"
    caller_phone = "13812341234"
    address = "幸福小区3号楼2单元"
    category = "城乡建设->物业管理->电梯故障"
    category_l1 = "城乡建设"
    title = "电梯故障无人维修"
    content = "3号楼电梯停运三天，物业未处理。"


def signed_sha256(case_id: int, field: str) -> str:
    """The hash a signer names: that of the case's text (reply_text or explanation_text) as stored now."""
    case = Case.objects.get(pk=case_id)
    if field == "reply_text":
        return vocabulary.signed_sha256(case, Signature.Document.REPLY)
    return text_sha256(getattr(case, field))


# A structured reply as the platform requires it: through the service, the
# reply form and the API.
REPLY_FACTS = ReplyFacts(
    met_caller=False,
    basis="《北京市物业管理条例》第五十条",
    final_unit="安苑社区",
    whistle=False,
    resolved=True,
)
REPLY_FORM_FACTS = {
    "met_caller": "no",
    "basis": "《北京市物业管理条例》第五十条",
    "final_unit": "安苑社区",
    "whistle": "no",
    "resolved": "yes",
}
REPLY_API_FACTS = {
    "met_caller": False,
    "basis": "《北京市物业管理条例》第五十条",
    "final_unit": "安苑社区",
    "whistle": False,
    "resolved": True,
}
