from pathlib import Path

from django.core.management.base import BaseCommand

from guankao.core import backup


class Command(BaseCommand):
    help = (
        "Write the whole database and every uploaded file to one archive (mode 0600) that "
        "restores on SQLite or PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="for example var/backup-2026-11-27.tar")
        parser.add_argument(
            "--no-files",
            action="store_true",
            help="the database only: back up the file storage separately (the archive says so)",
        )

    def handle(self, *args, path, no_files=False, **options):
        target = Path(path)
        if target.suffix != ".tar":
            target = target.with_name(target.name + ".tar")
        target.parent.mkdir(parents=True, exist_ok=True)
        manifest = backup.write(target, files=not no_files)
        size = target.stat().st_size
        if no_files:
            what = "database only: uploaded files are NOT in it; back up the storage separately"
        else:
            what = f"database and {len(manifest['files'])} stored files"
        self.stdout.write(f"Backup written to {target} ({size:,} bytes, {what}, mode 0600)")
        with backup.private_files():
            rows = backup.Backup(target).rows
        bad = backup.bad_text(rows)
        if bad:
            self.stderr.write(
                f"{len(bad)} stored values hold control characters that PostgreSQL or ODF "
                "refuse; `guankao restore --fix-text` replaces them with U+FFFD:\n  "
                + "\n  ".join(bad)
            )
