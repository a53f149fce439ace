"""python manage.py bench_similar [--cases 1000000] [--compounds 3000] [--days 730] [--repeat 20] [--keep]

Generates N cases (date-ordered: case n is received after case n-1) over
`--compounds` compounds in one INSERT ... SELECT over generate_series, then
times the similar-case look-up for one new case (cases.similarity
`case_similar_list`: the candidates by the (compound, received_at) and
(address, received_at) indexes, then the text score in Python) against the
fastest hand-written query for the candidates alone (the same two index range
scans in one SQL statement, no scoring), on the newest day. Median of `--repeat` look-ups, each for another compound,
after one untimed run of the candidate query (both ways meet a warm cache).

PostgreSQL only (generate_series). Runs only on a database without any street
but its own, like the other benchmarks, and removes what it created unless
--keep."""

import datetime as dt
import statistics
import time
from typing import cast

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from cases.models import Case
from cases.similarity import MAX_CANDIDATES, case_similar_list, similar_days
from communities.models import Person, Role, Street
from hotline.bench import column_default

BENCH_STREET = "相似案件基准街道"
PREFIX = "SIMB"
# What residents complain about (their phrasings are mixed in the generated texts).
PHRASES = (
    "楼道灯不亮，晚上走路看不见",
    "电梯坏了，老人上下楼很困难",
    "楼顶漏水，家里天花板渗水",
    "下水道堵塞，污水反到地面",
    "垃圾桶满了没人清运，气味很大",
    "楼下饭馆油烟太大，熏得没法开窗",
    "晚上广场舞音响声音太大，影响休息",
    "楼道里堆放杂物，堵住了消防通道",
    "暖气不热，家里只有十几度",
    "门口共享单车乱停放，堵住出入口",
    "有人在楼道给电动车充电，很危险",
    "楼上装修噪音太大，周末一早就开始砸墙",
    "停车位被外来车辆占用，业主没地方停车",
    "外墙皮脱落，掉下来砸到人怎么办",
    "单元门门禁坏了，陌生人随便进出",
    "自来水发黄，有铁锈味",
)
NEW_TEXT = "来电人反映：3号楼楼道里的灯坏了，夜里摸黑上楼，希望尽快修理。"


class Command(BaseCommand):
    help = "Benchmark of the similar-case look-up for one new case at N cases."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--compounds", type=int, default=3000)
        parser.add_argument("--days", type=int, default=730, help="the cases are spread over this many days")
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--keep", action="store_true", help="keep the generated cases")

    def handle(self, *args, cases: int, compounds: int, days: int, repeat: int, keep: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_similar generates its cases with generate_series: run it on PostgreSQL.")
        others = Street.objects.exclude(name=BENCH_STREET)
        if others.exists():
            raise CommandError(
                f"This database holds the street “{others.first()}”: the benchmark runs only on a database of its own."
            )
        street, _ = Street.objects.get_or_create(name=BENCH_STREET)
        clerk = self._clerk(street)
        now = timezone.now()
        try:
            existing = Case.objects.filter(ticket_no__startswith=PREFIX).count()
            if existing != cases:
                self._delete()
                started = time.perf_counter()
                self._insert(cases=cases, compounds=compounds, days=days, now=now)
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE cases_case")
                self.stdout.write(f"Generated {cases:,} cases in {time.perf_counter() - started:.1f} s")
            self._bench(clerk=clerk, compounds=compounds, repeat=repeat, now=now, cases=cases, days=days)
        finally:
            if not keep:
                self._delete()
                Person.objects.filter(street=street).delete()
                get_user_model().objects.filter(username=f"bench_similar_{street.pk}").delete()
                street.delete()

    @staticmethod
    def _clerk(street: Street):
        user, _ = get_user_model().objects.get_or_create(username=f"bench_similar_{street.pk}")
        Person.objects.get_or_create(
            user=user, defaults={"street": street, "full_name": "基准办件员", "role": Role.CLERK}
        )
        return user

    @staticmethod
    def _delete() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_case WHERE ticket_no LIKE %s", [PREFIX + "%"])

    @staticmethod
    def _insert(*, cases: int, compounds: int, days: int, now: dt.datetime) -> None:
        phrases = "ARRAY[" + ", ".join(f"'{p}'" for p in PHRASES) + "]"
        given = {
            "ticket_no": f"'{PREFIX}' || lpad(g.n::text, 9, '0')",
            # Date-ordered: case n is received after case n-1, the newest now.
            "received_at": "%s::timestamptz - ((%s - g.n)::float8 / %s * %s) * interval '1 day'",
            "compound": "'基准小区' || (g.n::bigint * 7919 %% %s)::text",
            "address": "'基准路' || (g.n::bigint * 7919 %% %s)::text || '号'",
            "title": f"({phrases})[1 + g.n %% {len(PHRASES)}]",
            "content": f"(g.n %% 30)::text || '号楼' || ({phrases})[1 + (g.n / 7) %% {len(PHRASES)}]",
            "status": "'closed'",
            "created_at": "%s::timestamptz",
            "updated_at": "%s::timestamptz",
        }
        order = ["received_at", "compound", "address", "created_at", "updated_at"]
        given_params: dict[str, list] = {
            "received_at": [now, cases, cases, days],
            "compound": [compounds],
            "address": [compounds],
            "created_at": [now],
            "updated_at": [now],
        }
        columns: list[str] = []
        values: list[str] = []
        params: list = []
        for field in Case._meta.concrete_fields:
            if field.primary_key or field.generated:
                continue
            columns.append(connection.ops.quote_name(cast(str, field.column)))
            if field.column in given:
                values.append(given[field.column])
                params.extend(given_params.get(field.column, []))
            else:
                values.append("%s")
                params.append(column_default(field))
        assert all(name in given for name in order)
        sql = (
            f"INSERT INTO cases_case ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM generate_series(1, %s) AS g(n)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, cases])

    def _bench(self, *, clerk, compounds: int, repeat: int, now: dt.datetime, cases: int, days: int) -> None:
        span = dt.timedelta(days=similar_days())
        look_ups, hand, found, candidates = [], [], [], []
        hand_sql = (
            "SELECT id, title, content FROM cases_case WHERE (compound = %s OR address = %s) "
            "AND received_at >= %s AND received_at <= %s ORDER BY received_at DESC, id DESC LIMIT %s"
        )
        for i in range(repeat):
            number = (i * 37) % compounds
            compound, address = f"基准小区{number}", f"基准路{number}号"
            with connection.cursor() as cursor:
                # Once untimed: both ways then read the compound's rows from a warm cache.
                cursor.execute(hand_sql, [compound, address, now - span, now + span, MAX_CANDIDATES])
                cursor.fetchall()
                started = time.perf_counter()
                cursor.execute(hand_sql, [compound, address, now - span, now + span, MAX_CANDIDATES])
                rows = cursor.fetchall()
            hand.append(time.perf_counter() - started)
            candidates.append(len(rows))
            started = time.perf_counter()
            result = case_similar_list(text=NEW_TEXT, compound=compound, address=address, received_at=now, user=clerk)
            look_ups.append(time.perf_counter() - started)
            found.append(len(result))
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN SELECT id FROM cases_case WHERE (compound = %s OR address = %s) AND received_at >= %s "
                "AND received_at <= %s",
                ["基准小区1", "基准路1号", now - span, now + span],
            )
            plan = " / ".join(row[0].strip() for row in cursor.fetchall()[:4])
        median_look_up, median_hand = statistics.median(look_ups) * 1000, statistics.median(hand) * 1000
        self.stdout.write(
            f"N = {cases:,} cases over {days} days, {compounds:,} compounds, window ±{similar_days()} days, "
            f"database: {connection.vendor}\n"
            f"  candidates per look-up (median)      {statistics.median(candidates):8.0f}\n"
            f"  likely duplicates found (median)     {statistics.median(found):8.0f}\n"
            f"  hand-written candidate query          {median_hand:8.1f} ms  (median of {repeat})\n"
            f"  case_similar_list (query + scoring)   {median_look_up:8.1f} ms  (median of {repeat}), "
            f"{median_look_up / median_hand if median_hand else 0:.1f}x the hand-written query\n"
            f"  plan: {plan}"
        )
