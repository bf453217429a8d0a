import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from guankao.core import jobs


class Command(BaseCommand):
    help = "Run the periodic jobs of every app (reminders, computed KPIs…); --once for cron."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every job once and exit")
        parser.add_argument("--job", action="append", help="only this job (repeatable)")
        parser.add_argument("--tick", type=int, default=60, help="seconds between checks")

    def handle(self, *args, once=False, job=None, tick=60, **options):
        last_run: dict[str, float] = {}
        while True:
            now = timezone.now()
            due = [
                j.name
                for j in jobs.all_jobs()
                if once or time.monotonic() - last_run.get(j.name, -1e12) >= j.every.total_seconds()
            ]
            if job:
                due = [name for name in due if name in job]
            if due:
                for name, count in jobs.run_once(now, due).items():
                    last_run[name] = time.monotonic()
                    self.stdout.write(f"{now:%Y-%m-%d %H:%M:%S} {name}: {count}")
            if once:
                return
            time.sleep(tick)
