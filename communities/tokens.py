"""API tokens for scripts. A token is issued for a user name and password, is
valid for `API_TOKEN_TTL_DAYS`, and is revoked when the password is changed,
when the account is deactivated, or by its owner (DELETE /api/auth/token/)."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import pre_save
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_ttl() -> dt.timedelta:
    return dt.timedelta(days=settings.API_TOKEN_TTL_DAYS)


def token_expires_at(*, token: Token) -> dt.datetime:
    return token.created + token_ttl()


def token_is_expired(*, token: Token, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= token_expires_at(token=token)


def token_issue(*, user) -> Token:
    """The user's valid token, or a new one when there is none or it expired."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and not token_is_expired(token=token):
            return token
        if token is not None:
            token.delete()
        return Token.objects.create(user=user)


def token_revoke(*, user_id: int) -> bool:
    """Deletes the user's token; True when there was one."""
    deleted, _ = Token.objects.filter(user_id=user_id).delete()
    return bool(deleted)


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused once the token is older than the TTL."""

    def authenticate_credentials(self, key):
        token = Token.objects.select_related("user").filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效或已被撤销，请重新获取。")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("账号已停用。")
        if token_is_expired(token=token):
            token.delete()
            raise exceptions.AuthenticationFailed("令牌已过期，请重新获取。")
        return token.user, token


def _revoke_on_password_change_or_deactivation(sender, instance, **kwargs) -> None:
    if instance.pk is None:
        return
    # `set_password` keeps the raw password in `_password` until the save; the
    # hasher upgrade on login clears it first, so an upgrade revokes nothing.
    password_set = getattr(instance, "_password", None) is not None
    if password_set or not instance.is_active:
        token_revoke(user_id=instance.pk)


def connect_signals() -> None:
    pre_save.connect(
        _revoke_on_password_change_or_deactivation,
        sender=get_user_model(),
        dispatch_uid="communities.tokens.revoke",
    )
