"""`guankao petitions_train` (the issue's `guankao petitions-train`): train the dispatch model on
the closed cases now, score it on the most recent ones and serve it if it is not worse than
the serving one. `--check` only says which model serves."""

import json

from django.core.management.base import BaseCommand

from guankao.petitions import dispatch


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="show the serving model only")

    def handle(self, *args, check=False, **options):
        if not check:
            outcome = dispatch.train()
            verdict = "in service" if outcome.accepted else "not in service"
            self.stdout.write(f"{verdict}: {outcome.reason}")
        note = dispatch.serving_note()
        if note is None:
            self.stdout.write("no model serves: suggestions come from the categories' keywords")
        else:
            shown = {k: note[k] for k in ("version", "trained_at", "cases", "scores")}
            self.stdout.write(json.dumps(shown, ensure_ascii=False))
