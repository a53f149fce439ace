"""The order of every list of units: by the number the street gave each unit
(the demo's 01–17), then by the pinyin of the name — never by character code,
which puts 北湖渠 before 和光里 and 南湖东园."""

from django.db.models import F, OrderBy
from pypinyin import Style, lazy_pinyin


def name_sort_key(name: str) -> str:
    """The name's pinyin without tones, syllable by syllable ("bei hu qu"), so a
    database sorts units as a Chinese reader expects."""
    return " ".join(lazy_pinyin(name or "", style=Style.NORMAL, errors="default")).lower()[:200]


def unit_order(prefix: str = "") -> list[OrderBy | str]:
    """ORDER BY terms for units, or for the units behind a relation (`prefix`
    like "community__"): numbered units first in their number's order."""
    return [F(f"{prefix}number").asc(nulls_last=True), f"{prefix}sort_key", f"{prefix}name"]
