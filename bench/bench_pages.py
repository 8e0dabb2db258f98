"""Benchmark of the leadership dashboards at national scale: server-side render time and SQL queries.

Run from the project root: `python bench/bench_pages.py [--out bench/results-pages.json] [--localities 34]`.
Builds a throw-away SQLite database (the catalogue, published figures, demo data and the national-scale
synthetic set of `targets.services.scale_data_generate`), then renders each dashboard with Django's test
client as a superuser (every locality in scope): the median of `--runs` renders after one warm-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 22)
AS_OF = "2026-Q3"
PAGES = {
    "overview": "/dashboard/",
    "city": "/dashboard/hai-phong/",
    "pillar": "/dashboard/hai-phong/chinh-quyen-so/",
    "indicator": "/indicators/work_dossiers_online/",
    "series": "/indicators/work_dossiers_online/hai-phong/",
    "open_data_progress_json": "/open-data/progress.json",
}
GOALS_MS = {"overview": 300, "pillar": 150}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-pages.json")
    parser.add_argument("--localities", type=int, default=34)
    parser.add_argument("--extra-indicators", type=int, default=100)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ["DJANGO_SETTINGS_MODULE"] = "dtiportal.settings.test"
        import django

        django.setup()
        results = _run(args)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"written to {args.out}")
    return 0


def _run(args: argparse.Namespace) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from targets import services
    from targets.models import Actual, Locality, Target

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    services.catalogue_load()
    services.published_figures_load()
    services.demo_data_generate(today=TODAY)
    report = services.scale_data_generate(
        localities=args.localities, extra_indicators=args.extra_indicators, today=TODAY
    )
    built = time.perf_counter() - started
    size = {
        "localities": Locality.objects.count(),
        "targets": Target.objects.count(),
        "actuals": Actual.objects.count(),
        "scale_report_actuals": report.actuals,
    }
    print(f"data built in {built:.1f} s: {size}", flush=True)

    user = get_user_model().objects.create_superuser("bench", "bench@example.vn", "bench-pass-2026")
    client = Client()
    client.force_login(user)
    pages = {}
    for name, url in PAGES.items():
        params = {"as_of": AS_OF}
        response = client.get(url, params)  # warm-up: templates, imports
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, params)
        # Counted now: the next request clears Django's query log.
        query_count = len(queries.captured_queries)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            client.get(url, params)
            times.append(time.perf_counter() - t0)
        median_ms = statistics.median(times) * 1000
        pages[name] = {
            "url": url,
            "queries": query_count,
            "median_ms": round(median_ms, 1),
            "min_ms": round(min(times) * 1000, 1),
            "goal_ms": GOALS_MS.get(name),
        }
        print(f"{name:26s} {median_ms:8.1f} ms (median of {args.runs}), {query_count} queries")
    return {
        "date": dt.date.today().isoformat(),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "data": size,
        "as_of": AS_OF,
        "pages": pages,
    }


if __name__ == "__main__":
    sys.exit(main())
