"""Benchmark of the Excel report writer's memory: writing 20 times the rows must not need more memory.

Run from the project root: `python bench/bench_excel_memory.py [--out bench/results-excel-memory.json]`
(`make bench` runs it). No database: the rows are built in code (tests/unit/report_lines.py, the same
lines as the writer's unit tests) and streamed through `reports.excel.writer.write_report` into a temporary file;
tracemalloc gives the peak of what the writer holds. A writer keeping its rows would need about
9,500 rows × 24 cells × ~100 bytes ≈ 22 MiB more for 10,000 rows than for 500; the goal is under 1 MiB.
This used to be a unit test (tests/unit/test_excel_writer.py), where it took half the unit tests' time; the
unit tests keep a cheap check that no written line is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_BYTES = 2**20  # growth from `small` to `large` rows


def writing_peak(rows: int) -> tuple[int, float]:
    """Peak traced memory (bytes) and seconds of writing `rows` target lines and `rows` actual lines."""
    from reports.excel import writer
    from targets.progress import STATUSES
    from tests.unit.report_lines import PILLARS, actual_line, report_data, target_line

    def targets():
        for i in range(rows):
            yield target_line(i, PILLARS[i % 2][0], STATUSES[i % len(STATUSES)])

    def actuals():
        for i in range(rows):
            yield actual_line(i)

    data = report_data(targets(), actuals())
    with tempfile.TemporaryFile() as out:  # the output itself is not the writer's memory
        started = time.perf_counter()
        tracemalloc.start()
        try:
            writer.write_report(data, out)
            return tracemalloc.get_traced_memory()[1], time.perf_counter() - started
        finally:
            tracemalloc.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="bench/results-excel-memory.json", help="where to write the figures")
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--large", type=int, default=10_000)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dtiportal.settings.test")
    import django

    django.setup()

    small, small_s = writing_peak(args.small)
    large, large_s = writing_peak(args.large)
    growth = large - small
    met = growth < GOAL_BYTES
    results = {
        "small_rows": args.small,
        "large_rows": args.large,
        "small_peak_mib": round(small / 2**20, 2),
        "large_peak_mib": round(large / 2**20, 2),
        "growth_mib": round(growth / 2**20, 3),
        "goal_growth_mib": GOAL_BYTES / 2**20,
        "met": met,
        "small_seconds": round(small_s, 2),
        "large_seconds": round(large_s, 2),
        "python": platform.python_version(),
    }
    print(
        f"Excel writer: {args.small} rows peak {small / 2**20:.2f} MiB, {args.large} rows peak"
        f" {large / 2**20:.2f} MiB; growth {growth / 2**20:.3f} MiB (goal < 1 MiB: {'met' if met else 'MISSED'})"
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
