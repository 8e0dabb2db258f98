"""`manage.py rebuild_assessments`: every target's stored assessment at the live quarters, recomputed
(after a catalogue reload, a change of method, at the start of a quarter; `make data` and CI run it)."""

import time

from django.core.management.base import BaseCommand

from reports import assessments
from targets.cache import everything_changed


class Command(BaseCommand):
    help = "Recompute the stored assessment of every target at the live quarters (last closed and current)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-needed",
            action="store_true",
            help="Only when the table does not hold exactly the live quarters (a new quarter began): for a "
            "daily timer.",
        )

    def handle(self, *args, if_needed=False, **options):
        if if_needed and assessments.current():
            self.stdout.write("Assessments: the table holds the live quarters; nothing to do.")
            return
        started = time.monotonic()
        written = assessments.rebuild()
        everything_changed(reassess=False)  # every cached figure was computed before the rebuild
        self.stdout.write(f"Assessments: {written} rows written in {time.monotonic() - started:.1f} s.")
