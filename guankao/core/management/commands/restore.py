import json
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from guankao.core import backup
from guankao.core.models import Attachment, Department, User


class Command(BaseCommand):
    help = (
        "Restore a `guankao backup` archive (database and files) into this empty database, "
        "on either engine. Every row with text no field may hold is listed before anything "
        "is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--replace", action="store_true", help="wipe this database's data first (flush)"
        )
        parser.add_argument(
            "--fix-text",
            action="store_true",
            help="replace NUL and control characters in stored text with U+FFFD",
        )

    def handle(self, *args, path, replace=False, fix_text=False, **options):
        try:
            source = backup.Backup(Path(path))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        rows = source.rows
        bad = backup.bad_text(rows)
        if bad and not fix_text:
            raise CommandError(
                f"{len(bad)} stored values hold NUL or control characters, which PostgreSQL "
                "or ODF refuse; nothing was restored. Run again with --fix-text to replace "
                "them with U+FFFD:\n  " + "\n  ".join(bad)
            )
        if bad:
            rows = backup.fix_text(rows)
        call_command("migrate", interactive=False, verbosity=0)
        if User.objects.exists() or Department.objects.exists():
            if not replace:
                raise CommandError(
                    "This database already holds data; restore into an empty one or add --replace."
                )
            call_command("flush", interactive=False, verbosity=0)
        with backup.private_files(), tempfile.TemporaryDirectory() as work:
            fixture = Path(work) / "rows.json"
            fixture.write_text(json.dumps(rows), encoding="utf-8")
            with transaction.atomic():
                call_command("loaddata", str(fixture), verbosity=0)
                try:
                    restored, missing = backup.restore_files(source)
                except ValueError as exc:
                    raise CommandError(f"Files: {exc}; nothing was restored.") from None
        self._report(path, source, bad, restored, missing)

    def _report(self, path, source, bad, restored, missing):
        self.stdout.write(
            f"Restored {path} into {connection.vendor}: {User.objects.count()} staff, "
            f"{Department.objects.count()} departments, {Attachment.objects.count()} "
            f"attachments, {restored} files written."
        )
        if bad:
            self.stdout.write(f"Replaced control characters in {len(bad)} values:")
            for where in bad:
                self.stdout.write(f"  {where}")
        if not source.manifest["files_included"]:
            self.stdout.write(
                "This backup holds no uploaded files: restore the file storage from its own backup."
            )
        elif missing:
            self.stderr.write(f"{len(missing)} files are not in the backup: {', '.join(missing)}")
