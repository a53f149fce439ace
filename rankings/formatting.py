"""How figures are shown: a rate as the exact percentage of its stored
4-place fraction — two decimals, never rounded again (0.1235 → "12.35%") —
and a score with its two decimals."""

from decimal import ROUND_HALF_UP, Decimal

from rankings.models import Band

BAND_LABELS = {Band.GREEN: "绿", Band.YELLOW: "黄", Band.PINK: "粉", Band.UNRANKED: ""}
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
