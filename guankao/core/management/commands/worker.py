import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from guankao.core import jobs


class Command(BaseCommand):
    help = "Run the periodic jobs of every app (reminders, computed KPIs…); --once for cron."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every job once and exit")
        parser.add_argument("--job", action="append", help="only this job (repeatable)")
        parser.add_argument("--tick", type=int, default=60, help="seconds between checks")

    def handle(self, *args, once=False, job=None, tick=60, **options):
        known = {j.name for j in jobs.all_jobs()}
        if unknown := sorted(set(job or ()) - known):
            raise CommandError(
                f"no such job: {', '.join(unknown)} (jobs: {', '.join(sorted(known))})"
            )
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
            failed = []
            if due:
                for name, count in jobs.run_once(now, due).items():
                    last_run[name] = time.monotonic()
                    self.stdout.write(f"{now:%Y-%m-%d %H:%M:%S} {name}: {count}")
                    if count < 0:
                        failed.append(name)
            if once:
                if failed:  # cron and systemd see the failure; the other jobs still ran
                    raise CommandError(f"failed: {', '.join(failed)} (see the log)")
                return
            time.sleep(tick)
            # A long-running process drops a connection the database closed (restart,
            # idle timeout) and opens a new one, as a request would.
            close_old_connections()
