from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

# Rebuilt by `migrate` on the target, or not worth keeping across a restore.
EXCLUDE = ["contenttypes", "auth.permission", "sessions", "axes"]


class Command(BaseCommand):
    help = "Write the whole database to one file (gzip JSON) that restores on SQLite or PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("path", help="for example var/backup-2026-11-27.json.gz")

    def handle(self, *args, path, **options):
        target = Path(path)
        if not target.name.endswith(".json.gz"):
            target = target.with_name(target.name + ".json.gz")
        target.parent.mkdir(parents=True, exist_ok=True)
        call_command(
            "dumpdata",
            natural_foreign=True,
            exclude=EXCLUDE,
            output=str(target),
            verbosity=0,
        )
        self.stdout.write(f"Backup written to {target} ({target.stat().st_size:,} bytes)")
