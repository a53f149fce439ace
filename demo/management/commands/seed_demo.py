"""`manage.py seed_demo`: the demo street with weeks of history (see demo.services)."""

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cases.transitions import Status
from demo import services as demo
from hotline.errors import DomainError


class Command(BaseCommand):
    help = "创建演示街道：社区、科室、包片、各岗位演示账号，以及截至当前的若干周案件历史。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="随机种子（相同种子生成相同数据）")
        parser.add_argument("--weeks", type=int, default=demo.DEFAULT_WEEKS, help="历史周数（默认5周，每周约260件）")
        parser.add_argument("--reset", action="store_true", help="删除已有的演示街道后重新生成")

    def handle(self, *args, seed: int, weeks: int, reset: bool, **options):
        if weeks < 0:
            raise CommandError("--weeks 不能为负数。")
        started = time.perf_counter()
        # Walking every case through the services takes a while: show how far it is.
        bar = tqdm(unit="件", desc="生成案件历史", delay=1, disable=options["verbosity"] == 0)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            result = demo.demo_seed(seed=seed, weeks=weeks, reset=reset, progress=progress)
        except DomainError as error:
            raise CommandError(error.message) from error
        finally:
            bar.close()
        if not result.created:
            self.stdout.write(f"演示街道“{result.street.name}”已存在，未做任何改动（重新生成请加 --reset）。")
            return
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建演示街道“{result.street.name}”：{len(result.units)}个社区/楼宇，"
                f"{result.cases}件案件（{weeks}周），用时{elapsed:.1f}秒。"
            )
        )
        states = "，".join(f"{Status(s).label}{n}" for s, n in sorted(result.by_status.items(), key=lambda i: -i[1]))
        self.stdout.write(f"案件状态：{states}；延期申请{result.extensions}件，核减{result.exclusions}件。")
        self.stdout.write("")
        self.stdout.write("演示账号（所有账号密码相同）：")
        self._table(["角色", "用户名", "密码", "单位"], [self._login_rows(result.logins)][0])
        self.stdout.write("")
        self.stdout.write("社区与包片：")
        self._table(["社区/楼宇", "社区办件员", "社区书记", "包片科室/科长"], [list(row) for row in result.units])

    @staticmethod
    def _login_rows(logins: list[demo.Login]) -> list[list[str]]:
        """One row per role; numbered accounts are shown as a range."""
        rows: list[list[str]] = []
        groups: dict[str, list[demo.Login]] = {}
        for login in logins:
            groups.setdefault(login.role, []).append(login)
        for role, members in groups.items():
            if len(members) > 2:
                username = f"{members[0].username} … {members[-1].username}"
                unit = f"每个单位一个（{members[0].unit} … {members[-1].unit}）"
            else:
                username = "、".join(m.username for m in members)
                unit = members[0].unit
            rows.append([role, username, members[0].password, unit])
        return rows

    def _table(self, header: list[str], rows: list[list[str]]) -> None:
        # East Asian characters take two columns in a terminal.
        def width(s: str) -> int:
            return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)

        widths = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, ["-" * w for w in widths], *rows]:
            cells = [cell + " " * (w - width(cell)) for cell, w in zip(row, widths, strict=True)]
            self.stdout.write("  " + "  ".join(cells).rstrip())
