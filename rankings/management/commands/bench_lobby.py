"""Load test of the lobby display (/board/ and /board/data/) under gunicorn.

Uses the boards already in the database (run `bench_rankings` first for 400
units; the lobby's week and period boards are computed if missing), opens a
display link, starts gunicorn (2 workers by default) on a free local port,
and drives each URL with `wrk` (Debian package) holding the link's session.
Prints requests per second, latency percentiles and the response sizes, then
stops the gunicorn it started.

Like the other benchmarks it runs only on a database of its own (one with no
street but the bench street).

    DATABASE_URL=postgres://.../hotline_bench_lobby python manage.py bench_lobby --duration 20
"""

import datetime as dt
import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from http.cookies import SimpleCookie

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from communities.models import Street
from rankings import boards, scoring, services, windows
from rankings.management.commands.bench_rankings import STREET

LINK_NAME = "基准测试大厅"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Command(BaseCommand):
    help = "大厅红黑榜（/board/、/board/data/）在 gunicorn 下的吞吐量（需要 wrk）"

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--threads", type=int, default=2)
        parser.add_argument("--duration", type=int, default=20, help="每个地址的压测秒数")

    def handle(self, *args, workers, connections, threads, duration, **options):
        if connection.vendor != "postgresql":
            raise CommandError("基准测试需要 PostgreSQL（设置 DATABASE_URL）。")
        if Street.objects.exclude(name=STREET).exists():
            raise CommandError(f"数据库中已有其他街道：请在只含“{STREET}”的基准数据库中运行（先运行 bench_rankings）。")
        wrk = shutil.which("wrk")
        if wrk is None:
            raise CommandError("需要 wrk（Debian：apt-get install wrk）。")
        if not boards.boards_for_lobby():
            on = windows.today()
            services.board_compute(window=windows.week_of(on - dt.timedelta(days=7)))
            services.board_compute(window=windows.period_of(on, start_day=scoring.period_start_day()))
        shown = boards.boards_for_lobby()
        units = sum(board.rows.count() for board in shown)
        link = services.display_link_create(name=LINK_NAME, actor=None)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "hotline.wsgi",
                "-c",
                "python:hotline.gunicorn_conf",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env={**os.environ, "DEBUG": "false"},
            start_new_session=True,
        )
        try:
            cookie = self._session(base, link.token)
            self.stdout.write(
                f"榜单 {len(shown)} 张、共 {units} 行；gunicorn {workers} 个进程；"
                f"wrk {threads} 线程 {connections} 连接，各 {duration} 秒。"
            )
            self.stdout.write("| 地址 | 请求/秒 | p50 | p99 | 响应（gzip） | 响应（未压缩） |")
            self.stdout.write("|---|---|---|---|---|---|")
            # The last: a static file (no view, no database) — what this machine serves at best right now.
            for path in ("/board/data/", "/board/", "/static/css/board.css"):
                sizes = self._sizes(base + path, cookie)
                self._fetch(base + path, cookie, gzip_ok=True)  # warm the cache of each worker
                result = subprocess.run(
                    [
                        wrk,
                        f"-t{threads}",
                        f"-c{connections}",
                        f"-d{duration}s",
                        "--latency",
                        "-H",
                        f"Cookie: sessionid={cookie}",
                        "-H",
                        "Accept-Encoding: gzip",
                        base + path,
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                out = result.stdout
                rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
                p50 = re.search(r"50%\s+(\S+)", out)
                p99 = re.search(r"99%\s+(\S+)", out)
                errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
                if errors:
                    raise CommandError(f"{path}: {errors.group(1)} 个错误响应。\n{out}")
                self.stdout.write(
                    f"| `{path}` | {rps.group(1) if rps else '?'} | {p50.group(1) if p50 else '?'} | "
                    f"{p99.group(1) if p99 else '?'} | {sizes[0] / 1024:.1f} KB | {sizes[1] / 1024:.1f} KB |"
                )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            services.display_link_revoke(link_id=link.pk)

    def _session(self, base: str, token: str) -> str:
        opener = urllib.request.build_opener(NoRedirect)
        for _ in range(100):
            try:
                opener.open(f"{base}/board/?token={token}", timeout=5)
            except urllib.error.HTTPError as error:
                if error.code == 302:
                    cookie = SimpleCookie(error.headers.get("Set-Cookie", ""))
                    return cookie["sessionid"].value
                raise
            except OSError:
                time.sleep(0.2)  # gunicorn is still starting
        raise CommandError("gunicorn 未能启动。")

    @staticmethod
    def _fetch(url: str, cookie: str, *, gzip_ok: bool) -> tuple[bytes, str]:
        headers = {"Cookie": f"sessionid={cookie}"}
        if gzip_ok:
            headers["Accept-Encoding"] = "gzip"
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            return response.read(), response.headers.get("Content-Encoding", "")

    def _sizes(self, url: str, cookie: str) -> tuple[int, int]:
        compressed, encoding = self._fetch(url, cookie, gzip_ok=True)
        plain, _ = self._fetch(url, cookie, gzip_ok=False)
        if (gzip.decompress(compressed) if encoding == "gzip" else compressed) != plain:
            raise CommandError(f"{url}: 压缩与未压缩的响应不一致。")
        return len(compressed), len(plain)
