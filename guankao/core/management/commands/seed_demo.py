from django.core.management.base import BaseCommand

from guankao.core import demo


class Command(BaseCommand):
    help = "Load the demo city of Chiayi (departments, staff, roles) if it is not there yet."

    def handle(self, *args, **options):
        self.stdout.write("loaded" if demo.load() else "already present")
