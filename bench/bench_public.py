"""The public portal at national scale (issue #19): each public page, and the national actuals.csv and
progress.csv streamed, with time and peak memory.

Run from the project root: `python bench/bench_public.py [--database-url URL] [--runs 5] [--out FILE]`.

On the scale database of `bench/scale_db.py` with every locality publishing (set inside a transaction that
is rolled back: the database is left as it was). Anonymous requests through Django's test client:
- each public page cold (the cache emptied before each request: the time after a data change) and warm;
- actuals.csv and progress.csv consumed chunk by chunk as a client reads a stream: time, bytes, rows and
  the peak of Python memory (tracemalloc) while serving, against the size of the file — a file built in
  memory would need at least its own size;
- flatness: the peak of the same files made from whole frames (the path before the files were made a few
  localities at a time) and in chunks (`reports.pages.OPEN_DATA_CHUNK` localities), with half the
  localities publishing and with all of them: flat = the chunked peak is about the same for both.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import scale_db
from bench_pages import timings

CITY = "demo-05"
PILLAR = "chinh-quyen-so"


def _pages() -> list[tuple[str, str]]:
    as_of = f"?as_of={scale_db.AS_OF}"
    return [
        ("home", f"/{as_of}"),
        ("overview", f"/dashboard/{as_of}"),
        ("city", f"/dashboard/{CITY}/{as_of}"),
        ("pillar", f"/dashboard/{CITY}/{PILLAR}/{as_of}"),
        ("indicator", f"/indicators/work_dossiers_online/{as_of}"),
        ("series", f"/indicators/work_dossiers_online/{CITY}/{as_of}"),
        ("reporting_status", f"/reporting-status/{as_of}"),
        ("open_data_page", "/open-data/"),
    ]


def bench_pages(client: Any, runs: int, cold_runs: int, log) -> dict[str, Any]:
    from django.core.cache import cache

    out = {}
    for name, url in _pages():

        def get(url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        get()  # warm-up: imports, templates, translations
        cold = timings(get, cold_runs, before=cache.clear)
        get()
        warm = timings(get, runs)
        out[name] = {"url": url, "cold": cold, "warm": warm}
        log(f"  {name:18} cold {cold['median_ms']:8.0f} ms   warm {warm['median_ms']:6.0f} ms")
    return out


def _read(client: Any, url: str) -> float:
    started = time.perf_counter()
    for _chunk in client.get(url).streaming_content:
        pass
    return (time.perf_counter() - started) * 1000


def bench_stream(client: Any, url: str, log) -> dict[str, Any]:
    """Read a streamed file chunk by chunk (as a client would): time after a data change (cold) and warm
    (what is cached), then once more under tracemalloc for bytes, rows and the peak of Python memory
    (tracemalloc slows Python down: its time is not the one reported)."""
    from django.core.cache import cache

    cache.clear()
    cold_ms = _read(client, url)
    warm_ms = _read(client, url)
    cache.clear()  # after a data change: nothing cached
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200 and response.streaming, url
    size = rows = 0
    first_chunk_ms = None
    for chunk in response.streaming_content:
        if first_chunk_ms is None:
            first_chunk_ms = (time.perf_counter() - started) * 1000
        size += len(chunk)
        rows += chunk.count(b"\r\n")
    total_ms = (time.perf_counter() - started) * 1000
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    result = {
        "url": url,
        "cold_ms": round(cold_ms, 1),
        "warm_ms": round(warm_ms, 1),
        "traced_ms": round(total_ms, 1),
        "first_chunk_ms": round(first_chunk_ms or 0, 1),
        "bytes": size,
        "rows": rows - 1,
        "peak_mib": round(peak / 2**20, 1),
    }
    log(
        f"  {url:24} cold {cold_ms:6.0f} ms  warm {warm_ms:6.0f} ms  {rows - 1:7d} rows   {size / 2**20:6.1f} MiB   peak {peak / 2**20:6.1f} MiB"
    )
    return result


def _peak(make_rows, dataset: str) -> tuple[float, int]:
    """(peak MiB of Python memory while the CSV is made from `make_rows()` and consumed, rows)."""
    from reports import opendata, schema

    tracemalloc.start()
    rows = 0
    for chunk in opendata.csv_chunks(make_rows(), schema.BY_NAME[dataset].columns):
        rows += chunk.count(b"\r\n")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round(peak / 2**20, 1), rows - 1


def bench_flat(log) -> dict[str, Any]:
    """The national files' peak memory, whole frames vs. chunks, for half and for all the localities."""
    from reports import pages
    from reports.display import AsOf
    from targets.cache import data_changed
    from targets.models import Locality

    as_of = AsOf(code=scale_db.AS_OF, time=2026.75)
    slugs = list(Locality.objects.order_by("slug").values_list("slug", flat=True))
    makers = {
        "actuals_whole": ("actuals", lambda: pages.open_data_actuals(as_of=None, chunk=None)),
        "actuals_chunked": ("actuals", lambda: pages.open_data_actuals(as_of=None)),
        "progress_whole": ("progress", lambda: pages.open_data_progress(as_of=as_of)),
        "progress_chunked": ("progress", lambda: pages.open_data_progress_chunked(as_of=as_of)),
    }
    out: dict[str, Any] = {"chunk_localities": pages.OPEN_DATA_CHUNK}
    for label, count in (("half", len(slugs) // 2), ("all", len(slugs))):
        Locality.objects.update(publishes=False)
        Locality.objects.filter(slug__in=slugs[:count]).update(publishes=True)
        data_changed()
        out[label] = {"localities": count}
        for name, (dataset, make) in makers.items():
            peak, rows = _peak(make, dataset)
            out[label][name] = {"peak_mib": peak, "rows": rows}
        log(
            f"  {label:4} ({count:3d} localities): "
            + "   ".join(
                f"{n} {out[label][n]['peak_mib']:6.1f} MiB ({out[label][n]['rows']} rows)" for n in makers
            )
        )
    Locality.objects.update(publishes=True)
    data_changed()
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--out")
    parser.add_argument("--streams-only", action="store_true", help="skip the pages")
    args = parser.parse_args()
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    scale_db.ensure(args.database_url, log=log)

    from django.db import transaction
    from django.test import Client

    from targets.cache import data_changed
    from targets.models import Actual, Locality, Status, Target

    results: dict[str, Any] = {}
    with transaction.atomic():
        Locality.objects.update(publishes=True)
        data_changed()
        results["size"] = {
            "publishing_localities": Locality.objects.filter(publishes=True).count(),
            "targets": Target.objects.count(),
            "approved_actuals": Actual.objects.filter(status=Status.APPROVED).count(),
        }
        log(f"public portal at national scale: {results['size']}")
        client = Client()
        if not args.streams_only:
            results["pages"] = bench_pages(client, args.runs, args.cold_runs, log)
        results["streams"] = {
            "actuals_csv": bench_stream(client, "/open-data/actuals.csv", log),
            "progress_csv": bench_stream(client, f"/open-data/progress.csv?as_of={scale_db.AS_OF}", log),
            "actuals_csv_one_city": bench_stream(client, f"/open-data/actuals.csv?locality={CITY}", log),
        }
        log("national files, peak memory: whole frames (before) vs. chunks (after), half vs. all localities")
        results["flat"] = bench_flat(log)
        transaction.set_rollback(True)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1))
    else:
        print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
