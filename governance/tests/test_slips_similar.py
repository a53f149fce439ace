"""At slip conversion the clerk sees the likely duplicates of the slip among the
cases: the one look-up of cases.similarity, on the page and in the API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from governance import slips
from governance import slips_selectors as selectors

pytestmark = pytest.mark.django_db


def slip(org, problem: str, compound: str = "幸福小区"):
    return slips.slip_submit(
        community_id=org.a.pk, problem=problem, compound=compound, building="3号楼", client_address="203.0.113.9"
    )


def test_a_slip_shows_last_weeks_complaint_from_the_same_compound_and_not_an_unrelated_one(org, walk):
    earlier = walk.dispatched(
        title="3号楼电梯停运", content="幸福小区3号楼电梯停运两天，老人下不了楼。", compound="幸福小区"
    )
    walk.dispatched(title="路灯不亮", content="幸福小区南门路灯不亮。", compound="幸福小区")
    waiting = slip(org, "3号楼的电梯坏了两天了，老人没法下楼，请尽快修。")
    found = selectors.slip_similar_cases(user=org.clerk, slip=waiting)
    assert [s.case.pk for s in found] == [earlier.pk]
    assert 0 < found[0].score <= 1 and "compound" in found[0].same
    # Elsewhere, nothing is proposed; once the slip is handled, neither.
    assert selectors.slip_similar_cases(user=org.clerk, slip=slip(org, "电梯坏了两天了", compound="别的小区")) == []
    slips.slip_close(slip_id=waiting.pk, actor=org.clerk, reason="duplicate")
    waiting.refresh_from_db()
    assert selectors.slip_similar_cases(user=org.clerk, slip=waiting) == []


def test_the_slip_page_and_the_api_list_them(org, walk, client):
    earlier = walk.dispatched(
        title="3号楼电梯停运", content="幸福小区3号楼电梯停运两天，老人下不了楼。", compound="幸福小区"
    )
    waiting = slip(org, "3号楼的电梯坏了两天了，老人没法下楼，请尽快修。")
    client.force_login(org.clerk)
    page = client.get(reverse("slip-detail", args=[waiting.pk])).content.decode()
    assert "疑似重复诉求" in page and earlier.ticket_no in page
    api = APIClient()
    api.force_authenticate(org.clerk)
    answer = api.get(f"/api/slips/{waiting.pk}/similar/")
    assert answer.status_code == 200 and [row["ticket_no"] for row in answer.json()] == [earlier.ticket_no]
    api.force_authenticate(org.officer_a)
    assert api.get(f"/api/slips/{waiting.pk}/similar/").status_code in (403, 404)
