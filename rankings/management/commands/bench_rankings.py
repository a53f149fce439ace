"""Benchmark of the board computation at district scale, on PostgreSQL.

Generates N cases over about U units with one INSERT ... SELECT over
generate_series, then times the board's figures (rankings.selectors, the code
the service runs) against ONE hand-written SQL query that computes the same
figures — counts, rates, score, rank and band — checks that both agree unit by
unit, and prints the ratio and the peak memory.

    DATABASE_URL=postgres://.../h_bench python manage.py bench_rankings --cases 1000000 --units 400
"""

import datetime as dt
import resource
import statistics
import time
import tracemalloc
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction

from cases.models import Case
from communities.models import Community, Department, Pairing, Street
from rankings import selectors, services, windows
from rankings.models import Board
from rankings.selectors import COUNT_FIELDS, Rule

STREET = "基准测试街道"
PREFIX = "BENCH"

HAND_WRITTEN = """
WITH agg AS (
    SELECT
        CASE WHEN GROUPING(c.department_id) = 1 THEN 'community' ELSE 'department' END AS kind,
        CASE WHEN GROUPING(c.department_id) = 1 THEN c.community_id ELSE c.department_id END AS unit_id,
        count(*) FILTER (WHERE c.first_dispatched_at >= %(s)s AND c.first_dispatched_at < %(e)s) AS received,
        count(*) FILTER (WHERE c.first_dispatched_at >= %(s)s AND c.first_dispatched_at < %(e)s
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
    WHERE (c.first_dispatched_at >= %(s)s AND c.first_dispatched_at < %(e)s)
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
        CASE WHEN score IS NOT NULL THEN
            rank() OVER (PARTITION BY kind, score IS NULL ORDER BY score DESC, closed DESC, received DESC)
        END AS rank,
        count(score) OVER (PARTITION BY kind) AS ranked_units
    FROM scored s
)
SELECT kind, id, name, received, received_excluded, closed, valid_callbacks, contacted, resolved, satisfied,
    basically_satisfied, excluded_callbacks, invalid_callbacks, response_rate, resolution_rate, satisfaction_rate,
    score, rank,
    CASE WHEN rank IS NULL THEN ''
         WHEN rank <= (2 * ranked_units * %(green)s + %(parts)s) / (2 * %(parts)s) THEN 'green'
         WHEN rank > ranked_units - (2 * ranked_units * %(pink)s + %(parts)s) / (2 * %(parts)s) THEN 'pink'
         ELSE 'yellow' END AS band
FROM ranked
"""
RESULT_FIELDS = (*COUNT_FIELDS, "response_rate", "resolution_rate", "satisfaction_rate", "score", "rank", "band")


def _sql_literal_default(field: models.Field):
    """A value for a column the benchmark does not fill itself."""
    if field.null:
        return None
    if field.has_default():
        default = field.get_default()
        return default if not callable(default) else default()
    if isinstance(field, models.CharField | models.TextField):
        return ""
    if isinstance(field, models.BooleanField):
        return False
    raise CommandError(f"cases_case.{field.column} has no default: the benchmark needs a value for it.")


class Command(BaseCommand):
    help = "红黑榜计算基准：生成区级规模数据（PostgreSQL），对比手写SQL的耗时与内存。"

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--units", type=int, default=400, help="社区与科室合计（约3:1）")
        parser.add_argument("--days", type=int, default=730, help="案件分布的天数（截至今天）")
        parser.add_argument("--repeat", type=int, default=7)
        parser.add_argument("--reuse", action="store_true", help="数据规模相同时不重新生成")

    def handle(self, *args, cases, units, days, repeat, reuse, **options):
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
            windows.period_of(on - dt.timedelta(days=35), start_day=selectors.period_start_day()),
        ):
            self._bench(window=window, repeat=repeat)

    # ---------------------------------------------------------------- data

    def _generate(self, *, cases: int, units: int, days: int, on: dt.date) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            Board.objects.filter(computed_by="bench").delete()
            Case.objects.filter(ticket_no__startswith=PREFIX).delete()
            Pairing.objects.filter(community__street__name=STREET).delete()
            Community.objects.filter(street__name=STREET).delete()
            Department.objects.filter(street__name=STREET).delete()
            street, _ = Street.objects.get_or_create(name=STREET)
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
            cursor.execute("ANALYZE cases_case")
        self.stdout.write(f"生成 {cases} 件案件用时 {time.perf_counter() - started:.1f} 秒。")

    def _insert_cases(self, *, cases: int, days: int, on: dt.date, street: Street) -> None:
        given = {
            "ticket_no": f"'{PREFIX}' || lpad(g.n::text, 9, '0')",
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
            "dispatched_at": "g.dispatched",
            "responded_at": "g.dispatched + interval '2 hours'",
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
        }
        columns, values, params = [], [], []
        for field in Case._meta.concrete_fields:
            if field.primary_key:
                continue
            columns.append(connection.ops.quote_name(field.column))
            if field.column in given:
                values.append(given[field.column])
            else:
                values.append("%s")
                params.append(_sql_literal_default(field))
        end = windows.local_midnight(on)
        sql = f"""
            WITH p AS (
                SELECT row_number() OVER (ORDER BY pr.id) AS n, pr.id, pr.community_id, pr.department_id
                FROM communities_pairing pr JOIN communities_community cc ON cc.id = pr.community_id
                WHERE cc.street_id = %s
            ),
            raw AS (
                SELECT s AS n, %s::timestamptz - (random() * %s) * interval '1 day' AS dispatched,
                       random() AS rc, random() AS rb, random() AS rd, random() AS re,
                       random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
                       1 + floor(random() * (SELECT count(*) FROM p))::int AS pn
                FROM generate_series(1, %s) AS s
            ),
            timed AS (
                SELECT raw.*, CASE WHEN rc < 0.85 THEN dispatched + rd * interval '10 days' END AS closed
                FROM raw
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
            cursor.execute(sql, [street.pk, end, days, cases, *params])

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

    @staticmethod
    def _timed(function, repeat: int) -> tuple[float, object]:
        result = function()  # warm the cache and the plan
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - started)
        return statistics.median(times), result

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
        hand_time, hand_rows = self._timed(lambda: self._hand_written(window, rule), repeat)
        board_time, figures = self._timed(lambda: selectors.window_figures(window=window, rule=rule), repeat)
        # As on the schedule, the window before is already stored: the change in rank comes from its snapshot.
        services.board_compute(
            window=windows.previous_window(window, start_day=rule.period_start_day), computed_by="bench"
        )
        store_time, _ = self._timed(lambda: services.board_compute(window=window, computed_by="bench"), repeat)

        expected = {(row[0], row[1]): row[3:] for row in hand_rows}
        actual = {
            (unit.unit_kind, unit.unit_id): (
                *(unit.counts[name] for name in COUNT_FIELDS),
                unit.response_rate,
                unit.resolution_rate,
                unit.satisfaction_rate,
                unit.score,
                unit.rank,
                unit.band,
            )
            for table in figures.tables.values()
            for unit in table
        }
        mismatches = [key for key in expected if _normalise(expected[key]) != _normalise(actual.get(key))]
        if set(expected) != set(actual) or mismatches:
            raise CommandError(f"{window.label}：与手写SQL不一致（{len(mismatches)} 个单位），例如 {mismatches[:3]}")

        peak_board = self._peak(lambda: selectors.window_figures(window=window, rule=rule))
        peak_hand = self._peak(lambda: self._hand_written(window, rule))
        counted = sum(unit.counts["received"] for unit in figures.tables["community"])
        self.stdout.write(
            f"\n{window.label}：{len(actual)} 个单位，接件 {counted} 件，与手写SQL逐项一致\n"
            f"  手写SQL（一条）          {hand_time * 1000:8.1f} ms\n"
            f"  榜单计算（selectors）    {board_time * 1000:8.1f} ms   比值 {board_time / hand_time:.2f}×\n"
            f"  计算并保存快照（service） {store_time * 1000:8.1f} ms   比值 {store_time / hand_time:.2f}×\n"
            f"  峰值内存（tracemalloc）  榜单计算 {peak_board / 1024:.0f} KiB，手写SQL {peak_hand / 1024:.0f} KiB；"
            f"进程最大RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
        )


def _normalise(values):
    if values is None:
        return None
    return tuple(Decimal(v).normalize() if isinstance(v, Decimal) else v for v in values)
