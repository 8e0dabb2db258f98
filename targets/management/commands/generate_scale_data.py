"""`manage.py generate_scale_data`: national-scale synthetic data for the benchmarks."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from targets.catalogue import CatalogueError
from targets.devdata import scale_data_generate


class Command(BaseCommand):
    help = "Create a national-scale synthetic data set (localities named 'Tỉnh minh hoạ NN', flagged demo)."

    def add_arguments(self, parser):
        parser.add_argument("--localities", type=int, default=34)
        parser.add_argument("--from", dest="year_from", type=int, default=2021)
        parser.add_argument("--to", dest="year_to", type=int, default=2030)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--extra-indicators", type=int, default=100, help="Synthetic quarterly indicators added."
        )
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args, localities, year_from, year_to, seed, extra_indicators, today=None, **options):
        if not 1 <= localities <= 200 or not 2015 <= year_from < year_to <= 2035:
            raise CommandError("--localities 1–200, and 2015 ≤ --from < --to ≤ 2035")
        started = time.perf_counter()
        try:
            r = scale_data_generate(
                localities=localities,
                year_from=year_from,
                year_to=year_to,
                seed=seed,
                extra_indicators=extra_indicators,
                today=dt.date.fromisoformat(today) if today else None,
            )
        except CatalogueError as exc:
            raise CommandError("\n".join(exc.errors)) from exc
        self.stdout.write(
            f"Scale data (demo) in {time.perf_counter() - started:.1f} s: {r.localities} localities, {r.departments} departments, "
            f"{r.users} users, {r.indicators} indicators, {r.targets} targets, {r.actuals} actuals "
            f"({', '.join(f'{k} {v}' for k, v in r.by_status.items())})."
        )
