"""The grouping keys the database stores (`Case.caller_key`, `Case.address_cluster`,
generated columns of the expressions in cases.groupings) against the rule
written plainly in Python, for the inputs that bend it — and they follow the
phone and the address whichever way a row is written."""

import pytest

from cases.models import Case
from cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def caller_key(phone: str) -> str | None:
    """As `mask_phone` shows it; no key for a phone too short to tell callers apart."""
    phone = phone.strip(" ")
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else None


def address_cluster(address: str) -> str | None:
    """Cut after the first 号楼; the whole address without one; no cluster without an address."""
    address = address.strip(" ")
    if not address:
        return None
    mark = address.find("号楼")
    return address[: mark + 2] if mark >= 0 else address


PHONES = [
    "13812341234",
    " 13812341234 ",
    "138****1234",
    "1381234",
    "138123",
    "",
    "   ",
    "010-65123456",
    "+8613812341234",
]
ADDRESSES = [
    "幸福小区3号楼2单元502室",
    "  幸福小区3号楼附近 ",
    "幸福小区12号楼",
    "号楼",
    "和平里东街路口",
    "",
    "   ",
    "阳光花园3号楼2号楼之间",
    "Ａ座３号楼",
]


def test_the_stored_keys_are_the_rule_for_every_bent_input():
    cases = [
        CaseFactory(caller_phone=phone, address=address) for phone, address in zip(PHONES, ADDRESSES, strict=False)
    ]
    stored = {
        pk: (key, cluster) for pk, key, cluster in Case.objects.values_list("pk", "caller_key", "address_cluster")
    }
    for case in cases:
        assert stored[case.pk] == (caller_key(case.caller_phone), address_cluster(case.address)), (
            case.caller_phone,
            case.address,
        )


def test_the_keys_follow_the_phone_and_the_address_on_save_and_on_update():
    case = CaseFactory(caller_phone="13812341234", address="幸福小区3号楼2单元")
    case.caller_phone, case.address = "13900005678", "和平小区7号楼"
    case.save()
    assert Case.objects.values_list("caller_key", "address_cluster").get(pk=case.pk) == ("139****5678", "和平小区7号楼")
    Case.objects.filter(pk=case.pk).update(caller_phone="12345", address="")
    assert Case.objects.values_list("caller_key", "address_cluster").get(pk=case.pk) == (None, None)
