"""The pages and the API of the supervision group's records: roles, scoping
(another unit's order answers 404), conflicts as 409 with a clear message."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Case
from supervision import checks, orders, rechecks
from supervision.models import CheckFinding, DailyCheck, OrderKind, SupervisionOrder


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def overdue(walk):
    case = walk.responded()
    Case.objects.filter(pk=case.pk).update(closure_deadline=timezone.now() - dt.timedelta(hours=2))
    return case


class TestPages:
    def test_a_supervisor_runs_a_check_from_proposal_to_report(self, client, org, overdue):
        client.force_login(org.supervisor)
        response = client.post(reverse("supervision-check-start"))
        check = DailyCheck.objects.get()
        assert response.url == reverse("supervision-check", args=[check.pk])
        page = client.get(response.url)
        assert overdue.ticket_no in page.content.decode() and "超期未办结" in page.content.decode()
        due = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        client.post(
            response.url,
            {"case": overdue.pk, "finding": "overdue", "note": "超期两小时", "order_kind": "phone", "due_on": due},
        )
        assert CheckFinding.objects.get().order.kind == OrderKind.PHONE
        again = client.post(response.url, {"case": overdue.pk, "finding": "overdue", "note": "再记一次"})
        assert "不能重复记录" in again.content.decode() and CheckFinding.objects.count() == 1
        closed = client.post(reverse("supervision-check-close", args=[check.pk]), {"summary": "检查1件"})
        assert closed.url == reverse("supervision-check-print", args=[check.pk])
        report = client.get(closed.url).content.decode()
        assert "接诉即办每日检查报告" in report and overdue.ticket_no in report and "检查1件" in report
        assert overdue.caller_phone not in report and overdue.caller_name not in report

    def test_a_second_start_the_same_day_opens_the_first(self, client, org):
        client.force_login(org.supervisor)
        first = client.post(reverse("supervision-check-start"))
        second = client.post(reverse("supervision-check-start"))
        assert first.url == second.url and DailyCheck.objects.count() == 1

    def test_community_roles_cannot_open_the_check_pages(self, client, org):
        client.force_login(org.secretary_a)
        assert client.get(reverse("supervision-checks")).status_code == 403
        assert client.get(reverse("supervision-rechecks")).status_code == 403

    def test_orders_page_is_scoped_and_closes_orders(self, client, org, overdue):
        order = orders.order_open(
            case_id=overdue.pk, actor=org.supervisor, kind="onsite", due_on=timezone.localdate(), note="现场查看"
        )
        client.force_login(org.secretary_b)
        assert overdue.ticket_no not in client.get(reverse("supervision-orders")).content.decode()
        client.force_login(org.secretary_a)
        assert overdue.ticket_no in client.get(reverse("supervision-orders")).content.decode()
        assert client.post(reverse("supervision-order-close", args=[order.pk]), {"note": "x"}).status_code == 403
        client.force_login(org.supervisor)
        client.post(reverse("supervision-order-close", args=[order.pk]), {"note": "已到现场核实"})
        order.refresh_from_db()
        assert order.status == "done"

    def test_recheck_pages(self, client, org, walk):
        case = walk.closed()
        draw = rechecks.recheck_draw_week(street_id=org.street.pk, week_start=timezone.localdate())
        assert draw.drawn_count == 1
        client.force_login(org.supervisor)
        assert case.ticket_no in client.get(reverse("supervision-recheck-draw", args=[draw.pk])).content.decode()
        client.post(
            reverse("supervision-recheck-draw", args=[draw.pk]),
            {"case": case.pk, "still_resolved": "no", "satisfied": "no", "note": "又漏水了"},
        )
        assert SupervisionOrder.objects.get().kind == OrderKind.RECURRENCE
        refused = client.post(
            reverse("supervision-recheck-draw", args=[draw.pk]),
            {"case": walk.closed().pk, "still_resolved": "yes", "satisfied": "yes", "note": "好"},
        )
        assert "不在本次回头看的抽取范围内" in refused.content.decode()


class TestApi:
    def test_checks(self, org, overdue):
        client = api(org.supervisor)
        created = client.post("/api/supervision/checks/")
        assert created.status_code == 201
        check_id = created.json()["id"]
        assert client.post("/api/supervision/checks/").status_code == 409
        proposals = client.get(f"/api/supervision/checks/{check_id}/proposals/").json()
        assert proposals == [
            {
                "case": {
                    "id": overdue.pk,
                    "ticket_no": overdue.ticket_no,
                    "title": overdue.title,
                    "community": "幸福社区",
                },
                "reasons": ["overdue"],
            }
        ]
        body = {"case": overdue.pk, "finding": "overdue", "note": "超期"}
        assert client.post(f"/api/supervision/checks/{check_id}/findings/", body).status_code == 201
        conflict = client.post(f"/api/supervision/checks/{check_id}/findings/", body)
        assert conflict.status_code == 409 and conflict.json()["code"] == "duplicate_finding"
        bad = client.post(f"/api/supervision/checks/{check_id}/findings/", {**body, "finding": "nonsense"})
        assert bad.status_code == 400
        assert (
            client.post(f"/api/supervision/checks/{check_id}/close/", {"summary": "1件"}).json()["status"] == "closed"
        )
        assert len(client.get(f"/api/supervision/checks/{check_id}/").json()["findings"]) == 1
        assert api(org.secretary_a).get(f"/api/supervision/checks/{check_id}/").status_code == 404

    def test_orders_are_scoped(self, org, overdue):
        order = orders.order_open(
            case_id=overdue.pk, actor=org.supervisor, kind="phone", due_on=timezone.localdate(), note="电话督办"
        )
        assert [row["id"] for row in api(org.secretary_a).get("/api/supervision/orders/").json()["results"]] == [
            order.pk
        ]
        assert api(org.secretary_b).get("/api/supervision/orders/").json()["results"] == []
        assert api(org.secretary_b).get(f"/api/supervision/orders/{order.pk}/").status_code == 404
        assert api(org.secretary_b).post(f"/api/supervision/orders/{order.pk}/close/", {"note": "x"}).status_code == 404
        assert api(org.secretary_a).post(f"/api/supervision/orders/{order.pk}/close/", {"note": "x"}).status_code == 403
        closed = api(org.supervisor).post(f"/api/supervision/orders/{order.pk}/close/", {"note": "已核实"})
        assert closed.json()["status"] == "done"
        assert api(org.supervisor).post(f"/api/supervision/orders/{order.pk}/close/", {"note": "再"}).status_code == 409
        assert api(org.leader).get("/api/supervision/orders/?state=bogus").status_code == 400

    def test_rechecks_and_figures(self, org, walk):
        case = walk.closed()
        draw = rechecks.recheck_draw_week(street_id=org.street.pk, week_start=timezone.localdate())
        client = api(org.supervisor)
        listed = client.get(f"/api/supervision/rechecks/{draw.pk}/").json()
        assert [row["case"]["id"] for row in listed["rechecks"]] == [case.pk]
        body = {"case": case.pk, "still_resolved": False, "satisfied": False, "note": "复发"}
        assert client.post(f"/api/supervision/rechecks/{draw.pk}/record/", body).json()["order"]["kind"] == "recurrence"
        assert client.post(f"/api/supervision/rechecks/{draw.pk}/record/", body).status_code == 409
        figures = {row["name"]: row for row in client.get("/api/supervision/order-figures/").json()}
        assert (figures["幸福社区"]["open"], figures["幸福社区"]["found_back"]) == (1, 1)
        assert api(org.secretary_a).get("/api/supervision/order-figures/").status_code == 404


def test_the_check_service_and_api_agree_on_unknown_checks(org):
    assert not checks.check_list_for_user(user=org.supervisor).exists()
    assert api(org.supervisor).get("/api/supervision/checks/999/").status_code == 404
