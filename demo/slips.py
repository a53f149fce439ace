"""急难愁盼 slips in the demo street (issue 14): slips waiting in the lead queue
(web and paper), slips turned into cases, one closed with a reason."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from cases.vocabulary import STREET_TICKET_PREFIX
from communities.models import Community, Street
from governance import slips
from governance.models import Slip, SlipCloseReason

# (community index, hours ago, compound index or None, building, problem, name, phone);
# phones obviously fake (with 0000) like every demo caller's.
WAITING = [
    (0, 2, 0, "5号楼", "楼道里堆了很多纸箱和旧家具，晚上看不清，担心着火，希望清理一下。", "", ""),
    (1, 5, 0, "2号楼东侧", "小区东门的路灯坏了一个多星期，晚上回家很黑，老人出门不安全。", "王阿姨", "13900001122"),
    (2, 26, 0, "", "希望在小区里多安排几个电动车充电桩，现在大家都往楼道里推车充电。", "", ""),
    (3, 30, 0, "8号楼", "8号楼下水道反味，夏天尤其严重，能否请物业看看。", "刘先生", "13700003344"),
]
PAPER = (4, 20, 0, "3号楼", "单元门禁坏了，谁都能进来，请尽快修好。", "陈大爷", "13600005566")
# The category the clerk gives each converted slip, in the order of CONVERTED.
CONVERTED_CATEGORIES = ["城市管理->市容环境->公共设施损坏", "城乡建设->房屋管理->房屋漏雨"]
CONVERTED = [
    (5, 50, 0, "12号楼", "12号楼前的健身器材有一个螺丝松了，孩子玩的时候晃得厉害。", "孙先生", "13800001234"),
    (6, 74, 0, "1号楼", "1号楼的楼顶防水层老化，下雨天顶层漏水，家里墙皮都掉了。", "赵女士", "13500007788"),
]
CLOSED = (7, 40, None, "", "你好", "", "")


def _compound(names: list[str], index: int | None) -> str:
    return names[index % len(names)] if index is not None and names else ""


def _send(community: Community, row: tuple, *, now: dt.datetime, compounds: list[str]) -> Slip:
    _, hours, compound, building, problem, name, phone = row
    return slips.slip_submit(
        community_id=community.pk,
        problem=problem,
        compound=_compound(compounds, compound),
        building=building,
        name=name,
        phone=phone,
        consent=bool(name or phone),
        at=now - dt.timedelta(hours=hours),
    )


def demo_slips(*, clerk: User, units: Sequence[Any], now: dt.datetime) -> int:
    """The lead queue of the demo street. `units`: the demo's units (each with
    its community and compounds). Returns the number of cases the slips became."""
    communities = [unit.community for unit in units]
    compounds = {unit.community.pk: list(unit.compounds) for unit in units}

    def place(row: tuple) -> Community:
        return communities[row[0] % len(communities)]

    for row in WAITING:
        _send(place(row), row, now=now, compounds=compounds.get(place(row).pk, []))
    _, hours, compound, building, problem, name, phone = PAPER
    community = place(PAPER)
    slips.slip_enter_paper(
        actor=clerk,
        community_id=community.pk,
        problem=problem,
        compound=_compound(compounds.get(community.pk, []), compound),
        building=building,
        name=name,
        phone=phone,
        consent=True,
        at=now - dt.timedelta(hours=hours),
    )
    for n, (row, category) in enumerate(zip(CONVERTED, CONVERTED_CATEGORIES, strict=True), start=1):
        slip = _send(place(row), row, now=now, compounds=compounds.get(place(row).pk, []))
        at = slip.created_at + dt.timedelta(hours=3)
        slips.slip_convert(
            slip_id=slip.pk,
            actor=clerk,
            category=category,
            ticket_no=f"{STREET_TICKET_PREFIX}{timezone.localtime(at):%Y%m%d}XS{n:04d}",
            at=at,
        )
    slip = _send(place(CLOSED), CLOSED, now=now, compounds=[])
    slips.slip_close(
        slip_id=slip.pk, actor=clerk, reason=SlipCloseReason.NO_CONTENT, at=slip.created_at + dt.timedelta(hours=1)
    )
    return len(CONVERTED)


def demo_slips_delete(*, street: Street) -> None:
    """The street's slips go before its cases (a slip holds on to its case)."""
    Slip.objects.filter(community__street=street).delete()
