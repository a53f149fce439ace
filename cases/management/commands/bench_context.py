"""Benchmark of the caller's context (cases.context) at district scale, on PostgreSQL.

Generates N cases (received_at in date order over `--days`; callers drawn so
that a few call often and most once or twice, phones of 11 digits, compounds
of a few hundred cases each) with one INSERT ... SELECT over generate_series,
then times `case_context_for_user` for sample cases — for the clerk (the
caller's cases listed, the whole street) and for the leader (counts only) —
against the fastest hand-written SQL for the same answer (one statement per
list, read from the same indexes), checks that both agree case by case, and
prints the ratio of the medians of interleaved runs, the queries per call and
the peak memory.

It runs only on a database of its own: one that holds no street but its bench street.

    DATABASE_URL=postgres://.../hotline_bench_context python manage.py bench_context --cases 1000000
"""

import datetime as dt
import resource
import statistics
import time
import tracemalloc
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.context import CONTEXT_LIST_LIMIT, case_context_for_user, compound_days
from cases.models import Case
from cases.transitions import OPEN
from communities.models import Community, Department, Pairing, Person, Role, Street
from communities.selectors import person_for_user
from hotline.bench import column_default

STREET = "来电背景基准街道"
PREFIX = "CTXB"
COMMUNITIES = 24

# The caller key as the database stores it (Case.caller_key, a generated
# column of cases.groupings.caller_key_expression, indexed by case_callerkey_received).
CALLER_KEY = "{t}caller_key"
COLUMNS = "c.id, c.ticket_no, c.received_at, c.title, c.status, c.community_id, c.callback_at, c.callback_resolved, "
COLUMNS += "c.callback_satisfaction, c.caller_name, c.caller_phone, count(*) OVER () AS total"
HAND_CALLER = f"""
SELECT {COLUMNS} FROM cases_case c
WHERE {CALLER_KEY.format(t="c.")} = (SELECT {CALLER_KEY.format(t="")} FROM cases_case WHERE id = %(id)s)
  AND c.id <> %(id)s
ORDER BY c.received_at DESC, c.id DESC LIMIT %(limit)s
"""
HAND_CALLER_COUNTS = f"""
SELECT count(*), count(*) FILTER (WHERE c.status = ANY(%(open)s)),
       count(*) FILTER (WHERE c.callback_at IS NOT NULL
                        AND (c.callback_resolved IS FALSE OR c.callback_satisfaction = 'unsatisfied'))
FROM cases_case c
WHERE {CALLER_KEY.format(t="c.")} = (SELECT {CALLER_KEY.format(t="")} FROM cases_case WHERE id = %(id)s)
  AND c.id <> %(id)s
"""
HAND_COMPOUND = f"""
SELECT {COLUMNS} FROM cases_case c
WHERE c.compound = %(compound)s AND c.received_at >= %(since)s AND c.id <> %(id)s
ORDER BY c.received_at DESC, c.id DESC LIMIT %(limit)s
"""


class Command(BaseCommand):
    help = "来电背景基准：生成区级规模案件（PostgreSQL），对比选择器与手写SQL的耗时、查询数与内存。"

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--days", type=int, default=1095, help="案件分布的天数（截至今天，按日期顺序）")
        parser.add_argument("--samples", type=int, default=40, help="计时的样本案件数")
        parser.add_argument("--repeat", type=int, default=5, help="每个样本交替计时的轮数")
        parser.add_argument("--seed", type=float, default=0.42)
        parser.add_argument("--reuse", action="store_true", help="数据规模相同时不重新生成")

    def handle(self, *args, cases, days, samples, repeat, seed, reuse, **options):
        others = Street.objects.exclude(name=STREET).order_by("name").values_list("name", flat=True)
        if others.exists():
            raise CommandError(
                f"数据库中已有其他街道（{'、'.join(others[:3])}）：基准测试会生成大量案件，只能在专用数据库中运行。"
                f"请用 DATABASE_URL 指向空的数据库或只含“{STREET}”的基准数据库（例如 hotline_bench_context）。"
            )
        if connection.vendor != "postgresql":
            raise CommandError("基准测试需要 PostgreSQL（设置 DATABASE_URL）。")
        if cases < 100 or days < 30 or samples < 1 or repeat < 1 or not -1 <= seed <= 1:
            raise CommandError("参数超出范围。")
        existing = Case.objects.filter(ticket_no__startswith=PREFIX).count()
        if reuse and existing == cases:
            self.stdout.write(f"沿用已有的 {existing} 件基准案件。")
        else:
            self._generate(cases=cases, days=days, seed=seed)
        street = Street.objects.get(name=STREET)
        clerk, leader = (self._person(street, role) for role in (Role.CLERK, Role.LEADER))
        chosen = self._samples(samples, seed)
        self.stdout.write(
            f"数据：{Case.objects.count()} 件案件；样本 {len(chosen)} 件（含来电最多的来电人、案件最多的小区点位），"
            f"每件交替计时 {repeat} 轮。"
        )
        self._bench(user=clerk, label="办件员（列出来电人案件）", chosen=chosen, repeat=repeat, lists=True)
        self._bench(user=leader, label="街道领导（来电人只给件数）", chosen=chosen, repeat=repeat, lists=False)

    # ---------------------------------------------------------------- data

    def _generate(self, *, cases: int, days: int, seed: float) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            Case.objects.filter(ticket_no__startswith=PREFIX)._raw_delete(connection.alias)
            Pairing.objects.filter(community__street__name=STREET).delete()
            Community.objects.filter(street__name=STREET).delete()
            Department.objects.filter(street__name=STREET).delete()
            street, _ = Street.objects.get_or_create(name=STREET)
            communities = Community.objects.bulk_create(
                Community(street=street, name=f"基准社区{i:02d}") for i in range(COMMUNITIES)
            )
            departments = Department.objects.bulk_create(
                Department(street=street, name=f"基准科室{i:02d}") for i in range(COMMUNITIES // 3)
            )
            Pairing.objects.bulk_create(
                Pairing(community=c, department=departments[i % len(departments)]) for i, c in enumerate(communities)
            )
            self._insert_cases(cases=cases, days=days, street=street, seed=seed)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cases_case" if connection.in_atomic_block else "VACUUM ANALYZE cases_case")
        self.stdout.write(f"生成 {cases} 件案件用时 {time.perf_counter() - started:.1f} 秒。")

    def _insert_cases(self, *, cases: int, days: int, street: Street, seed: float) -> None:
        callers = max(10, cases // 2)  # about two calls a caller, skewed: a few call hundreds of times
        compounds = max(10, cases // 400)
        given = {
            "ticket_no": f"'{PREFIX}' || lpad(g.n::text, 9, '0')",
            "received_at": "g.received",
            "caller_name": "'来电人' || g.caller",
            # Mobile numbers; one in twenty arrives masked from the platform (138****1234).
            "caller_phone": (
                "CASE WHEN g.rm < 0.05 THEN left(g.phone, 3) || '****' || right(g.phone, 4) ELSE g.phone END"
            ),
            "address": "'基准小区' || g.compound || '号院' || (1 + g.n %% 12) || '号楼'",
            "compound": "'基准小区' || g.compound",
            "title": "'基准案件' || g.n",
            "content": "'基准测试生成的案件'",
            "category": "'城乡建设->物业管理->电梯故障'",
            "category_l1": "'城乡建设'",
            "status": (
                "CASE WHEN g.received > now() - interval '10 days' AND g.rs < 0.5 THEN 'responded' "
                "WHEN g.rs < 0.8 THEN 'called_back' ELSE 'closed' END"
            ),
            "pairing_id": "p.id",
            "community_id": "p.community_id",
            "department_id": "p.department_id",
            "first_dispatched_at": "g.received + interval '10 minutes'",
            "dispatched_at": "g.received + interval '10 minutes'",
            "callback_at": "CASE WHEN g.rs < 0.8 AND g.received <= now() - interval '10 days' "
            "THEN g.received + interval '7 days' END",
            "callback_contacted": "true",
            "callback_resolved": "g.r2 < 0.8",
            "callback_satisfaction": "CASE WHEN g.r3 < 0.7 THEN 'satisfied' WHEN g.r3 < 0.9 THEN 'basic' "
            "ELSE 'unsatisfied' END",
            "callback_valid": "true",
            "created_at": "g.received",
            "updated_at": "g.received",
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
        sql = f"""
            WITH p AS (
                SELECT row_number() OVER (ORDER BY pr.id) - 1 AS n, pr.id, pr.community_id, pr.department_id
                FROM communities_pairing pr JOIN communities_community cc ON cc.id = pr.community_id
                WHERE cc.street_id = %s
            ),
            raw AS (
                SELECT s AS n,
                       now() - %s * interval '1 day' * (1 - s::float8 / %s) AS received,
                       floor(power(random(), 2) * %s)::bigint AS caller,
                       floor(power(random(), 2) * %s)::bigint AS compound,
                       random() AS rm, random() AS rs, random() AS r2, random() AS r3
                FROM generate_series(1, %s) AS s
            ),
            g AS (
                SELECT raw.*, '1' || (3 + caller %% 7) || lpad((caller * 7919 %% 1000000000)::text, 9, '0') AS phone
                FROM raw
            )
            INSERT INTO cases_case ({", ".join(columns)})
            SELECT {", ".join(values)} FROM g JOIN p ON p.n = g.compound %% {COMMUNITIES}
            ORDER BY g.n
        """
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [seed])
            cursor.execute(sql, [street.pk, days, cases, callers, compounds, cases, *params])

    @staticmethod
    def _person(street: Street, role: str):
        user, _ = get_user_model().objects.get_or_create(username=f"bench_context_{role}")
        Person.objects.update_or_create(user=user, defaults={"street": street, "role": role, "full_name": role})
        return user

    @staticmethod
    def _samples(samples: int, seed: float) -> list[Case]:
        """Cases spread over the table, plus the newest case of the busiest caller and of the busiest compound."""
        bench = Case.objects.filter(ticket_no__startswith=PREFIX)
        last = bench.order_by("-id").values_list("id", flat=True).first() or 0
        first = bench.order_by("id").values_list("id", flat=True).first() or 0
        step = max(1, (last - first) // samples)
        ids = list(range(first + step // 2, last + 1, step))[:samples]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT caller_phone FROM cases_case GROUP BY caller_phone ORDER BY count(*) DESC, caller_phone LIMIT 1"
            )
            busiest_phone = cursor.fetchone()[0]
            cursor.execute("SELECT compound FROM cases_case GROUP BY compound ORDER BY count(*) DESC, compound LIMIT 1")
            busiest_compound = cursor.fetchone()[0]
        for busiest in (bench.filter(caller_phone=busiest_phone), bench.filter(compound=busiest_compound)):
            newest = busiest.order_by("-received_at").values_list("id", flat=True).first()
            if newest is not None:
                ids.append(newest)
        by_id = Case.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    # ---------------------------------------------------------------- timing

    @staticmethod
    def _hand(case: Case, *, lists: bool, since: dt.datetime) -> tuple:
        params: dict[str, Any] = {
            "id": case.pk,
            "limit": CONTEXT_LIST_LIMIT,
            "compound": case.compound,
            "since": since,
            "open": list(OPEN),
        }
        with connection.cursor() as cursor:
            if lists:
                cursor.execute(HAND_CALLER, params)
                rows = cursor.fetchall()
                caller: tuple = (rows[0][-1] if rows else 0, [r[0] for r in rows])
            else:
                cursor.execute(HAND_CALLER_COUNTS, params)
                caller = tuple(cursor.fetchone())
            cursor.execute(HAND_COMPOUND, params)
            rows = cursor.fetchall()
        return caller, (rows[0][-1] if rows else 0, [r[0] for r in rows])

    @staticmethod
    def _selected(user, case: Case, *, lists: bool, now: dt.datetime) -> tuple:
        context = case_context_for_user(user=user, case=case, now=now)
        if lists:
            caller: tuple = (context.caller_total, [c.pk for c in context.caller_cases])
        else:
            counts = context.caller_counts
            caller = (counts.total, counts.open, counts.negative) if counts else (0, 0, 0)
        return caller, (context.compound_total, [c.pk for c in context.compound_cases])

    def _bench(self, *, user, label: str, chosen: list[Case], repeat: int, lists: bool) -> None:
        now = timezone.now()
        since = now - dt.timedelta(days=compound_days())
        hand_times, selector_times, round_trips, queries, listed = [], [], [], [], 0
        person_for_user(user)  # read once per request, as the middleware's first page read does
        for case in chosen:  # agree first (this also warms the cache and the plans)
            expected = self._hand(case, lists=lists, since=since)
            with CaptureQueriesContext(connection) as captured:
                actual = self._selected(user, case, lists=lists, now=now)
            queries.append(len(captured))
            if expected != actual:
                raise CommandError(f"{label}：案件 {case.ticket_no} 的来电背景与手写SQL不一致：{actual} ≠ {expected}")
            listed += len(actual[0][-1]) if lists else 0
        for _ in range(repeat):
            for case in chosen:  # interleaved: the hand-written SQL and the selector take turns
                started = time.perf_counter()
                self._hand(case, lists=lists, since=since)
                hand_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                self._selected(user, case, lists=lists, now=now)
                selector_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
                round_trips.append(time.perf_counter() - started)
        tracemalloc.start()
        try:
            for case in chosen:
                self._selected(user, case, lists=lists, now=now)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        plans = self._plans(chosen[-2], lists=lists, since=since)
        hand, selector = statistics.median(hand_times), statistics.median(selector_times)
        worst = max(selector_times)
        self.stdout.write(
            f"\n{label}：{len(chosen)} 件样本，结果与手写SQL逐件一致"
            f"{f'（共列出来电人案件 {listed} 件）' if lists else ''}\n"
            f"  手写SQL（两条）        中位 {hand * 1000:7.2f} ms\n"
            f"  选择器（cases.context） 中位 {selector * 1000:7.2f} ms   比值 {selector / hand:.2f}×   "
            f"最慢 {worst * 1000:.2f} ms\n"
            f"  每次查询数 {min(queries)}–{max(queries)}；"
            f"峰值内存（tracemalloc，{len(chosen)} 件）{peak / 1024:.0f} KiB；"
            f"进程最大RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB\n"
            f"  执行计划使用的索引：{plans}；一次数据库往返（SELECT 1）中位 "
            f"{statistics.median(round_trips) * 1000:.2f} ms"
        )

    @staticmethod
    def _plans(case: Case, *, lists: bool, since: dt.datetime) -> str:
        """The indexes the hand-written statements' plans read (the selector's SQL is checked in the tests)."""
        params: dict[str, Any] = {"id": case.pk, "limit": CONTEXT_LIST_LIMIT, "compound": case.compound}
        params.update(since=since, open=list(OPEN))
        used = []
        with connection.cursor() as cursor:
            for sql in (HAND_CALLER if lists else HAND_CALLER_COUNTS, HAND_COMPOUND):
                cursor.execute("EXPLAIN " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                used.append(
                    next((n for n in ("case_caller_key_received", "case_compound_received") if n in plan), "无")
                )
        return "、".join(used)
