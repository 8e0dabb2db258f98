"""The national-scale benchmark database: built once, then reused by `make bench` and the load test.

SQLite: `bench/scale.sqlite3` (gitignored), built in a temporary file and renamed when complete, so an
interrupted build is never mistaken for a finished one. PostgreSQL (`DATABASE_URL=postgres://…`): built in
that database when the marker account `bench` is missing.

Run from the project root: `python bench/scale_db.py [--database-url URL]` builds it and prints its size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SQLITE_PATH = HERE / "scale.sqlite3"
SQLITE_URL = f"sqlite:///{SQLITE_PATH}"

TODAY = dt.date(
    2026, 11, 22
)  # the data and every page are as of this day: 2026-Q3 is the last closed quarter
AS_OF = "2026-Q3"
ENTRY_PERIOD = "2026-Q4"  # the quarter open for entry on TODAY
LOCALITIES = 34
EXTRA_INDICATORS = 100
SEED = 1
BENCH_USER = "bench"
BENCH_PASSWORD = "bench-pass-2026"  # a throw-away account in a throw-away database


def setup_django(database_url: str) -> None:
    """Point Django at `database_url` (test settings: fast hashing, no collected static) and set it up."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def _build(*, log) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from targets.devdata import demo_data_generate, scale_data_generate
    from targets.services.catalogue import catalogue_load, published_figures_load

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    catalogue_load()
    published_figures_load()
    demo_data_generate(today=TODAY)
    report = scale_data_generate(
        localities=LOCALITIES, extra_indicators=EXTRA_INDICATORS, seed=SEED, today=TODAY
    )
    # Created last: its presence marks a complete PostgreSQL build.
    get_user_model().objects.create_superuser(BENCH_USER, "bench@example.vn", BENCH_PASSWORD)
    log(
        f"scale data built in {time.perf_counter() - started:.0f} s: {report.localities} demo localities, "
        f"{report.targets} targets, {report.actuals} actuals ({report.by_status})"
    )


def ensure(database_url: str | None = None, *, log=print) -> str:
    """Make sure the scale database exists (building it if not) and set Django up on it; return its URL.

    Call before anything else imports Django models: it calls `django.setup()`.
    """
    if not database_url or database_url.startswith("sqlite"):
        database_url = database_url or SQLITE_URL
        path = Path(database_url.removeprefix("sqlite:///"))
        if not path.exists():
            partial = path.with_suffix(".building")
            partial.unlink(missing_ok=True)
            log(f"building the scale database {path.name} (once; a minute or two)…")
            setup_django(f"sqlite:///{partial}")
            _build(log=log)
            from django.db import connection

            connection.close()
            partial.rename(path)
            os.environ["DATABASE_URL"] = database_url
            connection.settings_dict["NAME"] = str(path)  # the same dict the connection handler holds
        else:
            setup_django(database_url)
    else:
        setup_django(database_url)
        from django.contrib.auth import get_user_model
        from django.db.utils import DatabaseError

        try:
            built = get_user_model().objects.filter(username=BENCH_USER).exists()
        except DatabaseError:  # no tables yet
            built = False
        if not built:
            log("building the scale data in PostgreSQL (once per database; a minute or two)…")
            _build(log=log)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a migration added since the build
    from targets.models import Assessment

    if not Assessment.objects.exists():  # a database built before the stored assessments (issue #20)
        call_command("rebuild_assessments")
    return database_url


def size() -> dict[str, int]:
    """Rows of what the pages read."""
    from targets.models import Actual, Locality, Status, Target

    return {
        "localities": Locality.objects.count(),
        "targets": Target.objects.count(),
        "actuals": Actual.objects.count(),
        "approved_actuals": Actual.objects.filter(status=Status.APPROVED).count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    ensure(args.database_url)
    print(size())
    return 0


if __name__ == "__main__":
    sys.exit(main())
