"""How figures are shown: a rate as the exact percentage of its stored
4-place fraction — two decimals, never rounded again (0.1235 → "12.35%") —
and a score with its two decimals."""

from decimal import ROUND_HALF_UP, Decimal

from rankings.models import Band

BAND_LABELS: dict[str, str] = {Band.GREEN: "绿", Band.YELLOW: "黄", Band.PINK: "粉", Band.UNRANKED: ""}
PERCENT_PLACES = Decimal("0.01")


def percent_value(rate: Decimal | None) -> Decimal | None:
    """The stored rate in percent, exactly: a fraction with 4 places is a
    percentage with 2, so the quantize only fixes the number of digits shown."""
    if rate is None:
        return None
    return (Decimal(rate) * 100).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def percent(rate: Decimal | None) -> str:
    value = percent_value(rate)
    return "—" if value is None else f"{value}%"


def score(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def rank_change(change: int | None) -> str:
    if change is None:
        return ""
    if change > 0:
        return f"▲{change}"
    if change < 0:
        return f"▼{-change}"
    return "–"


def weight(value) -> str:
    """A rule's weight as people write it: "0.1000" → "0.1", "1.0000" → "1"."""
    return format(Decimal(str(value)).normalize(), "f")


def rule_sentence(rule: dict) -> str:
    """The rule of a board in one sentence, as the page and the export print it."""
    return (
        f"综合成绩 = 100 ×（{weight(rule['response_weight'])}×响应率 + {weight(rule['resolution_weight'])}×解决率 + "
        f"{weight(rule['satisfaction_weight'])}×满意率）；"
        f"满意率 =（满意 + {weight(rule['basic_satisfied_weight'])}×基本满意）/ 有效回访；"
        f"有效回访少于{rule['min_valid_callbacks']}件不参与排名，不计算三率和综合成绩"
    )


def unranked_reason(*, valid_callbacks: int, minimum: int) -> str:
    """Why a unit under the minimum has no rates: said next to its "—"."""
    return f"有效回访{valid_callbacks}件，少于{minimum}件：不计算三率和综合成绩，不参与排名"
