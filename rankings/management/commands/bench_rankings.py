"""Benchmark of the board computation at district scale, on PostgreSQL.

Generates N cases over about U units with one INSERT ... SELECT over
generate_series, then times the board's figures (rankings.scoring) and the
service that computes and stores a board with its membership (one row per
case counted) against ONE hand-written SQL query that computes the same
figures — counts, rates, score, rank and band — checks that all three agree
unit by unit, and prints the ratios and the peak memory.

It runs only on a database of its own: one that holds no street but its bench
street, so the generated cases can never reach a real board.

    DATABASE_URL=postgres://.../h_bench python manage.py bench_rankings --cases 1000000 --units 400
"""

import datetime as dt
import resource
import statistics
import time
import tracemalloc
from decimal import Decimal
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import ForeignObjectRel

from cases.models import Case
from communities.models import Community, Department, Pairing, Street
from hotline.bench import column_default
from rankings import scoring, services, windows
from rankings.models import Board, BoardCase
from rankings.scoring import COUNT_FIELDS, Rule

STREET = "基准测试街道"
PREFIX = "BENCH"

HAND_WRITTEN = """
WITH agg AS (
    SELECT
        CASE WHEN GROUPING(c.department_id) = 1 THEN 'community' ELSE 'department' END AS kind,
        CASE WHEN GROUPING(c.department_id) = 1 THEN c.community_id ELSE c.department_id END AS unit_id,
        count(*) FILTER (WHERE c.dispatched_at >= %(s)s AND c.dispatched_at < %(e)s) AS received,
        count(*) FILTER (WHERE c.dispatched_at >= %(s)s AND c.dispatched_at < %(e)s
                         AND c.exclusion_reason <> '') AS received_excluded,
        count(*) FILTER (WHERE c.closed_at >= %(s)s AND c.closed_at < %(e)s) AS closed,
        count(*) FILTER (WHERE c.callback_at >= %(s)s AND c.callback_at < %(e)s AND c.callback_valid
                         AND c.exclusion_reason = '') AS valid_callbacks,
        count(*) FILTER (WHERE c.callback_at >= %(s)s AND c.callback_at < %(e)s AND c.callback_valid
                         AND c.exclusion_reason = '' AND c.callback_contacted) AS contacted,
        count(*) FILTER (WHERE c.callback_at >= %(s)s AND c.callback_at < %(e)s AND c.callback_valid
                         AND c.exclusion_reason = '' AND c.callback_resolved) AS resolved,
        count(*) FILTER (WHERE c.callback_at >= %(s)s AND c.callback_at < %(e)s AND c.callback_valid
                         AND c.exclusion_reason = '' AND c.callback_satisfaction = 'satisfied') AS satisfied,
        count(*) FILTER (WHERE c.callback_at >= %(s)s AND c.callback_at < %(e)s AND c.callback_valid
                         AND c.exclusion_reason = '' AND c.callback_satisfaction = 'basic') AS basically_satisfied,
        count(*) FILTER (WHERE c.callback_at >= %(s)s AND c.callback_at < %(e)s AND c.callback_valid
                         AND c.exclusion_reason <> '') AS excluded_callbacks,
        count(*) FILTER (WHERE c.callback_at >= %(s)s AND c.callback_at < %(e)s
                         AND c.callback_valid IS NOT TRUE) AS invalid_callbacks
    FROM cases_case c
    WHERE (c.dispatched_at >= %(s)s AND c.dispatched_at < %(e)s)
       OR (c.closed_at >= %(s)s AND c.closed_at < %(e)s)
       OR (c.callback_at >= %(s)s AND c.callback_at < %(e)s)
    GROUP BY GROUPING SETS ((c.community_id), (c.department_id))
),
units AS (
    SELECT 'community' AS kind, u.id, u.name FROM communities_community u
    WHERE u.is_active OR u.id IN (SELECT unit_id FROM agg WHERE kind = 'community')
    UNION ALL
    SELECT 'department', u.id, u.name FROM communities_department u
    WHERE u.is_active OR u.id IN (SELECT unit_id FROM agg WHERE kind = 'department')
),
figures AS (
    SELECT u.kind, u.id, u.name,
        coalesce(a.received, 0) AS received, coalesce(a.received_excluded, 0) AS received_excluded,
        coalesce(a.closed, 0) AS closed, coalesce(a.valid_callbacks, 0) AS valid_callbacks,
        coalesce(a.contacted, 0) AS contacted, coalesce(a.resolved, 0) AS resolved,
        coalesce(a.satisfied, 0) AS satisfied, coalesce(a.basically_satisfied, 0) AS basically_satisfied,
        coalesce(a.excluded_callbacks, 0) AS excluded_callbacks, coalesce(a.invalid_callbacks, 0) AS invalid_callbacks
    FROM units u LEFT JOIN agg a ON a.kind = u.kind AND a.unit_id = u.id
),
rates AS (
    SELECT f.*,
        CASE WHEN valid_callbacks > 0 THEN round(contacted::numeric / valid_callbacks, 4) END AS response_rate,
        CASE WHEN valid_callbacks > 0 THEN round(resolved::numeric / valid_callbacks, 4) END AS resolution_rate,
        CASE WHEN valid_callbacks > 0
             THEN round((satisfied + %(basic)s * basically_satisfied) / valid_callbacks, 4) END AS satisfaction_rate
    FROM figures f
),
scored AS (
    SELECT r.*,
        CASE WHEN valid_callbacks > 0 AND valid_callbacks >= %(minimum)s
             THEN round(100 * (%(w1)s * response_rate + %(w2)s * resolution_rate + %(w3)s * satisfaction_rate), 2)
        END AS score
    FROM rates r
),
ranked AS (
    SELECT s.*,
        CASE WHEN score IS NOT NULL THEN rank() OVER tie END AS rank,
        -- The last place of the unit's tie group (peers count in the default frame).
        CASE WHEN score IS NOT NULL THEN count(*) OVER tie END AS last_place,
        count(score) OVER (PARTITION BY kind) AS ranked_units
    FROM scored s
    WINDOW tie AS (PARTITION BY kind, score IS NULL ORDER BY score DESC, closed DESC, received DESC)
)
SELECT kind, id, name, received, received_excluded, closed, valid_callbacks, contacted, resolved, satisfied,
    basically_satisfied, excluded_callbacks, invalid_callbacks, response_rate, resolution_rate, satisfaction_rate,
    score, rank,
    CASE WHEN rank IS NULL THEN ''
         WHEN rank <= (2 * ranked_units * %(green)s + %(parts)s) / (2 * %(parts)s) THEN 'green'
         WHEN last_place > ranked_units - (2 * ranked_units * %(pink)s + %(parts)s) / (2 * %(parts)s) THEN 'pink'
         ELSE 'yellow' END AS band
FROM ranked
"""
# The membership a stored board keeps, written by hand: one row per case any figure counts.
HAND_WRITTEN_MEMBERS = """
INSERT INTO rankings_boardcase (board_id, case_id, community_id, department_id, received, received_excluded, closed,
    valid_callbacks, contacted, resolved, satisfied, basically_satisfied, excluded_callbacks, invalid_callbacks)
SELECT %(board)s, c.id, c.community_id, c.department_id, w.received, w.received AND x.excluded, w.closed, v.valid,
    v.valid AND c.callback_contacted IS TRUE, v.valid AND c.callback_resolved IS TRUE,
    v.valid AND c.callback_satisfaction = 'satisfied', v.valid AND c.callback_satisfaction = 'basic',
    w.called AND c.callback_valid IS TRUE AND x.excluded, w.called AND c.callback_valid IS NOT TRUE
FROM cases_case c
CROSS JOIN LATERAL (SELECT
    coalesce(c.dispatched_at >= %(s)s AND c.dispatched_at < %(e)s, false) AS received,
    coalesce(c.closed_at >= %(s)s AND c.closed_at < %(e)s, false) AS closed,
    coalesce(c.callback_at >= %(s)s AND c.callback_at < %(e)s, false) AS called) w
CROSS JOIN LATERAL (SELECT c.exclusion_reason <> '' AS excluded) x
CROSS JOIN LATERAL (SELECT w.called AND c.callback_valid IS TRUE AND NOT x.excluded AS valid) v
WHERE ((c.dispatched_at >= %(s)s AND c.dispatched_at < %(e)s)
    OR (c.closed_at >= %(s)s AND c.closed_at < %(e)s)
    OR (c.callback_at >= %(s)s AND c.callback_at < %(e)s))
  AND (c.community_id IS NOT NULL OR c.department_id IS NOT NULL)
"""
# No board has an id below 1: the hand-written membership is kept apart under
# a fresh negative id for each run (reusing one id would make every run after
# the first insert among the dead rows of the one before), and removed afterwards.
HAND_BOARDS = "board_id <= 0"
MEMBER_COLUMNS = (
    "case_id, community_id, department_id, received, received_excluded, closed, valid_callbacks, contacted, "
    "resolved, satisfied, basically_satisfied, excluded_callbacks, invalid_callbacks"
)
RESULT_FIELDS = (*COUNT_FIELDS, "response_rate", "resolution_rate", "satisfaction_rate", "score", "rank", "band")


class Command(BaseCommand):
    help = "红黑榜计算基准：生成区级规模数据（PostgreSQL），对比手写SQL的耗时与内存。"
    # Each benchmark has a street and a ticket prefix of its own (bench_pages reuses the generator).
    street_name = STREET
    prefix = PREFIX

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--units", type=int, default=400, help="社区与科室合计（约3:1）")
        parser.add_argument("--days", type=int, default=730, help="案件分布的天数（截至今天）")
        parser.add_argument("--repeat", type=int, default=7)
        parser.add_argument("--reuse", action="store_true", help="数据规模相同时不重新生成")

    def handle(self, *args, cases, units, days, repeat, reuse, **options):
        self.hand_board = 0  # the id of the last hand-written membership (fresh, negative, each run)
        others = Street.objects.exclude(name=STREET).order_by("name").values_list("name", flat=True)
        if others.exists():
            names = "、".join(others[:3]) + ("等" if others.count() > 3 else "")
            raise CommandError(
                f"数据库中已有其他街道（{names}）：基准测试会生成大量案件和榜单，只能在专用数据库中运行，"
                f"以免混入真实榜单。请用 DATABASE_URL 指向空的数据库或只含“{STREET}”的基准数据库"
                "（例如 hotline_bench）。"
            )
        if connection.vendor != "postgresql":
            raise CommandError("基准测试需要 PostgreSQL（设置 DATABASE_URL）。")
        if cases < 1 or units < 2 or days < 14 or repeat < 1:
            raise CommandError("参数超出范围。")
        on = windows.today()
        existing = Case.objects.filter(ticket_no__startswith=PREFIX).count()
        if reuse and existing == cases:
            self.stdout.write(f"沿用已有的 {existing} 件基准案件。")
        else:
            self._generate(cases=cases, units=units, days=days, on=on)
        self.stdout.write(
            f"数据：{Case.objects.count()} 件案件，{Community.objects.count()} 个社区，"
            f"{Department.objects.count()} 个科室。"
        )
        for window in (
            windows.week_of(on - dt.timedelta(days=7)),
            windows.period_of(on - dt.timedelta(days=35), start_day=scoring.period_start_day()),
        ):
            self._bench(window=window, repeat=repeat)

    # ---------------------------------------------------------------- data

    def _generate(self, *, cases: int, units: int, days: int, on: dt.date) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            Board.objects.filter(computed_by="bench").delete()  # their rows and membership go with them
            self._delete_bench_cases()
            Pairing.objects.filter(community__street__name=self.street_name).delete()
            Community.objects.filter(street__name=self.street_name).delete()
            Department.objects.filter(street__name=self.street_name).delete()
            street, _ = Street.objects.get_or_create(name=self.street_name)
            n_departments = max(1, units // 4)
            n_communities = max(1, units - n_departments)
            communities = Community.objects.bulk_create(
                Community(street=street, name=f"基准社区{i:04d}") for i in range(n_communities)
            )
            departments = Department.objects.bulk_create(
                Department(street=street, name=f"基准科室{i:03d}") for i in range(n_departments)
            )
            pairs = {(i, i % n_departments) for i in range(n_communities)}
            pairs |= {(i, (i * 7 + 3) % n_departments) for i in range(n_communities)}
            Pairing.objects.bulk_create(
                Pairing(community=communities[c], department=departments[d]) for c, d in sorted(pairs)
            )
            self._insert_cases(cases=cases, days=days, on=on, street=street)
        with connection.cursor() as cursor:
            # Measure the table as autovacuum keeps it, not full of the earlier run's dead rows
            # (VACUUM cannot run inside a transaction, as under a test).
            cursor.execute("ANALYZE cases_case" if connection.in_atomic_block else "VACUUM ANALYZE cases_case")
        self.stdout.write(f"生成 {cases} 件案件用时 {time.perf_counter() - started:.1f} 秒。")

    def _delete_bench_cases(self) -> None:
        """The earlier run's cases, in SQL: Django's delete() would first load a
        million of them into memory. What protects a case still does."""
        bench = Case.objects.filter(ticket_no__startswith=self.prefix).values("pk")
        for relation in Case._meta.get_fields(include_hidden=True):
            if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
                continue
            relation = cast(ForeignObjectRel, relation)  # auto-created, not concrete: a reverse relation
            rows = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": bench})
            if relation.on_delete is models.CASCADE:
                rows._raw_delete(connection.alias)
            elif rows.exists():
                raise CommandError(f"基准案件仍被 {relation.related_model._meta.verbose_name} 引用，无法重新生成。")
        for m2m in Case._meta.many_to_many:
            through = cast(type[models.Model], m2m.remote_field.through)
            through._base_manager.filter(**{f"{m2m.m2m_field_name()}__in": bench})._raw_delete(connection.alias)
        Case.objects.filter(ticket_no__startswith=self.prefix)._raw_delete(connection.alias)

    def more_columns(self) -> dict[str, str]:
        """Columns (SQL over the generated row `g`) a subclass fills differently."""
        return {}

    def _insert_cases(self, *, cases: int, days: int, on: dt.date, street: Street) -> None:
        given = {
            "ticket_no": f"'{self.prefix}' || lpad(g.n::text, 9, '0')",
            "received_at": "g.dispatched - interval '10 minutes'",
            "title": "'基准案件'",
            "content": "'基准测试生成的案件'",
            "category": "'城乡建设->物业管理->电梯故障'",
            "category_l1": "'城乡建设'",
            "status": (
                "CASE WHEN g.callback IS NOT NULL THEN 'called_back' WHEN g.closed IS NOT NULL THEN 'closed' "
                "ELSE 'responded' END"
            ),
            "pairing_id": "p.id",
            "community_id": "p.community_id",
            "department_id": "p.department_id",
            "first_dispatched_at": "g.dispatched",
            # One case in twenty re-dispatched within three days: the board counts the latest dispatch.
            "dispatched_at": "g.latest",
            "responded_at": "g.latest + interval '2 hours'",
            "closed_at": "g.closed",
            "callback_at": "g.callback",
            "callback_contacted": "CASE WHEN g.callback IS NOT NULL THEN g.r1 < 0.95 END",
            "callback_resolved": "CASE WHEN g.callback IS NOT NULL THEN g.r2 < 0.75 END",
            "callback_satisfaction": (
                "CASE WHEN g.callback IS NULL THEN '' WHEN g.r3 < 0.6 THEN 'satisfied' "
                "WHEN g.r3 < 0.85 THEN 'basic' ELSE 'unsatisfied' END"
            ),
            "callback_valid": "CASE WHEN g.callback IS NOT NULL THEN g.r4 < 0.9 END",
            "exclusion_reason": "CASE WHEN g.r5 < 0.03 THEN 'untrue' ELSE '' END",
            "created_at": "g.dispatched",
            "updated_at": "g.dispatched",
            **self.more_columns(),
        }
        columns, values, params = [], [], []
        for field in Case._meta.concrete_fields:
            if field.primary_key or field.generated:
                continue
            columns.append(connection.ops.quote_name(cast(str, field.column)))
            if field.column in given:
                values.append(given[field.column])
            else:
                values.append("%s")
                params.append(column_default(field))
        end = windows.local_midnight(on)
        sql = f"""
            WITH p AS (
                SELECT row_number() OVER (ORDER BY pr.id) AS n, pr.id, pr.community_id, pr.department_id
                FROM communities_pairing pr JOIN communities_community cc ON cc.id = pr.community_id
                WHERE cc.street_id = %s
            ),
            raw AS (
                -- In date order, as cases arrive: case n of N falls in the n-th slice of the days.
                SELECT s AS n, %s::timestamptz - ((%s - s + random()) / %s) * %s * interval '1 day' AS dispatched,
                       random() AS rc, random() AS rb, random() AS rd, random() AS re,
                       random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
                       random() AS r6, random() AS r7, random() AS r8, random() AS r9,
                       random() AS rr, 1 + floor(random() * (SELECT count(*) FROM p))::int AS pn
                FROM generate_series(1, %s) AS s
            ),
            dispatched AS (
                SELECT raw.*, CASE WHEN rr < 0.05 THEN dispatched + rr * 60 * interval '1 day' ELSE dispatched END
                       AS latest
                FROM raw
            ),
            timed AS (
                SELECT dispatched.*, CASE WHEN rc < 0.85 THEN latest + rd * interval '10 days' END AS closed
                FROM dispatched
            ),
            g AS (
                SELECT timed.*, CASE WHEN closed IS NOT NULL AND rb < 0.9 THEN closed + re * interval '5 days' END
                       AS callback
                FROM timed
            )
            INSERT INTO cases_case ({", ".join(columns)})
            SELECT {", ".join(values)} FROM g JOIN p ON p.n = g.pn
        """
        # The %s in the SELECT list come first in the statement text after the CTE parameters.
        with connection.cursor() as cursor:
            cursor.execute(sql, [street.pk, end, cases, cases, days, cases, *params])

    # ---------------------------------------------------------------- timing

    def _hand_written(self, window, rule: Rule) -> list[tuple]:
        params = {
            "s": window.start_at,
            "e": window.end_at,
            "basic": rule.basic_satisfied_weight,
            "minimum": rule.min_valid_callbacks,
            "w1": rule.response_weight,
            "w2": rule.resolution_weight,
            "w3": rule.satisfaction_weight,
            "green": rule.green_parts,
            "pink": rule.pink_parts,
            "parts": rule.band_parts,
        }
        with connection.cursor() as cursor:
            cursor.execute(HAND_WRITTEN, params)
            return cursor.fetchall()

    def _hand_written_store(self, window, rule: Rule) -> None:
        """The fastest way to do what the service does: the figures by the one
        query, and the membership by one INSERT ... SELECT, committed."""
        with transaction.atomic():
            self._hand_written(window, rule)
            self.hand_board -= 1
            with connection.cursor() as cursor:
                cursor.execute(
                    HAND_WRITTEN_MEMBERS, {"board": self.hand_board, "s": window.start_at, "e": window.end_at}
                )

    @staticmethod
    def _forget_hand_written_members() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM rankings_boardcase WHERE {HAND_BOARDS}")

    def _membership_differences(self, board: Board) -> int:
        """Rows in one membership and not in the other (the service's board against the hand-written one)."""
        sql = f"""
            SELECT count(*) FROM (
                (SELECT {MEMBER_COLUMNS} FROM rankings_boardcase WHERE board_id = %(a)s
                 EXCEPT ALL SELECT {MEMBER_COLUMNS} FROM rankings_boardcase WHERE board_id = %(b)s)
                UNION ALL
                (SELECT {MEMBER_COLUMNS} FROM rankings_boardcase WHERE board_id = %(b)s
                 EXCEPT ALL SELECT {MEMBER_COLUMNS} FROM rankings_boardcase WHERE board_id = %(a)s)
            ) differences
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, {"a": board.pk, "b": self.hand_board})
            return cursor.fetchone()[0]

    @staticmethod
    def _interleaved(functions: dict[str, Any], repeat: int, *, after=None) -> dict[str, tuple[float, Any]]:
        """Each function once to warm the cache and the plan, then the functions
        in turn, `repeat` rounds (A B A B …, so a busy moment of the machine
        falls on both alike): the median time and the last result of each.
        `after` runs after each call, untimed."""
        results = {}
        for name, function in functions.items():
            results[name] = function()
            if after is not None:
                after()
        times: dict[str, list[float]] = {name: [] for name in functions}
        for _ in range(repeat):
            for name, function in functions.items():
                started = time.perf_counter()
                results[name] = function()
                times[name].append(time.perf_counter() - started)
                if after is not None:
                    after()
        return {name: (statistics.median(times[name]), results[name]) for name in functions}

    @staticmethod
    def _peak(function) -> int:
        tracemalloc.start()
        try:
            function()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def _bench(self, *, window, repeat: int) -> None:
        rule = Rule.of(services.rule_for_window(window=window))
        figures_timed = self._interleaved(
            {
                "hand": lambda: self._hand_written(window, rule),
                "board": lambda: scoring.window_figures(window=window, rule=rule),
            },
            repeat,
        )
        (hand_time, hand_rows), (board_time, figures) = figures_timed["hand"], figures_timed["board"]
        # As on the schedule, the window before is already stored: the change in rank comes from its snapshot.
        services.board_compute(
            window=windows.previous_window(window, start_day=rule.period_start_day), computed_by="bench"
        )
        self._forget_hand_written_members()
        stores = {
            "service": lambda: services.board_compute(window=window, computed_by="bench"),
            "hand": lambda: self._hand_written_store(window, rule),
        }
        store_timed = self._interleaved(stores, repeat)
        (store_time, board), (hand_store_time, _) = store_timed["service"], store_timed["hand"]
        differences = self._membership_differences(board)
        self._forget_hand_written_members()
        if differences:
            raise CommandError(f"{window.label}：快照案件明细与手写SQL不一致（{differences} 行）")

        expected = {(row[0], row[1]): row[3:] for row in hand_rows}
        computed = {
            (unit.unit_kind, unit.unit_id): tuple(getattr(unit, name) for name in RESULT_FIELDS)
            for table in figures.tables.values()
            for unit in table
        }
        stored = {
            (row.unit_kind, row.unit_id): tuple(getattr(row, name) for name in RESULT_FIELDS)
            for row in board.rows.all()
        }
        for what, actual in (("榜单计算", computed), ("保存的快照", stored)):
            mismatches = [key for key in expected if _normalise(expected[key]) != _normalise(actual.get(key))]
            if set(expected) != set(actual) or mismatches:
                raise CommandError(
                    f"{window.label}：{what}与手写SQL不一致（{len(mismatches)} 个单位），例如 {mismatches[:3]}"
                )
        members = BoardCase.objects.filter(board=board).count()

        peak_board = self._peak(lambda: scoring.window_figures(window=window, rule=rule))
        peak_hand = self._peak(lambda: self._hand_written(window, rule))
        peak_store = self._peak(lambda: services.board_compute(window=window, computed_by="bench"))
        counted = sum(unit.counts["received"] for unit in figures.tables["community"])
        self.stdout.write(
            f"\n{window.label}：{len(computed)} 个单位，接件 {counted} 件，快照案件明细 {members} 行；"
            "榜单计算与保存的快照均与手写SQL逐项一致\n"
            f"  手写SQL（一条）                  {hand_time * 1000:8.1f} ms\n"
            f"  榜单计算（scoring）              {board_time * 1000:8.1f} ms   比值 {board_time / hand_time:.2f}×\n"
            f"  计算并保存快照（service）         {store_time * 1000:8.1f} ms   比值 {store_time / hand_time:.2f}×\n"
            f"  手写SQL + 手写案件明细INSERT     {hand_store_time * 1000:8.1f} ms   "
            f"计算并保存快照与之比值 {store_time / hand_store_time:.2f}×\n"
            f"  峰值内存（tracemalloc）  榜单计算 {peak_board / 1024:.0f} KiB，"
            f"计算并保存快照 {peak_store / 1024:.0f} KiB，手写SQL {peak_hand / 1024:.0f} KiB；"
            f"进程最大RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
        )


def _normalise(values):
    if values is None:
        return None
    return tuple(Decimal(v).normalize() if isinstance(v, Decimal) else v for v in values)
