import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# AF_UNIX socket paths are limited to 108 bytes with the terminating NUL on Linux.
MAX_SOCKET_PATH = 107


def control_socket_args(data_dir: Path) -> list[str]:
    """gunicorn's control socket (for `gunicornc`) in this instance's data dir.

    gunicorn's default is one path per user (~/.gunicorn/gunicorn.ctl), so a second
    instance on the machine took over the first one's socket. In the data dir each
    instance has its own; when that path is too long for a Unix socket, none at all."""
    from gunicorn.config import KNOWN_SETTINGS

    if "control_socket" not in {setting.name for setting in KNOWN_SETTINGS}:
        return []  # gunicorn before 25.1 has no control socket
    path = data_dir / "gunicorn.ctl"
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        return ["--no-control-socket"]
    return ["--control-socket", str(path)]


class Command(BaseCommand):
    help = "Serve Guankao with gunicorn; static files are served by the app (WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("GUANKAO_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("GUANKAO_WORKERS", "3"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("GUANKAO_THREADS", "2"))
        )

    def handle(self, *args, bind, workers, threads, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = self.gunicorn_argv(bind=bind, workers=workers, threads=threads)
        self.stdout.write(f"Serving on http://{bind}/ (settings data dir: {settings.DATA_DIR})")
        sys.stdout.flush()
        os.execv(sys.executable, argv)

    def gunicorn_argv(self, *, bind: str, workers: int, threads: int) -> list[str]:
        data_dir = Path(settings.DATA_DIR)
        data_dir.mkdir(parents=True, exist_ok=True)
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "guankao.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--access-logfile",
            "-",
            # X-Forwarded-Proto (HTTPS) is believed from the same proxies as X-Forwarded-For.
            "--forwarded-allow-ips",
            ",".join(settings.GUANKAO_TRUSTED_PROXIES),
            *control_socket_args(data_dir),
        ]
