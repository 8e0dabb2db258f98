"""The load test: 50 users, 10 entering and approving continuously, on gunicorn + PostgreSQL (loopback).

gunicorn on 127.0.0.1 against PostgreSQL, 50 locust users for 120 s (the mix: bench/load/locustfile.py).

Run with a throw-away PostgreSQL: `bench/with_postgres.sh .venv/bin/python bench/load/run.py`.
Builds the national-scale data if the database has none; prepares the writers' queue (in each busy province
the submitters' department's approved figures of the quarter removed, so that there is something to enter,
and at least `BACKLOG` submitted values waiting for the reviewer, through the figures' change path so the
stored assessments follow); starts gunicorn on loopback (cache in a fresh directory shared by the workers,
as in production); warms the cache of figures with one pass over the pages the users visit; runs locust
headless for `--seconds` (the whole run is bounded by a timeout) while sampling the load average; then
counts the approvals and submissions made during the run in the database, and checks the goals of issue #20:
zero errors overall and p95 < 300 ms for the dashboard requests (overview, city, pillar, sorted pillar,
series), all taken during the writes. Prints the median/p95/p99 of every request name, stops everything it
started and writes bench/results-load.json. Exit status 0 only when both goals are met.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(BENCH))

sys.path.insert(0, str(HERE))

import scale_db  # noqa: E402

if "--writers-elsewhere" in sys.argv:  # read by load_mix on import, and by locust
    os.environ["LOAD_WRITERS_ELSEWHERE"] = "1"
from load_mix import (  # noqa: E402
    AS_OF,
    BUSY,
    DASHBOARDS,
    PASSWORD,
    PILLARS,
    SERIES,
    SUBMIT_DEPARTMENT,
    WRITERS,
)

DASHBOARD_P95_GOAL_MS = 300
BACKLOG = 10  # submitted values waiting for each busy province's reviewer when the run starts
PAGES_TO_WARM = (
    "/dashboard/",
    "/dashboard/{p}/",
    "/dashboard/{p}/{pillar}/",
    "/dashboard/{p}/{pillar}/?sort=gap",
    "/indicators/{code}/{p}/",
)


def _prepare_queue() -> dict:
    """Something to enter and something to approve in every busy province, whatever earlier runs did:
    the submitters' department's approved figures of `AS_OF` removed (they become missing values to enter)
    and approved values of the other departments put back in the reviewer's queue up to `BACKLOG`. Bench
    set-up, untimed; recorded as the writes record figure changes (`figures_changed`: change rows and the
    stored assessments re-assessed) so the pages stay exact."""
    from django.db import transaction
    from django.db.models import F

    from targets.cache import data_changed, figures_changed
    from targets.models import Actual, Status

    removed = queued = 0
    touched = []
    with transaction.atomic():
        for slug in WRITERS:
            quarter = Actual.objects.filter(locality__slug=slug, period__code=AS_OF)
            mine = quarter.filter(department__code=SUBMIT_DEPARTMENT, status=Status.APPROVED)
            touched += [
                (a.locality_id, a.indicator_id, a.period.ends_on) for a in mine.select_related("period")
            ]
            removed += mine.delete()[1].get("targets.Actual", 0)
            others = quarter.exclude(department__code=SUBMIT_DEPARTMENT)
            missing = BACKLOG - others.filter(status=Status.SUBMITTED).count()
            if missing > 0:
                back = list(
                    others.filter(status=Status.APPROVED).select_related("period").order_by("pk")[:missing]
                )
                Actual.objects.filter(pk__in=[a.pk for a in back]).update(
                    status=Status.SUBMITTED, version=F("version") + 1
                )
                touched += [(a.locality_id, a.indicator_id, a.period.ends_on) for a in back]
                queued += len(back)
        figures_changed(touched)
    data_changed()
    return {"removed_to_enter": removed, "put_back_to_approve": queued}


def _writes_since(started: float) -> dict:
    """Approvals and submissions of the run, as the audit history records them (one row per value)."""
    import datetime as dt

    from targets.models import Actual

    since = dt.datetime.fromtimestamp(started, tz=dt.UTC)
    history = Actual.history.filter(history_date__gte=since)
    return {
        "values_approved": history.filter(history_change_reason="Duyệt").count(),
        "values_submitted": history.filter(history_change_reason="Gửi duyệt").count(),
        "drafts_saved": history.filter(history_change_reason="Lưu nháp").count(),
    }


def _cpu_seconds(pid: int, *, children: bool = True) -> float:
    """CPU time (user + system) of process `pid` and, with `children`, of its children already waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone meanwhile
        return 0.0
    return sum(int(x) for x in fields[11 : 15 if children else 13]) / os.sysconf("SC_CLK_TCK")


def _tree_cpu(root: int) -> float:
    """CPU time of `root`, its live children and the children it has waited for (gunicorn's workers,
    PostgreSQL's backends: one per connection)."""
    total = _cpu_seconds(root)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == root:
                total += _cpu_seconds(int(entry.name))
    return total


def _machine_cpu() -> float:
    """CPU time used by every process of the machine (s): the other sessions included."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _postmaster_pid() -> int | None:
    """PostgreSQL's postmaster on this machine (the parent of our backend), for its CPU time."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    try:
        return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:  # PostgreSQL on another host
        return None


def _cpu_snapshot(server: int, postmaster: int | None) -> dict:
    return {
        "gunicorn": _tree_cpu(server),
        "postgresql": _tree_cpu(postmaster) if postmaster else 0.0,
        "locust": resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime,
        "machine": _machine_cpu(),
    }


class _LoadSampler(threading.Thread):
    """The 1-minute load average every 5 s while locust runs (the machine is shared)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(5):
            self.samples.append(os.getloadavg()[0])


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


def _csrf(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _logged_in(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    """A client of its own (cookies), logged in as `username`."""
    import http.cookiejar

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    token = _csrf(opener.open(f"{base}/accounts/login/", timeout=60).read().decode())
    body = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=body.encode()), timeout=60).read()
    return opener


def _probe(base: str, rounds: int) -> dict:
    """One client alone (no other load from this run): the reviewer's page and approval of one value of
    the first busy province (the approval's redirect back to the review page included), then each
    dashboard page of that province and the national open data timed the first time after it (cold) and
    again (warm), and the officer's entry form. Median over `rounds` approvals, ms: the service times the
    load test queues."""
    province = BUSY[0]
    reviewer = _logged_in(base, f"{province}.reviewer", PASSWORD)
    leader = _logged_in(base, f"{province}.viewer", PASSWORD)
    officer = _logged_in(base, f"{province}.{SUBMIT_DEPARTMENT}.editor", PASSWORD)
    worklist = officer.open(f"{base}/entry/", timeout=60).read().decode()
    department = re.search(r"department=(\d+)", worklist).group(1)
    entry = f"/entry/{AS_OF}/?department={department}"
    pages = {
        "/dashboard/": "/dashboard/",
        "/dashboard/[city]/": f"/dashboard/{province}/",
        "/dashboard/[city]/[pillar]/": f"/dashboard/{province}/{PILLARS[0]}/",
        "/dashboard/[city]/[pillar]/?sort": f"/dashboard/{province}/{PILLARS[0]}/?sort=gap",
        "/indicators/[code]/[city]/": f"/indicators/{SERIES[0]}/{province}/",
        "/open-data/progress.json": "/open-data/progress.json",
    }
    times: dict[str, dict[str, list[float]]] = {name: {"cold": [], "warm": []} for name in pages}
    times["writers"] = {
        "/review/[period]/": [],
        "approve (POST and redirect)": [],
        "/entry/[period]/ (form)": [],
    }

    def timed(opener, url, data=None) -> tuple[float, bytes]:
        began = time.perf_counter()
        body = opener.open(urllib.request.Request(f"{base}{url}", data=data), timeout=60).read()
        return (time.perf_counter() - began) * 1000, body

    approved = 0
    for _ in range(rounds):
        ms, page = timed(reviewer, f"/review/{AS_OF}/?locality={province}")
        times["writers"]["/review/[period]/"].append(ms)
        page = page.decode()
        form = re.search(r'<form method="post" action="([^"]+)" class="decide">(.*?)</form>', page, re.S)
        if not form:
            break  # nothing waits
        fields = dict(re.findall(r'name="((?:locality|actual|version-\d+))" value="([^"]+)"', form.group(2)))
        fields.update({"csrfmiddlewaretoken": _csrf(page), "decision": "approve"})
        ms, done = timed(reviewer, form.group(1), urllib.parse.urlencode(fields).encode())
        times["writers"]["approve (POST and redirect)"].append(ms)
        approved += "Đã duyệt 1 giá trị".encode() in done
        for name, url in pages.items():
            sep = "&" if "?" in url else "?"
            for kind in ("cold", "warm"):
                times[name][kind].append(timed(leader, f"{url}{sep}as_of={AS_OF}")[0])
        times["writers"]["/entry/[period]/ (form)"].append(timed(officer, entry)[0])
    return {
        "approvals": approved,
        **{
            name: {kind: round(statistics.median(v)) if v else None for kind, v in t.items()}
            for name, t in times.items()
        },
    }


def _warm(base: str) -> float:
    """One request per page the simulated users visit, through the same server: the cache of figures warm,
    as it is in the day-to-day (it only empties when the data change)."""
    started = time.perf_counter()
    opener = _logged_in(base, scale_db.BENCH_USER, scale_db.BENCH_PASSWORD)
    opener.open(f"{base}/open-data/progress.json?as_of={AS_OF}", timeout=120).read()
    opener.open(f"{base}/open-data/targets.csv", timeout=120).read()
    urls = set()
    for province in BUSY:
        for page in PAGES_TO_WARM:
            for pillar in PILLARS:
                for code in SERIES:
                    urls.add(page.format(p=province, pillar=pillar, code=code))
    for url in sorted(urls):
        sep = "&" if "?" in url else "?"
        opener.open(f"{base}{url}{sep}as_of={AS_OF}", timeout=120).read()
    return time.perf_counter() - started


def _percentiles(times: list[float]) -> dict:
    """Median, p95, p99 and max of `times` (ms), exact (nearest rank), from every request."""
    ordered = sorted(times)

    def rank(q: float) -> float:
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    return {
        "requests": len(ordered),
        "median_ms": round(statistics.median(ordered)) if ordered else None,
        "p95_ms": round(rank(0.95)) if ordered else None,
        "p99_ms": round(rank(0.99)) if ordered else None,
        "max_ms": round(ordered[-1]) if ordered else None,
    }


def _summary(stats_csv: Path, log: dict) -> dict:
    """locust's totals (requests, failures, rate) and the percentiles computed from every request logged."""
    rows = list(csv.DictReader(stats_csv.open(encoding="utf-8")))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    requests = log["requests"]
    names = sorted({r[1] for r in requests})
    per_request = {
        name: {
            **_percentiles([r[2] for r in requests if r[1] == name]),
            "failures": sum(1 for r in requests if r[1] == name and r[3]),
        }
        for name in names
    }
    dashboards = [r for r in requests if r[1].removeprefix("GET ") in DASHBOARDS]
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "requests_per_s": round(float(total["Requests/s"]), 1),
        **{k: v for k, v in _percentiles([r[2] for r in requests]).items() if k != "requests"},
        "dashboards": {
            **_percentiles([r[2] for r in dashboards]),
            "failures": sum(1 for r in dashboards if r[3]),
            "after_a_write": _after_writes(dashboards, log["approvals"], log["submissions"]),
        },
        "approvals_seen_by_users": {
            "decisions": len(log["approvals"]),
            "values": sum(a[2] for a in log["approvals"]),
        },
        "submissions_seen_by_users": {
            "submissions": len(log["submissions"]),
            "values": sum(s[2] for s in log["submissions"]),
        },
        "per_request": per_request,
    }


def _after_writes(dashboards: list, approvals: list, submissions: list) -> dict:
    """The dashboard requests split by whether a write changed what the page is cached under since that
    page (the same URL) was last asked for: for the city and pillar pages an approval in its province, for
    the national overview any approval (both keyed by the localities' figure versions), for a series page
    any approval or submission anywhere (keyed by the site-wide data version). The first kind is what the
    first reader after a write gets (computed again, or waiting for the one who computes it); the second is
    served from the cache unless something else evicted it."""
    last_asked: dict[str, float] = {}
    times: dict[str, list[float]] = {}
    run_start = min((r[0] for r in dashboards), default=0.0)
    sitewide = sorted([*approvals, *submissions])
    for start, name, ms, _failed, url in sorted(dashboards):
        path = urllib.parse.urlsplit(url or "")
        page = f"{path.path}?{path.query}"
        province = next((p for p in BUSY if f"/{p}/" in path.path), None)
        since = last_asked.get(page, run_start)
        if name.endswith("/indicators/[code]/[city]/"):
            changed = any(since < at <= start for at, _where, _n in sitewide)
        else:
            changed = any(
                since < at <= start and (province is None or province == where) for at, where, _n in approvals
            )
        last_asked[page] = start
        times.setdefault("first_after_a_write" if changed else "repeat", []).append(ms)
    return {key: _percentiles(value) for key, value in sorted(times.items())}


@contextlib.contextmanager
def _cache_server(kind: str, tmp: str) -> Iterator[dict[str, str]]:
    """The environment that gives gunicorn's workers their shared cache: a directory under `tmp`, or a
    redis-server started here on a free loopback port (no persistence), stopped afterwards."""
    if kind == "file":
        yield {"CACHE_BACKEND": "file", "CACHE_LOCATION": str(Path(tmp) / "cache")}
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    redis = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=tmp,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield {"CACHE_URL": f"redis://127.0.0.1:{port}/0"}
    finally:
        redis.terminate()
        redis.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", 3)),
        help="gunicorn's workers (default: WEB_CONCURRENCY, else 3 as the Dockerfile and docs/deploy.md run it)",
    )
    parser.add_argument(
        "--probe-rounds",
        type=int,
        default=3,
        help="approvals after which one client times each dashboard page cold and warm before the load (0: none)",
    )
    parser.add_argument(
        "--no-writes",
        action="store_true",
        help="for comparison: the same users, but officers and reviewers post nothing (the goals then fail)",
    )
    parser.add_argument(
        "--writers-elsewhere",
        action="store_true",
        help="for comparison: the officers and reviewers work in five provinces the leaders do not read",
    )
    parser.add_argument(
        "--cache",
        choices=("file", "redis"),
        default="file",
        help="the cache the workers share: a directory (one host's default) or a redis-server started here on "
        "loopback (CACHE_URL, as several hosts share it; docs/deploy.md)",
    )
    parser.add_argument("--out", type=Path, default=BENCH / "results-load.json")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        print(
            "the load test runs against PostgreSQL: bench/with_postgres.sh .venv/bin/python bench/load/run.py"
        )
        return 2

    scale_db.ensure(database_url)  # builds the data on first use (a few minutes on PostgreSQL)
    queue = _prepare_queue()
    print(f"writers' queue: {queue}", flush=True)
    postmaster = _postmaster_pid()
    from django.db import connections

    connections.close_all()
    base = f"http://127.0.0.1:{args.port}"
    with (
        tempfile.TemporaryDirectory(prefix="dtiportal-load-") as tmp,
        _cache_server(args.cache, tmp) as cache,
    ):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": str(ROOT),
            **cache,
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
            probe = _probe(base, args.probe_rounds) if args.probe_rounds else {}
            if probe:
                print(
                    f"one client, ms after an approval (cold) and again (warm): {json.dumps(probe)}",
                    flush=True,
                )
            prefix = Path(tmp) / "locust"
            log_path = Path(tmp) / "requests.json"
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
            sampler = _LoadSampler()
            load_before = os.getloadavg()
            started = time.time()
            cpu_before = _cpu_snapshot(server.pid, postmaster)
            sampler.start()
            subprocess.run(
                command,
                cwd=ROOT,
                env={
                    **os.environ,
                    "LOAD_LOG": str(log_path),
                    "LOAD_WRITES": "0" if args.no_writes else "1",
                    "PYTHONPATH": str(HERE),
                },
                timeout=args.seconds + 90,
                check=False,
            )
            sampler.stop.set()
            cpu_after = _cpu_snapshot(server.pid, postmaster)
            elapsed = time.time() - started
            log = json.loads(log_path.read_text(encoding="utf-8"))
            summary = _summary(Path(f"{prefix}_stats.csv"), log)
            summary["written_during_the_run"] = _writes_since(started)
            used = {k: cpu_after[k] - cpu_before[k] for k in cpu_before}
            used["others"] = used["machine"] - used["gunicorn"] - used["postgresql"] - used["locust"]
            summary["cpu_cores_used"] = {k: round(v / elapsed, 2) for k, v in used.items()}
            summary["gunicorn_cpu_ms_per_request"] = round(
                used["gunicorn"] * 1000 / max(1, summary["requests"])
            )
            samples = sampler.samples or [os.getloadavg()[0]]
            summary["load_average_1min"] = {
                "before": round(load_before[0], 1),
                "mean": round(statistics.mean(samples), 1),
                "max": round(max(samples), 1),
            }
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

    dash = summary["dashboards"]
    approved = summary["written_during_the_run"]["values_approved"]
    ok = (
        summary["failures"] == 0
        and dash["requests"] > 0
        and dash["p95_ms"] < DASHBOARD_P95_GOAL_MS
        and approved > 0  # "during the writes": a run without approvals proves nothing
    )
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{os.cpu_count()} cores",
        "users": args.users,
        "seconds": args.seconds,
        "workers": args.workers,
        "cache": args.cache,
        "writes": not args.no_writes,
        "writers": list(WRITERS),
        "queue_prepared": queue,
        "one_client_after_an_approval": probe,
        "goal": {"failures": 0, "dashboards_p95_ms": DASHBOARD_P95_GOAL_MS, "values_approved": "> 0"},
        "met": ok,
        **summary,
    }
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"{'request':<44} {'n':>5} {'fail':>4} {'median':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    for name, row in sorted(summary["per_request"].items()):
        print(
            f"{name:<44} {row['requests']:>5} {row['failures']:>4} {row['median_ms']:>7} {row['p95_ms']:>7}"
            f" {row['p99_ms']:>7} {row['max_ms']:>7}"
        )
    print(f"dashboards after a write: {json.dumps(dash['after_a_write'])}")
    print(
        f"CPU cores used (of {os.cpu_count()}): {json.dumps(summary['cpu_cores_used'])}; gunicorn "
        f"{summary['gunicorn_cpu_ms_per_request']} ms of CPU per request"
    )
    writes = summary["written_during_the_run"]
    load = summary["load_average_1min"]
    print(
        f"{summary['requests']} requests ({summary['requests_per_s']}/s), {summary['failures']} failures; "
        f"all: median {summary['median_ms']} ms, p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms; "
        f"dashboards ({dash['requests']}): median {dash['median_ms']} ms, p95 {dash['p95_ms']} ms, "
        f"p99 {dash['p99_ms']} ms; during the run {writes['values_approved']} values approved "
        f"({summary['approvals_seen_by_users']['decisions']} decisions), {writes['values_submitted']} "
        f"submitted, {writes['drafts_saved']} drafts saved; load average {load['mean']} (max {load['max']}, "
        f"before {load['before']}) — {'goals met' if ok else 'GOALS MISSED'}; written to {args.out}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
