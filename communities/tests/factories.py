import factory
from django.contrib.auth import get_user_model

from communities.models import Community, Department, Pairing, Person, Role, Street

PASSWORD = "test-pass-12345"


class StreetFactory(factory.django.DjangoModelFactory[Street]):
    class Meta:
        model = Street
        django_get_or_create = ["name"]

    name = "测试街道"
    district = "测试区"


class CommunityFactory(factory.django.DjangoModelFactory[Community]):
    class Meta:
        model = Community

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"第{n}社区")
    population = 8000
    households = 3000


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"第{n}科室")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    user = factory.SubFactory(UserFactory)
    street = factory.SubFactory(StreetFactory)
    full_name = factory.Sequence(lambda n: f"人员{n}")
    role = Role.CLERK


class PairingFactory(factory.django.DjangoModelFactory[Pairing]):
    class Meta:
        model = Pairing

    community = factory.SubFactory(CommunityFactory)
    department = factory.SubFactory(DepartmentFactory)
    chief = None


def person(role: Role, *, community: Community | None = None, department: Department | None = None, **kwargs):
    """A user with a role in a unit; returns the Django user."""
    return PersonFactory(role=role, community=community, department=department, **kwargs).user
