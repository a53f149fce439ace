"""Small serializer pieces every app's API shares: the error body, `{id, name}`
references and a user shown by name."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hotline.validators import ID_MAX

__all__ = ["ID_MAX", "ChoiceLabelField", "ErrorSerializer", "RefSerializer", "UserRefField", "display_name"]


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


class ChoiceLabelField(serializers.CharField):
    """The label of a choice field (`source` names the model field), read from
    the field's choices once, as `get_FOO_display` answers: the value itself
    when it is not a choice. Not `source="get_FOO_display"`: DRF inspects the
    signature of a callable source on every row, the most expensive part of a
    list page."""

    def __init__(self, *, choices=None, **kwargs):
        super().__init__(read_only=True, **kwargs)
        # A plain serializer (or a dotted source) names its choices; a model serializer's field has them.
        self.labels: dict = {value: str(label) for value, label in choices} if choices is not None else {}

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        if not self.labels:
            model_field = parent.Meta.model._meta.get_field(self.source)
            self.labels = {value: str(label) for value, label in model_field.flatchoices}

    def get_attribute(self, instance):
        if len(self.source_attrs) > 1:
            return super().get_attribute(instance)
        return getattr(instance, self.source)

    def to_representation(self, value):
        return self.labels.get(value, str(value))


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
