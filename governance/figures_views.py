"""The governance overview page: the figures per unit and street-wide, each a
link to the list of the records it counts. The drill-down addresses are made
here, in `_list_url` (the page and the API share them)."""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from governance import figures
from governance.councils_forms import FiguresPeriodForm
from governance.figures import COMMUNITY, DEPARTMENT, FIGURES, FigureRow, FiguresTable, Period
from hotline.errors import InvalidInput
from hotline.web import role_required

OVERVIEW_ROLES = role_required()  # every role with a place (scoping decides the rows)


LIST_PAGES = {
    "projects": "project-list",
    "meetings": "meeting-list",
    "decisions": "decision-list",
    "councils": "council-list",
}


def _list_url(kind: str, **params: str | int) -> str:
    """The list page of `kind` with its filters, as a path."""
    query = urlencode({k: v for k, v in params.items() if v not in ("", None)})
    return reverse(LIST_PAGES[kind]) + (f"?{query}" if query else "")


def _unit_params(row: FigureRow) -> dict[str, str | int]:
    if row.unit.kind == COMMUNITY and row.unit.id is not None:
        return {"community": row.unit.id}
    if row.unit.kind == DEPARTMENT and row.unit.id is not None:
        return {"department": row.unit.id}
    return {}


def figure_url(row: FigureRow, key: str, period: Period) -> str | None:
    """Where the records behind one figure of one row are listed."""
    unit = _unit_params(row)
    held = {"held_from": period.date_from.isoformat(), "held_to": period.date_to.isoformat()}
    due = {"due_from": period.date_from.isoformat(), "due_to": period.date_to.isoformat()}
    links = {
        "projects_open": lambda: _list_url("projects", open=1, **unit),
        "projects_done": lambda: _list_url("projects", status="done", **unit),
        "projects_late": lambda: _list_url("projects", late=1, **unit),
        "milestones_late": lambda: _list_url("projects", milestones_late=1, **unit),
        "meetings_held": lambda: _list_url("meetings", status="held", **unit, **held),
        "decisions_total": lambda: _list_url("decisions", **unit, **due),
        "decisions_done_on_time": lambda: _list_url("decisions", state="done_on_time", **unit, **due),
        "decisions_done_late": lambda: _list_url("decisions", state="done_late", **unit, **due),
        "decisions_late": lambda: _list_url("decisions", state="late", **unit, **due),
        "decisions_open": lambda: _list_url("decisions", state="open", **unit, **due),
    }
    if key == "sessions":
        if row.unit.kind == DEPARTMENT:
            return None
        dates = {"from": period.date_from.isoformat(), "to": period.date_to.isoformat()}
        if row.council_id is not None:
            return f"{reverse('council-detail', args=[row.council_id])}?{urlencode(dates)}"
        return _list_url("councils", **dates) if row.unit.kind != COMMUNITY else None
    return links[key]()


@dataclass(frozen=True)
class Cell:
    key: str
    value: int | None
    url: str | None


def figures_rows(table: FiguresTable) -> list[tuple[FigureRow, list[Cell]]]:
    return [
        (row, [Cell(f.key, row.values.get(f.key), figure_url(row, f.key, table.period)) for f in FIGURES])
        for row in table.rows
    ]


def figures_period_parse(date_from: dt.date | None, date_to: dt.date | None, *, today: dt.date) -> Period:
    """The chosen dates, each defaulting to this year's first or last day."""
    default = figures.figures_period_default(today=today)
    period = Period(date_from or default.date_from, date_to or default.date_to)
    if period.date_to < period.date_from:
        raise InvalidInput("截止日期不能早于起始日期。", field="date_to")
    if (period.date_to - period.date_from).days > 366 * 5:
        raise InvalidInput("时间段最长五年。", field="date_to")
    return period


@OVERVIEW_ROLES
def governance_overview(request: HttpRequest):
    today = timezone.localdate()
    period = figures.figures_period_default(today=today)
    form = FiguresPeriodForm(request.GET or None, initial={"date_from": period.date_from, "date_to": period.date_to})
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                period = figures_period_parse(form.cleaned_data["date_from"], form.cleaned_data["date_to"], today=today)
            except InvalidInput as error:
                form.add_error(error.field, error.message)
                status = 400
        else:
            status = 400
    table = figures.governance_figures(user=request.user, period=period, today=today)
    groups: list[tuple[str, int]] = []
    for f in FIGURES:
        if groups and groups[-1][0] == f.group:
            groups[-1] = (f.group, groups[-1][1] + 1)
        else:
            groups.append((f.group, 1))
    context = {
        "form": form,
        "table": table,
        "rows": figures_rows(table),
        "figures": FIGURES,
        "groups": groups,
        "dated": [f for f in FIGURES if f.dated],
        "as_now": [f for f in FIGURES if not f.dated],
    }
    return render(request, "governance/overview.html", context, status=status)
