"""How figures are shown: rates as percentages with one decimal (rounded half
up from the stored 4-place fraction), scores with two decimals."""

from decimal import ROUND_HALF_UP, Decimal

from rankings.models import Band

BAND_LABELS = {Band.GREEN: "绿", Band.YELLOW: "黄", Band.PINK: "粉", Band.UNRANKED: ""}


def percent(rate: Decimal | None) -> str:
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


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
