"""The lobby display's data: each board as the lobby shows it (unit names and
figures only, no person), built once per board and kept in the cache.

A board never changes once computed — a new computation is a new board with
its own id and version — so the cache key names the board's id, version and
computation time and nothing ever needs invalidating: a new board is a new key.
Rows are read with values(), not as model instances."""

import gzip
import json

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max
from django.utils import timezone

from rankings import boards, formatting, windows
from rankings.models import Board, BoardRow, RankingRule, UnitKind

TABLE_LABELS: dict[str, str] = {UnitKind.COMMUNITY: "社区", UnitKind.DEPARTMENT: "科室"}
# A board is small (hundreds of rows); a week keeps the lobby's two boards warm.
CACHE_SECONDS = 7 * 24 * 3600
ROW_FIELDS = (
    "unit_kind",
    "unit_name",
    "rank",
    "band",
    "received",
    "received_excluded",
    "closed",
    "valid_callbacks",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "score",
    "rank_change",
)


def _row(row: dict) -> dict:
    ranked = row["rank"] is not None
    return {
        "unit": row["unit_name"],
        "rank": row["rank"],
        "band": row["band"] or None,
        "received": row["received"],
        "received_excluded": row["received_excluded"],
        "closed": row["closed"],
        "valid_callbacks": row["valid_callbacks"],
        # Under the minimum of valid callbacks a unit has no rates to show, as on the staff board.
        "response_rate": formatting.percent(row["response_rate"]) if ranked else "—",
        "resolution_rate": formatting.percent(row["resolution_rate"]) if ranked else "—",
        "satisfaction_rate": formatting.percent(row["satisfaction_rate"]) if ranked else "—",
        "score": formatting.score(row["score"]),
        "rank_change": row["rank_change"],
    }


def lobby_board_build(*, board: Board) -> dict:
    """A board as the lobby shows it, from the database."""
    tables: dict[str, list[dict]] = {UnitKind.COMMUNITY: [], UnitKind.DEPARTMENT: []}
    rows = BoardRow.objects.filter(board=board).order_by("unit_kind", "position").values(*ROW_FIELDS)
    for row in rows:
        tables[row["unit_kind"]].append(_row(row))
    return {
        "id": board.pk,
        "kind": board.kind,
        "kind_label": board.get_kind_display(),
        "label": board.label,
        "version": board.version,
        "computed_at": timezone.localtime(board.computed_at).strftime("%Y-%m-%d %H:%M"),
        "min_valid_callbacks": board.rule_values.get("min_valid_callbacks"),
        "tables": [{"kind": kind, "label": TABLE_LABELS[kind], "rows": rows} for kind, rows in tables.items()],
    }


def lobby_board_cache_key(board: Board) -> str:
    return f"lobby-board:{board.pk}:{board.version}:{board.computed_at.timestamp():.6f}"


def lobby_board_payload(*, board: Board) -> dict:
    """`lobby_board_build`, read from the cache after the first time."""
    key = lobby_board_cache_key(board)
    payload = cache.get(key)
    if payload is None:
        payload = lobby_board_build(board=board)
        cache.set(key, payload, CACHE_SECONDS)
    return payload


def lobby_payload() -> list[dict]:
    """The boards the lobby shows now (`boards.boards_for_lobby`), each from the cache."""
    return [lobby_board_payload(board=board) for board in boards.boards_for_lobby()]


def lobby_state_key() -> str:
    """What decides which boards the lobby shows: the day, the boards and the
    rules (both immutable: any change is a new row, or a deleted one), read in
    two small queries instead of finding the boards themselves."""
    shown = Board.objects.aggregate(n=Count("id"), last=Max("id"), at=Max("computed_at"))
    rules = RankingRule.objects.aggregate(n=Count("id"), last=Max("id"), start=Max("effective_from"))
    return ":".join(str(part) for part in (windows.today(), *shown.values(), *rules.values())).replace(" ", "_")


def lobby_data_json(*, compressed: bool = False) -> bytes:
    """The body of the lobby's minute-by-minute request (/board/data/): the
    boards shown now and their signature, encoded (and gzip-compressed) once
    for each state of the boards, then served from the cache."""
    key = f"lobby-data:{lobby_state_key()}"
    bodies = cache.get(key)
    if bodies is None:
        payload = lobby_payload()
        data = {"signature": [[b["id"], b["version"]] for b in payload], "boards": payload}
        # UTF-8, not \\u escapes: a Chinese name takes 3 bytes instead of 6.
        plain = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
        bodies = (plain, gzip.compress(plain, mtime=0))
        cache.set(key, bodies, CACHE_SECONDS)
    return bodies[1] if compressed else bodies[0]
