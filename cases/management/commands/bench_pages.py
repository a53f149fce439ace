"""Every page people open all day, at district scale, against its fastest
same-answer SQL (issue 16's table), on PostgreSQL.

Generates (or, with --reuse, keeps) N date-ordered cases over about U units
in a street of its own — the generator of `bench_rankings`, with addresses,
compounds, phones, categories and deadlines — then times each request as the
product serves it (the Django test client as the street's leader, or the
selector) against the fastest same answer, interleaved, and prints the
medians, the ratios, the product's query count and its peak Python heap
(tracemalloc), and the process's peak RSS. The fastest same answer is given
twice: the hand-written SQL alone, and for a request that SQL served by the
same stack — the same middleware, session, login and role check, the rows as
JSON (API) or in a bare table on the base page (page), by the views of this
module (mounted under /bench/floor/ for the run only) — so the second ratio
is what the product's own code costs on top of the fastest way to serve it.

It refuses a database holding any other street (the demo's, a real one)
unless --allow-other-streets is given.

    DATABASE_URL=postgres://.../hotline_bench_pages python manage.py bench_pages --cases 1000000 --reuse
"""

import datetime as dt
import itertools
import resource
from typing import Any

from django.core.management.base import CommandError
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, reset_queries
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import hotspots
from cases.models import Case
from cases.selectors import street_overview
from cases.transitions import OPEN
from communities.models import Community, Department, Person, Role, Street
from hotline.web import staff_required
from rankings import scoring, services, windows
from rankings.management.commands.bench_rankings import Command as RankingsBench
from rankings.scoring import Rule

STREET = "页面基准测试街道"
PREFIX = "PAGE"
COMPOUNDS = ["幸福", "和平", "阳光", "建国", "朝阳", "望京", "花家地", "南湖", "北湖渠", "东湖", "利泽", "大西洋"]
CATEGORIES = [
    "城乡建设->物业管理->电梯故障",
    "城乡建设->物业管理->楼道照明",
    "城乡建设->供水->停水",
    "城市管理->市容环境->垃圾清运不及时",
    "环境保护->噪声污染->施工噪声",
    "交通管理->停车管理->占用消防通道停车",
    "市场管理->价格收费->停车收费",
    "城乡建设->供暖->暖气不热",
]


def _sql_array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def _pick(values: list[str], random_column: str) -> str:
    return f"({_sql_array(values)})[1 + floor(g.{random_column} * {len(values)})::int]"


def _fetch(sql: str, params: Any = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The same-answer SQL of each row, by key, for the floor views below (set by the run).
FLOOR_SQL: dict[str, Any] = {}
FLOOR_PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<table>{% for row in rows %}<tr>{% for cell in row %}'
    "<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}</table><p>{{ total }}</p>{% endblock %}"
)


FLOOR_ROWS = 100


def _rows_of(result: Any) -> list:
    """The rows of a same-answer SQL result (one statement's rows, or several statements')."""
    if isinstance(result, tuple):
        return [row for part in result for row in _rows_of(part)]
    return list(result)


def _served(result: Any) -> dict[str, Any]:
    """What a floor view serves: the number of rows and the first FLOOR_ROWS (a list's page, a
    report's tables), not the tens of thousands of groups some figures are summed from."""
    rows = _rows_of(result)
    return {"total": len(rows), "rows": [list(row) for row in rows[:FLOOR_ROWS]]}


class FloorAPI(APIView):
    """The row's hand-written SQL served as the API serves: DRF's authentication,
    permission and JSON rendering, the rows as lists."""

    def get(self, request, *args, **kwargs):
        return Response(_served(FLOOR_SQL[request.GET["row"]]()))


@staff_required
def floor_page(request: HttpRequest):
    """The row's hand-written SQL on the base page (bar, notifications) as a bare table."""
    return HttpResponse(FLOOR_PAGE.render(_served(FLOOR_SQL[request.GET["row"]]()), request))


urlpatterns = [
    path("bench/floor/api/", FloorAPI.as_view()),
    path("bench/floor/page/", floor_page),
    path("", include("hotline.urls")),
]


class Command(RankingsBench):
    help = "页面基准：百万级案件下各页面与最快的同结果SQL对比（PostgreSQL）。"
    street_name = STREET
    prefix = PREFIX

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--units", type=int, default=400, help="社区与科室合计（约3:1）")
        parser.add_argument("--days", type=int, default=1460, help="案件分布的天数（截至今天）")
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--reuse", action="store_true", help="已有同样数量的基准案件时不重新生成")
        parser.add_argument("--allow-other-streets", action="store_true", help="允许在含其他街道的数据库中运行")

    def more_columns(self) -> dict[str, str]:
        compound = f"{_pick(COMPOUNDS, 'r6')} || (1 + floor(g.r7 * 40))::int::text || '区'"
        return {
            "title": f"{_pick([c.rsplit('->', 1)[-1] for c in CATEGORIES], 'r8')} || '问题'",
            "category": _pick(CATEGORIES, "r8"),
            "category_l1": f"split_part({_pick(CATEGORIES, 'r8')}, '->', 1)",
            "compound": compound,
            "address": (
                f"{compound} || (1 + floor(g.r9 * 30))::int::text || '号楼' || (1 + floor(g.r1 * 6))::int::text"
                " || '单元' || (101 + floor(g.r2 * 20))::int::text || '室'"
            ),
            "content": f"{compound} || '居民反映' || {_pick([c.rsplit('->', 1)[-1] for c in CATEGORIES], 'r8')}",
            # 200,000 callers: some call again.
            "caller_phone": "'13' || lpad(floor(g.r3 * 200000)::int::text, 9, '0')",
            "caller_name": "'基准来电人'",
            "urgency": "CASE WHEN g.r4 < 0.01 THEN 'emergency' ELSE 'normal' END",
            "response_deadline": "g.latest + interval '2 hours'",
            "closure_deadline": "g.latest + interval '15 days'",
        }

    def handle(self, *args, cases, units, days, repeat, reuse, allow_other_streets, **options):
        self.hand_board = 0
        others = Street.objects.exclude(name=STREET).order_by("name").values_list("name", flat=True)
        if others.exists() and not allow_other_streets:
            raise CommandError(
                f"数据库中已有其他街道（{'、'.join(others[:3])}）：页面基准只在专用数据库中运行"
                "（例如 hotline_bench_pages），或加 --allow-other-streets。"
            )
        if connection.vendor != "postgresql":
            raise CommandError("基准测试需要 PostgreSQL（设置 DATABASE_URL）。")
        if cases < 1 or units < 2 or days < 120 or repeat < 1:
            raise CommandError("参数超出范围。")
        on = windows.today()
        existing = Case.objects.filter(ticket_no__startswith=PREFIX).count()
        if reuse and existing == cases:
            self.stdout.write(f"沿用已有的 {existing} 件基准案件。")
        else:
            self._generate(cases=cases, units=units, days=days, on=on)
        street = Street.objects.get(name=STREET)
        leader = self._leader(street)
        # As under Django's tests: a request does not close the connection (the timings and the
        # query counts stay on the one connection; a fresh connection per request is not what is measured).
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        client = Client()
        client.force_login(leader)
        self.stdout.write(
            f"数据：{Case.objects.count()} 件案件，{Community.objects.filter(street=street).count()} 个社区，"
            f"{Department.objects.filter(street=street).count()} 个科室。\n"
        )
        self.stdout.write(
            f"{'请求':<22}{'产品':>9}{'SQL':>9}{'比值':>8}{'同栈最快':>9}{'比值':>8}{'查询数':>6}{'峰值堆':>10}"
        )
        with override_settings(ROOT_URLCONF=__name__):
            for name, product, fastest, kind in self._rows(client=client, leader=leader, on=on):
                key = str(len(FLOOR_SQL))
                FLOOR_SQL[key] = fastest
                functions = {"product": product, "fastest": fastest}
                if kind is not None:
                    functions["served"] = self._get(client, f"/bench/floor/{kind}/", row=key)
                timed = self._interleaved(functions, repeat)
                reset_queries()  # the log keeps at most 9,000 queries
                with CaptureQueriesContext(connection) as captured:
                    product()
                queries = len(captured)  # now: the next request empties the log the capture reads
                peak = self._peak(product)
                mine, best = timed["product"][0], timed["fastest"][0]
                served = (
                    f"{timed['served'][0] * 1000:>7.1f}ms{mine / timed['served'][0]:>7.2f}×" if kind else f"{'—':>17}"
                )
                self.stdout.write(
                    f"{name:<22}{mine * 1000:>7.1f}ms{best * 1000:>7.1f}ms{mine / best:>7.2f}×{served}"
                    f"{queries:>6}{peak / 1024:>8.0f}KiB"
                )
        self._other_pages(street=street, leader=leader, repeat=repeat)
        self.stdout.write(f"\n进程最大RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")

    @staticmethod
    def _leader(street: Street, role: Role = Role.LEADER):
        person = Person.objects.filter(street=street, role=role).select_related("user").first()
        if person is not None:
            return person.user
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user(username=f"bench_pages_{role}")
        Person.objects.create(user=user, street=street, role=role, full_name=f"基准{role.label}")
        return user

    def _other_pages(self, *, street: Street, leader, repeat: int) -> None:
        """The other pages of the day's work, as their role opens them: no one statement gives
        their answer, so the median time and the queries only (each should stay far under 0.5 s
        with a number of queries that does not grow with the data)."""
        case = list(
            Case.objects.filter(ticket_no__startswith=PREFIX).order_by("-id").values_list("pk", flat=True)[:501]
        )[-1]
        pages = {
            leader: [
                f"/cases/{case}/",
                "/supervision/",
                "/rankings/",
                "/rankings/meeting/",
                "/governance/",
                "/projects/",
                "/meetings/",
                "/councils/",
                "/notifications/",
                f"/api/cases/{case}/",
                "/api/governance/figures/",
            ],
            self._leader(street, Role.CLERK): ["/cases/queue/", "/slips/", "/cases/new/"],
        }
        self.stdout.write(f"\n{'其他页面（无单条同结果SQL）':<34}{'产品':>9}{'查询数':>6}")
        for user, urls in pages.items():
            client = Client()
            client.force_login(user)
            for url in urls:
                call = self._get(client, url)
                timed = self._interleaved({"page": call}, repeat)
                with CaptureQueriesContext(connection) as captured:
                    call()
                self.stdout.write(
                    f"{user.person.get_role_display()} {url:<30}{timed['page'][0] * 1000:>7.1f}ms{len(captured):>6}"
                )

    @staticmethod
    def _check_hotspots(figures: hotspots.Hotspots, sql: tuple) -> None:
        """The hand-written hotspot SQL gives the product's figures: else its time is not the same answer's."""
        pairs, compounds, clusters, repeats, _ = sql
        expected = {
            "合计": (sum(row[2] for row in pairs), sum(row[3] for row in pairs)),
            "小区": [tuple(row) for row in compounds],
            "地址": [tuple(row) for row in clusters],
            "重复来电诉求": (
                sum(row[2] for row in repeats if row[2] >= 2),
                sum(row[3] for row in repeats if row[3] >= 2),
            ),
        }
        got = {
            "合计": (figures.total.count, figures.total.previous),
            "小区": [(row.label, row.count, row.previous) for row in figures.compounds],
            "地址": [(row.label, row.count, row.previous) for row in figures.addresses],
            "重复来电诉求": (figures.repeat_cases.count, figures.repeat_cases.previous),
        }
        for name in expected:
            if expected[name] != got[name]:
                raise CommandError(f"热点“{name}”与手写SQL不一致：{got[name]} ≠ {expected[name]}")

    @staticmethod
    def _get(client: Client, url: str, **params):
        def call():
            response = client.get(url, params, HTTP_HOST="localhost")
            if response.status_code != 200:
                raise CommandError(f"{url} {params}: HTTP {response.status_code}")
            return response

        return call

    def _rows(self, *, client: Client, leader, on: dt.date):
        def get(url: str, **params):
            return self._get(client, url, **params)

        now = timezone.now()
        newest = Case.objects.filter(ticket_no__startswith=PREFIX).order_by("-id").values_list("ticket_no", "address")
        ticket, address = newest[1000]
        term = address.split("号楼")[0] + "号楼"
        columns = "id, ticket_no, title, status, received_at, closure_deadline"
        page = "ORDER BY received_at DESC, id DESC LIMIT 50"
        open_statuses = tuple(sorted(OPEN))
        week_from = on - dt.timedelta(days=7)
        days90 = hotspots.hotspot_filters(date_from=on - dt.timedelta(days=89), date_to=on)
        local = timezone.localtime(now)
        today = local.replace(hour=0, minute=0, second=0, microsecond=0)
        week = today - dt.timedelta(days=today.weekday())
        like = f"%{term}%"

        def text_search():
            # The four columns the keyword search reads, as Django's icontains compares them (trigram-indexed).
            where = " OR ".join(
                f"UPPER({c}::text) LIKE UPPER(%s)" for c in ("ticket_no", "title", "content", "address")
            )
            return _fetch(f"SELECT count(*) FROM cases_case WHERE {where}", [like] * 4), _fetch(
                f"SELECT {columns} FROM cases_case WHERE {where} {page}", [like] * 4
            )

        def listed(where: str, params: list):
            return lambda: (
                _fetch(f"SELECT count(*) FROM cases_case WHERE {where}", params),
                _fetch(f"SELECT {columns} FROM cases_case WHERE {where} {page}", params),
            )

        def hotspot_sql():
            # The hotspot figures' same answer in hand-written SQL: the (category, community) counts the
            # total, the category levels and the communities are summed from, the top compounds and
            # address clusters, the (caller, category) pairs that repeat in either window, the names.
            window = [days90.start, days90.start, days90.previous_start, days90.end]
            counted = (
                "count(*) FILTER (WHERE received_at >= %s), count(*) FILTER (WHERE received_at < %s)"
                " FROM cases_case WHERE received_at >= %s AND received_at < %s"
            )

            def top(column: str):
                return _fetch(
                    f"SELECT {column}, {counted} AND {column} <> '' GROUP BY {column}"
                    f" HAVING count(*) FILTER (WHERE received_at >= %s) > 0 ORDER BY 2 DESC, 1 LIMIT %s",
                    [*window, days90.start, hotspots.HOTSPOT_TOP],
                )

            return (
                _fetch(f"SELECT category, community_id, {counted} GROUP BY category, community_id", window),
                top("compound"),
                top("address_cluster"),
                _fetch(
                    f"SELECT caller_key, category, {counted} AND caller_key IS NOT NULL AND category <> ''"
                    " GROUP BY caller_key, category HAVING count(*) FILTER (WHERE received_at >= %s) >= 2"
                    " OR count(*) FILTER (WHERE received_at < %s) >= 2",
                    [*window, days90.start, days90.start],
                ),
                _fetch("SELECT id, name, population FROM communities_community WHERE street_id = %s", [street_id]),
            )

        def overview_sql():
            return _fetch(
                "SELECT community_id, department_id, count(*) FILTER (WHERE status IN %s),"
                " count(*) FILTER (WHERE status IN %s AND closure_deadline < %s),"
                " count(*) FILTER (WHERE first_dispatched_at >= %s), count(*) FILTER (WHERE closed_at >= %s)"
                " FROM cases_case WHERE status IN %s OR received_at >= %s OR first_dispatched_at >= %s"
                " OR closed_at >= %s OR callback_at >= %s GROUP BY community_id, department_id",
                [
                    open_statuses,
                    open_statuses,
                    now,
                    week,
                    week,
                    (*open_statuses, "registered"),
                    today,
                    week,
                    week,
                    week,
                ],
            )

        def overdue_sql():
            return (
                _fetch(
                    "SELECT count(*) FROM cases_case WHERE status IN %s AND closure_deadline < %s", [open_statuses, now]
                ),
                _fetch("SELECT count(*) FROM cases_case WHERE status = 'dispatched' AND response_deadline < %s", [now]),
                _fetch(
                    f"SELECT {columns} FROM cases_case WHERE status IN %s AND closure_deadline < %s"
                    " ORDER BY closure_deadline, id LIMIT 50",
                    [open_statuses, now],
                ),
            )

        def deadline_sql():
            bounds = [now, today + dt.timedelta(days=1), now + dt.timedelta(days=3)]
            return overdue_sql(), [
                _fetch(
                    "SELECT count(*) FROM cases_case WHERE status IN %s AND closure_deadline >= %s"
                    " AND closure_deadline < %s",
                    [open_statuses, low, high],
                )
                for low, high in itertools.pairwise(bounds)
            ]

        street_id = Person.objects.get(user=leader).street_id
        window = windows.period_of(on - dt.timedelta(days=35), start_day=scoring.period_start_day())
        rule = Rule.of(services.rule_for_window(window=window))
        self._check_hotspots(hotspots.case_hotspots(user=leader, filters=days90), hotspot_sql())
        hotspot_params = {
            "received_after": days90.date_from.isoformat(),
            "received_before": days90.date_to.isoformat(),
        }
        week_params = {"received_after": week_from.isoformat(), "received_before": on.isoformat()}
        week_range = [windows.local_midnight(week_from), windows.local_midnight(on + dt.timedelta(days=1))]
        # (name, the product, its same answer in SQL, how the floor serves that SQL: "api", "page" or not at all)
        return [
            ("按工单号搜索（API）", get("/api/cases/", search=ticket), listed("ticket_no = %s", [ticket]), "api"),
            ("按工单号搜索（页面）", get("/cases/search/", q=ticket), listed("ticket_no = %s", [ticket]), "page"),
            ("按地址文字搜索（API）", get("/api/cases/", search=term), text_search, "api"),
            (
                "列表 status=responded",
                get("/api/cases/", status="responded"),
                listed("status = %s", ["responded"]),
                "api",
            ),
            ("热点 90 天（API）", get("/api/hotspots/", **hotspot_params), hotspot_sql, "api"),
            ("热点 90 天（页面）", get("/cases/hotspots/", **hotspot_params), hotspot_sql, "page"),
            ("街道总览（selector）", lambda: street_overview(user=leader), overview_sql, None),
            ("街道总览（页面）", get("/cases/overview/"), overview_sql, "page"),
            ("超期列表（页面）", get("/cases/overdue/"), overdue_sql, "page"),
            ("时限看板（页面）", get("/cases/deadlines/"), deadline_sql, "page"),
            (
                "API 列表 7 天",
                get("/api/cases/", **week_params),
                listed("received_at >= %s AND received_at < %s", week_range),
                "api",
            ),
            (
                "周期榜单计算（scoring）",
                lambda: scoring.window_figures(window=window, rule=rule),
                lambda: self._hand_written(window, rule),
                None,
            ),
        ]
