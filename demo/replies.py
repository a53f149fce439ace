"""The demo street's replies and reply knowledge: the structured facts each
walked reply carries (derived from the case, no extra random draws, so the
rest of the history is unchanged) and the knowledge base's articles."""

from cases.models import Case, UnresolvedReason, Urgency
from cases.reply_facts import ReplyFacts


def demo_reply_facts(case: Case, *, resolved: bool, unit_name: str) -> ReplyFacts:
    """The platform's fields of a demo reply, from the case as walked."""
    visited = case.urgency != Urgency.UTILITY and case.responded_at is not None
    whistle = not resolved
    return ReplyFacts(
        contacted_at=case.responded_at,
        met_caller=visited,
        met_at=case.responded_at if visited else None,
        met_place=(case.compound or case.address or "社区居委会")[:128] if visited else "",
        basis="《北京市接诉即办工作条例》及相关行业管理规定",
        final_unit=unit_name,
        whistle=whistle,
        whistle_parties="包片科室、物业服务企业" if whistle else "",
        whistle_result="已召集相关方现场协调，明确后续处置责任" if whistle else "",
        resolved=resolved,
        unresolved_reason="" if resolved else UnresolvedReason.HISTORICAL,
    )
