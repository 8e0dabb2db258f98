"""`manage.py check_assessments`: the stored assessments against a full recomputation; exits with an error
listing the differences when they disagree (safe to run in production: it only reads)."""

from django.core.management.base import BaseCommand, CommandError

from reports import assessments


class Command(BaseCommand):
    help = "Compare the stored assessments with a full recomputation (read only; fails on a difference)."

    def handle(self, *args, **options):
        found = assessments.differences()
        if found:
            raise CommandError("Stored assessments differ from a full recomputation:\n" + "\n".join(found))
        self.stdout.write("Assessments: the stored rows agree with a full recomputation.")
