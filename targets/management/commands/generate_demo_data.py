"""`manage.py generate_demo_data`: labelled demo figures for the series without published ones."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from targets.devdata import demo_data_generate


class Command(BaseCommand):
    help = "Make plausible quarterly actuals (origin 'demo') from 2021-Q1 to the last closed quarter."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args, seed=2026, today=None, **options):
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(f"--today must be YYYY-MM-DD, got {today!r}") from exc
        report = demo_data_generate(seed=seed, today=day)
        self.stdout.write(
            f"Demo data (origin 'demo', labelled on every page): {report.created} values created, "
            f"{report.kept} already there, through {report.until}."
        )
