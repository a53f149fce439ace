"""Seeding the demo street where it cannot or need not be built: nothing is
written (the seeded street itself is tested in test_seed_demo)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from cases.models import Case
from communities.models import Person, Street
from demo import services as demo
from hotline.errors import Conflict

from .test_seed_demo import seed

pytestmark = pytest.mark.django_db


def test_a_taken_demo_username_stops_the_seed_with_nothing_written():
    get_user_model().objects.create_user(username="leader", password="x")

    with pytest.raises(Conflict) as excinfo:
        seed()
    assert "leader" in excinfo.value.message
    assert not Street.objects.exists() and not Case.objects.exists()
    assert get_user_model().objects.count() == 1


def test_command_prints_the_demo_logins_and_runs_only_once(capsys):
    call_command("seed_demo", "--weeks", "0", "--seed", "3")
    out = capsys.readouterr().out
    for text in ["admin", "clerk", "officer01", "secretary17", "chief08", "leader", "supervisor", "display"]:
        assert text in out
    assert demo.DEMO_PASSWORD in out and "时代风帆楼宇" in out

    call_command("seed_demo", "--weeks", "0")
    assert "已存在" in capsys.readouterr().out
    assert Street.objects.count() == 1


def test_command_refuses_negative_weeks():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--weeks", "-1")
    assert not Street.objects.exists()


def test_the_demo_is_not_created_beside_another_street():
    # Demo accounts with a published password must never see a real street's cases.
    Street.objects.create(name="真实街道")
    with pytest.raises(CommandError) as excinfo:
        call_command("seed_demo", "--weeks", "0")
    assert "真实街道" in str(excinfo.value)
    assert list(Street.objects.values_list("name", flat=True)) == ["真实街道"]
    assert not Person.objects.exists()
