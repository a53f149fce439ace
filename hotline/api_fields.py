"""Small serializer pieces every app's API shares: the error body, `{id, name}`
references and a user shown by name."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hotline.validators import ID_MAX

__all__ = ["ID_MAX", "ErrorSerializer", "RefSerializer", "UserRefField", "display_name"]


def display_name(user) -> str:
    """A person's name, or the login name of an account without a role."""
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return person.full_name if person is not None else user.get_username()


# For the schema only: the body of every error response.
class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    field = serializers.CharField(required=False)
    errors = serializers.DictField(required=False, child=serializers.JSONField())  # type: ignore[assignment]  # the body's `errors` key


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_field(RefSerializer(allow_null=True))
class UserRefField(serializers.Field):
    """A user as `{id, name}` (name from the person), or null."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, user):
        return {"id": user.pk, "name": display_name(user)}
