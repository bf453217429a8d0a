from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Check settings, database, migrations, secret key and debug flag for this deployment."

    def handle(self, *args, **options):
        problems, notes = [], []
        call_command("check", verbosity=0)
        try:
            connection.ensure_connection()
            notes.append(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        except Exception as exc:
            raise CommandError(f"database unreachable: {exc}") from None
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            problems.append(f"{len(pending)} migration(s) not applied: run `guankao migrate`")
        if settings.DEBUG:
            problems.append("GUANKAO_DEBUG is on: turn it off in production")
        key_file = settings.DATA_DIR / "secret_key"
        if (
            not settings.DEMO
            and key_file.exists()
            and key_file.read_text().strip() == settings.SECRET_KEY
        ):
            problems.append("the secret key is the generated demo key: set GUANKAO_SECRET_KEY")
        if not settings.DEMO and not settings.GUANKAO_REQUIRE_2FA:
            problems.append("two-factor sign-in is not required of administrators and officers")
        if settings.DEMO:
            notes.append("demo mode is on (GUANKAO_DEMO=1)")
        notes.append(f"data dir: {settings.DATA_DIR}")
        for note in notes:
            self.stdout.write(f"ok: {note}")
        for problem in problems:
            self.stdout.write(f"PROBLEM: {problem}")
        if problems:
            raise CommandError(f"{len(problems)} problem(s)")
        self.stdout.write("all checks passed")
