from django.conf import settings
from django.core import checks
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Django's deploy checks name Django settings; an operator sets these variables instead.
SETTING_FOR = {
    "security.W004": "set GUANKAO_HSTS_SECONDS (e.g. 31536000) once HTTPS works everywhere",
    "security.W005": "set GUANKAO_HSTS_INCLUDE_SUBDOMAINS=1, or silence it",
    "security.W008": "set GUANKAO_SSL_REDIRECT=1, or GUANKAO_SILENCED_CHECKS=security.W008 "
    "if the proxy redirects",
    "security.W009": "set GUANKAO_SECRET_KEY to 50 or more random characters",
    "security.W012": "turn GUANKAO_SECURE_COOKIES on",
    "security.W016": "turn GUANKAO_SECURE_COOKIES on",
    "security.W018": "turn GUANKAO_DEBUG off",
    "security.W020": "set GUANKAO_ALLOWED_HOSTS",
    "security.W021": "set GUANKAO_HSTS_PRELOAD=1, or silence it",
}


def _system_check_messages() -> tuple[list[str], list[str]]:
    """Django's system checks, with the deploy checks (HTTPS, HSTS, cookies) outside demo
    mode. A warning is a problem here: a production site should not start with one unless an
    operator silenced it on purpose (GUANKAO_SILENCED_CHECKS)."""
    found = checks.run_checks(include_deployment_checks=not settings.DEMO)
    problems, infos = [], []
    for message in found:
        if message.is_silenced():
            continue
        text = f"{message.id}: {message.msg}".replace("\n", " ")
        hint = SETTING_FOR.get(message.id, message.hint)
        if hint:
            text += f" → {hint}".replace("\n", " ")
        (problems if message.is_serious(checks.WARNING) else infos).append(text)
    return problems, infos


class Command(BaseCommand):
    help = "Check settings, database, migrations, secret key and debug flag for this deployment."

    def handle(self, *args, **options):
        problems, infos = _system_check_messages()
        notes = []
        if settings.DEMO:
            notes.append("deploy checks (HTTPS, HSTS, secure cookies) skipped in demo mode")
        else:
            notes.append("deploy checks run (HTTPS, HSTS, secure cookies)")
        try:
            connection.ensure_connection()
            notes.append(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        except Exception as exc:
            raise CommandError(f"database unreachable: {exc}") from None
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            problems.append(f"{len(pending)} migration(s) not applied: run `guankao migrate`")
        problems += self._deployment_problems()
        if settings.DEMO:
            notes.append("demo mode is on (GUANKAO_DEMO=1)")
        notes.append(f"data dir: {settings.DATA_DIR}")
        for note in notes:
            self.stdout.write(f"ok: {note}")
        for info in infos:
            self.stdout.write(f"note: {info}")
        for problem in problems:
            self.stdout.write(f"PROBLEM: {problem}")
        if problems:
            raise CommandError(f"{len(problems)} problem(s)")
        self.stdout.write("all checks passed")

    def _deployment_problems(self) -> list[str]:
        problems = []
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
        return problems
