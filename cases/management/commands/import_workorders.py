"""python manage.py import_workorders FILE [--dry-run] [--valid-only] [--user USERNAME]"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cases.intake import services
from cases.intake.models import ImportIssue, ImportJob
from communities.models import Person, Role
from hotline.errors import DomainError

SHOWN_ISSUES = 30


class Command(BaseCommand):
    help = "导入12345平台导出的工单（.xlsx 或 .csv），或以 --dry-run 仅预检。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只预检，不写入任何数据")
        parser.add_argument("--valid-only", action="store_true", help="跳过有错误的行，只导入有效行")
        parser.add_argument(
            "--user", help="以哪个办件员的身份导入（省略时：用户名排在最前的在职办件员，并打印所用账号）"
        )

    def handle(self, *args, file: Path, dry_run: bool, valid_only: bool, user: str | None, **options):
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        actor = self._actor(user)
        bar = tqdm(unit="行", desc="预检" if dry_run else "导入", disable=options["verbosity"] == 0)

        def progress(done: int, total: int | None) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            with open(file, "rb") as fh:
                job = services.import_job_submit(
                    actor=actor,
                    upload=File(fh, name=file.name),
                    source="cli",
                    dry_run=dry_run,
                    valid_only=valid_only,
                    inline=True,
                    progress=progress,
                )
        except DomainError as error:
            raise CommandError(error.message) from None
        finally:
            bar.close()
        self._report(job)
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(job.message)

    def _actor(self, username: str | None):
        if username:
            found = get_user_model().objects.filter(username=username).first()
            if found is None:
                raise CommandError(f"用户不存在：{username}")
            return found
        clerk = (
            Person.objects.filter(role=Role.CLERK, user__is_active=True)
            .select_related("user")
            .order_by("user__username")
            .first()
        )
        if clerk is None:
            raise CommandError("没有在职的办件员账号：请先在管理后台添加，或用 --user 指定导入人。")
        self.stdout.write(f"导入人：{clerk.full_name}（{clerk.user.get_username()}）；可用 --user 指定其他办件员。")
        return clerk.user

    def _report(self, job: ImportJob) -> None:
        self.stdout.write(f"导入 #{job.pk} {job.original_name}：{job.get_status_display()}")
        if job.status == ImportJob.Status.FAILED:
            self.stdout.write("  未写入任何数据。")
        self.stdout.write(
            f"  新增 {job.new_count}  更新回访 {job.updated_count}  回访待应用 {job.pending_count}  "
            f"无变化 {job.unchanged_count}  冲突 {job.conflict_count}  错误行 {job.error_count}  "
            f"未匹配社区 {job.unmatched_count}"
        )
        if job.message:
            self.stdout.write(f"  {job.message}")
        shown = job.issues.exclude(level=ImportIssue.Level.WARNING).order_by("row_number", "id")[:SHOWN_ISSUES]
        for issue in shown:
            self.stdout.write(f"  第{issue.row_number}行 [{issue.get_level_display()}] {issue.column}：{issue.message}")
        hidden = job.issues.exclude(level=ImportIssue.Level.WARNING).count() - len(shown)
        if hidden > 0:
            self.stdout.write(f"  ……另有{hidden}条，见网页上的导入记录。")
