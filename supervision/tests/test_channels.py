"""Outbound channels (DESIGN §6): a step's notifications go out on each
person's and unit's channels after the commit, against real receivers on
this machine; the messages carry the case number, title, step and link and
nothing of the caller; failures are retried, then shown as failed."""

import base64
import datetime as dt
import hashlib
import hmac
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from hotline.celery import app
from hotline.errors import Conflict
from hotline.models import OutboxMessage
from supervision import channels, delivery
from supervision.models import Channel, ChannelKind, Delivery, DeliveryState, Notification, QuietHours
from supervision.tests.channel_receivers import HttpReceiver, SmtpReceiver

CALLER_FACTS = ["张三", "13812341234", "3号楼电梯停运"]
State = DeliveryState


@pytest.fixture
def receiver():
    started = []

    def start(mode: str = "ok", hang_for: float = 30) -> HttpReceiver:
        started.append(HttpReceiver(mode=mode, hang_for=hang_for).start())
        return started[-1]

    yield start
    for one in started:
        one.stop()


@pytest.fixture
def eager():
    """The outbox runs the send task in this process after the commit (as a worker would)."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def fast_timeout(monkeypatch):
    monkeypatch.setattr(channels, "SEND_TIMEOUT", 1)


def dispatch(walk, capture, **kwargs):
    with capture(execute=True):
        return walk.dispatched(**kwargs)


def assert_no_caller_data(text: str) -> None:
    for fact in CALLER_FACTS:
        assert fact not in text


def test_the_handlers_wecom_robot_gets_the_dispatch_with_no_caller_data(
    org, walk, eager, receiver, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://hotline.example.org"
    robot = receiver()
    Channel.objects.create(
        user=org.officer_a, kind=ChannelKind.WECOM, address=f"{robot.url}/cgi-bin/webhook/send?key=k1"
    )

    case = dispatch(walk, django_capture_on_commit_callbacks)

    (post,) = robot.posts
    assert post.path == "/cgi-bin/webhook/send" and post.query == {"key": "k1"}
    assert post.json["msgtype"] == "markdown"
    content = post.json["markdown"]["content"]
    assert case.ticket_no in content and "电梯故障" in content and "派发（派发给我）" in content
    assert f"https://hotline.example.org/cases/{case.pk}/" in content
    assert_no_caller_data(post.body.decode())
    sent = Delivery.objects.get()
    assert (sent.state, sent.attempts, sent.last_error) == (State.SENT, 1, "")
    assert sent.notification.recipient == org.officer_a


def test_email_goes_over_smtp_with_the_ticket_and_link_and_nothing_of_the_caller(
    org, walk, eager, django_capture_on_commit_callbacks, settings
):
    smtp = SmtpReceiver().start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        Channel.objects.create(user=org.secretary_a, kind=ChannelKind.EMAIL, address="sun@example.org")

        case = dispatch(walk, django_capture_on_commit_callbacks)

        ((recipients, mail),) = smtp.messages
    finally:
        smtp.stop()
    assert recipients == ["sun@example.org"]
    body = mail.get_body().get_content()
    assert case.ticket_no in body and f"/cases/{case.pk}/" in body and "电梯故障" in mail["Subject"]
    assert_no_caller_data(body + mail["Subject"])
    assert Delivery.objects.get().state == State.SENT


def test_a_dingtalk_robot_with_a_secret_gets_a_signed_request(
    org, walk, eager, receiver, django_capture_on_commit_callbacks
):
    robot = receiver()
    secret = "SEC0123456789abcdef"
    Channel.objects.create(
        user=org.officer_a, kind=ChannelKind.DINGTALK, address=f"{robot.url}/robot/send?access_token=t", secret=secret
    )

    case = dispatch(walk, django_capture_on_commit_callbacks)

    (post,) = robot.posts
    timestamp = post.query["timestamp"]
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest())
    assert post.query["access_token"] == "t" and post.query["sign"] == expected.decode()
    assert abs(int(timestamp) / 1000 - time.time()) < 60
    assert post.json["msgtype"] == "markdown" and case.ticket_no in post.json["markdown"]["text"]
    assert_no_caller_data(post.body.decode())


def test_the_generic_webhook_is_signed_with_hmac_sha256(org, walk, eager, receiver, django_capture_on_commit_callbacks):
    system = receiver()
    secret = "street-system-shared-key"
    Channel.objects.create(user=org.officer_a, kind=ChannelKind.WEBHOOK, address=f"{system.url}/hook", secret=secret)

    case = dispatch(walk, django_capture_on_commit_callbacks)

    (post,) = system.posts
    timestamp = post.headers["x-hotline-timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + post.body, hashlib.sha256).hexdigest()
    assert post.headers["x-hotline-signature"] == f"sha256={expected}"
    assert post.json["ticket"] == case.ticket_no and post.json["kind"] == "assigned"
    assert post.headers["x-hotline-delivery"] == str(Delivery.objects.get().pk)
    assert_no_caller_data(post.body.decode())


def test_a_units_group_robot_hears_of_a_step_once_however_many_of_its_people_are_told(
    org, walk, eager, receiver, django_capture_on_commit_callbacks
):
    community_robot, other_robot = receiver(), receiver()
    Channel.objects.create(community=org.a, kind=ChannelKind.WECOM, address=f"{community_robot.url}/a")
    Channel.objects.create(community=org.b, kind=ChannelKind.WECOM, address=f"{other_robot.url}/b")

    case = dispatch(walk, django_capture_on_commit_callbacks)

    assert Notification.objects.filter(event__case=case).count() == 2  # the handler and the secretary
    assert len(community_robot.posts) == 1 and other_robot.posts == []


def test_a_receiver_answering_500_is_retried_with_backoff_then_failed_and_shown_to_administrators(
    org, walk, receiver, django_capture_on_commit_callbacks, admin_client
):
    broken = receiver(mode="500")
    Channel.objects.create(user=org.officer_a, kind=ChannelKind.WECOM, address=f"{broken.url}/hook")
    dispatch(walk, django_capture_on_commit_callbacks)
    item = Delivery.objects.get()

    now = timezone.now()
    waits = []
    for _attempt in range(delivery.MAX_ATTEMPTS):
        assert delivery.delivery_send(delivery_id=item.pk, now=now) is False
        item.refresh_from_db()
        if item.state == State.PENDING:
            waits.append(item.next_attempt_at - now)
            assert delivery.delivery_send(delivery_id=item.pk, now=now) is False  # not due yet: not tried
            now = item.next_attempt_at
    assert waits == [delivery.RETRY_FIRST * 2**n for n in range(delivery.MAX_ATTEMPTS - 1)]
    assert (item.state, item.attempts) == (State.FAILED, delivery.MAX_ATTEMPTS)
    assert "HTTP 500" in item.last_error
    assert len(broken.posts) == delivery.MAX_ATTEMPTS
    assert delivery.deliveries_send_due(now=now + dt.timedelta(days=1)) == 0  # failed: not tried again

    page = admin_client.get(reverse("admin:supervision_delivery_changelist") + "?state=failed").content.decode()
    assert "HTTP 500" in page and "发送失败" in page


def test_a_receiver_that_hangs_does_not_slow_the_step_and_the_delivery_waits_for_a_retry(
    org, walk, receiver, fast_timeout, django_capture_on_commit_callbacks
):
    silent = receiver(mode="hang", hang_for=5)
    Channel.objects.create(user=org.officer_a, kind=ChannelKind.WECOM, address=f"{silent.url}/hook")

    started = time.monotonic()
    case = dispatch(walk, django_capture_on_commit_callbacks)
    assert time.monotonic() - started < 3
    assert case.status == "dispatched"
    # The step asked the worker (through the outbox) and went on.
    assert OutboxMessage.objects.filter(name=delivery.SEND_TASK).count() == 1

    item = Delivery.objects.get()
    started = time.monotonic()
    assert delivery.delivery_send(delivery_id=item.pk) is False
    assert time.monotonic() - started < 4  # the worker gives up after SEND_TIMEOUT
    item.refresh_from_db()
    assert item.state == State.PENDING and item.attempts == 1 and "timed out" in item.last_error
    assert item.next_attempt_at > timezone.now()
    assert delivery.deliveries_send_due(now=item.next_attempt_at) == 1
    # Asked once; asked again only when the task looks lost (a busy worker is not flooded).
    assert delivery.deliveries_send_due(now=item.next_attempt_at + dt.timedelta(minutes=1)) == 0
    assert delivery.deliveries_send_due(now=item.next_attempt_at + delivery.ASK_AGAIN_AFTER * 2) == 1


def test_a_deactivated_user_gets_nothing(org, walk, eager, receiver, django_capture_on_commit_callbacks):
    robot = receiver()
    Channel.objects.create(user=org.officer_a, kind=ChannelKind.WECOM, address=f"{robot.url}/a")
    Channel.objects.create(user=org.secretary_a, kind=ChannelKind.WECOM, address=f"{robot.url}/s")
    get_user_model().objects.filter(pk=org.secretary_a.pk).update(is_active=False)

    dispatch(walk, django_capture_on_commit_callbacks)

    assert [p.path for p in robot.posts] == ["/a"]
    assert not Delivery.objects.filter(channel__user=org.secretary_a).exists()


def test_a_user_deactivated_before_the_send_gets_nothing(org, walk, receiver, django_capture_on_commit_callbacks):
    robot = receiver()
    Channel.objects.create(user=org.officer_a, kind=ChannelKind.WECOM, address=f"{robot.url}/a")
    dispatch(walk, django_capture_on_commit_callbacks)
    get_user_model().objects.filter(pk=org.officer_a.pk).update(is_active=False)

    item = Delivery.objects.get()
    assert delivery.delivery_send(delivery_id=item.pk) is False
    item.refresh_from_db()
    assert item.state == State.CANCELLED and robot.posts == []


def _quiet_around_now(user) -> QuietHours:
    local = timezone.localtime()
    start = (local - dt.timedelta(hours=1)).time().replace(microsecond=0)
    end = (local + dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    return QuietHours.objects.create(user=user, start=start, end=end)


def test_quiet_hours_delay_a_non_urgent_delivery_to_their_end(
    org, walk, eager, receiver, django_capture_on_commit_callbacks
):
    robot = receiver()
    Channel.objects.create(user=org.officer_a, kind=ChannelKind.WECOM, address=f"{robot.url}/a")
    quiet = _quiet_around_now(org.officer_a)

    dispatch(walk, django_capture_on_commit_callbacks)

    item = Delivery.objects.get()
    assert robot.posts == [] and item.state == State.PENDING and item.attempts == 0
    assert timezone.localtime(item.next_attempt_at).time() == quiet.end
    assert delivery.deliveries_send_due() == 0
    assert delivery.delivery_send(delivery_id=item.pk) is False  # the worker, asked early, waits too

    after = item.next_attempt_at + dt.timedelta(seconds=1)
    assert delivery.deliveries_send_due(now=after) == 1  # the periodic job asks the worker at the end
    assert delivery.delivery_send(delivery_id=item.pk, now=after) is True
    assert len(robot.posts) == 1


def test_an_emergency_ignores_quiet_hours(org, walk, eager, receiver, django_capture_on_commit_callbacks):
    robot = receiver()
    Channel.objects.create(user=org.officer_a, kind=ChannelKind.WECOM, address=f"{robot.url}/a")
    _quiet_around_now(org.officer_a)

    dispatch(walk, django_capture_on_commit_callbacks, urgency="emergency")

    (post,) = robot.posts
    assert "【紧急】" in post.json["markdown"]["content"]
    assert Delivery.objects.get().urgent is True


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/hook",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/hook",
        "http://[::ffff:169.254.169.254]/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://0.0.0.0/hook",
        "http://user:pass@example.org/hook",
        "http://",
    ],
)
def test_a_webhook_that_is_not_http_or_points_at_link_local_or_metadata_is_refused_when_saved(db, org, client, url):
    with pytest.raises(ValidationError):
        channels.channel_validate(kind=ChannelKind.WECOM, address=url)
    with pytest.raises(ValidationError):
        Channel(community=org.a, kind=ChannelKind.DINGTALK, address=url).full_clean()  # the admin's check

    client.force_login(org.officer_a)
    answer = client.post(
        reverse("notification-settings"), {"form": "channel", "channel-kind": "wecom", "channel-address": url}
    )
    assert answer.status_code == 400 and "is-invalid" in answer.content.decode()
    assert not Channel.objects.exists()


def test_a_name_that_resolves_to_a_link_local_address_is_not_sent_to(
    org, walk, monkeypatch, django_capture_on_commit_callbacks
):
    # Saved as a name; at send time the name points at the metadata address (as a DNS rebinding would).
    Channel.objects.create(user=org.officer_a, kind=ChannelKind.WECOM, address="http://robot.example.org/hook")
    dispatch(walk, django_capture_on_commit_callbacks)
    monkeypatch.setattr(channels.socket, "getaddrinfo", lambda host, port: [(2, 1, 6, "", ("169.254.169.254", port))])
    item = Delivery.objects.get()
    assert delivery.delivery_send(delivery_id=item.pk) is False
    item.refresh_from_db()
    assert item.state == State.PENDING and "链路本地" in item.last_error


def test_loopback_and_private_receivers_are_allowed(db):
    for url in [
        "http://127.0.0.1:9000/hook",
        "https://10.1.2.3/hook",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
    ]:
        channels.channel_validate(kind=ChannelKind.WECOM, address=url)


def test_the_generic_webhook_needs_a_secret_and_email_a_valid_address(db):
    with pytest.raises(ValidationError):
        channels.channel_validate(kind=ChannelKind.WEBHOOK, address="https://10.0.0.1/h", secret="short")
    with pytest.raises(ValidationError):
        channels.channel_validate(kind=ChannelKind.EMAIL, address="not-an-address")


def test_each_user_sets_their_own_channels_and_quiet_hours_on_the_settings_page(org, client):
    client.force_login(org.officer_a)
    url = reverse("notification-settings")
    assert client.get(url).status_code == 200
    answer = client.post(url, {"form": "channel", "channel-kind": "email", "channel-address": "qian@example.org"})
    assert answer.status_code == 302
    answer = client.post(url, {"form": "quiet", "quiet-start": "22:00", "quiet-end": "07:00"})
    assert answer.status_code == 302
    (channel,) = Channel.objects.all()
    assert (channel.user, channel.kind, channel.address) == (org.officer_a, "email", "qian@example.org")
    quiet = QuietHours.objects.get(user=org.officer_a)
    assert (quiet.start, quiet.end) == (dt.time(22), dt.time(7))
    page = client.get(url).content.decode()
    assert "qian@example.org" in page and "22:00" in page

    # Another person neither sees nor removes it.
    client.force_login(org.officer_b)
    assert "qian@example.org" not in client.get(url).content.decode()
    client.post(reverse("notification-channel-remove", args=[channel.pk]))
    assert Channel.objects.filter(pk=channel.pk).exists()
    client.force_login(org.officer_a)
    client.post(reverse("notification-channel-remove", args=[channel.pk]))
    assert not Channel.objects.exists()


def test_quiet_hours_spanning_midnight():
    quiet = QuietHours(start=dt.time(22), end=dt.time(7))
    tz = timezone.get_current_timezone()
    late = timezone.make_aware(dt.datetime(2026, 3, 2, 23, 30), tz)
    early = timezone.make_aware(dt.datetime(2026, 3, 3, 6, 0), tz)
    noon = timezone.make_aware(dt.datetime(2026, 3, 3, 12, 0), tz)
    morning = timezone.make_aware(dt.datetime(2026, 3, 3, 7, 0), tz)
    assert delivery.quiet_until(quiet=quiet, now=late) == morning
    assert delivery.quiet_until(quiet=quiet, now=early) == morning
    assert delivery.quiet_until(quiet=quiet, now=noon) is None
    assert delivery.quiet_until(quiet=None, now=noon) is None


# ---------------------------------------------------------------- at most once, and the transition table


def test_a_delivery_is_sent_at_most_once_per_notification_and_channel(
    org, walk, eager, receiver, django_capture_on_commit_callbacks
):
    robot = receiver()
    channel = Channel.objects.create(user=org.officer_a, kind=ChannelKind.WECOM, address=f"{robot.url}/a")
    dispatch(walk, django_capture_on_commit_callbacks)
    item = Delivery.objects.get()

    assert delivery.delivery_send(delivery_id=item.pk) is False  # run again, as a retried task would
    assert delivery.deliveries_send_due() == 0
    notification = item.notification
    assert delivery.delivery_create_for_notifications(notifications=[notification]) == []
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(notification=notification, channel=channel)
    assert len(robot.posts) == 1


def test_a_delivery_left_sending_by_a_dead_worker_is_marked_failed_not_sent_again(
    org, walk, receiver, django_capture_on_commit_callbacks
):
    robot = receiver()
    Channel.objects.create(user=org.officer_a, kind=ChannelKind.WECOM, address=f"{robot.url}/a")
    dispatch(walk, django_capture_on_commit_callbacks)
    item = Delivery.objects.get()
    Delivery.objects.filter(pk=item.pk).update(
        state=State.SENDING, claimed_at=timezone.now() - delivery.SENDING_STALE_AFTER - dt.timedelta(seconds=1)
    )
    assert delivery.deliveries_send_due() == 0
    item.refresh_from_db()
    assert item.state == State.FAILED and "中断" in item.last_error and robot.posts == []


def test_an_administrator_resends_a_failed_delivery(org, walk, eager, receiver, django_capture_on_commit_callbacks):
    robot = receiver(mode="500")
    Channel.objects.create(user=org.officer_a, kind=ChannelKind.WECOM, address=f"{robot.url}/a")
    dispatch(walk, django_capture_on_commit_callbacks)
    item = Delivery.objects.get()
    with pytest.raises(Conflict):
        delivery.delivery_resend(delivery_id=item.pk)  # pending, not failed
    Delivery.objects.filter(pk=item.pk).update(state=State.FAILED, attempts=delivery.MAX_ATTEMPTS)

    robot.mode = "ok"
    with django_capture_on_commit_callbacks(execute=True):
        delivery.delivery_resend(delivery_id=item.pk)
    item.refresh_from_db()
    assert (item.state, item.attempts) == (State.SENT, 1)


ALL_STATES = set(State)


@pytest.mark.parametrize("step", list(delivery.Step))
def test_each_step_moves_only_from_its_listed_states(db, org, step):
    notification = Notification.objects.create(
        recipient=org.officer_a, kind="assigned", title="t", created_at=timezone.now()
    )
    channel = Channel.objects.create(user=org.officer_a, kind=ChannelKind.EMAIL, address="a@example.org")
    item = Delivery.objects.create(notification=notification, channel=channel)
    for before in ALL_STATES:
        Delivery.objects.filter(pk=item.pk).update(state=before)
        moved = delivery._move(delivery_id=item.pk, step=step)
        item.refresh_from_db()
        if before in delivery.EDGES[step]:
            assert moved and item.state == delivery.EDGES[step][before]
        else:
            assert not moved and item.state == before


def test_without_a_mail_server_email_is_written_to_files(
    org, walk, eager, tmp_path, django_capture_on_commit_callbacks, settings
):
    # The embedded default (`./dev run`, no EMAIL_HOST): Django's file backend.
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    Channel.objects.create(user=org.officer_a, kind=ChannelKind.EMAIL, address="qian@street.example")

    case = dispatch(walk, django_capture_on_commit_callbacks)

    (written,) = (tmp_path / "mail").iterdir()
    text = written.read_text()
    assert "qian@street.example" in text and case.ticket_no in text
    assert Delivery.objects.get().state == State.SENT


def test_the_admin_refuses_a_units_robot_at_a_metadata_address(org, admin_client):
    add = reverse("admin:supervision_channel_add")
    form = {"kind": "wecom", "community": org.a.pk, "address": "http://169.254.169.254/hook", "is_active": "on"}
    answer = admin_client.post(add, form)
    assert answer.status_code == 200 and "链路本地" in answer.content.decode()
    assert not Channel.objects.exists()

    answer = admin_client.post(add, {**form, "address": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"})
    assert answer.status_code == 302
    assert Channel.objects.get().community == org.a
