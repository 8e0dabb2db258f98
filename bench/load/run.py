"""The load test: gunicorn (2 workers) on 127.0.0.1 against PostgreSQL, 50 locust users for 60 s.

Run with a throw-away PostgreSQL: `bench/with_postgres.sh .venv/bin/python bench/load/run.py`.
Builds the national-scale data if the database has none, starts gunicorn on loopback (cache in a fresh
directory shared by both workers, as in production), warms the cache of figures with one pass over the
pages the users visit, runs locust headless for `--seconds` (the whole run is bounded by a timeout), checks
zero errors and p95 < 500 ms, stops everything it started and writes bench/results-load.json.
Exit status 0 only when both goals are met.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(BENCH))

import scale_db  # noqa: E402

P95_GOAL_MS = 500
PAGES_TO_WARM = (
    "/dashboard/",
    "/dashboard/{p}/",
    "/dashboard/{p}/{pillar}/",
    "/dashboard/{p}/{pillar}/?sort=gap",
)


def _wait_until_up(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer on {url} within {seconds:.0f} s")


def _warm(base: str) -> float:
    """One request per page the simulated users visit, through the same server: the cache of figures warm,
    as it is in the day-to-day (it only empties when the data change)."""
    import http.cookiejar

    started = time.perf_counter()
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = opener.open(f"{base}/accounts/login/", timeout=60).read().decode()
    token = login.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    body = f"username={scale_db.BENCH_USER}&password={scale_db.BENCH_PASSWORD}&csrfmiddlewaretoken={token}"
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=body.encode()), timeout=60).read()
    opener.open(f"{base}/open-data/progress.json?as_of={scale_db.AS_OF}", timeout=120).read()
    opener.open(f"{base}/open-data/targets.csv", timeout=120).read()
    for n in range(1, 35):
        for page in PAGES_TO_WARM:
            for pillar in ("chinh-quyen-so", "kinh-te-so", "xa-hoi-so"):
                url = page.format(p=f"demo-{n:02d}", pillar=pillar)
                sep = "&" if "?" in url else "?"
                opener.open(f"{base}{url}{sep}as_of={scale_db.AS_OF}", timeout=120).read()
                if "{pillar}" not in page:
                    break
    return time.perf_counter() - started


def _summary(stats_csv: Path) -> dict:
    rows = list(csv.DictReader(stats_csv.open(encoding="utf-8")))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    per_page = {
        f"{r['Type']} {r['Name']}": {
            "requests": int(r["Request Count"]),
            "failures": int(r["Failure Count"]),
            "median_ms": float(r["Median Response Time"]),
            "p95_ms": float(r["95%"]),
        }
        for r in rows
        if r["Name"] != "Aggregated"
    }
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "requests_per_s": round(float(total["Requests/s"]), 1),
        "median_ms": float(total["Median Response Time"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "max_ms": float(total["Max Response Time"]),
        "per_request": per_page,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=BENCH / "results-load.json")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        print(
            "the load test runs against PostgreSQL: bench/with_postgres.sh .venv/bin/python bench/load/run.py"
        )
        return 2

    scale_db.ensure(database_url)  # builds the data on first use (a few minutes on PostgreSQL)
    from django.db import connections

    connections.close_all()
    base = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory(prefix="dtiportal-load-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": str(ROOT),
            "CACHE_BACKEND": "file",
            "CACHE_LOCATION": str(Path(tmp) / "cache"),
        }
        server = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "dtiportal.wsgi:application",
                f"--bind=127.0.0.1:{args.port}",
                f"--workers={args.workers}",
                "--timeout=120",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,  # its own process group: stopped as a whole below
        )
        try:
            _wait_until_up(f"{base}/open-data/", 60)
            print(f"gunicorn up on {base} ({args.workers} workers); warming the cache…", flush=True)
            print(f"warm-up: {_warm(base):.0f} s", flush=True)
            prefix = Path(tmp) / "locust"
            command = [
                str(VENV_BIN / "locust"),
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                f"--users={args.users}",
                f"--spawn-rate={args.users / 5:g}",
                f"--run-time={args.seconds}s",
                f"--host={base}",
                f"--csv={prefix}",
                "--only-summary",
                "--stop-timeout=10",
                "--loglevel=WARNING",
            ]
            print(f"locust: {args.users} users for {args.seconds} s…", flush=True)
            subprocess.run(command, cwd=ROOT, timeout=args.seconds + 90, check=False)
            summary = _summary(Path(f"{prefix}_stats.csv"))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

    ok = summary["failures"] == 0 and summary["p95_ms"] < P95_GOAL_MS
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{os.cpu_count()} cores",
        "users": args.users,
        "seconds": args.seconds,
        "workers": args.workers,
        "goal": {"failures": 0, "p95_ms": P95_GOAL_MS},
        "met": ok,
        **summary,
    }
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(
        f"{summary['requests']} requests ({summary['requests_per_s']}/s), {summary['failures']} failures, "
        f"median {summary['median_ms']:.0f} ms, p95 {summary['p95_ms']:.0f} ms, p99 {summary['p99_ms']:.0f} ms"
        f" — {'goals met' if ok else 'GOALS MISSED'}; written to {args.out}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
