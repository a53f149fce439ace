"""Outbound channels: what a channel may point at, what a message says, and
how each kind of channel is sent to (DESIGN §6).

A message carries the case number, its title, the step and a link — never
the caller's name or phone or the citizen's text (phones a clerk typed into
a title are masked too). A receiver is given SEND_TIMEOUT seconds; whatever
it does, the sender raises and the delivery is retried (supervision.delivery).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email

from cases.selectors import mask_phones_in_text
from hotline.errors import InvalidInput, NotFound
from supervision.models import Channel, ChannelKind, Notification, QuietHours

SEND_TIMEOUT = 5  # seconds to connect and to answer
# Host names of cloud metadata services, refused like the link-local addresses they live at.
METADATA_HOSTS = frozenset({"metadata", "metadata.google.internal", "metadata.goog", "instance-data"})
URL_KINDS = frozenset({ChannelKind.WECOM, ChannelKind.DINGTALK, ChannelKind.WEBHOOK})


class ChannelRefused(Exception):
    """The channel's address may not be sent to (checked again at send time: DNS may have changed)."""


def _refused_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    # Link-local holds the metadata services (169.254.169.254, fd00:ec2::254 is unique-local
    # but named below); the unspecified and multicast addresses are never a receiver.
    return (
        address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address == ipaddress.ip_address("fd00:ec2::254")
    )


def url_refusal(url: str) -> str:
    """Why this URL may not be a webhook ('' if it may). Loopback and private
    addresses are allowed: the street's own systems live there."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port  # raises on a bad port
    except ValueError:
        return "地址格式无效。"
    del port
    if parts.scheme not in {"http", "https"}:
        return "只允许 http:// 或 https:// 地址。"
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return "地址缺少主机名。"
    if parts.username or parts.password:
        return "地址中不能包含用户名或密码。"
    if host in METADATA_HOSTS:
        return "不能指向云主机元数据服务。"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return ""
    if _refused_address(address):
        return "不能指向链路本地地址或元数据服务地址。"
    return ""


def channel_validate(*, kind: str, address: str, secret: str = "") -> None:
    """Raises ValidationError (with the field) for a channel that may not be saved."""
    if kind not in ChannelKind.values:
        raise ValidationError({"kind": "渠道类型无效。"})
    address = (address or "").strip()
    if not address:
        raise ValidationError({"address": "请填写地址。"})
    if kind == ChannelKind.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError({"address": "电子邮件地址无效。"}) from None
        return
    refusal = url_refusal(address)
    if refusal:
        raise ValidationError({"address": refusal})
    if kind == ChannelKind.WEBHOOK and len(secret or "") < 16:
        raise ValidationError({"secret": "通用Webhook需要至少16个字符的签名密钥。"})


def _resolve_check(url: str) -> None:
    """At send time: the host's addresses now, so a name that has come to point
    at a link-local address is not sent to."""
    refusal = url_refusal(url)
    if refusal:
        raise ChannelRefused(refusal)
    parts = urllib.parse.urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError as error:
        raise ChannelRefused(f"无法解析主机名：{error}") from None
    for info in infos:
        if _refused_address(ipaddress.ip_address(str(info[4][0]).split("%")[0])):
            raise ChannelRefused("主机名解析到链路本地地址或元数据服务地址。")


# ---------------------------------------------------------------- the message


@dataclass(frozen=True)
class Message:
    ticket: str
    title: str  # the case's title, phones masked
    step: str  # what the notification is about (its kind)
    headline: str  # the notification's title
    link: str
    kind: str
    urgent: bool

    @property
    def text(self) -> str:
        lines = [self.headline, f"工单编号：{self.ticket}", f"事项：{self.title}", f"环节：{self.step}"]
        return "\n".join([*lines, f"查看：{self.link}"])

    @property
    def markdown(self) -> str:
        head = f"**{'【紧急】' if self.urgent else ''}{_md(self.headline)}**"
        lines = [f"> 工单编号：{self.ticket}", f"> 事项：{_md(self.title)}", f"> 环节：{self.step}"]
        return "\n".join([head, *lines, f"[打开工单]({self.link})"])


def _md(text: str) -> str:
    """Plain text inside robot markdown: no link or emphasis syntax from a title."""
    return "".join("\\" + c if c in "[]()*_`<>#" else c for c in text)


def _step_label(notification: Notification) -> str:
    """The step that caused it (派发, 退单…) and what it asks of the person told."""
    kind = notification.get_kind_display()
    event = notification.event
    return f"{event.get_action_display()}（{kind}）" if event is not None else kind


def message_for_notification(*, notification: Notification, urgent: bool = False) -> Message:
    """Only these facts leave the building: built from the case's number and
    title and the notification's step, never from the caller or the content."""
    case = notification.case
    ticket = case.ticket_no if case is not None else ""
    title = mask_phones_in_text(case.title if case is not None else "")
    headline = mask_phones_in_text(notification.title)
    site = settings.SITE_URL.rstrip("/")
    link = f"{site}{notification.url}" if notification.url.startswith("/") else site + "/"
    return Message(
        ticket=ticket,
        title=title,
        step=_step_label(notification),
        headline=headline,
        link=link,
        kind=notification.kind,
        urgent=urgent,
    )


# ---------------------------------------------------------------- sending


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A receiver answers where it is: a redirect could lead anywhere (metadata)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post_json(url: str, body: dict | bytes, headers: dict[str, str] | None = None) -> bytes:
    """POST a JSON body (or bytes already serialised, as signed); the answer's body."""
    _resolve_check(url)
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    )
    try:
        with _OPENER.open(request, timeout=SEND_TIMEOUT) as response:
            answer = response.read(65536)
            status = response.status
    except urllib.error.HTTPError as error:
        raise ChannelError(f"接收方返回 HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ChannelError(f"无法送达：{reason}") from None
    if not 200 <= status < 300:
        raise ChannelError(f"接收方返回 HTTP {status}")
    return answer


class ChannelError(Exception):
    """The receiver did not take the message; the delivery is tried again."""


def _robot_answer_check(answer: bytes) -> None:
    """WeCom and DingTalk answer 200 with {"errcode": 0, "errmsg": "ok"}; another errcode is a refusal."""
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        return
    if isinstance(data, dict) and data.get("errcode", 0) not in (0, "0"):
        raise ChannelError(f"机器人拒收：errcode={data.get('errcode')} {data.get('errmsg', '')}"[:500])


def _send_email(channel: Channel, message: Message, delivery_id: int) -> None:
    subject = f"{'【紧急】' if message.urgent else ''}{message.headline}"
    email = EmailMessage(
        subject=subject[:200],
        body=message.text,
        to=[channel.address],
        headers={"X-Hotline-Delivery": str(delivery_id)},
        connection=get_connection(timeout=SEND_TIMEOUT),
    )
    try:
        email.send(fail_silently=False)
    except Exception as error:  # smtplib and socket errors alike: the delivery is retried
        raise ChannelError(f"邮件未发出：{type(error).__name__}: {error}") from None


def _send_wecom(channel: Channel, message: Message, delivery_id: int) -> None:
    answer = _post_json(channel.address, {"msgtype": "markdown", "markdown": {"content": message.markdown}})
    _robot_answer_check(answer)


def dingtalk_signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """The robot's 加签: HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, base64, in the query."""
    if not secret:
        return url
    timestamp = str(timestamp_ms if timestamp_ms is not None else round(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def _send_dingtalk(channel: Channel, message: Message, delivery_id: int) -> None:
    body = {"msgtype": "markdown", "markdown": {"title": message.headline[:60], "text": message.markdown}}
    _robot_answer_check(_post_json(dingtalk_signed_url(channel.address, channel.secret), body))


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """What a receiver checks: hex HMAC-SHA256 of "timestamp.body" keyed by the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _send_webhook(channel: Channel, message: Message, delivery_id: int) -> None:
    body = {
        "delivery": delivery_id,
        "kind": message.kind,
        "urgent": message.urgent,
        "ticket": message.ticket,
        "title": message.title,
        "step": message.step,
        "headline": message.headline,
        "url": message.link,
    }
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "X-Hotline-Delivery": str(delivery_id),
        "X-Hotline-Timestamp": timestamp,
        "X-Hotline-Signature": webhook_signature(channel.secret, timestamp, raw),
    }
    _post_json(channel.address, raw, headers)


SENDERS = {
    ChannelKind.EMAIL: _send_email,
    ChannelKind.WECOM: _send_wecom,
    ChannelKind.DINGTALK: _send_dingtalk,
    ChannelKind.WEBHOOK: _send_webhook,
}


def channel_send(*, channel: Channel, message: Message, delivery_id: int) -> None:
    """Send one message on one channel; raises ChannelError/ChannelRefused if it was not taken."""
    SENDERS[ChannelKind(channel.kind)](channel, message, delivery_id)


# ---------------------------------------------------------------- a person's own channels (settings page)

PERSONAL_LIMIT = 10


def channel_add_for_user(*, user, kind: str, address: str, secret: str = "") -> Channel:
    """A person adds a channel of their own; the address is checked first."""
    try:
        channel_validate(kind=kind, address=address, secret=secret)
    except ValidationError as error:
        field, problems = next(iter(error.message_dict.items()))
        raise InvalidInput(problems[0], field=field) from None
    if Channel.objects.filter(user=user).count() >= PERSONAL_LIMIT:
        raise InvalidInput(f"每人最多 {PERSONAL_LIMIT} 个外发渠道。", field="kind")
    return Channel.objects.create(user=user, kind=kind, address=address.strip(), secret=secret)


def channel_remove_for_user(*, user, channel_id: int) -> None:
    deleted, _ = Channel.objects.filter(pk=channel_id, user=user).delete()
    if not deleted:
        raise NotFound("渠道不存在。")


def quiet_hours_set(*, user, start, end) -> QuietHours | None:
    """Quiet hours of a person; both empty (or equal) clears them."""
    if (start is None and end is None) or (start is not None and start == end):
        QuietHours.objects.filter(user=user).delete()
        return None
    if start is None or end is None:
        raise InvalidInput("请同时填写免打扰的开始和结束时间。", field="start" if start is None else "end")
    quiet, _ = QuietHours.objects.update_or_create(user=user, defaults={"start": start, "end": end})
    return quiet
