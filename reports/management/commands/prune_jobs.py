"""`manage.py prune_jobs [--days N]`: forget background jobs finished more than N days ago (default
`JOB_FILES_KEPT_DAYS`) and delete their files; a later request for the same file runs the job again."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from targets.models import Job


class Command(BaseCommand):
    help = "Delete background jobs (and their files) finished more than --days days ago."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, days=None, **options):
        days = settings.JOB_FILES_KEPT_DAYS if days is None else days
        old = Job.objects.filter(finished_at__lt=timezone.now() - dt.timedelta(days=days))
        count = 0
        for job in old:
            if job.file:
                job.file.delete(save=False)
            job.delete()
            count += 1
        self.stdout.write(f"Jobs: {count} finished more than {days} days ago deleted.")
