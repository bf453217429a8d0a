from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from guankao.core import demo


class Command(BaseCommand):
    help = "Migrate, load the demo city (once), print the logins and serve on :8000."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="prepare only")

    def handle(self, *args, no_serve=False, **options):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if demo.load():
            self.stdout.write("Loaded the demo city of Chiayi.")
        else:
            self.stdout.write("Demo data already present: kept as it is.")
        self.stdout.write(
            "\nGuankao demo: http://127.0.0.1:8000/\nSign in as (password for all: "
            f"{demo.PASSWORD}):"
        )
        for username, label in demo.LOGINS:
            self.stdout.write(f"  {username:<14} {label}")
        self.stdout.write("")
        if not no_serve:
            call_command("serve")
