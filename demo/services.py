"""The demo street: a realistic Beijing street office with its organisation,
one account per role and unit, and weeks of case history ending now.

Every case is walked through the real services of `cases.services` with the
time of each step (`at=`), so timelines, deadlines, signatures and callbacks
are exactly what the product would have recorded. Randomness comes only from
`random.Random(seed)`; the clock only decides where "now" is.
"""

import contextlib
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases import deadlines, services
from cases.models import Case, Channel, ExclusionReason, ExtensionRequest, Satisfaction, Signature, Urgency
from cases.transitions import Status
from cases.vocabulary import STREET_TICKET_PREFIX, case_is_overdue, signed_sha256
from communities.models import (
    Community,
    CommunityAlias,
    Department,
    Pairing,
    PairingChiefTerm,
    Person,
    Role,
    Street,
)
from demo import text
from demo.checks import demo_checks, demo_checks_delete
from demo.field_work import demo_field_work
from demo.governance_councils import demo_councils, demo_councils_delete
from demo.governance_meetings import demo_meetings, demo_meetings_delete
from demo.governance_projects import demo_projects, demo_projects_delete
from demo.intake import demo_intake
from demo.replies import demo_knowledge, demo_reply_facts
from demo.slips import demo_slips, demo_slips_delete
from demo.talks import demo_talks
from hotline.dates import local_midnight
from hotline.errors import Conflict, InvalidInput
from knowledge.models import Article
from rankings.models import Board, BoardRow, MeetingDraw
from supervision.channels import channel_add_for_user
from supervision.ladder import ladder_sweep
from supervision.models import ChannelKind, DutyDay, Emergency, EmergencyStatus, Talk
from supervision.services import notification_mark_read_before

DEMO_PASSWORD = "hotline-demo"
ADMIN_USERNAME = "admin"
DEFAULT_SEED = 2026
# Eight weeks: enough boards for the trend pages, and quick to seed on a
# small machine (README, "Demo logins").
# A street handles 12,000–18,000 cases a year (DESIGN §1): about 260 a week.
DEFAULT_WEEKS = 5
CASES_PER_WEEK = 260

CLERK_UNIT = "诉求处置中心"
STREET_UNIT = "街道"


# ---------------------------------------------------------------- working time


@dataclass(frozen=True)
class Window:
    """When a group of people works: (start, end) in minutes of the day, on
    working days and on rest days (None: not at all)."""

    workday: tuple[int, int] | None
    restday: tuple[int, int] | None


def _hm(hours: int, minutes: int = 0) -> int:
    return hours * 60 + minutes


CLERK_HOURS = Window((_hm(8), _hm(20)), (_hm(8, 30), _hm(18)))  # the centre keeps duty every day
COMMUNITY_HOURS = Window((_hm(8, 30), _hm(18)), (_hm(9), _hm(12)))  # weekend duty in the morning
CHIEF_HOURS = Window((_hm(8, 30), _hm(18, 30)), None)
UTILITY_HOURS = Window((_hm(7), _hm(22)), (_hm(7), _hm(22)))  # utility repairs run late
CALLBACK_HOURS = Window((_hm(9), _hm(20)), (_hm(9), _hm(20)))  # the hotline's callback seats
ROUND_THE_CLOCK = Window((0, _hm(24)), (0, _hm(24)))


class Clock:
    """Working-time arithmetic on the official calendar (holidays and 调休),
    with the administrators' calendar entries loaded once."""

    def __init__(self, start: dt.date, end: dt.date):
        self.tz = timezone.get_current_timezone()
        self.overrides = deadlines.workday_overrides(start, end)
        self._workdays: dict[dt.date, bool] = {}

    def is_workday(self, day: dt.date) -> bool:
        if day not in self._workdays:
            self._workdays[day] = deadlines.is_workday(day, self.overrides)
        return self._workdays[day]

    def _span(self, day: dt.date, window: Window) -> tuple[dt.datetime, dt.datetime] | None:
        span = window.workday if self.is_workday(day) else window.restday
        if span is None:
            return None
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=self.tz)
        return midnight + dt.timedelta(minutes=span[0]), midnight + dt.timedelta(minutes=span[1])

    def add(self, start: dt.datetime, minutes: float, window: Window) -> dt.datetime:
        """`minutes` of working time in `window` after `start` (0: the first
        working moment at or after `start`)."""
        t = timezone.localtime(start, self.tz)
        left = dt.timedelta(minutes=minutes)
        day = t.date()
        while True:
            span = self._span(day, window)
            if span is not None:
                begin, end = max(span[0], t), span[1]
                if begin < end or (begin == end and not left):
                    if begin + left <= end:
                        return begin + left
                    left -= end - begin
            day += dt.timedelta(days=1)
            t = dt.datetime.combine(day, dt.time(), tzinfo=self.tz)


# ---------------------------------------------------------------- organisation


@dataclass
class Unit:
    community: Community
    officer: User
    secretary: User
    pairing: Pairing
    chief: User
    quality: float  # 0.7 lagging … 0.97 exemplary
    weight: float  # share of the street's cases
    compounds: tuple[str, ...]
    neighbour: "Unit | None" = None

    @property
    def lag(self) -> float:
        return 1.0 - self.quality

    @property
    def is_building(self) -> bool:
        return self.community.kind == Community.Kind.BUILDING


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    password: str
    unit: str


@dataclass
class Organisation:
    street: Street
    units: list[Unit]
    departments: list[Department]
    clerks: list[User]
    leader: User
    supervisor: User
    display: User
    logins: list[Login]


def _unique_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = rng.choice(text.SURNAMES) + rng.choice(text.GIVEN_NAMES)
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _staff_phone(index: int) -> str:
    return f"010-6400{index:04d}"


def demo_usernames(*, communities: int | None = None, departments: int | None = None) -> list[str]:
    communities = communities or len(text.RESIDENTIAL_COMMUNITIES) + 1
    departments = departments or len(text.DEPARTMENTS)
    return [
        "clerk",
        "clerk2",
        *(f"officer{i:02d}" for i in range(1, communities + 1)),
        *(f"secretary{i:02d}" for i in range(1, communities + 1)),
        *(f"chief{i:02d}" for i in range(1, departments + 1)),
        "leader",
        "supervisor",
        "display",
    ]


def _create_organisation(rng: random.Random, *, start: dt.datetime) -> Organisation:
    taken = sorted(
        User.objects.filter(username__in=[*demo_usernames(), ADMIN_USERNAME]).values_list("username", flat=True)
    )
    if [name for name in taken if name != ADMIN_USERNAME]:
        raise Conflict(f"演示账号已被占用：{'、'.join(taken)}。请先删除这些账号，或使用 --reset。")

    street = Street.objects.create(name=text.STREET_NAME, district=text.DISTRICT, is_demo=True)
    rows = [(*row, Community.Kind.RESIDENTIAL) for row in text.RESIDENTIAL_COMMUNITIES]
    rows.append((*text.BUILDING_UNIT, Community.Kind.BUILDING))
    communities = Community.objects.bulk_create(
        Community(street=street, number=number, name=name, kind=kind, population=population, households=households)
        for number, (name, population, households, _, kind) in enumerate(rows, start=1)
    )
    CommunityAlias.objects.bulk_create(
        CommunityAlias(community=community, alias=alias)
        for community, row in zip(communities, rows, strict=True)
        for alias in row[3]
    )
    departments = Department.objects.bulk_create(
        Department(street=street, number=number, name=name)
        for number, (name, _) in enumerate(text.DEPARTMENTS, start=1)
    )

    # One password hash for every demo account: hashing is deliberately slow
    # (about half a second each), and these credentials are public anyway.
    password = make_password(DEMO_PASSWORD)
    usernames = demo_usernames(communities=len(communities), departments=len(departments))
    users = User.objects.bulk_create(User(username=name, password=password) for name in usernames)
    by_name = {u.username: u for u in users}
    full_names = _unique_names(rng, len(users))
    people: list[Person] = []
    logins: list[Login] = []

    def add(user, role: Role, unit_label: str, *, community=None, department=None) -> None:
        index = len(people)
        people.append(
            Person(
                user=user,
                street=street,
                full_name=full_names[index],
                phone=_staff_phone(index + 1),
                role=role,
                community=community,
                department=department,
            )
        )
        logins.append(Login(role.label, user.username, DEMO_PASSWORD, unit_label))

    add(by_name["clerk"], Role.CLERK, CLERK_UNIT)
    add(by_name["clerk2"], Role.CLERK, CLERK_UNIT)
    for i, community in enumerate(communities, 1):
        add(by_name[f"officer{i:02d}"], Role.OFFICER, community.name, community=community)
    for i, community in enumerate(communities, 1):
        add(by_name[f"secretary{i:02d}"], Role.SECRETARY, community.name, community=community)
    for i, department in enumerate(departments, 1):
        add(by_name[f"chief{i:02d}"], Role.CHIEF, department.name, department=department)
    add(by_name["leader"], Role.LEADER, STREET_UNIT)
    add(by_name["supervisor"], Role.SUPERVISOR, STREET_UNIT)
    add(by_name["display"], Role.DISPLAY, "大厅")
    Person.objects.bulk_create(people)

    # Each department pairs with a run of communities (城市管理办公室 with three).
    chiefs = [by_name[f"chief{i:02d}"] for i in range(1, len(departments) + 1)]
    owners = [
        (department, chief)
        for department, chief, (_, count) in zip(departments, chiefs, text.DEPARTMENTS, strict=True)
        for _ in range(count)
    ]
    pairings = Pairing.objects.bulk_create(
        Pairing(community=community, department=department, chief=chief)
        for community, (department, chief) in zip(communities, owners, strict=True)
    )
    term_start = start - dt.timedelta(days=365)
    PairingChiefTerm.objects.bulk_create(
        PairingChiefTerm(pairing=pairing, chief=pairing.chief, started_at=term_start) for pairing in pairings
    )

    # Performance differs by community so the board has leaders and laggards.
    qualities = [0.97 - 0.27 * i / (len(communities) - 1) for i in range(len(communities))]
    rng.shuffle(qualities)
    units = []
    for i, (community, pairing, row) in enumerate(zip(communities, pairings, rows, strict=True), 1):
        busy = rng.uniform(0.8, 1.3) * (1.0 + (0.97 - qualities[i - 1]))  # laggards draw more complaints
        units.append(
            Unit(
                community=community,
                officer=by_name[f"officer{i:02d}"],
                secretary=by_name[f"secretary{i:02d}"],
                pairing=pairing,
                chief=cast(User, pairing.chief),  # every demo pairing has its chief
                quality=qualities[i - 1],
                weight=community.population / 10000 * busy,
                compounds=row[3],
            )
        )
    residential = [u for u in units if not u.is_building]
    for i, unit in enumerate(residential):
        unit.neighbour = residential[(i + 1) % len(residential)]
    units[-1].neighbour = residential[0]

    admin = User.objects.filter(username=ADMIN_USERNAME).first()
    if admin is None:
        User.objects.create(username=ADMIN_USERNAME, password=password, is_staff=True, is_superuser=True)
    logins.insert(0, Login("系统管理员", ADMIN_USERNAME, DEMO_PASSWORD if admin is None else "（保留原密码）", "全部"))

    return Organisation(
        street=street,
        units=units,
        departments=departments,
        clerks=[by_name["clerk"], by_name["clerk2"]],
        leader=by_name["leader"],
        supervisor=by_name["supervisor"],
        display=by_name["display"],
        logins=logins,
    )


# ---------------------------------------------------------------- case specifications


@dataclass
class Place:
    compound: str
    bldg: int
    unit: int
    floor: int
    room: str
    road: str
    cross: str
    shop: str
    days: int
    tower: str
    company: str

    def fill(self, template: str) -> str:
        return template.format_map(self.__dict__)


@dataclass
class Spec:
    """Everything known about a case when the hotline hands it over, plus the
    seed of the generator that decides how its handling goes."""

    index: int
    unit: Unit
    topic: text.Topic
    received_at: dt.datetime
    channel: str
    ticket_no: str
    caller_name: str
    caller_phone: str
    repeat_caller: bool
    place: Place
    address: str
    title: str
    content: str
    tags: list[str]
    rng: random.Random
    register_at: dt.datetime
    imported: bool  # came in an import of 12345 orders (not an emergency call or another channel)
    stop: str = ""  # a state the case is left in (open work for the demo users)


# Calls by hour of day (Beijing residents call from early morning to late evening).
HOUR_WEIGHTS = (
    0.2,
    0.1,
    0.1,
    0.1,
    0.1,
    0.2,
    0.6,
    1.5,
    3,
    4,
    4,
    3.5,
    2.5,
    2.5,
    3.5,
    3.5,
    3.5,
    3,
    2.5,
    2.5,
    2.5,
    2,
    1.2,
    0.6,
)
OTHER_CHANNELS = (
    (Channel.WEB_FORM, 3),
    (Channel.PAPER_SLIP, 2),
    (Channel.WECHAT, 2.5),
    (Channel.VISIT, 1.5),
    (Channel.COUNCIL, 1),
)
BUILDING_OUTDOOR = frozenset(
    {"城乡建设->市政设施->路灯不亮", "交通管理->非机动车管理->共享单车乱停放", "城市管理->街面秩序->占道经营"}
)


def _season_factor(topic: text.Topic, day: dt.date) -> float:
    if topic.season == "heating":
        # Beijing heats from 15 November to 15 March; complaints peak in the first weeks.
        if (day.month, day.day) >= (11, 15) or (day.month, day.day) <= (3, 15):
            return 2.0 if (day.month == 11 or (day.month == 12 and day.day <= 10)) else 1.0
        return 0.1 if day.month == 11 else 0.0
    if topic.season == "summer":
        return 2.0 if 6 <= day.month <= 9 else 0.5
    return 1.0


def _topics_for(unit: Unit) -> list[text.Topic]:
    if unit.is_building:
        return [t for t in text.TOPICS if t.place in ("office", "shop") or t.category in BUILDING_OUTDOOR]
    return [t for t in text.TOPICS if t.place != "office"]


def _caller(rng: random.Random) -> tuple[str, str]:
    surname = rng.choice(text.SURNAMES)
    roll = rng.random()
    if roll < 0.55:
        name = surname + rng.choice(("女士", "先生"))
    elif roll < 0.95:
        name = surname + rng.choice(text.GIVEN_NAMES)
    else:
        name = "匿名"
    # Obviously fake: every demo number has 0000 in the middle.
    phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}0000{rng.randint(0, 9999):04d}"
    return name, phone


def _place(rng: random.Random, unit: Unit) -> Place:
    floor = rng.randint(1, 18 if rng.random() < 0.4 else 6)
    tower = rng.choice("AB")
    roads = text.ROADS[unit.community.name]
    road = rng.choice(roads)
    return Place(
        compound=f"时代风帆大厦{tower}座" if unit.is_building else rng.choice(unit.compounds),
        bldg=rng.randint(1, 28),
        unit=rng.randint(1, 6),
        floor=floor,
        room=f"{floor}{rng.randint(1, 4):02d}",
        road=road,
        cross=rng.choice([r for r in roads if r != road]),
        shop=rng.choice(text.SHOPS),
        days=rng.randint(2, 9),
        tower=tower,
        company=rng.choice(text.COMPANIES),
    )


def _address(topic: text.Topic, place: Place, template: str, unit: Unit) -> str:
    if topic.place == "home":
        return f"{place.compound}{place.bldg}号楼{place.unit}单元{place.room}室"
    if topic.place == "office":
        return f"时代风帆大厦{place.tower}座{place.floor}层"
    if topic.place == "shop":
        return f"{place.road}{place.bldg}号{place.shop}"
    if "{road}" in template:
        return f"{place.road}与{place.cross}交叉口"
    return place.compound if unit.is_building else f"{place.compound}{place.bldg}号楼附近"


def _stop_for(rng: random.Random, unit: Unit, age: dt.timedelta) -> str:
    """Leave some cases where they are: recent ones in every open state, so
    every role has work today, and a few old ones long past their deadline."""
    days = age.total_seconds() / 86400
    push = 1.0 + 3.0 * unit.lag
    roll = rng.random()
    if days < 1.5 and roll < 0.06:
        return "registered"
    if days < 7:
        for stop, share in (
            ("returned", 0.012),
            ("dispatched", 0.03),
            ("responded", 0.07),
            ("replied", 0.03),
            ("signed_once", 0.03),
        ):
            roll -= share * push
            if roll < 0:
                return stop
        return ""
    if days < 60 and roll < 0.002 + 0.02 * unit.lag:
        return "responded"
    return ""


def _registration_time(
    rng: random.Random, clock: Clock, received_at: dt.datetime, channel: str, urgency: str
) -> dt.datetime:
    if urgency == Urgency.EMERGENCY:  # the duty phone: registered at once, day or night
        return received_at + dt.timedelta(minutes=rng.uniform(2, 8))
    if channel != Channel.HOTLINE:
        return clock.add(received_at, rng.uniform(10, 120), CLERK_HOURS)
    # The clerks import the platform's orders every half hour while on duty.
    t = clock.add(received_at + dt.timedelta(minutes=5), 0, CLERK_HOURS)
    slot = t.replace(minute=0, second=0, microsecond=0) + dt.timedelta(minutes=30 * -(-t.minute // 30))
    return slot + dt.timedelta(minutes=2)


def registration_groups(specs: list[Spec]) -> list[list[Spec]]:
    """The cases in the order they were registered: one group per import of
    12345 orders, and one per case taken in by hand."""
    imports: dict[dt.datetime, list[Spec]] = {}
    groups: list[list[Spec]] = []
    for spec in specs:
        if not spec.imported:
            groups.append([spec])
        elif spec.register_at in imports:
            imports[spec.register_at].append(spec)
        else:
            imports[spec.register_at] = [spec]
            groups.append(imports[spec.register_at])
    groups.sort(key=lambda group: (group[0].register_at, group[0].index))
    return groups


def case_specs(
    rng: random.Random, units: list[Unit], *, start: dt.datetime, now: dt.datetime, clock: Clock
) -> list[Spec]:
    """The cases of the history, in the order the hotline handed them over."""
    tz = clock.tz
    per_day = CASES_PER_WEEK / 7
    unit_weights = [u.weight for u in units]
    topics_by_unit = {id(u): _topics_for(u) for u in units}
    specs: list[Spec] = []
    callers: dict[int, list[tuple[str, str]]] = {}
    serial: dict[dt.date, int] = {}
    day = timezone.localtime(start, tz).date()
    last = timezone.localtime(now, tz).date()
    while day <= last:
        mean = per_day * (1.1 if clock.is_workday(day) else 0.75)
        count = max(0, round(rng.gauss(mean, mean * 0.12)))
        times = sorted(
            dt.datetime.combine(day, dt.time(rng.choices(range(24), HOUR_WEIGHTS)[0], rng.randint(0, 59)), tzinfo=tz)
            + dt.timedelta(seconds=rng.randint(0, 59))
            for _ in range(count)
        )
        for received_at in times:
            unit = rng.choices(units, unit_weights)[0]
            topics = topics_by_unit[id(unit)]
            topic = rng.choices(topics, [t.weight * _season_factor(t, day) for t in topics])[0]
            channel = Channel.HOTLINE
            if topic.urgency != Urgency.EMERGENCY and rng.random() < 0.1:
                channel = rng.choices([c for c, _ in OTHER_CHANNELS], [w for _, w in OTHER_CHANNELS])[0]
                # Slips, visits and councils arrive while the community is at work.
                received_at = clock.add(received_at, 0, COMMUNITY_HOURS)
            case_rng = random.Random(rng.getrandbits(64))
            if not start <= received_at <= now:
                continue
            known = callers.setdefault(unit.community.id, [])
            repeat = bool(known) and rng.random() < 0.02
            caller_name, caller_phone = rng.choice(known) if repeat else _caller(rng)
            known.append((caller_name, caller_phone))
            place = _place(rng, unit)
            title_template = rng.choice(topic.titles)
            content_template = rng.choice(topic.contents)
            tags = [name for name in topic.tags if rng.random() < 0.6]
            if topic.monthly:
                tags.insert(0, "每月一题")
            local = timezone.localtime(received_at, tz)
            serial[local.date()] = serial.get(local.date(), rng.randint(100, 3000)) + rng.randint(150, 900)
            prefix = "" if channel == Channel.HOTLINE else STREET_TICKET_PREFIX
            specs.append(
                Spec(
                    index=len(specs),
                    unit=unit,
                    topic=topic,
                    received_at=received_at,
                    channel=channel,
                    ticket_no=f"{prefix}{local:%Y%m%d}{serial[local.date()]:06d}",
                    caller_name=caller_name,
                    caller_phone=caller_phone,
                    repeat_caller=repeat,
                    place=place,
                    address=_address(topic, place, title_template + content_template, unit),
                    title=place.fill(title_template),
                    content=place.fill(content_template),
                    tags=tags,
                    rng=case_rng,
                    register_at=_registration_time(case_rng, clock, received_at, channel, topic.urgency),
                    imported=channel == Channel.HOTLINE and topic.urgency != Urgency.EMERGENCY,
                    stop=_stop_for(rng, unit, now - received_at),
                )
            )
        day += dt.timedelta(days=1)
    specs.sort(key=lambda s: (s.received_at, s.index))
    return specs


# ---------------------------------------------------------------- walking a case through the services


class _NotYet(Exception):
    """The next step lies after now (or the case is left in its state)."""


@dataclass
class Later:
    """Decisions recorded by today's users, after the history: the services
    for these steps take no historical time, so they happen now."""

    extensions: list[tuple[Case, User, int, str, bool | None]] = field(default_factory=list)
    supervisions: list[tuple[Case, str, str]] = field(default_factory=list)
    exclusions: list[tuple[Case, str, str]] = field(default_factory=list)


@dataclass
class Walker:
    org: Organisation
    clock: Clock
    now: dt.datetime
    later: Later
    cases: int = 0

    def step(self, at: dt.datetime) -> dt.datetime:
        if at > self.now:
            raise _NotYet
        return at

    def register(self, group: list[Spec]) -> list[Case]:
        """Register one import of 12345 orders, or one case taken in by hand
        (an emergency call, a paper slip, a visit)."""
        first = group[0]
        clerk = self.org.clerks[first.index % 2]
        at = self.step(first.register_at)
        orders: list[dict[str, Any]] = [
            {
                "title": spec.title,
                "content": spec.content,
                "received_at": spec.received_at,
                "ticket_no": spec.ticket_no,
                "channel": spec.channel,
                "order_type": spec.topic.order_type,
                "caller_name": spec.caller_name,
                "caller_phone": spec.caller_phone,
                "address": spec.address,
                "compound": spec.place.compound,
                "reported_community": spec.unit.community,
                "category": spec.topic.category,
                "urgency": spec.topic.urgency,
                "tags": spec.tags,
            }
            for spec in group
        ]
        if first.imported:
            return services.case_register_many(actor=clerk, orders=orders, at=at)
        return [services.case_register(actor=clerk, at=at, **orders[0])]

    def walk(self, spec: Spec, case: Case) -> None:
        self.case = case
        with contextlib.suppress(_NotYet):
            self._walk(spec)
        self.cases += 1
        self._plan_today(spec, self.case)

    def _walk(self, spec: Spec) -> None:
        """Take the registered case as far as its story goes before now;
        `self.case` is always its latest state."""
        rng, unit, topic, urgency = spec.rng, spec.unit, spec.topic, spec.topic.urgency
        clock, clerk = self.clock, self.org.clerks[spec.index % 2]
        emergency = urgency == Urgency.EMERGENCY
        fast = urgency in (Urgency.EMERGENCY, Urgency.UTILITY)
        t = spec.register_at
        if spec.stop == "registered":
            return

        # First dispatch; now and then to the wrong community, which sends it back.
        misdirected = not emergency and unit.neighbour is not None and (spec.stop == "returned" or rng.random() < 0.03)
        first = unit.neighbour if misdirected and unit.neighbour is not None else unit
        if emergency:
            t += dt.timedelta(minutes=rng.uniform(3, 10))
        else:
            t = clock.add(t, rng.uniform(5, 30) if fast else rng.uniform(10, 90), CLERK_HOURS)
        self._run(
            services.case_dispatch,
            actor=clerk,
            pairing_id=first.pairing.id,
            handler_id=first.officer.id,
            at=self.step(t),
        )
        if misdirected:
            t = clock.add(t, rng.uniform(40, 300), COMMUNITY_HOURS)
            reason = rng.choice(text.RETURN_REASONS).format(address=spec.address, correct=unit.community.name)
            self._run(services.case_return, actor=first.officer, reason=reason, at=self.step(t))
            if spec.stop == "returned":
                return
            t = clock.add(t, rng.uniform(10, 60), CLERK_HOURS)
            self._run(
                services.case_dispatch,
                actor=clerk,
                pairing_id=unit.pairing.id,
                handler_id=unit.officer.id,
                note="退单后改派至正确社区",
                at=self.step(t),
            )
        if spec.stop == "dispatched":
            return

        handler = unit.officer
        t = self._respond(spec, handler, t)
        if not emergency and rng.random() < 0.015:
            # The clerk hands the case to the secretary, who contacts the caller again.
            t = clock.add(t, rng.uniform(30, 240), CLERK_HOURS)
            self._run(
                services.case_redispatch,
                actor=clerk,
                pairing_id=unit.pairing.id,
                handler_id=unit.secretary.id,
                reason=rng.choice(text.REDISPATCH_REASONS),
                at=self.step(t),
            )
            handler = unit.secretary
            t = self._respond(spec, handler, t)
        if spec.stop == "responded":
            return

        # The reply: resolved, or (hard topics, lagging communities) only partly.
        resolved = rng.random() > topic.difficulty * 0.12 + unit.lag * 0.25
        if emergency:
            t += dt.timedelta(minutes=rng.uniform(20, 60))
        elif urgency == Urgency.UTILITY:
            slow = rng.random() < 0.04 + unit.lag * 0.3
            t = clock.add(t, rng.uniform(600, 1400) if slow else rng.uniform(60, 420), UTILITY_HOURS)
        else:
            mean_days = (1.2 + unit.lag * 6) if urgency == Urgency.GENERAL else (3 + unit.lag * 10)
            days = min(rng.expovariate(1 / mean_days), 25) + (0 if urgency == Urgency.GENERAL else 2)
            t = clock.add(t, days * 9.5 * 60 + rng.uniform(20, 180), COMMUNITY_HOURS)
        reply = self._reply_text(spec, resolved)
        facts = demo_reply_facts(self.case, resolved=resolved, unit_name=unit.community.name)
        self._run(services.case_reply, actor=handler, text=reply, facts=facts, at=self.step(t))
        if spec.stop == "replied":
            return

        signers = [unit.secretary, unit.chief] if rng.random() < 0.75 else [unit.chief, unit.secretary]
        t = self._sign(spec, signers[0], t, services.case_sign_reply)
        if spec.stop == "signed_once":
            return
        if rng.random() < 0.03:
            # A signatory asks for a fuller reply: the rewrite voids the first signature.
            t = clock.add(t, rng.uniform(30, 180), COMMUNITY_HOURS)
            amended = reply + "\n补充说明：已留存现场照片和处置记录，社区将在一周后回访核实效果。"
            self._run(services.case_reply, actor=handler, text=amended, at=self.step(t))
            t = self._sign(spec, signers[0], t, services.case_sign_reply)
        t = self._sign(spec, signers[1], t, services.case_sign_reply)  # closes the case

        # The hotline calls the caller back a few days later.
        t = clock.add(t + dt.timedelta(days=rng.uniform(0.8, 4)), 0, CALLBACK_HOURS)
        self.step(t)
        valid = rng.random() > 0.06
        note = ""
        if not valid:
            contacted, resolved_cb, satisfaction = True, True, rng.choice((Satisfaction.SATISFIED, Satisfaction.BASIC))
            note = rng.choice(text.CALLBACK_INVALID_NOTES)
        else:
            contacted = rng.random() > 0.01 + unit.lag * 0.12
            resolved_cb = resolved if rng.random() < 0.96 else not resolved
            satisfaction = self._satisfaction(rng, unit, resolved_cb, contacted)
        self._run(
            services.case_record_callback,
            actor=clerk,
            contacted=contacted,
            resolved=resolved_cb,
            satisfaction=satisfaction,
            valid=valid,
            called_at=t,
            note=note,
        )
        if self.case.status != Status.NEEDS_EXPLANATION:
            return

        # 单否/双否: the unresolved-case explanation, double-signed; recent ones still in progress.
        recent = self.now - t < dt.timedelta(days=7)
        roll = rng.random()
        if recent and roll < 0.3:
            return
        t = clock.add(t, rng.uniform(60, 900 + 1800 * unit.lag), COMMUNITY_HOURS)
        self._run(services.case_write_explanation, actor=handler, text=self._explanation(spec), at=self.step(t))
        if recent and roll < 0.45:
            return
        signers = [unit.secretary, unit.chief] if rng.random() < 0.7 else [unit.chief, unit.secretary]
        t = self._sign(spec, signers[0], t, services.case_sign_explanation)
        if recent and roll < 0.55:
            return
        self._sign(spec, signers[1], t, services.case_sign_explanation)
        return

    def _run(self, service: Callable, **kwargs) -> None:
        self.case = service(case_id=self.case.id, **kwargs)

    def _respond(self, spec: Spec, handler, t: dt.datetime) -> dt.datetime:
        rng, unit, urgency = spec.rng, spec.unit, spec.topic.urgency
        if urgency == Urgency.EMERGENCY:
            t += dt.timedelta(minutes=rng.uniform(5, 15))
        elif urgency == Urgency.UTILITY:
            t = self.clock.add(t, rng.uniform(10, 60 + 120 * unit.lag), UTILITY_HOURS)
        elif rng.random() < unit.lag * 0.15:  # forgotten until the next day: a late response
            t = self.clock.add(t, rng.uniform(600, 1500), COMMUNITY_HOURS)
        else:
            t = self.clock.add(t, rng.expovariate(1 / (30 + 240 * unit.lag)) + 5, COMMUNITY_HOURS)
        self._run(services.case_respond, actor=handler, at=self.step(t))
        return t

    def _sign(self, spec: Spec, signer, t: dt.datetime, service: Callable) -> dt.datetime:
        rng, urgency = spec.rng, spec.topic.urgency
        if urgency == Urgency.EMERGENCY:
            t += dt.timedelta(minutes=rng.uniform(3, 12))
        elif urgency == Urgency.UTILITY:
            t = self.clock.add(t, rng.uniform(10, 90), UTILITY_HOURS)
        else:
            hours = CHIEF_HOURS if signer == spec.unit.chief else COMMUNITY_HOURS
            t = self.clock.add(t, rng.uniform(15, 240 + 600 * spec.unit.lag), hours)
        document = Signature.Document.REPLY if service is services.case_sign_reply else Signature.Document.EXPLANATION
        self._run(service, actor=signer, expected_sha256=signed_sha256(self.case, document), at=self.step(t))
        return t

    @staticmethod
    def _satisfaction(rng: random.Random, unit: Unit, resolved: bool, contacted: bool) -> Satisfaction:
        roll = rng.random() - (0 if contacted else 0.3)
        if resolved:
            if roll < 0.01 + unit.lag * 0.06:
                return Satisfaction.UNSATISFIED
            if roll < 0.08 + unit.lag * 0.4:
                return Satisfaction.BASIC
            return Satisfaction.SATISFIED
        if roll < 0.45:
            return Satisfaction.UNSATISFIED
        if roll < 0.85:
            return Satisfaction.BASIC
        return Satisfaction.SATISFIED

    @staticmethod
    def _reply_text(spec: Spec, resolved: bool) -> str:
        rng, topic = spec.rng, spec.topic
        # An emergency reply starts with what was done on the spot.
        opening = "" if topic.urgency == Urgency.EMERGENCY else rng.choice(text.REPLY_OPENINGS)
        if resolved:
            body = spec.place.fill(rng.choice(topic.replies))
            return f"{opening}{body}{rng.choice(text.REPLY_CLOSINGS_RESOLVED)}"
        obstacle = spec.place.fill(rng.choice(topic.obstacles))
        return f"{opening}经协调，{obstacle}，问题暂未彻底解决。{rng.choice(text.REPLY_CLOSINGS_PARTIAL)}"

    @staticmethod
    def _explanation(spec: Spec) -> str:
        rng, topic = spec.rng, spec.topic
        return (
            f"诉求内容：{spec.title}（{spec.address}）。\n"
            f"办理情况：接件后社区当日联系诉求人，会同包片科室现场核实并协调相关单位处置。\n"
            f"未解决原因：{spec.place.fill(rng.choice(topic.obstacles))}。\n"
            f"下一步措施：{rng.choice(text.NEXT_STEPS)}"
        )

    def _plan_today(self, spec: Spec, case: Case) -> None:
        """Decide the steps today's users take on this case (see `Later`)."""
        rng, unit, later = spec.rng, spec.unit, self.later
        age = self.now - spec.received_at
        status = case.status
        slow_kind = spec.topic.urgency in (Urgency.GENERAL, Urgency.COMPLEX)
        stuck = status in (Status.DISPATCHED, Status.RESPONDED) and slow_kind and age > dt.timedelta(days=2)
        if stuck and rng.random() < 0.3:
            roll = rng.random()
            decision = None if roll < 0.5 else roll < 0.9  # pending, approved or refused
            later.extensions.append(
                (case, unit.officer, rng.choice((3, 5, 5, 10)), rng.choice(text.EXTENSION_REASONS), decision)
            )
        if case_is_overdue(case, self.now) and rng.random() < 0.6:
            kind = "phone" if rng.random() < 0.7 else "onsite"
            later.supervisions.append((case, kind, rng.choice(text.SUPERVISION_NOTES)))
        if case.callback_at is not None:
            negative = case.callback_negatives > 0
            if rng.random() < (0.02 if negative else 0.0005):
                reason = ExclusionReason.MALICIOUS_REPEAT if spec.repeat_caller else spec.topic.exclusion
                later.exclusions.append((case, reason, text.EXCLUSION_NOTES[reason]))


def _apply_later(org: Organisation, later: Later, now: dt.datetime) -> None:
    """Today's decisions, stamped with the seed's `now` (the end of the history)."""
    for case, officer, days, reason, decision in later.extensions:
        request = services.case_request_extension(
            case_id=case.id, actor=officer, working_days=days, reason=reason, at=now
        )
        if decision is not None:
            services.case_decide_extension(
                request_id=request.id,
                actor=org.leader,
                approve=decision,
                note="同意延期，请抓紧办理。" if decision else "不同意延期，请按原时限办结。",
                at=now,
            )
    for case, kind, note in later.supervisions:
        services.case_supervise(case_id=case.id, actor=org.supervisor, kind=kind, note=note, at=now)
    for case, reason, note in later.exclusions:
        services.case_exclude(case_id=case.id, actor=org.leader, reason=reason, note=note, at=now)


# ---------------------------------------------------------------- entry points


@dataclass
class SeedResult:
    created: bool
    street: Street
    logins: list[Login] = field(default_factory=list)
    units: list[tuple[str, str, str, str]] = field(default_factory=list)  # community, officer, secretary, chief
    cases: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    extensions: int = 0
    exclusions: int = 0


def demo_street() -> Street | None:
    return Street.objects.filter(name=text.STREET_NAME, is_demo=True).first()


def demo_delete() -> bool:
    """Delete the demo street with its cases, people and accounts (the admin
    account stays). Returns False when there is no demo street."""
    street = demo_street()
    if street is None:
        return False
    with transaction.atomic():
        user_ids = list(Person.objects.filter(street=street).values_list("user_id", flat=True))
        # Boards and meeting draws hold on to the street's units and cases: they go first.
        Board.objects.filter(
            pk__in=BoardRow.objects.filter(Q(community__street=street) | Q(department__street=street)).values(
                "board_id"
            )
        ).delete()
        MeetingDraw.objects.filter(street=street).delete()
        demo_checks_delete(street=street)
        Article.objects.filter(Q(updated_by__in=user_ids) | Q(versions__edited_by__in=user_ids)).delete()
        Talk.objects.filter(street=street).delete()
        demo_slips_delete(street=street)
        # Councils' topics and meetings name projects: they go first.
        demo_councils_delete(street=street)
        demo_meetings_delete(street=street)
        demo_projects_delete(street=street)
        Case.objects.filter(
            Q(reported_community__street=street) | Q(community__street=street) | Q(created_by__in=user_ids)
        ).delete()
        Pairing.objects.filter(community__street=street).delete()
        DutyDay.objects.filter(Q(leader__in=user_ids) | Q(members__in=user_ids)).delete()
        Person.objects.filter(street=street).delete()
        User.objects.filter(pk__in=user_ids).delete()
        CommunityAlias.objects.filter(community__street=street).delete()
        Community.objects.filter(street=street).delete()
        Department.objects.filter(street=street).delete()
        street.delete()
    return True


def _add_email_channels(org: Organisation) -> None:
    """A few demo people also get their notifications by e-mail (files in var/mail/
    unless EMAIL_HOST is set), so the admin's 外发记录 fill as the demo is used.
    Added after the history: the history itself sends nothing."""
    unit = org.units[0]
    for user in [unit.officer, unit.secretary, unit.chief, org.clerks[0]]:
        channel_add_for_user(user=user, kind=ChannelKind.EMAIL, address=f"{user.username}@street.example")


def demo_seed(
    *,
    seed: int = DEFAULT_SEED,
    weeks: int = DEFAULT_WEEKS,
    now: dt.datetime | None = None,
    reset: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> SeedResult:
    """Create the demo street and its history, or report that it exists.
    `progress(done, total)` is called as the cases of the history are walked."""
    if weeks < 0:
        raise ValueError("weeks must not be negative")
    now = now or timezone.now()
    # The deadline rules and the calendar do not change while the history is
    # walked: read once, not at each of the thousands of dispatches.
    with transaction.atomic(), deadlines.rules_read_once():
        if reset:
            demo_delete()
        existing = demo_street()
        if existing is not None:
            return SeedResult(created=False, street=existing)
        other = Street.objects.first()
        if other is not None:
            # One installation serves one street: demo accounts beside a real
            # street would see its cases and its callers.
            raise InvalidInput(f"数据库中已有街道“{other.name}”：演示街道只能建在单独的数据库中。")
        rng = random.Random(seed)
        start = now - dt.timedelta(weeks=weeks)
        local_start = timezone.localtime(start).date()
        clock = Clock(local_start - dt.timedelta(days=7), timezone.localtime(now).date() + dt.timedelta(days=120))
        org = _create_organisation(rng, start=start)
        later = Later()
        walker = Walker(org=org, clock=clock, now=now, later=later)
        groups = [
            group
            for group in registration_groups(case_specs(rng, org.units, start=start, now=now, clock=clock))
            if group[0].register_at <= now  # the others are not imported yet
        ]
        total = sum(len(group) for group in groups)
        for group in groups:
            for spec, case in zip(group, walker.register(group), strict=True):
                walker.walk(spec, case)
            if progress is not None:
                progress(walker.cases, total)
        _apply_later(org, later, now)
        extra = demo_emergencies(org=org, now=now, start=start)
        extra += demo_intake(org=org, now=now)
        extra += demo_slips(clerk=org.clerks[0], units=org.units, now=now)
        extra += demo_projects(leader=org.leader, clerk=org.clerks[0], units=org.units, now=now)
        extra += demo_councils(units=org.units, now=now)  # resident councils (demo/governance_councils.py)
        walker.cases += extra
        if progress is not None and extra:
            progress(walker.cases, total + extra)
        demo_checks(street=org.street, supervisor=org.supervisor, leader=org.leader, now=now, seed=seed)
        # The 催办 ladder as its sweep finds the street now: reminders, 催办,
        # notices and 通报 on the cases the history left late.
        demo_talks(org=org, now=now, seed=seed)  # weekly meetings on record and 约谈 (demo/talks.py)
        demo_meetings(street=org.street, org=org, now=now)  # 吹哨 meetings and the register of outside bodies
        ladder_sweep(now=now)
        # People have read what they were told before today; today's work waits unread.
        notification_mark_read_before(before=local_midnight(timezone.localdate(now)))
        _add_email_channels(org)
        demo_field_work(street=org.street, now=now, seed=seed)
        demo_knowledge(editor=org.leader)

    counts: dict[str, int] = {}
    for status in Case.objects.filter(community__street=org.street).values_list("status", flat=True).order_by():
        counts[status] = counts.get(status, 0) + 1
    registered = Case.objects.filter(reported_community__street=org.street, community__isnull=True).count()
    if registered:
        counts[Status.REGISTERED] = registered
    return SeedResult(
        created=True,
        street=org.street,
        logins=org.logins,
        units=[
            (
                u.community.name,
                u.officer.username,
                u.secretary.username,
                f"{u.pairing.department.name}/{u.chief.username}",
            )
            for u in org.units
        ],
        cases=walker.cases,
        by_status=counts,
        extensions=ExtensionRequest.objects.filter(case__community__street=org.street).count(),
        exclusions=len(later.exclusions),
    )


# ---------------------------------------------------------------- emergencies (DESIGN §6)

EMERGENCY_UNDER_WAY = {
    "title": "地下室燃气味浓，居民担心泄漏",
    "content": "来电人反映楼内地下室燃气味很浓，已有住户头晕，请求立即处置。",
    "caller_name": "刘女士",
    "caller_phone": "13900007788",
    "category": "城乡建设->燃气->燃气泄漏",
}


def demo_emergencies(*, org: Organisation, now: dt.datetime, start: dt.datetime) -> int:
    """The duty roster (值班表) over the demo's dates, the emergencies raised
    by the last day's urgent calls seen through, and one emergency under way:
    raised and dispatched minutes ago, its caller not yet contacted. Returns
    the number of cases it registered."""
    first = timezone.localtime(start).date()
    last = timezone.localtime(now).date() + dt.timedelta(days=14)
    members = [*org.clerks, org.supervisor]
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    DutyDay.objects.bulk_create(
        [DutyDay(date=day, leader=org.leader, note="演示值班表") for day in days], ignore_conflicts=True
    )
    rosters = DutyDay.objects.filter(date__in=days)
    DutyDay.members.through.objects.bulk_create(
        [DutyDay.members.through(dutyday_id=roster.id, user_id=members[n % 2].id) for n, roster in enumerate(rosters)]
        + [DutyDay.members.through(dutyday_id=roster.id, user_id=org.supervisor.id) for roster in rosters],
        ignore_conflicts=True,
    )
    # Urgent calls registered within the last day raised their emergency
    # themselves; those already answered were attended and closed.
    for emergency in Emergency.objects.filter(
        case__community__street=org.street, status=EmergencyStatus.RAISED
    ).select_related("case"):
        case = emergency.case
        if case.responded_at is None or case.handler is None:
            continue
        arrived = min(max(case.responded_at + dt.timedelta(minutes=25), emergency.raised_at), now)
        services.case_arrive_on_scene(case_id=case.id, actor=case.handler, at=arrived)
        closed = min(max(case.closed_at or arrived + dt.timedelta(minutes=50), arrived), now)
        services.case_close_emergency(case_id=case.id, actor=org.leader, note="险情已排除，现场处置完毕。", at=closed)
    unit = org.units[0]
    raised_at = now - dt.timedelta(minutes=18)
    case = services.case_register(
        actor=org.clerks[0],
        ticket_no=f"{STREET_TICKET_PREFIX}{timezone.localtime(raised_at):%Y%m%d}YJ0001",
        received_at=raised_at - dt.timedelta(minutes=2),
        channel=Channel.HOTLINE,
        reported_community=unit.community,
        urgency=Urgency.EMERGENCY,
        at=raised_at,
        **EMERGENCY_UNDER_WAY,
    )
    if not Emergency.objects.filter(case=case).exists():  # a history that ends before today
        services.case_raise_emergency(case_id=case.id, actor=org.clerks[0], note="燃气泄漏险情", at=raised_at)
    services.case_dispatch(
        case_id=case.id,
        actor=org.clerks[0],
        pairing_id=unit.pairing.id,
        handler_id=unit.officer.id,
        note="应急派发，请立即联系来电人并赶赴现场",
        at=raised_at + dt.timedelta(minutes=3),
    )
    return 1
