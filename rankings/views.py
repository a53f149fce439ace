"""Pages of the board: the lobby display (token link or login), the staff board
with drill-down to the cases behind each figure, trends, and the .xlsx export."""

from collections.abc import Iterable
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from cases.models import Channel
from communities.models import Role
from communities.selectors import person_for_user
from hotline.errors import DomainError, NotFound
from hotline.web import paginate, staff_required
from hotline.xlsx import workbook_bytes, xlsx_response
from rankings import boards, formatting, lobby, scoring, services, trends
from rankings.models import Board, BoardRow, UnitKind

TABLE_LABELS = lobby.TABLE_LABELS
DRILL_FIGURES = (
    "received",
    "received_excluded",
    "closed",
    "valid_callbacks",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "score",
    "excluded_callbacks",
    "invalid_callbacks",
)


# ---------------------------------------------------------------- lobby display


DISPLAY_SESSION_KEY = "display_token"
DISPLAY_SESSION_SECONDS = 365 * 24 * 3600  # the link's revocation ends it sooner


def _display_allowed(request: HttpRequest) -> str | None:
    """The token of an active display link (kept in the session), "" for a
    signed-in person, None otherwise."""
    token = request.session.get(DISPLAY_SESSION_KEY, "")
    if token:
        return token if services.display_link_use(token=token) else None
    if request.user.is_authenticated and (person_for_user(request.user) or request.user.is_staff):
        return ""
    return None


def board_payload(board: Board) -> dict:
    """A board as the lobby shows it (`rankings.lobby`, cached per board)."""
    return lobby.lobby_board_payload(board=board)


@gzip_page
@require_GET
def board_display(request: HttpRequest) -> HttpResponse:
    if "token" in request.GET:
        # The link's token is exchanged for a session at once and the screen
        # goes on at the plain URL, so the token is not in the minute-by-minute
        # requests (nor in the access logs that record them).
        if services.display_link_use(token=request.GET["token"]) is None:
            return render(request, "rankings/display_denied.html", status=403)
        request.session.cycle_key()
        request.session[DISPLAY_SESSION_KEY] = request.GET["token"]
        request.session.set_expiry(DISPLAY_SESSION_SECONDS)
        return redirect("board-display")
    if _display_allowed(request) is None:
        return render(request, "rankings/display_denied.html", status=403)
    data_url = reverse("board-display-data")
    payload = lobby.lobby_payload()
    return render(
        request,
        "rankings/display.html",
        {"data_url": data_url, "initial": payload, "refresh_seconds": 60, "rotate_seconds": 15},
    )


@require_GET
def board_display_data(request: HttpRequest) -> HttpResponse:
    if _display_allowed(request) is None:
        return JsonResponse({"code": "not_allowed", "detail": "展示链接无效或已停用。"}, status=403)
    # Compressed once per state of the boards (lobby.lobby_data_json), not on each request.
    compressed = "gzip" in request.headers.get("Accept-Encoding", "").lower()
    response = HttpResponse(lobby.lobby_data_json(compressed=compressed), content_type="application/json")
    if compressed:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- staff pages


def _drill_url(board: Board, row: BoardRow, figure: str) -> str:
    query = urlencode({"board": board.pk, "unit": f"{row.unit_kind}:{row.unit_id}", "figure": figure})
    return f"{reverse('rankings-drilldown')}?{query}"


def _can_compute(request: HttpRequest) -> bool:
    person = person_for_user(request.user)
    return request.user.is_staff or (person is not None and person.role in (Role.LEADER, Role.CLERK))


@staff_required
def rankings_home(request: HttpRequest) -> HttpResponse:
    """Boards, street-wide trends and the units to look into."""
    if request.method == "POST":
        if not _can_compute(request):
            raise PermissionDenied("只有街道领导和办件员可以重新计算榜单。")
        try:
            window = services.window_for_arguments(
                week=request.POST.get("week", ""),
                period=request.POST.get("period", ""),
                date_from=request.POST.get("from", ""),
                date_to=request.POST.get("to", ""),
            )
            board = services.board_compute(window=window, computed_by=f"user:{request.user.pk}")
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"已生成{board.label}第{board.version}版。")
            return redirect("rankings-board", board_id=board.pk)
    weeks = trends.trend_series(kind=Board.Kind.WEEK, limit=12)
    periods = trends.trend_series(kind=Board.Kind.PERIOD, limit=12)
    return render(
        request,
        "rankings/home.html",
        {
            "boards": boards.board_list()[:30],
            "chart": _chart_data("全街道", weeks, periods),
            "change": trends.period_change(periods),
            "communities": trends.units_on_boards(unit_kind=UnitKind.COMMUNITY),
            "departments": trends.units_on_boards(unit_kind=UnitKind.DEPARTMENT),
            "can_compute": _can_compute(request),
            "lobby": boards.boards_for_lobby(),
        },
    )


def _series(points: list[trends.TrendPoint]) -> dict:
    def pct(value):
        # The stored rate in percent, exactly as the tables show it (2 decimals).
        return None if value is None else float(formatting.percent_value(value))

    return {
        "labels": [p.label for p in points],
        "response_rate": [pct(p.response_rate) for p in points],
        "resolution_rate": [pct(p.resolution_rate) for p in points],
        "satisfaction_rate": [pct(p.satisfaction_rate) for p in points],
        "score": [None if p.score is None else float(p.score) for p in points],
        "rank": [p.rank for p in points],
        "board": [p.board_id for p in points],
        # A running window is drawn as unfinished (dashed, 截至目前), never as a drop.
        "finished": [p.finished for p in points],
    }


def _chart_data(title: str, weeks, periods) -> dict:
    return {"title": title, "weeks": _series(weeks), "periods": _series(periods)}


@staff_required
def unit_trends(request: HttpRequest, unit_kind: str, unit_id: int) -> HttpResponse:
    if unit_kind not in UnitKind.values:
        raise Http404("单位类型无效。")
    try:
        name = trends.unit_name(unit_kind=unit_kind, unit_id=unit_id)
    except NotFound as error:
        raise Http404(error.message) from None
    weeks = trends.trend_series(kind=Board.Kind.WEEK, unit_kind=unit_kind, unit_id=unit_id, limit=12)
    periods = trends.trend_series(kind=Board.Kind.PERIOD, unit_kind=unit_kind, unit_id=unit_id, limit=12)
    return render(
        request,
        "rankings/unit_trends.html",
        {
            "unit_name": name,
            "unit_kind": unit_kind,
            "unit_kind_label": TABLE_LABELS[unit_kind],
            "chart": _chart_data(name, weeks, periods),
            "change": trends.period_change(periods),
            "weeks": list(reversed(weeks)),
            "periods": list(reversed(periods)),
        },
    )


def _board_or_404(board_id) -> Board:
    try:
        return boards.board_get(board_id=int(board_id))
    except (NotFound, ValueError, TypeError):
        raise Http404("榜单不存在。") from None


@staff_required
def board_detail(request: HttpRequest, board_id: int) -> HttpResponse:
    board = _board_or_404(board_id)
    minimum = board.rule_values["min_valid_callbacks"]
    tables = []
    for kind, rows in boards.board_tables(board=board).items():
        tables.append(
            {
                "kind": kind,
                "label": TABLE_LABELS[kind],
                "rows": [
                    {
                        "row": row,
                        "links": {figure: _drill_url(board, row, figure) for figure in DRILL_FIGURES},
                        "unranked_reason": ""
                        if row.rank is not None
                        else formatting.unranked_reason(valid_callbacks=row.valid_callbacks, minimum=minimum),
                    }
                    for row in rows
                ],
            }
        )
    versions = (
        Board.objects.filter(kind=board.kind, key=board.key)
        .order_by("-version")
        .only("id", "version", "computed_at", "computed_by", "window_end")
    )
    context = {
        "board": board,
        "tables": tables,
        "versions": versions,
        "rule_sentence": formatting.rule_sentence(board.rule_values),
        "board_channels_label": "、".join(
            Channel(c).label for c in scoring.Rule.of(board.rule_values).board_channels if c in Channel.values
        ),
        # 未诉先办: what the units took up from the channels the board does not count.
        "uncounted": [
            {"kind": kind, "label": TABLE_LABELS[kind], "rows": rows}
            for kind, rows in scoring.uncounted_figures(
                window=boards.board_window(board), rule=scoring.Rule.of(board.rule_values)
            ).items()
            if rows
        ],
    }
    return render(request, "rankings/board_detail.html", context)


EXPORT_HEADER = [
    "排名",
    "档次",
    "单位",
    "接件量",
    "其中核减",
    "办结量",
    "有效回访",
    "已联系",
    "已解决",
    "满意",
    "基本满意",
    "核减回访",
    "无效回访",
    "响应率",
    "解决率",
    "满意率",
    "综合成绩",
    "上期排名",
    "名次变化",
    "成绩变化",
]


def _export_row(row: BoardRow) -> list:
    return [
        row.rank if row.rank is not None else "不参与排名",
        formatting.BAND_LABELS.get(row.band, ""),
        row.unit_name,
        row.received,
        row.received_excluded,
        row.closed,
        row.valid_callbacks,
        row.contacted,
        row.resolved,
        row.satisfied,
        row.basically_satisfied,
        row.excluded_callbacks,
        row.invalid_callbacks,
        formatting.percent(row.response_rate),
        formatting.percent(row.resolution_rate),
        formatting.percent(row.satisfaction_rate),
        float(row.score) if row.score is not None else "",
        row.previous_rank if row.previous_rank is not None else "",
        row.rank_change if row.rank_change is not None else "",
        float(row.score_change) if row.score_change is not None else "",
    ]


@staff_required
def board_export(request: HttpRequest, board_id: int) -> HttpResponse:
    """Figures per unit only: nothing about any caller leaves with the file."""
    board = _board_or_404(board_id)
    tables = boards.board_tables(board=board)
    rule = board.rule_values
    about = [
        ("榜单", board.label),
        ("版本", board.version),
        ("计算时间", timezone.localtime(board.computed_at).strftime("%Y-%m-%d %H:%M")),
        ("对比窗口", board.previous_key),
        (
            "规则",
            formatting.rule_sentence(rule),
        ),
    ]
    sheets: list[tuple[str, list[str], Iterable]] = [
        (TABLE_LABELS[kind], EXPORT_HEADER, (_export_row(row) for row in rows)) for kind, rows in tables.items()
    ]
    sheets.append(("说明", ["项目", "内容"], about))
    return xlsx_response(f"红黑榜_{board.key}_v{board.version}.xlsx", workbook_bytes(sheets))


@staff_required
def drilldown(request: HttpRequest) -> HttpResponse:
    """The cases behind one figure: `?board=<id>&unit=community:<id>&figure=resolved`.
    A stored board lists the cases it counted; where today's data would count
    differently, the page says so."""
    board = _board_or_404(request.GET.get("board"))
    unit_kind, _, unit_id = request.GET.get("unit", "").partition(":")
    figure = request.GET.get("figure", "")
    try:
        row = boards.board_row_for_unit(board=board, unit_kind=unit_kind, unit_id=int(unit_id))
        arguments: dict = {"user": request.user, "board": board, "unit_kind": unit_kind, "unit_id": int(unit_id)}
        cases = boards.drilldown_cases(**arguments, figure=figure)
        today = boards.drilldown_today(**arguments, figure=figure, listed=cases)
    except (ValueError, NotFound) as error:
        raise Http404(getattr(error, "message", "单位无效。")) from None
    except DomainError as error:
        return render(request, "rankings/drilldown_error.html", {"message": error.message, "board": board}, status=400)
    counted = scoring.DRILLDOWN_BASE.get(figure, figure)
    figure_value = getattr(row, counted)
    page = paginate(request, cases.select_related(None).select_related("community", "department"))
    return render(
        request,
        "rankings/drilldown.html",
        {
            "board": board,
            "row": row,
            "figure": figure,
            "figure_label": scoring.FIGURE_LABELS[figure],
            "counted_label": scoring.FIGURE_LABELS[counted],
            "figure_value": figure_value,
            "page": page,
            "query": urlencode({"board": board.pk, "unit": f"{unit_kind}:{unit_id}", "figure": figure}),
            "visible": page.paginator.count,
            "stored": board.membership_stored,
            "today": today,
        },
    )
