"""Benchmark of the 催办 sweep at city scale, on PostgreSQL.

Generates N cases (most of them long closed, `--open` of them open with
deadlines around now) with one INSERT ... SELECT over generate_series, then:

1. times the sweep's search for what is due (`supervision.ladder.ladder_due`,
   one UNION ALL of a part per level) against ONE hand-written SQL query that
   finds the same (case, level, deadline) rows, and checks that both agree;
2. marks all but `--take` of the due levels as taken (in SQL), and runs the
   real sweep, which takes the remaining ones (a timeline event and the
   notifications each): time, queries, peak memory;
3. runs the sweep again with nothing left to take — the sweep every five
   minutes in the steady state — against the hand-written query in the same state.

It runs only on a database of its own: one that holds no street but its bench street.

    DATABASE_URL=postgres://.../h_bench python manage.py bench_sweep --cases 1000000 --open 50000
"""

import datetime as dt
import statistics
import time
import tracemalloc

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, CaseEvent
from communities.models import Community, Department, Pairing, Person, Role, Street
from hotline.bench import column_default
from supervision.ladder import LEVELS, ladder_due, ladder_rules_in_force, ladder_sweep, overdue_threshold
from supervision.models import LadderStep, NoticeSequence, Notification

STREET = "催办基准街道"
PREFIX = "SWEEP"


def hand_written(now: dt.datetime, rules) -> tuple[str, list]:
    """One query: every (case, level, deadline) due and not yet taken, written by hand."""
    values, params = [], []
    for urgency, rule in rules.items():
        values.append("(%s, %s, %s, %s::timestamptz, %s::timestamptz)")
        params += [
            urgency,
            rule.first_reminder_percent,
            rule.second_reminder_percent,
            overdue_threshold(now=now, working_days=rule.notice_after_working_days),
            overdue_threshold(now=now, working_days=rule.report_after_working_days),
        ]
    parts = []
    for spec in LEVELS:
        column = spec.field
        statuses = ", ".join(f"'{status}'" for status in sorted(spec.statuses))
        if spec.percent:
            p = "r.p1" if spec.percent == "first_reminder_percent" else "r.p2"
            due = (
                f"c.{column} > %(now)s AND c.dispatched_at IS NOT NULL AND "
                f"{p} * extract(epoch FROM c.{column}) + (100 - {p}) * extract(epoch FROM c.dispatched_at)"
                f" <= 100 * extract(epoch FROM %(now)s::timestamptz)"
            )
        elif spec.overdue_days:
            threshold = "r.notice" if spec.overdue_days == "notice_after_working_days" else "r.report"
            due = f"c.{column} < {threshold}"
        else:
            due = f"c.{column} <= %(now)s"
        parts.append(
            f"SELECT c.id, '{spec.level.value}' AS level, c.{column} AS deadline FROM cases_case c"
            f" JOIN r ON r.urgency = c.urgency WHERE c.status IN ({statuses}) AND {due}"
            f" AND NOT EXISTS (SELECT 1 FROM supervision_ladderstep s WHERE s.case_id = c.id"
            f" AND s.level = '{spec.level.value}' AND s.deadline = c.{column})"
        )
    sql = "WITH r(urgency, p1, p2, notice, report) AS (VALUES " + ", ".join(values) + ")\n"
    sql += "\nUNION ALL\n".join(parts)
    # Positional parameters for the VALUES list, named ones are not mixed: inline `now` as a parameter too.
    sql = sql.replace("%(now)s", "%s")
    count_now = sql.count("%s") - len(params)
    return sql, params + [now] * count_now


class Command(BaseCommand):
    help = "催办扫描基准：生成城市规模数据（PostgreSQL），对比手写SQL的耗时、查询数与内存。"

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--open", dest="open_cases", type=int, default=50_000, help="其中未办结的案件数")
        parser.add_argument("--take", type=int, default=500, help="第二步中真正执行的催办级别数")
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--reuse", action="store_true", help="数据规模相同时不重新生成")

    def handle(self, *args, cases, open_cases, take, repeat, reuse, **options):
        others = Street.objects.exclude(name=STREET).values_list("name", flat=True)
        if others.exists():
            raise CommandError(
                f"数据库中已有其他街道（{others.first()}）：催办扫描会给案件发送催办，只能在专用数据库中运行。"
            )
        if connection.vendor != "postgresql":
            raise CommandError("基准测试需要 PostgreSQL（设置 DATABASE_URL）。")
        if cases < 1 or not 0 < open_cases <= cases or take < 0 or repeat < 1:
            raise CommandError("参数超出范围。")
        now = timezone.now()
        existing = Case.objects.filter(ticket_no__startswith=PREFIX).count()
        if reuse and existing == cases:
            self.stdout.write(f"沿用已有的 {existing} 件基准案件。")
        else:
            self._generate(cases=cases, open_cases=open_cases, now=now)
        self._forget_steps()
        self.stdout.write(f"数据：{Case.objects.count()} 件案件，其中未办结 {open_cases} 件。")
        rules = ladder_rules_in_force(on=timezone.localtime(now).date())

        # 1. Finding what is due: the sweep's queries against one hand-written query.
        sql, params = hand_written(now, rules)
        ours, theirs = self._time_find(now, rules, sql, params, repeat)
        self.stdout.write(self._ratio("查找到期级别", ours, theirs))
        found = self._found(now, rules)
        expected = self._sql_rows(sql, params)
        if found != expected:
            raise CommandError(f"扫描查到 {len(found)} 项，手写SQL查到 {len(expected)} 项：结果不一致。")
        self.stdout.write(f"扫描查询与手写SQL结果一致：{len(found)} 项到期级别。")

        # 2. The real sweep taking `take` levels (the rest marked as taken in SQL, as earlier sweeps would have).
        kept = min(take, len(found))
        self._mark_taken(sql, params, take, now)
        with CaptureQueriesContext(connection) as queries:
            tracemalloc.start()
            started = time.perf_counter()
            taken = ladder_sweep(now=now)
            elapsed = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        total = sum(taken.values())
        if total != kept:
            raise CommandError(f"扫描执行了 {total} 项，应为 {kept} 项。")
        self.stdout.write(
            f"扫描并执行 {total} 项催办：{elapsed * 1000:.0f} 毫秒，{len(queries)} 次查询"
            f"（每项 {len(queries) / max(total, 1):.1f} 次），峰值内存 {peak / 1024 / 1024:.1f} MB。"
        )

        # 3. The steady state: nothing left to take.
        ours, theirs = self._time_find(now, rules, sql, params, repeat, full_sweep=True)
        with CaptureQueriesContext(connection) as queries:
            tracemalloc.start()
            again = ladder_sweep(now=now)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        if sum(again.values()):
            raise CommandError("再次扫描不应执行任何催办。")
        self.stdout.write(self._ratio("再次扫描（无新到期）", ours, theirs))
        self.stdout.write(f"再次扫描：{len(queries)} 次查询，峰值内存 {peak / 1024 / 1024:.2f} MB，未重复发送。")
        self._forget_steps()

    # ---------------------------------------------------------------- timing

    def _time_find(self, now, rules, sql, params, repeat, full_sweep=False):
        ours, theirs = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            if full_sweep:
                ladder_sweep(now=now)
            else:
                self._found(now, rules)
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            self._sql_rows(sql, params)
            theirs.append(time.perf_counter() - started)
        return statistics.median(ours), statistics.median(theirs)

    @staticmethod
    def _ratio(label: str, ours: float, theirs: float) -> str:
        return (
            f"{label}：扫描 {ours * 1000:.0f} 毫秒，手写SQL {theirs * 1000:.0f} 毫秒，"
            f"比值 {ours / theirs:.2f}×（目标 ≤ 2×）。"
        )

    @staticmethod
    def _found(now, rules) -> set[tuple]:
        return set(ladder_due(now=now, rules=rules))

    @staticmethod
    def _sql_rows(sql, params) -> set[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return set(cursor.fetchall())

    # ---------------------------------------------------------------- data

    @staticmethod
    def _mark_taken(sql, params, take, now) -> None:
        """All due levels but the first `take` recorded as taken, in one statement."""
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO supervision_ladderstep (case_id, level, deadline, reached_at) "
                f"SELECT d.id, d.level, d.deadline, %s FROM ({sql}) d "
                'ORDER BY d.id, d.level COLLATE "C", d.deadline OFFSET %s',
                [now, *params, take],
            )

    @staticmethod
    def _forget_steps() -> None:
        """The ladder's rows of the bench cases, in SQL (a million-row delete() would load them)."""
        bench = Case.objects.filter(ticket_no__startswith=PREFIX).values("pk")
        Notification.objects.filter(case__in=bench)._raw_delete(connection.alias)
        LadderStep.objects.filter(case__in=bench)._raw_delete(connection.alias)
        CaseEvent.objects.filter(case__in=bench, action__in=[spec.action for spec in LEVELS])._raw_delete(
            connection.alias
        )
        NoticeSequence.objects.all().delete()

    def _generate(self, *, cases: int, open_cases: int, now: dt.datetime) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            bench = Case.objects.filter(ticket_no__startswith=PREFIX).values("pk")
            for relation in Case._meta.get_fields(include_hidden=True):
                if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one):
                    model, field = relation.related_model, getattr(relation, "field", None)
                    assert model is not None and field is not None
                    related = model._base_manager.filter(**{f"{field.name}__in": bench})
                    related._raw_delete(connection.alias)
            for m2m in Case._meta.many_to_many:
                through = m2m.remote_field.through
                assert through is not None
                through._base_manager.filter(**{f"{m2m.m2m_field_name()}__in": bench})._raw_delete(connection.alias)
            Case.objects.filter(ticket_no__startswith=PREFIX)._raw_delete(connection.alias)
            street, _ = Street.objects.get_or_create(name=STREET)
            if not Pairing.objects.filter(community__street=street).exists():
                self._organisation(street)
            self._insert(cases=cases, open_cases=open_cases, now=now, street=street)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cases_case" if connection.in_atomic_block else "VACUUM ANALYZE cases_case")
        self.stdout.write(f"生成 {cases} 件案件用时 {time.perf_counter() - started:.1f} 秒。")

    @staticmethod
    def _organisation(street: Street) -> None:
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        communities = Community.objects.bulk_create(
            Community(street=street, name=f"催办基准社区{i:03d}") for i in range(40)
        )
        departments = Department.objects.bulk_create(
            Department(street=street, name=f"催办基准科室{i:02d}") for i in range(10)
        )
        for i, community in enumerate(communities):
            officer = user_model.objects.create(username=f"sweep-officer-{i}")
            Person.objects.create(
                user=officer, street=street, full_name=f"办件员{i}", role=Role.OFFICER, community=community
            )
            secretary = user_model.objects.create(username=f"sweep-secretary-{i}")
            Person.objects.create(
                user=secretary, street=street, full_name=f"书记{i}", role=Role.SECRETARY, community=community
            )
        chiefs = []
        for i, department in enumerate(departments):
            chief = user_model.objects.create(username=f"sweep-chief-{i}")
            Person.objects.create(
                user=chief, street=street, full_name=f"科长{i}", role=Role.CHIEF, department=department
            )
            chiefs.append(chief)
        leader = user_model.objects.create(username="sweep-leader")
        Person.objects.create(user=leader, street=street, full_name="领导", role=Role.LEADER)
        Pairing.objects.bulk_create(
            Pairing(community=community, department=departments[i % 10], chief=chiefs[i % 10])
            for i, community in enumerate(communities)
        )

    @staticmethod
    def _insert(*, cases: int, open_cases: int, now: dt.datetime, street: Street) -> None:
        # Open cases: dispatched within the last 20 days, so every level of the ladder is due somewhere.
        # Closed cases: dispatched within the last two years and closed within their deadline.
        given = {
            "ticket_no": f"'{PREFIX}' || lpad(g.n::text, 9, '0')",
            "received_at": "g.dispatched - interval '10 minutes'",
            "title": "'催办基准案件'",
            "content": "'基准测试生成的案件'",
            "urgency": (
                "CASE WHEN g.ru < 0.02 THEN 'emergency' WHEN g.ru < 0.12 THEN 'utility' "
                "WHEN g.ru < 0.9 THEN 'general' ELSE 'complex' END"
            ),
            "status": (
                "CASE WHEN g.open AND g.rs < 0.3 THEN 'dispatched' WHEN g.open AND g.rs < 0.8 THEN 'responded' "
                "WHEN g.open THEN 'replied' ELSE 'called_back' END"
            ),
            "pairing_id": "p.id",
            "community_id": "p.community_id",
            "department_id": "p.department_id",
            "handler_id": "p.handler_id",
            "first_dispatched_at": "g.dispatched",
            "dispatched_at": "g.dispatched",
            "response_deadline": (
                "g.dispatched + CASE WHEN g.ru < 0.02 THEN interval '30 minutes' WHEN g.ru < 0.12 "
                "THEN interval '2 hours' ELSE interval '24 hours' END"
            ),
            "closure_deadline": (
                "g.dispatched + CASE WHEN g.ru < 0.02 THEN interval '2 hours' WHEN g.ru < 0.12 "
                "THEN interval '24 hours' WHEN g.ru < 0.9 THEN interval '9 days' ELSE interval '21 days' END"
            ),
            "responded_at": "CASE WHEN g.open AND g.rs < 0.3 THEN NULL ELSE g.dispatched + interval '2 hours' END",
            "closed_at": "CASE WHEN g.open THEN NULL ELSE g.dispatched + interval '3 days' END",
            "callback_at": "CASE WHEN g.open THEN NULL ELSE g.dispatched + interval '5 days' END",
            "created_at": "g.dispatched",
            "updated_at": "g.dispatched",
        }
        columns, values, params = [], [], []
        for field in Case._meta.concrete_fields:
            if field.primary_key or field.generated:
                continue
            columns.append(connection.ops.quote_name(str(field.column)))
            if field.column in given:
                values.append(given[field.column])
            else:
                values.append("%s")
                params.append(column_default(field))
        sql = f"""
            WITH p AS (
                SELECT row_number() OVER (ORDER BY pr.id) AS n, pr.id, pr.community_id, pr.department_id,
                       (SELECT pe.user_id FROM communities_person pe
                        WHERE pe.community_id = pr.community_id AND pe.role = 'officer' LIMIT 1) AS handler_id
                FROM communities_pairing pr JOIN communities_community cc ON cc.id = pr.community_id
                WHERE cc.street_id = %s
            ),
            g AS (
                SELECT s AS n, s <= %s AS open,
                       CASE WHEN s <= %s THEN %s::timestamptz - random() * interval '20 days'
                            ELSE %s::timestamptz - interval '21 days' - random() * interval '700 days'
                       END AS dispatched,
                       random() AS ru, random() AS rs, 1 + floor(random() * (SELECT count(*) FROM p))::int AS pn
                FROM generate_series(1, %s) AS s
            )
            INSERT INTO cases_case ({", ".join(columns)})
            SELECT {", ".join(values)} FROM g JOIN p ON p.n = g.pn
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [street.pk, open_cases, open_cases, now, now, cases, *params])
