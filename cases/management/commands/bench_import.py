"""python manage.py bench_import [--rows 100000] [--keep]

Generates a platform export of N orders, then measures on the configured
database (PostgreSQL for the reported figures):
  read     merely reading the file with openpyxl read_only (the floor)
  preview  the dry run
  import   the import itself (one transaction)
  again    importing the same file again (idempotent: nothing changes)
and prints rows per second, the ratio of each to `read`, and the peak memory
(RSS above the level before the step); `cpu s` is this process's CPU time
(the database server's is not in it). Target: import at most 3x read.
It runs only on a database without any street but its own (one installation
serves one street: the bench must never mix with real data), and removes
everything it created (the bench street, its communities and aliases, its
clerk, the import jobs and cases) at the end unless --keep."""

import datetime as dt
import os
import random
import resource
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Q
from openpyxl import load_workbook

from cases.intake import services
from cases.intake.models import ImportJob
from cases.intake.samples import callback_values, order_row, write_xlsx
from cases.models import Case
from communities.models import Community, CommunityAlias, Person, Role, Street

# Its own street, not bench_rankings' (基准测试街道): each benchmark refuses a
# database holding another street, so neither can delete the other's rows.
BENCH_STREET = "导入基准测试街道"
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except OSError:  # not Linux: no sampling, peak reported as 0
        return 0


@contextmanager
def measured(results: dict, name: str):
    """Wall time and peak RSS growth of the block (RSS sampled every 20 ms)."""
    base = _rss()
    peak = [base]
    stop = threading.Event()

    def sample():
        while not stop.wait(0.02):
            peak[0] = max(peak[0], _rss())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        stop.set()
        sampler.join()
        peak[0] = max(peak[0], _rss())
        results[name] = (elapsed, cpu, peak[0] - base)


class Command(BaseCommand):
    help = "Benchmark of the 12345 import against merely reading the file."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--keep", action="store_true", help="keep the generated cases")

    def handle(self, *args, rows: int, keep: bool, **options):
        vendor = connection.vendor
        if vendor != "postgresql":
            self.stderr.write("Note: the reported figures are for PostgreSQL; this database is " + vendor)
        others = Street.objects.exclude(name=BENCH_STREET)
        if others.exists():
            raise CommandError(
                f"This database holds the street “{others[0].name}”: the benchmark runs only on a database "
                "of its own (createdb, migrate, then bench_import), so it never mixes with real data."
            )
        clerk, communities = self._organisation()
        prefix = f"B{int(time.time()) % 10**8:08d}"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.xlsx"
            self.stdout.write(f"Generating {rows} orders ...")
            self._generate(path, rows, prefix, communities)
            size = path.stat().st_size
            self.stdout.write(f"File: {size / 1048576:.1f} MB, database: {vendor}")
            results: dict[str, tuple[float, float, int]] = {}
            try:
                with measured(results, "read"):
                    read_rows = self._read_only(path)
                job = self._job(clerk, path)
                with measured(results, "preview"):
                    job = services.import_job_preview(job_id=job.id)
                self._check(job, rows)
                with measured(results, "import"):
                    job = services.import_job_confirm(job_id=job.id, actor=clerk, valid_only=False, inline=True)
                self._check(job, rows, status=ImportJob.Status.DONE)
                imported = job.new_count
                with measured(results, "again"), open(path, "rb") as fh:
                    again = services.import_job_submit(
                        actor=clerk, upload=File(fh, name=path.name), source="cli", dry_run=False, inline=True
                    )
                self._check(again, rows, status=ImportJob.Status.DONE)
            finally:
                if not keep:
                    self._clean(prefix)
        self.stdout.write(
            f"Rows read: {read_rows}, imported: {imported} new, re-import: {again.unchanged_count} unchanged"
        )
        read_time = results["read"][0]
        self.stdout.write(f"{'step':<10}{'seconds':>10}{'rows/s':>12}{'x read':>9}{'cpu s':>9}{'peak MB':>10}")
        for name in ("read", "preview", "import", "again"):
            seconds, cpu, peak = results[name]
            self.stdout.write(
                f"{name:<10}{seconds:>10.2f}{rows / seconds:>12,.0f}{seconds / read_time:>9.2f}"
                f"{cpu:>9.1f}{peak / 1048576:>10.1f}"
            )
        # The whole process (the Python heap, the C libraries, the database driver), not only the steps' growth.
        self.stdout.write(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        ratio = results["import"][0] / read_time
        verdict = "OK" if ratio <= 3 else "ABOVE TARGET"
        self.stdout.write(f"import / read = {ratio:.2f} (target <= 3): {verdict}")

    def _organisation(self):
        street, _ = Street.objects.get_or_create(name=BENCH_STREET)
        communities = []
        for i in range(30):
            community, _ = Community.objects.get_or_create(street=street, name=f"基准{i:02d}社区")
            CommunityAlias.objects.get_or_create(alias=f"基准{i:02d}花园", defaults={"community": community})
            communities.append(community.name)
        person = Person.objects.filter(street=street, role=Role.CLERK).select_related("user").first()
        if person is None:
            user = get_user_model().objects.create_user(username=f"bench_clerk_{street.id}")
            person = Person.objects.create(user=user, street=street, full_name="基准办件员", role=Role.CLERK)
        return person.user, communities

    def _generate(self, path: Path, rows: int, prefix: str, communities: list[str]) -> None:
        rng = random.Random(12345)
        start = dt.datetime(2025, 1, 1, 8, 0)

        def orders():
            for n in range(rows):
                received = start + dt.timedelta(minutes=n)
                kind = rng.random()
                fields = {"工单编号": f"{prefix}{n:08d}", "标签": "每月一题" if n % 10 == 0 else ""}
                if kind < 0.8:
                    fields["村/社区"] = rng.choice(communities)
                elif kind < 0.97:
                    fields["村/社区"], fields["小区点位"] = "", f"基准{rng.randrange(30):02d}花园"
                else:
                    fields["村/社区"] = "未知社区"
                callback = callback_values(received + dt.timedelta(days=3)) if n % 5 == 0 else None
                yield order_row(n, received_at=received, callback=callback, **fields)

        write_xlsx(path, orders(), above=[["12345热线工单导出（基准测试）"]])

    def _read_only(self, path: Path) -> int:
        workbook = load_workbook(path, read_only=True, data_only=True)
        count = 0
        for _ in workbook.worksheets[0].iter_rows(values_only=True):
            count += 1
        workbook.close()
        return count

    def _job(self, clerk, path: Path) -> ImportJob:
        with open(path, "rb") as fh:
            return services.import_job_create(actor=clerk, upload=File(fh, name=path.name), source="cli")

    def _check(self, job: ImportJob, rows: int, status: str = ImportJob.Status.PREVIEWED) -> None:
        if job.status != status or job.total_rows != rows:
            raise RuntimeError(f"bench import went wrong: {job.status} {job.total_rows} {job.message}")

    def _clean(self, prefix: str) -> None:
        """Everything the run created, the organisation included."""
        street = Street.objects.filter(name=BENCH_STREET).first()
        if street is None:
            return
        users = list(Person.objects.filter(street=street).values_list("user_id", flat=True))
        jobs = ImportJob.objects.filter(created_by_id__in=users)
        for job in jobs:
            job.file.delete(save=False)
        jobs.delete()
        # The cases of this run, and any a crashed earlier run left behind.
        Case.objects.filter(Q(ticket_no__startswith=prefix) | Q(created_by_id__in=users)).delete()
        CommunityAlias.objects.filter(community__street=street).delete()
        Person.objects.filter(street=street).delete()
        get_user_model().objects.filter(pk__in=users).delete()
        Community.objects.filter(street=street).delete()
        street.delete()
