"""热点分析: every figure of `case_hotspots` against a plain-Python count of
the same generated cases; 万人诉求比; scoping; each figure's link to the case
search listing exactly its cases; a fixed number of queries; bad input."""

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal, localcontext
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import hotspots as report
from cases.exports import case_export_queryset
from cases.models import Case, Channel, Tag, Urgency
from cases.tests.factories import CaseFactory
from communities.selectors import person_for_user
from hotline.errors import InvalidInput

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DATE_FROM = dt.date(2026, 3, 2)
DATE_TO = dt.date(2026, 3, 15)  # 14 days; the previous window is 2026-02-16 .. 2026-03-01
CATEGORIES = [
    "城乡建设->物业管理->电梯故障",
    "城乡建设->物业管理->楼道照明",
    "城乡建设->物业管理",  # a path that is the prefix of two others
    "城乡建设",
    "城乡建设->供水->停水",
    "城乡建设->供水",
    "城市管理->市容环境->垃圾清运不及时",
    "环境保护->噪声污染->施工噪声",
    "市场管理->价格_收费->停车收费",  # LIKE wildcards must be taken literally
    "市场管理->价格%收费->停车收费",
    "交通管理->停车管理->占用消防通道停车->夜间",  # deeper than three levels
    "",
]
COMPOUNDS = ["幸福小区", "和平里", "阳光花园", "和平里二区", ""]
ADDRESSES = [
    "幸福小区3号楼2单元502室",
    "幸福小区3号楼附近",
    "幸福小区13号楼1单元101室",
    "和平里5号楼",
    "和平里5号楼3单元",
    "幸福路与和平路交叉口",
    " 幸福路与和平路交叉口 ",
    "幸福路与和平路交叉口东侧",
    "",
]
PHONES = [
    "13812341234",
    "138****1234",  # the same caller as an order that arrived masked
    " 13812341234 ",
    "13900001111",
    "13900002222",
    "13700003333",
    "15012345678",
    "12345",  # too short to tell callers apart
    "",
]
TAG_NAMES = ["每月一题", "老有所养", "住有所居", "安全性"]


def local(day: dt.date, hour: int = 12, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


# ---------------------------------------------------------------- data and the independent count


def make_cases(org, *, count: int, seed: int, start: dt.date, end: dt.date) -> list[Case]:
    rng = random.Random(seed)
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=TAG_NAMES)}
    units = [
        {"community": org.a, "pairing": org.pairing_a, "department": org.d1},
        {"community": org.b, "pairing": org.pairing_b, "department": org.d2},
        {"community": None, "pairing": None, "department": None},  # not dispatched yet
    ]
    span = (end - start).days
    made = []
    for _ in range(count):
        day = start + dt.timedelta(days=rng.randint(0, span))
        case = CaseFactory.create(
            **rng.choices(units, weights=[5, 4, 1])[0],
            received_at=local(day, rng.randint(0, 23), rng.randint(0, 59)),
            category=rng.choice(CATEGORIES),
            compound=rng.choice(COMPOUNDS),
            address=rng.choice(ADDRESSES),
            caller_phone=rng.choice(PHONES),
            urgency=rng.choice(Urgency.values),
            channel=rng.choice([Channel.HOTLINE, Channel.HOTLINE, Channel.WEB_FORM, Channel.WECHAT]),
        )
        case.tags.set(rng.sample(list(tags.values()), rng.randint(0, 2)))
        made.append(case)
    return made


@pytest.fixture
def generated(org):
    org.a.population = 12345
    org.a.save(update_fields=["population"])
    org.b.population = 0  # not known: no 万人诉求比
    org.b.save(update_fields=["population"])
    made = make_cases(
        org,
        count=240,
        seed=20260315,
        start=DATE_FROM - dt.timedelta(days=17),
        end=DATE_TO + dt.timedelta(days=3),
    )
    # The edges of both windows in Asia/Shanghai days.
    edges = [
        local(DATE_FROM, 0, 0, 0),  # first instant of the window
        local(DATE_TO, 23, 59, 59),  # last second of the window
        local(DATE_TO + dt.timedelta(days=1), 0, 0, 0),  # just after: in neither window
        local(DATE_FROM - dt.timedelta(days=1), 23, 59, 59),  # last second of the previous window
        local(DATE_FROM - dt.timedelta(days=14), 0, 0, 0),  # first instant of the previous window
        local(DATE_FROM - dt.timedelta(days=15), 23, 59, 59),  # just before: in neither window
    ]
    for at in edges:
        made.append(
            CaseFactory(
                community=org.a,
                pairing=org.pairing_a,
                department=org.d1,
                received_at=at,
                category="城乡建设->物业管理->电梯故障",
                compound="幸福小区",
                address="幸福小区3号楼2单元502室",
                caller_phone="13812341234",
            )
        )
    return made


def window_of(case: Case, date_from: dt.date, date_to: dt.date) -> str | None:
    day = case.received_at.astimezone(SHANGHAI).date()
    days = (date_to - date_from).days + 1
    if date_from <= day <= date_to:
        return "now"
    if date_from - dt.timedelta(days=days) <= day < date_from:
        return "before"
    return None


def cluster_of(address: str) -> str | None:
    address = address.strip(" ")
    if not address:
        return None
    at = address.find("号楼")
    return address[: at + 2] if at >= 0 else address


def caller_of(phone: str) -> str | None:
    phone = phone.strip(" ")
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else None


def per_10k(count: int, population: int) -> Decimal | None:
    if not population:
        return None
    with localcontext() as context:
        context.prec = 60
        return (Decimal(count) * 10000 / Decimal(population)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected(
    cases,
    *,
    date_from=DATE_FROM,
    date_to=DATE_TO,
    tag="",
    category="",
    community=None,
    urgencies=(),
    channels=(),
    scope=lambda case: True,
) -> dict:
    """The figures counted one case at a time in Python."""
    chosen = []
    for case in Case.objects.filter(pk__in=[c.pk for c in cases]).select_related("community").prefetch_related("tags"):
        window = window_of(case, date_from, date_to)
        if window is None or not scope(case):
            continue
        if tag and tag not in {t.name for t in case.tags.all()}:
            continue
        if category and not (case.category == category or case.category.startswith(category + "->")):
            continue
        if community is not None and case.community_id != community.pk:
            continue
        if urgencies and case.urgency not in urgencies:
            continue
        if channels and case.channel not in channels:
            continue
        chosen.append((window, case))

    def table(key, rows=chosen) -> dict[str, tuple[int, int]]:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for window, case in rows:
            value = key(case)
            if value:
                counts[value][0 if window == "now" else 1] += 1
        return {label: (now, before) for label, (now, before) in counts.items() if now > 0}

    def level(depth: int):
        def key(case: Case) -> str | None:
            parts = case.category.split("->") if case.category else []
            return "->".join(parts[:depth]) if len(parts) >= depth else None

        return key

    # A repeat caller calls on the same problem (a known category) at least twice within the window.
    pairs = Counter(
        (w, caller_of(c.caller_phone), c.category) for w, c in chosen if caller_of(c.caller_phone) and c.category
    )
    repeaters = {
        window: {k for (w, k, _), n in pairs.items() if w == window and n >= 2} for window in ("now", "before")
    }
    repeat_pairs = [(w, c) for w, c in chosen if pairs[(w, caller_of(c.caller_phone), c.category)] >= 2]

    communities: dict[int, list] = {}
    for window, case in chosen:
        if case.community is None:
            continue
        row = communities.setdefault(case.community.id, [case.community.name, case.community.population, 0, 0])
        row[2 if window == "now" else 3] += 1

    result = {
        "total": (sum(w == "now" for w, _ in chosen), sum(w == "before" for w, _ in chosen)),
        "category_l1": table(level(1)),
        "category_l2": table(level(2)),
        "category_path": table(lambda c: c.category),
        "compounds": table(lambda c: c.compound),
        "addresses": table(lambda c: cluster_of(c.address)),
        "communities": {
            name: (now, before, per_10k(now, population), per_10k(before, population))
            for name, population, now, before in communities.values()
        },
        "repeat_callers": (len(repeaters["now"]), len(repeaters["before"])),
        "repeat_cases": tuple(
            sum(n for (w2, _, _), n in pairs.items() if w2 == w and n >= 2) for w in ("now", "before")
        ),
        "repeat_categories": table(lambda c: c.category, repeat_pairs),
    }
    return result


def figures(hotspots: report.Hotspots) -> dict:
    def table(rows):
        return {row.label: (row.count, row.previous) for row in rows}

    return {
        "total": (hotspots.total.count, hotspots.total.previous),
        "category_l1": table(hotspots.category_l1),
        "category_l2": table(hotspots.category_l2),
        "category_path": table(hotspots.category_path),
        "compounds": table(hotspots.compounds),
        "addresses": table(hotspots.addresses),
        "communities": {
            row.label: (row.count, row.previous, row.per_10k, row.previous_per_10k) for row in hotspots.communities
        },
        "repeat_callers": (hotspots.repeat_callers.count, hotspots.repeat_callers.previous),
        "repeat_cases": (hotspots.repeat_cases.count, hotspots.repeat_cases.previous),
        "repeat_categories": table(hotspots.repeat_categories),
    }


def hotspots_for(user, *, top=report.HOTSPOT_TOP_MAX, **filters) -> report.Hotspots:
    filters.setdefault("date_from", DATE_FROM)
    filters.setdefault("date_to", DATE_TO)
    return report.case_hotspots(user=user, filters=report.hotspot_filters(**filters), top=top)


# ---------------------------------------------------------------- every figure


def test_every_figure_equals_a_plain_python_count(org, generated):
    result = figures(hotspots_for(org.leader))
    want = expected(generated)
    assert result == want
    # The data reaches every kind of figure, so the comparison proves something.
    assert want["total"][0] > 50 and want["total"][1] > 50
    assert want["repeat_callers"][0] >= 2 and want["repeat_categories"]
    assert "城乡建设->物业管理" in want["category_path"] and "城乡建设->物业管理" in want["category_l2"]
    assert want["category_l2"]["城乡建设->物业管理"][0] > want["category_path"]["城乡建设->物业管理"][0]
    assert "幸福小区3号楼" in want["addresses"] and "幸福路与和平路交叉口东侧" in want["addresses"]


@pytest.mark.parametrize(
    "filters",
    [
        {"tag": "每月一题"},
        {"tag": "老有所养"},
        {"category": "城乡建设->物业管理"},
        {"category": "市场管理->价格_收费"},
        {"category": "城乡建设", "tag": "安全性"},
        {"urgencies": ("emergency", "utility")},
        {"channels": ("web_form",)},
        {"community": "a", "channels": ("hotline", "wechat")},
        {"date_from": dt.date(2026, 3, 10), "date_to": dt.date(2026, 3, 10)},  # one day against the day before
    ],
    ids=lambda filters: ",".join(sorted(filters)),
)
def test_filtered_figures_equal_a_plain_python_count(org, generated, filters):
    filters = dict(filters)
    community = org.a if filters.pop("community", None) == "a" else None
    result = figures(hotspots_for(org.leader, community_id=community.pk if community else None, **filters))
    assert result == expected(generated, community=community, **filters)


def test_top_n_keeps_the_largest_figures_in_order(org, generated):
    full = hotspots_for(org.leader)
    top = hotspots_for(org.leader, top=3)
    for name in ("category_l1", "category_l2", "category_path", "compounds", "addresses"):
        rows, everything = getattr(top, name), getattr(full, name)
        assert len(rows) == min(3, len(everything))
        counts = [row.count for row in rows]
        assert counts == sorted(counts, reverse=True)
        left_out = [row.count for row in everything if row.label not in {r.label for r in rows}]
        assert all(count <= counts[-1] for count in left_out)


def test_the_change_is_against_the_previous_window_of_equal_length(org):
    CaseFactory(received_at=local(dt.date(2026, 3, 20)), category="城乡建设->供水->停水")
    CaseFactory(received_at=local(dt.date(2026, 3, 21)), category="城乡建设->供水->停水")
    CaseFactory(received_at=local(dt.date(2026, 3, 19)), category="城乡建设->供水->停水")  # previous window
    CaseFactory(received_at=local(dt.date(2026, 3, 18)), category="城乡建设->供水->停水")  # before both
    result = hotspots_for(org.leader, date_from=dt.date(2026, 3, 20), date_to=dt.date(2026, 3, 21))
    assert (result.filters.previous_from, result.filters.previous_to) == (dt.date(2026, 3, 18), dt.date(2026, 3, 19))
    row = result.category_path[0]
    assert (row.count, row.previous, row.change) == (2, 2, 0)
    result = hotspots_for(org.leader, date_from=dt.date(2026, 3, 21), date_to=dt.date(2026, 3, 21))
    assert (result.category_path[0].count, result.category_path[0].previous) == (1, 1)


def test_default_window_is_the_last_four_weeks_up_to_today():
    filters = report.hotspot_filters(today=dt.date(2026, 3, 28))
    assert (filters.date_from, filters.date_to) == (dt.date(2026, 3, 1), dt.date(2026, 3, 28))
    assert (filters.previous_from, filters.previous_to) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


# ---------------------------------------------------------------- 万人诉求比


def test_rate_per_10000_residents_is_exact_and_rounded_half_up():
    assert report.per_residents(1, 128) == Decimal("78.13")  # 78.125: half up, not to even
    assert report.per_residents(3, 30000) == Decimal("1.00")
    assert report.per_residents(0, 5000) == Decimal("0.00")
    assert report.per_residents(2, 3) == Decimal("6666.67")
    assert report.per_residents(7, 0) is None
    assert str(report.per_residents(1, 10000)) == "1.00"


def test_community_rows_carry_the_rate_and_none_without_population(org, generated):
    rows = {row.label: row for row in hotspots_for(org.leader).communities}
    a, b = rows[org.a.name], rows[org.b.name]
    assert a.population == 12345 and a.per_10k == per_10k(a.count, 12345) and a.per_10k is not None
    assert a.previous_per_10k == per_10k(a.previous, 12345)
    assert b.population == 0 and b.count > 0 and b.per_10k is None and b.previous_per_10k is None


def test_population_zero_page_shows_a_dash_not_an_error(client, org, generated):
    client.force_login(org.leader)
    response = client.get(reverse("case-hotspots"), {"received_after": DATE_FROM, "received_before": DATE_TO})
    assert response.status_code == 200
    page = response.content.decode()
    assert "未填写常住人口" in page
    assert str(per_10k(figures(response.context["hotspots"])["communities"][org.a.name][0], 12345)) in page


# ---------------------------------------------------------------- scoping


def test_an_officer_sees_only_the_figures_of_their_community(org, generated):
    result = hotspots_for(org.officer_a)
    want = expected(generated, scope=lambda case: case.community_id == org.a.pk)
    assert figures(result) == want
    assert [row.label for row in result.communities] == [org.a.name]
    assert figures(result)["total"] != figures(hotspots_for(org.leader))["total"]


def test_a_chief_sees_the_figures_of_the_pairings_they_lead(org, generated):
    result = hotspots_for(org.chief_b)
    assert figures(result) == expected(generated, scope=lambda case: case.pairing_id == org.pairing_b.pk)


def test_an_officer_picking_another_community_sees_nothing_of_it(client, org, generated):
    result = hotspots_for(org.officer_a, community_id=org.b.pk)
    assert result.total.count == 0 and result.total.previous == 0 and result.communities == []
    client.force_login(org.officer_a)
    response = client.get(reverse("case-hotspots"), {"community": org.b.pk})
    assert response.status_code == 400
    assert "所选社区不存在或不在您的查看范围内" in response.content.decode()


def test_the_page_of_an_officer_names_no_other_community(client, org, generated):
    client.force_login(org.officer_a)
    response = client.get(reverse("case-hotspots"), {"received_after": DATE_FROM, "received_before": DATE_TO})
    assert response.status_code == 200
    page = response.content.decode()
    assert org.a.name in page and org.b.name not in page


def test_the_lobby_display_and_anonymous_users_get_no_figures(client, org, generated):
    client.force_login(org.display)
    response = client.get(reverse("case-hotspots"))
    assert response.status_code == 302 and response["Location"] == "/board/"
    client.logout()
    response = client.get(reverse("case-hotspots"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_no_phone_or_name_of_a_caller_is_shown(client, org, generated):
    client.force_login(org.clerk)  # a role that may see callers elsewhere still sees none here
    response = client.get(reverse("case-hotspots"), {"received_after": DATE_FROM, "received_before": DATE_TO})
    page = response.content.decode()
    assert response.context["hotspots"].repeat_callers.count > 0
    assert "****" not in page and "13812341234" not in page and "张三" not in page and "张*" not in page


@pytest.mark.parametrize("role", ["leader", "supervisor", "clerk", "secretary_a", "chief_a"])
def test_the_nav_leads_to_the_page(client, org, role):
    client.force_login(getattr(org, role))
    response = client.get(reverse("case-hotspots"))
    assert response.status_code == 200
    assert f'href="{reverse("case-hotspots")}">热点分析</a>' in response.content.decode()


# ---------------------------------------------------------------- every figure is traceable to its cases


def search_count(client, query: str) -> int:
    response = client.get(f"{reverse('case-search')}?{query}")
    assert response.status_code == 200, query
    return response.context["page"].paginator.count


def all_rows(hotspots: report.Hotspots):
    yield hotspots.total
    yield hotspots.repeat_cases
    for name in ("category_l1", "category_l2", "category_path", "compounds", "addresses", "communities"):
        yield from getattr(hotspots, name)
    yield from hotspots.repeat_categories


@pytest.mark.parametrize(
    "user, filters",
    [
        ("leader", {}),
        ("leader", {"tag": "每月一题", "category": "城乡建设"}),
        ("leader", {"category": "城乡建设->物业管理", "urgencies": ("general", "complex", "utility")}),
        ("officer_a", {"channels": ("hotline",)}),
    ],
    ids=["leader", "leader-tag-category", "leader-deep-category", "officer-channel"],
)
def test_the_link_of_every_figure_lists_exactly_its_cases(client, org, generated, user, filters):
    user = getattr(org, user)
    client.force_login(user)
    result = hotspots_for(user, **filters)
    rows = list(all_rows(result))
    assert len(rows) > 10
    for row in rows:
        assert search_count(client, row.query) == row.count, (row.label, row.query)
        assert search_count(client, row.previous_query) == row.previous, (row.label, row.previous_query)


def test_the_link_of_repeat_callers_lists_the_cases_of_exactly_that_many_callers(client, org, generated):
    client.force_login(org.leader)
    row = hotspots_for(org.leader).repeat_callers
    response = client.get(f"{reverse('case-search')}?{row.query}")
    phones = response.context["page"].paginator.object_list.values_list("caller_phone", flat=True)
    assert row.count >= 2 and len({caller_of(phone) for phone in phones}) == row.count


def test_the_case_api_gives_the_same_count_for_a_figure(client, org, generated):
    client.force_login(org.leader)
    result = hotspots_for(org.leader, tag="老有所养")
    for row in [result.total, result.repeat_cases, *result.addresses[:3], *result.category_path[:3]]:
        response = client.get(f"/api/cases/?{row.query}")
        assert response.status_code == 200
        assert response.json()["count"] == row.count, row.query


def test_the_page_links_every_figure_to_the_case_search(client, org, generated):
    client.force_login(org.leader)
    response = client.get(reverse("case-hotspots"), {"received_after": DATE_FROM, "received_before": DATE_TO})
    page = response.content.decode()
    result = response.context["hotspots"]
    search = reverse("case-search")
    for row in all_rows(result):
        assert f'href="{search}?{row.query.replace("&", "&amp;")}"' in page, row.label
    chart = response.context["chart"]
    assert chart["category_path"]["links"][0] == f"{search}?{result.category_path[0].query}"
    assert chart["communities_rate"]["current"][0] == float(result.communities[0].per_10k)


def test_a_link_repeats_the_filters_of_the_page(org, generated):
    result = hotspots_for(
        org.leader, tag="每月一题", category="城乡建设", urgencies=("general",), community_id=org.a.pk
    )
    params = parse_qs(result.category_l2[0].query)
    assert params["tag"] == ["每月一题"] and params["urgency"] == ["general"] and params["community"] == [str(org.a.pk)]
    assert params["category"] == [result.category_l2[0].label]  # the deeper path of the two
    assert params["received_after"] == [DATE_FROM.isoformat()] and params["received_before"] == [DATE_TO.isoformat()]
    assert parse_qs(result.category_l1[0].query)["category"] == ["城乡建设"]


# ---------------------------------------------------------------- a fixed number of queries


def test_the_number_of_queries_does_not_grow_with_the_data(client, org):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as selector:
            hotspots_for(org.leader, tag="每月一题")
        client.force_login(org.leader)
        with CaptureQueriesContext(connection) as page:
            response = client.get(reverse("case-hotspots"), {"received_after": DATE_FROM, "received_before": DATE_TO})
        assert response.status_code == 200
        return len(selector), len(page)

    person_for_user(org.leader)  # the user's place is read once per request and kept on the user
    make_cases(org, count=20, seed=1, start=DATE_FROM - dt.timedelta(days=14), end=DATE_TO)
    small = queries()
    make_cases(org, count=200, seed=2, start=DATE_FROM - dt.timedelta(days=14), end=DATE_TO)
    for n in range(30):  # new categories, compounds and callers: more groups, not more queries
        CaseFactory(
            received_at=local(DATE_FROM),
            category=f"新分类{n}->二级->三级",
            compound=f"新小区{n}",
            caller_phone=f"1390000{n % 10:04d}",
        ).tags.add(Tag.objects.get(name="每月一题"))
    assert queries() == small
    assert small[0] <= 10


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "params, message",
    [
        ({"received_after": "2026-13-01"}, "请输入有效的日期"),
        ({"received_before": "yesterday"}, "请输入有效的日期"),
        ({"received_before": "9999-12-31"}, "日期须在2000-01-01至2099-12-31之间"),
        ({"received_after": "2026-03-15", "received_before": "2026-03-01"}, "开始日期不能晚于结束日期"),
        ({"received_after": "2024-01-01", "received_before": "2026-03-01"}, "统计区间最长 366 天"),
        ({"tag": "不存在的标签"}, "不存在的标签"),
        ({"community": "abc"}, "所选社区不存在"),
        ({"community": "999999"}, "所选社区不存在"),
        ({"urgency": "asap"}, "asap"),
        ({"channel": "fax"}, "fax"),
        ({"top": "100000"}, "100000"),
        ({"category": "长" * 201}, "200"),
    ],
)
def test_bad_filter_input_gives_a_clear_message(client, org, params, message):
    client.force_login(org.leader)
    response = client.get(reverse("case-hotspots"), params)
    assert response.status_code == 400
    page = response.content.decode()
    assert "查询条件有误" in page and message in page
    assert response.context["hotspots"] is None


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"date_from": dt.date(2026, 3, 2), "date_to": dt.date(2026, 3, 1)}, "received_after"),
        ({"date_from": dt.date(2025, 1, 1), "date_to": dt.date(2026, 3, 1)}, "received_after"),
        ({"tag": "没有这个标签"}, "tag"),
        ({"community_id": 999999}, "community"),
        ({"urgencies": ["asap"]}, "urgency"),
        ({"channels": ["fax"]}, "channel"),
    ],
)
def test_the_selector_refuses_bad_filters_with_a_domain_error(db, kwargs, field):
    with pytest.raises(InvalidInput) as error:
        report.hotspot_filters(today=dt.date(2026, 3, 15), **kwargs)
    assert error.value.field == field and error.value.message


@pytest.mark.parametrize("top", [0, 51])
def test_the_selector_refuses_a_bad_top(org, top):
    with pytest.raises(InvalidInput):
        hotspots_for(org.leader, top=top)


def test_repeat_problem_true_and_false_split_the_search_result(client, org, generated):
    client.force_login(org.leader)
    window = f"received_after={DATE_FROM}&received_before={DATE_TO}"
    every = search_count(client, window)
    repeat = search_count(client, f"{window}&repeat_problem=true")
    others = search_count(client, f"{window}&repeat_problem=false")
    assert repeat == hotspots_for(org.leader).repeat_cases.count > 0
    assert repeat + others == every  # phones too short to tell callers apart fall among the others


def test_the_tag_select_offers_the_monthly_topic_and_the_seven_five_tags(client, org):
    client.force_login(org.leader)
    page = client.get(reverse("case-hotspots")).content.decode()
    assert '<optgroup label="每月一题">' in page and '<optgroup label="七有五性">' in page
    for name in ["每月一题", "幼有所育", "学有所教", "劳有所得", "病有所医", "老有所养", "住有所居", "弱有所扶"]:
        assert f'<option value="{name}">{name}</option>' in page
    for name in ["便利性", "宜居性", "多样性", "公正性", "安全性"]:
        assert f'<option value="{name}">{name}</option>' in page


# ---------------------------------------------------------------- the API


def test_the_api_gives_the_figures_of_the_selector_with_case_list_links(client, org, generated):
    client.force_login(org.leader)
    response = client.get(
        "/api/hotspots/",
        {"received_after": DATE_FROM, "received_before": DATE_TO, "tag": "每月一题", "top": 50},
    )
    assert response.status_code == 200
    body = response.json()
    result = hotspots_for(org.leader, tag="每月一题")
    assert body["filters"]["previous_from"] == "2026-02-16" and body["filters"]["days"] == 14
    assert (body["total"]["count"], body["total"]["previous"]) == (result.total.count, result.total.previous)
    assert {row["label"]: row["count"] for row in body["category_path"]} == {
        row.label: row.count for row in result.category_path
    }
    communities = {row["label"]: row for row in body["communities"]}
    assert communities[org.a.name]["per_10k"] == str(per_10k(communities[org.a.name]["count"], 12345))
    assert communities[org.b.name]["per_10k"] is None and communities[org.b.name]["community"] == org.b.pk
    for row in [body["total"], body["repeat_cases"], *body["compounds"], *body["communities"]]:
        assert client.get(row["cases_url"]).json()["count"] == row["count"], row["cases_url"]
        assert client.get(row["previous_cases_url"]).json()["count"] == row["previous"]
    assert "13812341234" not in str(body) and "****" not in str(body) and "张" not in str(body)


def test_the_api_is_scoped_and_closed_to_the_lobby_display(client, org, generated):
    client.force_login(org.officer_a)
    body = client.get("/api/hotspots/", {"received_after": DATE_FROM, "received_before": DATE_TO}).json()
    assert [row["label"] for row in body["communities"]] == [org.a.name]
    assert body["total"]["count"] == hotspots_for(org.officer_a).total.count
    client.force_login(org.display)
    assert client.get("/api/hotspots/").status_code == 403
    client.logout()
    assert client.get("/api/hotspots/").status_code == 401


@pytest.mark.parametrize(
    "params, field",
    [
        ({"received_after": "2026-02-30"}, "received_after"),
        ({"received_before": "9999-12-31"}, "received_before"),
        ({"received_after": "0001-01-01", "received_before": "0001-01-02"}, "received_after"),
        ({"received_after": "2026-03-15", "received_before": "2026-03-01"}, "received_after"),
        ({"tag": "不存在"}, "tag"),
        ({"community": "x"}, "community"),
        ({"community": "999999"}, "community"),
        ({"urgency": "asap"}, "urgency"),
        ({"top": "0"}, "top"),
    ],
)
def test_the_api_answers_bad_input_with_a_400_and_a_message(client, org, params, field):
    client.force_login(org.leader)
    response = client.get("/api/hotspots/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and body["detail"] and body["code"]


def test_the_export_of_a_figures_search_holds_the_same_cases(org, generated):
    result = hotspots_for(org.leader, tag="每月一题")
    for row in [result.total, result.repeat_cases, *result.repeat_categories, *result.addresses[:3]]:
        params = QueryDict(row.query)
        assert case_export_queryset(user=org.leader, params=params).count() == row.count, row.query


def test_a_date_left_empty_shows_the_default_it_took(client, org):
    client.force_login(org.leader)
    response = client.get(reverse("case-hotspots"), {"tag": "每月一题", "received_before": "2026-03-28"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="received_after" value="2026-03-01"' in page and 'name="received_before" value="2026-03-28"' in page


def test_citizen_text_in_labels_is_escaped(client, org):
    evil = '<script>alert("x")</script>'
    CaseFactory(received_at=local(DATE_FROM), compound=evil, address=f"{evil}1号楼", category=f"城乡建设->{evil}")
    client.force_login(org.leader)
    response = client.get(reverse("case-hotspots"), {"received_after": DATE_FROM, "received_before": DATE_TO})
    page = response.content.decode()
    assert response.context["hotspots"].compounds[0].label == evil
    assert evil not in page and "&lt;script&gt;" in page


# ---------------------------------------------------------------- what the page shows (issue 10)


def test_the_communities_table_is_ordered_by_the_ratio_not_the_count(client, org, generated):
    counts = {row.key: row.count for row in hotspots_for(org.leader).communities}
    busier, quieter = sorted((org.a, org.b), key=lambda unit: -counts[str(unit.pk)])
    assert counts[str(busier.pk)] > counts[str(quieter.pk)] > 0
    # The busier community has so many residents that its ratio is the lower one.
    busier.population, quieter.population = 10_000_000, 1_000
    busier.save(update_fields=["population"])
    quieter.save(update_fields=["population"])
    rows = hotspots_for(org.leader).communities
    assert [row.key for row in rows] == [str(quieter.pk), str(busier.pk)]
    client.force_login(org.leader)
    page = client.get(reverse("case-hotspots"), {"received_after": DATE_FROM, "received_before": DATE_TO})
    html = page.content.decode()
    table = html[html.index('id="hotspot-communities"') :]
    assert table.index(quieter.name) < table.index(busier.name)
    assert "按万人诉求比从高到低排列" in table


def test_the_repeat_caller_table_adds_up_to_the_cards(client, org, generated):
    result = hotspots_for(org.leader)
    rows = result.repeat_categories
    assert len(rows) < report.HOTSPOT_TOP_MAX  # every category is listed
    assert sum(row.count for row in rows) == result.repeat_cases.count > 0
    assert result.repeat_callers.count <= result.repeat_cases.count // 2
    client.force_login(org.leader)
    assert search_count(client, result.repeat_cases.query) == result.repeat_cases.count


@pytest.mark.parametrize(
    ("role", "empty"), [("secretary_a", None), ("officer_a", None), ("chief_a", "全部包片社区"), ("leader", "全部社区")]
)
def test_the_community_filter_offers_all_only_to_roles_that_see_more_than_one(client, org, role, empty):
    client.force_login(getattr(org, role))
    html = client.get(reverse("case-hotspots")).content.decode()
    select = html[html.index('name="community"') : html.index("</select>", html.index('name="community"'))]
    if empty is None:
        assert "全部社区" not in select and org.a.name in select and org.b.name not in select
    else:
        assert f'<option value="" selected>{empty}</option>' in select
