"""python manage.py import_workorders and bench_import."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from cases.intake.models import ImportJob
from cases.intake.samples import order_row, write_csv, write_xlsx
from cases.models import Case
from communities.models import Community, CommunityAlias, Person, Role, Street
from communities.tests.factories import person


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args) -> str:
    out = StringIO()
    call_command("import_workorders", *[str(a) for a in args], stdout=out, stderr=StringIO())
    return out.getvalue()


def test_dry_run_then_import_from_the_command_line(org, tmp_path):
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1), order_row(2)])

    out = run(path, "--dry-run")
    assert "共2行：将新增2件" in out and Case.objects.count() == 0

    out = run(path)  # the only clerk is the importer when --user is left out
    assert "共2行：已新增2件" in out
    assert Case.objects.count() == 2
    assert ImportJob.objects.filter(source="cli", status="done", created_by=org.clerk).count() == 1

    assert "无变化2件" in run(path, "--user", org.clerk.username)


def test_errors_stop_the_import_unless_valid_only(org, tmp_path):
    path = write_csv(tmp_path / "orders.csv", [order_row(1), order_row(2, 主要内容="")])

    with pytest.raises(CommandError, match="发现1行错误，未导入任何数据"):
        run(path)
    assert Case.objects.count() == 0

    out = run(path, "--valid-only")
    assert "第3行 [错误] 主要内容：主要内容为空。" in out
    assert Case.objects.count() == 1


def test_without_user_the_first_active_clerk_by_user_name_imports_and_is_named(org, tmp_path):
    """The demo street has two clerks: `import_workorders FILE` still works."""
    second = person(Role.CLERK, street=org.street, full_name="第二位办件员")
    second.username = "a_first_by_name"
    second.save(update_fields=["username"])
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1)])

    out = run(path)

    assert "导入人：第二位办件员（a_first_by_name）；可用 --user 指定其他办件员。" in out
    assert ImportJob.objects.get().created_by == second
    second.is_active = False
    second.save(update_fields=["is_active"])
    assert f"导入人：赵办件（{org.clerk.username}）" in run(path, "--dry-run")


def test_without_any_clerk_the_command_says_what_to_do(db, tmp_path):
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1)])
    with pytest.raises(CommandError, match="没有在职的办件员账号"):
        run(path)


def test_a_corrupt_file_gets_the_message_not_a_traceback(org, tmp_path):
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1)])
    data = bytearray(path.read_bytes())
    data[data.index(b"PK\x01\x02") + 6] = 0xFF  # a zip version nobody supports: NotImplementedError inside zipfile
    path.write_bytes(data)
    with pytest.raises(CommandError) as refused:
        run(path)
    assert str(refused.value) == "文件已损坏或不是有效的Excel文件。"
    assert ImportJob.objects.count() == 0


def test_a_failed_import_says_nothing_was_written(org, tmp_path):
    path = write_csv(tmp_path / "orders.csv", [order_row(1), order_row(2, 主要内容="")])
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_workorders", str(path), stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "未导入\n  未写入任何数据。\n  新增 0  更新回访 0  回访待应用 0  无变化 0  冲突 0  错误行 1" in text


def test_bad_arguments_are_explained(org, tmp_path):
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1)])
    with pytest.raises(CommandError, match="用户不存在"):
        run(path, "--user", "nobody")
    with pytest.raises(CommandError, match="只有办件员可以导入工单"):
        run(path, "--user", org.leader.username)
    with pytest.raises(CommandError, match="文件不存在"):
        run(tmp_path / "missing.xlsx", "--user", org.clerk.username)


def test_the_benchmark_runs_and_cleans_up(db, settings, tmp_path):
    out = StringIO()
    call_command("bench_import", "--rows", "300", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "imported: 300 new, re-import: 300 unchanged" in text
    assert "import / read =" in text
    assert Case.objects.count() == 0 and ImportJob.objects.count() == 0
    # Nothing of the bench organisation is left either.
    assert not Street.objects.exists() and not Community.objects.exists() and not CommunityAlias.objects.exists()
    assert not Person.objects.exists() and not get_user_model().objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_the_benchmark_refuses_a_database_with_a_street_of_its_own(org):
    cases, users = Case.objects.count(), get_user_model().objects.count()
    with pytest.raises(CommandError, match="测试街道"):
        call_command("bench_import", "--rows", "10", stdout=StringIO(), stderr=StringIO())
    assert (Case.objects.count(), get_user_model().objects.count()) == (cases, users)
    assert Street.objects.count() == 1
