"""Writes for the board: computing a window into an immutable snapshot, the
windows the schedule computes, rule versions and display links."""

import datetime as dt
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Field, Max, Model
from django.utils import timezone

from communities.models import Community, Department, Role
from communities.selectors import person_for_user
from hotline.draws import draw_sample
from hotline.errors import InvalidInput, NotAllowed, NotFound
from rankings import boards, meetings, scoring, windows
from rankings.models import (
    Board,
    BoardCase,
    BoardRow,
    DisplayLink,
    MeetingDraw,
    MeetingDrawCase,
    RankingRule,
    UnitKind,
)
from rankings.scoring import COUNT_FIELDS, MEMBERSHIP_COLUMNS, Rule, UnitFigures
from rankings.windows import Window

VERSION_ATTEMPTS = 5


# ---------------------------------------------------------------- rules


def rule_ensure_default() -> RankingRule:
    """The rule of DESIGN.md §3, for a database that has none yet."""
    rule = RankingRule.objects.order_by("effective_from", "id").first()
    if rule is None:
        rule = RankingRule.objects.create(effective_from=dt.date(2000, 1, 1), note="默认规则")
    return rule


def rule_for_window(*, window: Window) -> RankingRule:
    return scoring.rule_in_force(on=window.end) or rule_ensure_default()


def rule_create(*, actor: User | None, effective_from: dt.date | None = None, **values) -> RankingRule:
    """A new version of the rule; earlier versions (and the boards computed with them) stay as they were."""
    rule = RankingRule(effective_from=effective_from or windows.today(), created_by=actor, **values)
    try:
        rule.full_clean()
    except ValidationError as error:
        raise InvalidInput("；".join(error.messages)) from None
    rule.save()
    return rule


# ---------------------------------------------------------------- boards


def _previous_figures(window: Window, rule: Rule) -> tuple[str, dict[tuple[str, int], tuple]]:
    """(rank, score) of each unit in the window before: the newest stored board
    of that window (what people saw), else computed now with its own rule."""
    previous = windows.previous_window(window, start_day=rule.period_start_day)
    board = boards.board_newest(kind=previous.kind, key=previous.key)
    if board is not None:
        rows = board.rows.values_list("unit_kind", "community_id", "department_id", "rank", "score")
        return previous.key, {(kind, c or d): (rank, score) for kind, c, d, rank, score in rows}
    figures = scoring.window_figures(window=previous, rule=Rule.of(rule_for_window(window=previous)))
    return previous.key, {
        (unit.unit_kind, unit.unit_id): (unit.rank, unit.score) for table in figures.tables.values() for unit in table
    }


def _row(board: Board, unit: UnitFigures, position: int) -> BoardRow:
    return BoardRow(
        board=board,
        unit_kind=unit.unit_kind,
        community_id=unit.unit_id if unit.unit_kind == UnitKind.COMMUNITY else None,
        department_id=unit.unit_id if unit.unit_kind == UnitKind.DEPARTMENT else None,
        unit_name=unit.unit_name,
        position=position,
        **{name: unit.counts[name] for name in COUNT_FIELDS},
        response_rate=unit.response_rate,
        resolution_rate=unit.resolution_rate,
        satisfaction_rate=unit.satisfaction_rate,
        score=unit.score,
        rank=unit.rank,
        band=unit.band,
        previous_rank=unit.previous_rank,
        previous_score=unit.previous_score,
        rank_change=unit.rank_change,
        score_change=unit.score_change,
    )


def _column(model: type[Model], name: str) -> str:
    """The database column of one of the model's concrete fields."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} is not a field with a column")
    return field.column


def _store_membership(board: Board, window: Window, rule: Rule) -> None:
    """One INSERT ... SELECT: the board's cases go from the case table to its
    membership inside the database — one statement whatever their number, and
    no case row passes through Python."""
    select_sql, params = scoring.membership_select(
        window, board_id=board.pk, channels=rule.board_channels
    ).query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(BoardCase, name)) for name in MEMBERSHIP_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(BoardCase._meta.db_table)} ({columns}) {select_sql}", params)


def _store(
    window: Window, *, rule: RankingRule, previous_key: str, previous: dict[tuple[str, int], tuple], computed_by: str
) -> Board:
    values = Rule.of(rule)
    for attempt in range(VERSION_ATTEMPTS):
        try:
            # One transaction: a failure anywhere leaves no half-written board.
            with transaction.atomic():
                latest = Board.objects.filter(kind=window.kind, key=window.key).aggregate(v=Max("version"))["v"]
                board = Board.objects.create(
                    kind=window.kind,
                    key=window.key,
                    version=(latest or 0) + 1,
                    window_start=window.start,
                    window_end=window.end,
                    period_end=window.full_end if window.kind == Board.Kind.PERIOD else None,
                    label=window.label,
                    previous_key=previous_key,
                    rule=rule,
                    rule_values=rule.as_dict(),
                    computed_at=timezone.now(),
                    computed_by=computed_by,
                    membership_stored=True,
                )
                # The cases first, then the figures added up from them: the
                # figures are the membership's counts by construction, even if
                # cases change while the board is being computed.
                _store_membership(board, window, values)
                figures = scoring.membership_figures(board=board, window=window, rule=values)
                rows = []
                for table in figures.tables.values():
                    for position, unit in enumerate(table, start=1):
                        unit.previous_rank, unit.previous_score = previous.get(
                            (unit.unit_kind, unit.unit_id), (None, None)
                        )
                        rows.append(_row(board, unit, position))
                BoardRow.objects.bulk_create(rows, batch_size=500)
                return board
        except IntegrityError:
            # Another computation of the same window took this version number.
            if attempt == VERSION_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def board_compute(*, window: Window, computed_by: str = "") -> Board:
    """Compute one window and store it as a new version of its board, with
    its membership: the cases behind its figures. A constant number of
    queries whatever the number of cases or units."""
    rule = rule_for_window(window=window)
    previous_key, previous = _previous_figures(window, Rule.of(rule))
    return _store(window, rule=rule, previous_key=previous_key, previous=previous, computed_by=computed_by)


def _start_day(on: dt.date) -> int:
    return scoring.period_start_day(on=on)


def windows_last_week_and_period(*, on: dt.date) -> list[Window]:
    """The Monday job: the week that just ended, and the assessment period to date."""
    return [windows.week_of(on - dt.timedelta(days=7)), windows.period_of(on, start_day=_start_day(on), to_date=True)]


def windows_nightly(*, on: dt.date) -> list[Window]:
    """The nightly job, as callbacks arrive late: last week (the lobby shows
    it all week, and last Sunday's callbacks come in during this one), the
    running week and the period to date; on a period's first day also the
    period that just ended, in full. Oldest first, so each board finds the
    one before it stored."""
    start_day = _start_day(on)
    result = [
        windows.week_of(on - dt.timedelta(days=7)),
        windows.week_of(on),
        windows.period_of(on, start_day=start_day, to_date=True),
    ]
    yesterday = windows.period_of(on - dt.timedelta(days=1), start_day=start_day)
    if yesterday.key != result[2].key:
        result.insert(2, yesterday)
    return result


def windows_default(*, on: dt.date) -> list[Window]:
    """What `compute_rankings` computes without arguments."""
    start_day = _start_day(on)
    return [
        windows.week_of(on - dt.timedelta(days=7)),
        windows.week_of(on),
        windows.period_of(on, start_day=start_day, to_date=True),
    ]


def windows_history(*, on: dt.date, weeks: int) -> list[Window]:
    """The last `weeks` ISO weeks up to the running one and the assessment
    periods they touch (the running one to date), oldest first, so that each
    board finds its predecessor already stored."""
    start_day = _start_day(on)
    first = on - dt.timedelta(weeks=weeks)
    weeks_found = [windows.week_of(first + dt.timedelta(weeks=n)) for n in range(weeks + 1)]
    periods, day = [], first
    while (period := windows.period_of(day, start_day=start_day)).end < on:
        periods.append(period)
        day = period.end + dt.timedelta(days=1)
    periods.append(windows.period_of(on, start_day=start_day, to_date=True))
    return sorted(weeks_found + periods, key=lambda window: (window.end, window.start))


def window_for_arguments(
    *, week: str = "", period: str = "", date_from: str = "", date_to: str = "", on: dt.date | None = None
) -> Window:
    on = on or windows.today()
    if sum(bool(given) for given in (week, period, date_from or date_to)) > 1:
        raise InvalidInput("周、考核期和日期区间只能选一种。")
    if week:
        return windows.week_parse(week)
    if period:
        return windows.period_parse(period, start_day=_start_day(on), until=on)
    if date_from and date_to:
        return windows.range_window(
            windows.date_parse(date_from, field="from"), windows.date_parse(date_to, field="to")
        )
    raise InvalidInput("请给出 --week、--period，或同时给出 --from 和 --to。")


def boards_compute(*, windows_to_compute: list[Window], computed_by: str) -> list[Board]:
    """Each window in its own transaction: a failing window leaves the others' boards in place."""
    return [board_compute(window=window, computed_by=computed_by) for window in windows_to_compute]


# ---------------------------------------------------------------- display links


def display_link_create(*, name: str, actor: User | None) -> DisplayLink:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写展示屏名称。", field="name")
    return DisplayLink.objects.create(name=name[:64], created_by=actor)


def display_link_revoke(*, link_id: int) -> DisplayLink:
    link = DisplayLink.objects.filter(pk=link_id).first()
    if link is None:
        raise NotFound("展示链接不存在。")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def display_link_use(*, token: str) -> DisplayLink | None:
    """The active link with this token, or None; notes when it was last used
    (at most once a minute, so a refreshing screen writes little)."""
    if not token:
        return None
    link = DisplayLink.objects.filter(token=token, revoked_at__isnull=True).first()
    if link is None:
        return None
    now = timezone.now()
    if link.last_used_at is None or now - link.last_used_at > dt.timedelta(minutes=1):
        DisplayLink.objects.filter(pk=link.pk).update(last_used_at=now)
    return link


# ---------------------------------------------------------------- weekly meeting draws

MEETING_MAX_COUNT = 20


def meeting_draw_create(
    *,
    actor: User,
    week: str = "",
    count: int,
    community_id: int | None = None,
    department_id: int | None = None,
) -> MeetingDraw:
    """Draw `count` cases at random from the meeting pool (`meetings.meeting_pool`)
    of an ISO week (default: last week), for the leaders to question the
    pairing chiefs about. Leaders only. Fewer cases in the pool than asked for:
    all of them, in random order. The seed comes from the system's secure
    source and is stored with the sorted pool, so anyone can redo the draw."""
    person = person_for_user(actor)
    if person is None or person.role != Role.LEADER:
        raise NotAllowed("只有街道领导可以进行专题会抽签。")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MEETING_MAX_COUNT:
        raise InvalidInput(f"抽取件数须为1至{MEETING_MAX_COUNT}之间的整数。", field="count")
    now = timezone.now()
    today = timezone.localdate(now)
    window = windows.week_parse(week) if (week or "").strip() else meetings.meeting_default_week(on=today)
    if window.start > today:
        raise InvalidInput(f"{window.label}尚未开始，不能从中抽签。", field="week")
    community = department = None
    if community_id is not None:
        community = Community.objects.filter(pk=community_id, street_id=person.street_id).first()
        if community is None:
            raise InvalidInput("所选社区不存在。", field="community")
    if department_id is not None:
        department = Department.objects.filter(pk=department_id, street_id=person.street_id).first()
        if department is None:
            raise InvalidInput("所选科室不存在。", field="department")

    with transaction.atomic():
        pool = {
            pk: (chief_id, callback_at)
            for pk, chief_id, callback_at in meetings.meeting_pool(
                window=window,
                at=now,
                street_id=person.street_id,
                community_id=community_id,
                department_id=department_id,
            ).values_list("pk", "pairing__chief_id", "callback_at")
        }
        if not pool:
            scope = "".join(unit.name for unit in (community, department) if unit is not None) or "全街道"
            raise InvalidInput(
                f"{scope}在{window.label}没有可抽取的未解决案件（回访未解决或超期未办结），请换一周或放宽范围。",
                field="week",
                code="empty_pool",
            )
        pool_ids = sorted(pool)
        seed = secrets.randbits(64)
        drawn = draw_sample(seed=seed, pool_ids=pool_ids, count=count)
        draw = MeetingDraw.objects.create(
            street_id=person.street_id,
            drawn_by=actor,
            drawn_at=now,
            week=window.key,
            window_start=window.start,
            window_end=window.end,
            community=community,
            department=department,
            requested_count=count,
            pool_size=len(pool_ids),
            drawn_count=len(drawn),
            seed=str(seed),
            pool_case_ids=pool_ids,
        )
        MeetingDrawCase.objects.bulk_create(
            MeetingDrawCase(
                draw=draw,
                case_id=case_id,
                position=position,
                # A case with a callback is closed, so it is in the pool for its callback.
                reason=MeetingDrawCase.Reason.CALLBACK_UNRESOLVED
                if pool[case_id][1] is not None
                else MeetingDrawCase.Reason.OVERDUE,
                chief_id=pool[case_id][0],
            )
            for position, case_id in enumerate(drawn, start=1)
        )
    return draw
