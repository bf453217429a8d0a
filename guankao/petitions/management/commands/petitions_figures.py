"""`guankao petitions_figures [--rebuild]`: compare the kept figures of closed cases with the
cases (exit status 1 on a difference), or recount them all."""

from django.core.management.base import BaseCommand, CommandError

from guankao.petitions import figures


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recount every bucket")

    def handle(self, *args, rebuild=False, **options):
        if rebuild:
            self.stdout.write(f"{figures.rebuild()} buckets recounted")
            return
        wrong = figures.check()
        if wrong:
            raise CommandError(
                f"{len(wrong)} buckets differ from the cases: {', '.join(wrong[:20])}"
            )
        self.stdout.write("the kept figures agree with the cases")
