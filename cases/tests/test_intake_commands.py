"""python manage.py import_workorders and bench_import."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.intake.models import ImportJob
from cases.intake.samples import order_row, write_csv, write_xlsx
from cases.models import Case
from communities.models import Role
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


def test_bad_arguments_are_explained(org, tmp_path):
    person(Role.CLERK, street=org.street, full_name="第二位办件员")
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1)])
    with pytest.raises(CommandError, match="请用 --user 指定导入人"):
        run(path)
    with pytest.raises(CommandError, match="用户不存在"):
        run(path, "--user", "nobody")
    with pytest.raises(CommandError, match="只有办件员可以导入工单"):
        run(path, "--user", org.leader.username)
    with pytest.raises(CommandError, match="文件不存在"):
        run(tmp_path / "missing.xlsx", "--user", org.clerk.username)


def test_the_benchmark_runs_and_cleans_up(db):
    out = StringIO()
    call_command("bench_import", "--rows", "300", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "imported: 300 new, re-import: 300 unchanged" in text
    assert "import / read =" in text
    assert Case.objects.count() == 0 and ImportJob.objects.count() == 0
