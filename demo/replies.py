"""The demo street's replies and reply knowledge: the structured facts each
walked reply carries (derived from the case, no extra random draws, so the
rest of the history is unchanged) and the knowledge base's articles."""

from django.contrib.auth.models import User

from cases.models import Case, UnresolvedReason, Urgency
from cases.reply_facts import ReplyFacts
from knowledge.models import ArticleKind
from knowledge.services import ArticleInput, article_create, article_update


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


# (category path, kind, title, body): the street's knowledge base as the demo shows it.
ARTICLES = [
    (
        "城乡建设->物业管理",
        ArticleKind.STANDARD_REPLY,
        "物业服务问题标准答复",
        "工单{工单编号}（{来电时间}来电）反映{小区}物业服务问题。{承办社区}已于{联系时间}联系来电人，"
        "约谈物业服务企业，督促其按合同约定限期整改，社区将跟踪整改结果。",
    ),
    (
        "城乡建设->物业管理",
        ArticleKind.POLICY,
        "物业服务的政策依据",
        "《北京市物业管理条例》第五十条：物业服务人应当按照物业服务合同约定提供服务。",
    ),
    (
        "城乡建设->物业管理->电梯故障",
        ArticleKind.STANDARD_REPLY,
        "电梯故障标准答复",
        "工单{工单编号}反映{小区}电梯故障。{承办社区}已联系物业和电梯维保单位到场检修，电梯已恢复运行，"
        "并要求维保单位加强日常巡检。",
    ),
    (
        "城乡建设->物业管理->电梯故障",
        ArticleKind.POLICY,
        "电梯安全的政策依据",
        "《中华人民共和国特种设备安全法》第四十二条：电梯的维护保养应当由电梯制造单位或者依法取得许可的安装、改造、修理单位进行。",
    ),
    (
        "城乡建设->供暖",
        ArticleKind.STANDARD_REPLY,
        "供暖问题标准答复",
        "工单{工单编号}反映{小区}供暖问题。{承办社区}已联系供热单位入户测温并排查管线，"
        "处理后室温达到标准，社区将持续关注。",
    ),
    (
        "环境保护->噪声污染",
        ArticleKind.POLICY,
        "噪声污染防治依据",
        "《中华人民共和国噪声污染防治法》第六十五条、第八十七条：禁止在夜间进行产生噪声的建筑施工作业（抢修、抢险除外）。",
    ),
    (
        "交通管理->停车管理->僵尸车",
        ArticleKind.GUIDANCE,
        "僵尸车：车主无法找到时",
        "1. 拍照取证并张贴清理告知，留存7日；2. 联系属地派出所查询车主；"
        "3. 车主无法找到的，会同城管执法、交通支队按废弃车辆程序拖移；4. 答复来电人办理进度与时限。",
    ),
    (
        "",
        ArticleKind.GUIDANCE,
        "长期问题：责任主体无法找到",
        "开发商注销、物业撤场等责任主体无法找到的问题：1. 查询工商登记和房屋档案；"
        "2. 召集社区议事协商，由业主大会或临时管理规约明确出资；3. 必要时吹哨相关部门，纳入老旧小区改造计划；"
        "4. 如实向来电人说明原因，未解决原因类型选“责任主体无法找到”。",
    ),
    (
        "",
        ArticleKind.GUIDANCE,
        "长期问题：缺少证据材料、已过法定时效",
        "缺少证据材料的：指导来电人收集合同、票据、照片等，必要时由社区出具情况说明；"
        "已过诉讼时效或法定期限的：说明法律规定，引导调解，未解决原因类型选“缺少证据材料”或“已过法定时效”。",
    ),
]


def demo_knowledge(*, editor: User) -> int:
    """The street's knowledge base, written by its leader through the service;
    the first article edited once, so its history shows two versions."""
    articles = [
        article_create(actor=editor, data=ArticleInput(category_path=path, kind=kind, title=title, body=body))
        for path, kind, title, body in ARTICLES
    ]
    first = articles[0]
    article_update(
        article_id=first.pk,
        actor=editor,
        data=ArticleInput(first.category_path, first.kind, first.title, first.body + "如仍有问题，可联系社区居委会。"),
        note="补充联系方式",
    )
    return len(articles)
