from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from guankao.core.models import Department, User


class Command(BaseCommand):
    help = "Restore a `guankao backup` file into this (empty) database, on either engine."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--replace", action="store_true", help="wipe this database's data first (flush)"
        )

    def handle(self, *args, path, replace=False, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if User.objects.exists() or Department.objects.exists():
            if not replace:
                raise CommandError(
                    "This database already holds data; restore into an empty one or add --replace."
                )
            call_command("flush", interactive=False, verbosity=0)
        with transaction.atomic():
            call_command("loaddata", path, verbosity=0)
        self.stdout.write(
            f"Restored {path} into {connection.vendor}: "
            f"{User.objects.count()} staff, {Department.objects.count()} departments."
        )
