import datetime as dt

from django.db import transaction
from django.utils import timezone

from communities.models import Pairing, PairingChiefTerm, Person, Role
from communities.selectors import pairing_open_case_count
from hotline.errors import InvalidInput


def pairing_chief_check(*, pairing: Pairing, department_id: int, chief_id: int | None) -> None:
    """The rules for a pairing's chief, kept by the service and the admin form
    alike: a chief of the pairing's department, and none removed while the
    pairing has open cases (they need the chief's signature)."""
    if chief_id is None and pairing.pk and pairing_open_case_count(pairing=pairing):
        raise InvalidInput("该包片还有未办结的案件，不能取消包片科长；请改为指定新的科长。", field="chief")
    if (
        chief_id is not None
        and not Person.objects.filter(user_id=chief_id, role=Role.CHIEF, department_id=department_id).exists()
    ):
        raise InvalidInput("包片科长须是该科室的科长。", field="chief")


@transaction.atomic
def pairing_set_chief(*, pairing: Pairing, chief_id: int | None, at: dt.datetime | None = None) -> Pairing:
    """Hand a pairing to another department chief. The running term ends and a
    new one starts; the pairing (and so every case of it) stays the same, and
    open cases are signed from now on by the new chief."""
    at = at or timezone.now()
    pairing_chief_check(pairing=pairing, department_id=pairing.department_id, chief_id=chief_id)
    PairingChiefTerm.objects.filter(pairing=pairing, ended_at__isnull=True).update(ended_at=at)
    if chief_id is not None:
        PairingChiefTerm.objects.create(pairing=pairing, chief_id=chief_id, started_at=at)
    pairing.chief_id = chief_id
    pairing.save(update_fields=["chief", "updated_at"])
    return pairing
