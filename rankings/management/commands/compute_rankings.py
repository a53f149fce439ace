from django.core.management.base import BaseCommand, CommandError

from hotline.errors import DomainError
from rankings import services, windows


class Command(BaseCommand):
    help = "计算红黑榜并保存为新版本。无参数时：上周、本周、当前考核期截至今日。"

    def add_arguments(self, parser):
        parser.add_argument("--week", default="", help="ISO 周，例如 2026-W46")
        parser.add_argument("--period", default="", help="考核期（截止月份），例如 2026-11，截至今日")
        parser.add_argument("--from", dest="date_from", default="", help="开始日期 2026-11-01")
        parser.add_argument("--to", dest="date_to", default="", help="结束日期 2026-11-30")
        parser.add_argument("--history", type=int, default=0, help="最近N周的周榜及其涉及的考核期（由旧到新）")

    def handle(self, *args, week, period, date_from, date_to, history, **options):
        try:
            if history:
                found = services.windows_history(on=windows.today(), weeks=history)
            elif week or period or date_from or date_to:
                found = [services.window_for_arguments(week=week, period=period, date_from=date_from, date_to=date_to)]
            else:
                found = services.windows_default(on=windows.today())
            boards = services.boards_compute(windows_to_compute=found, computed_by="command")
        except DomainError as error:
            raise CommandError(error.message) from None
        for board in boards:
            ranked = board.rows.filter(rank__isnull=False).count()
            self.stdout.write(f"{board.label} 第{board.version}版：{board.rows.count()}个单位，{ranked}个参与排名")
