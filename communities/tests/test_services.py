import pytest

from communities.models import PairingChiefTerm, Role
from communities.services import pairing_set_chief
from communities.tests.factories import person
from hotline.errors import InvalidInput


def test_changing_the_chief_keeps_a_history_of_terms(org):
    first = org.chief_a
    pairing_set_chief(pairing=org.pairing_a, chief_id=first.id)
    second = person(Role.CHIEF, department=org.d1, street=org.street)
    pairing_set_chief(pairing=org.pairing_a, chief_id=second.id)
    terms = list(PairingChiefTerm.objects.filter(pairing=org.pairing_a).order_by("started_at"))
    assert [t.chief for t in terms] == [first, second]
    assert terms[0].ended_at is not None and terms[1].ended_at is None


def test_chief_must_belong_to_the_pairings_department(org):
    with pytest.raises(InvalidInput):
        pairing_set_chief(pairing=org.pairing_a, chief_id=org.chief_b.id)
    org.pairing_a.refresh_from_db()
    assert org.pairing_a.chief == org.chief_a
