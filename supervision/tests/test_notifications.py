"""In-app notifications: every step that hands work to somebody tells them,
in the step's transaction; each person sees and marks only their own."""

import pytest
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.models import Satisfaction
from communities.models import Role
from communities.tests.factories import person
from supervision.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def told(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_a_dispatch_tells_the_handler_and_the_communitys_secretary_not_the_clerk(org, walk):
    case = walk.dispatched()
    assert told(NotificationKind.ASSIGNED) == {org.officer_a.id, org.secretary_a.id}
    notification = Notification.objects.get(recipient=org.officer_a)
    assert notification.case == case
    assert case.ticket_no in notification.text
    assert notification.url == reverse("case-detail", args=[case.pk])
    # Never the caller: the walk's caller is 张三 13812341234.
    assert "张三" not in notification.title + notification.text
    assert "1381234" not in notification.title + notification.text


def test_a_deactivated_person_is_told_nothing(org, walk):
    org.secretary_a.is_active = False
    org.secretary_a.save(update_fields=["is_active"])
    walk.dispatched()
    assert told(NotificationKind.ASSIGNED) == {org.officer_a.id}


def test_each_step_tells_the_people_it_hands_work_to(org, walk):
    case = walk.dispatched()
    services.case_return(case_id=case.id, actor=org.officer_a, reason="非本社区")
    assert told(NotificationKind.RETURNED) == {org.clerk.id}

    replied = walk.replied()
    assert told(NotificationKind.SIGNATURE_DUE) == {org.secretary_a.id, org.chief_a.id}

    closed = walk.closed()
    assert told(NotificationKind.CLOSED) == {org.officer_a.id, org.clerk.id}
    assert Notification.objects.filter(kind=NotificationKind.CLOSED, case=closed).count() == 2
    assert not Notification.objects.filter(kind=NotificationKind.CLOSED, case=replied).exists()

    services.case_record_callback(
        case_id=closed.id, actor=org.clerk, contacted=True, resolved=True, satisfaction=Satisfaction.SATISFIED
    )
    assert not told(NotificationKind.EXPLANATION_DUE)
    walk.needs_explanation()
    assert told(NotificationKind.EXPLANATION_DUE) == {org.officer_a.id, org.secretary_a.id}


def test_an_extension_goes_to_the_leaders_and_its_decision_back_to_who_asked(org, walk):
    case = walk.responded()
    request = services.case_request_extension(case_id=case.id, actor=org.officer_a, working_days=3, reason="需协调")
    assert told(NotificationKind.EXTENSION_REQUESTED) == {org.leader.id}
    services.case_decide_extension(request_id=request.id, actor=org.leader, approve=True)
    assert told(NotificationKind.EXTENSION_DECIDED) == {org.officer_a.id}


def test_a_step_that_fails_leaves_no_notification(org, walk):
    case = walk.registered()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_dispatch(
            case_id=case.id, actor=org.clerk, pairing_id=org.pairing_a.id, handler_id=org.officer_a.id
        )
        raise RuntimeError("the request failed after the step")
    assert not Notification.objects.exists()


def test_the_inbox_lists_filters_and_marks_read(client, org, walk):
    first = walk.dispatched(title="电梯停运")
    walk.needs_explanation(title="楼道漏水")
    client.force_login(org.officer_a)
    page = client.get(reverse("notification-inbox")).content.decode()
    assert "新派发：电梯停运" in page
    assert "回访单否/双否，待写情况说明：楼道漏水" in page
    assert 'id="notification-bell"' in page  # the bell is on the page itself

    filtered = client.get(reverse("notification-inbox"), {"kind": "explanation_due"}).content.decode()
    assert "楼道漏水" in filtered
    assert "电梯停运" not in filtered

    notification = Notification.objects.get(recipient=org.officer_a, case=first)
    response = client.post(reverse("notification-open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("case-detail", args=[first.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None

    unread = Notification.objects.filter(recipient=org.officer_a, read_at__isnull=True).count()
    assert unread > 0
    bell = client.get(reverse("notification-bell")).content.decode()
    assert f"{unread} 条未读" in bell
    client.post(reverse("notification-read-all"))
    assert not Notification.objects.filter(recipient=org.officer_a, read_at__isnull=True).exists()
    assert "0 条未读" in client.get(reverse("notification-bell")).content.decode()


def test_nobody_opens_or_marks_anothers_notification(client, org, walk):
    walk.dispatched()
    theirs = Notification.objects.get(recipient=org.officer_a)
    client.force_login(org.officer_b)
    response = client.post(reverse("notification-open", args=[theirs.pk]), follow=True)
    assert "通知不存在" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None

    api = APIClient()
    api.force_authenticate(org.officer_b)
    assert api.get("/api/notifications/").json()["count"] == 0
    assert api.get(f"/api/notifications/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_api_lists_filters_and_marks_read(org, walk):
    walk.dispatched()
    walk.needs_explanation()
    api = APIClient()
    api.force_authenticate(org.officer_a)
    everything = api.get("/api/notifications/").json()
    assert everything["count"] == Notification.objects.filter(recipient=org.officer_a).count()
    only = api.get("/api/notifications/", {"kind": "explanation_due"}).json()
    assert [row["kind"] for row in only["results"]] == ["explanation_due"]
    assert api.get("/api/notifications/", {"kind": "nonsense"}).status_code == 400

    one = everything["results"][0]
    marked = api.post(f"/api/notifications/{one['id']}/read/").json()
    assert marked["read_at"] is not None
    assert api.get("/api/notifications/", {"unread": "true"}).json()["count"] == everything["count"] - 1
    assert api.post("/api/notifications/read-all/").json() == {"marked": everything["count"] - 1, "unread": 0}


def test_the_lobby_display_has_no_inbox(client, org):
    client.force_login(org.display)
    assert client.get(reverse("notification-inbox")).status_code == 302
    leader = person(Role.LEADER, street=org.street, full_name="另一位领导")
    client.force_login(leader)
    assert client.get(reverse("notification-inbox")).status_code == 200


def test_history_told_before_a_moment_is_marked_read_and_later_work_stays_unread(org, walk):
    import datetime as dt

    from django.utils import timezone

    from supervision.services import notification_mark_read_before

    walk.dispatched()
    aged = Notification.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    walk.needs_explanation()
    assert aged > 0
    assert notification_mark_read_before(before=timezone.now() - dt.timedelta(days=1)) == aged
    read = Notification.objects.filter(read_at__isnull=False)
    assert all(n.read_at == n.created_at + dt.timedelta(hours=1) for n in read)
    assert not Notification.objects.filter(kind=NotificationKind.EXPLANATION_DUE, read_at__isnull=False).exists()
