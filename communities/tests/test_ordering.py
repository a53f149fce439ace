"""Every list of units is in the street's order: by number, then by the pinyin
of the name — not by character code (北湖渠 < 南湖东园 < 和光里)."""

import re

import pytest

from communities.models import Community, Department
from communities.sorting import name_sort_key
from communities.tests.factories import CommunityFactory, DepartmentFactory, StreetFactory


@pytest.fixture
def units(db):
    street = StreetFactory()
    for number, name in (
        (None, "南湖东园社区"),
        (None, "北湖渠社区"),
        (2, "安苑社区"),
        (None, "和光里社区"),
        (1, "澄园社区"),
    ):
        CommunityFactory(street=street, name=name, number=number)
    for number, name in ((None, "平安建设办公室"), (None, "城市管理办公室"), (1, "综合行政执法队")):
        DepartmentFactory(street=street, name=name, number=number)
    return street


EXPECTED = ["澄园社区", "安苑社区", "北湖渠社区", "和光里社区", "南湖东园社区"]


def test_communities_and_departments_order_by_number_then_pinyin(units):
    assert [c.name for c in Community.objects.all()] == EXPECTED
    assert [d.name for d in Department.objects.all()] == ["综合行政执法队", "城市管理办公室", "平安建设办公室"]


def test_the_sort_key_follows_the_name_through_bulk_writes_and_renames(units):
    assert name_sort_key("北湖渠社区") == "bei hu qu she qu"
    created = Community.objects.bulk_create([Community(street=units, name="阿里社区")])
    assert Community.objects.get(pk=created[0].pk).sort_key == "a li she qu"
    unit = Community.objects.get(name="阿里社区")
    unit.name = "中心社区"
    unit.save(update_fields=["name"])
    assert Community.objects.get(pk=unit.pk).sort_key == "zhong xin she qu"
    unit.name = "保利社区"
    Community.objects.bulk_update([unit], ["name"])
    assert Community.objects.get(pk=unit.pk).sort_key == "bao li she qu"


def test_the_register_form_lists_communities_in_that_order(client, units):
    from communities.models import Role
    from communities.tests.factories import PersonFactory

    clerk = PersonFactory(street=units, role=Role.CLERK)
    client.force_login(clerk.user)
    html = client.get("/cases/new/").content.decode()
    select = re.search(r'<select name="reported_community".*?</select>', html, re.S).group(0)
    assert re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select) == EXPECTED


def test_the_units_api_lists_in_that_order(client, units):
    from communities.models import Role
    from communities.tests.factories import PersonFactory

    client.force_login(PersonFactory(street=units, role=Role.LEADER).user)
    body = client.get("/api/communities/").json()
    names = [row["name"] for row in body.get("results", body)]
    assert names == EXPECTED
