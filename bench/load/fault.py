"""The fault run: the portal under load while one gunicorn worker is killed and PostgreSQL is stopped and
started again. Measures acknowledged saves lost (must be 0), errors during the outage and the time to recover.

    .venv/bin/python bench/load/fault.py            # about 4 minutes once the data are built

Starts everything itself on 127.0.0.1 and stops it all, whatever happens (the whole run is bounded by
--max-seconds): its own PostgreSQL cluster (initdb in a temporary folder, or --pgdata to keep and reuse one
with the national-scale data already built; default durability, fsync on), the national-scale data of
bench/scale_db.py (built once per cluster: several minutes), gunicorn with 3 sync workers on production
settings (bench/settings_production.py: dtiportal.settings.production with plain-HTTP cookies; static files
collected into the run's folder), and locust (bench/load/fault_locustfile.py: officers saving their own
department's form every 2–4 s, leaders reading dashboards). A prober asks /healthz every half second.

Timeline (seconds after the load starts): --kill-at: SIGKILL one gunicorn worker (the master starts a new
one); --stop-at: `pg_ctl stop -m immediate` (a crash: no shutdown checkpoint, recovery from the WAL on
start); --outage seconds later: `pg_ctl start`; the load goes on to --seconds.

Afterwards every acknowledged save (a POST answered by the redirect back to the form; each carries a unique
note) is looked up in the audit history: one row per value it saved. Results: bench/results-fault.json.
Exit status 0 only when no acknowledged save is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(BENCH))

import scale_db  # noqa: E402


class Timeout(Exception):
    pass


class Postgres:
    """A PostgreSQL cluster of our own on 127.0.0.1, as .ci/run and bench/with_postgres.sh start one."""

    def __init__(self, data: Path, port: int):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
        if not bins:
            raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin, self.data, self.port = bins[-1], data, port
        self.url = f"postgres://postgres@127.0.0.1:{port}/dtiportal"

    def _run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*as_postgres, *cmd], check=check, capture_output=True, text=True, timeout=120)

    def init(self) -> None:
        if (self.data / "PG_VERSION").exists():
            return
        self.data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C.UTF-8",
        )  # fmt: skip

    def start(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "server.log"), "-w", "-t", "90",
            "-o", f"-c listen_addresses=127.0.0.1 -c port={self.port} -k {self.data}", "start",
        )  # fmt: skip
        self._run(
            str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "dtiportal",
            check=False,
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False
        )


def _get(url: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _wait_until_up(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _get(url) == 200:
            return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f} s")


def _workers(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


def _serving(master: int, port: int) -> list[int]:
    """Workers in the middle of a request: a sync worker holds the accepted client socket (an established
    TCP connection on the server's port) from the request until its response is sent."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "01" and int(fields[1].split(":")[1], 16) == port:  # ESTABLISHED, local port
            inodes.add(f"socket:[{fields[9]}]")
    busy = []
    for pid in _workers(master):
        try:
            links = {os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()}
        except OSError:
            continue
        if links & inodes:
            busy.append(pid)
    return busy


def _kill_a_worker(master: int, port: int, within: float = 10.0) -> tuple[int, bool]:
    """SIGKILL a worker, one in the middle of a request if one is found within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        busy = _serving(master, port)
        if busy:
            os.kill(busy[0], signal.SIGKILL)
            return busy[0], True
        time.sleep(0.002)
    victim = _workers(master)[0]
    os.kill(victim, signal.SIGKILL)
    return victim, False


def _read_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _lost_saves(acks: list[dict]) -> tuple[int, list[dict]]:
    """Look every acknowledged save up in the audit history: (values checked, saves with a value missing)."""
    from django.db import connections

    from targets.models import Actual, Assignment, Department, ReportingPeriod

    connections.close_all()  # the build's connection died with the server
    history = Actual.history.model
    found = set(
        history.objects.filter(note__startswith="fault-run ").values_list(
            "indicator_id", "level", "locality_id", "period_id", "note", "value"
        )
    )
    series = {a.pk: (a.indicator_id, a.level) for a in Assignment.objects.all()}
    localities = dict(Department.objects.values_list("pk", "locality_id"))
    periods = dict(ReportingPeriod.objects.values_list("code", "pk"))
    checked, lost = 0, []
    for ack in acks:
        for key, value in ack["values"].items():
            checked += 1
            indicator, level = series[int(key)]
            wanted = (
                indicator,
                level,
                localities[ack["department"]],
                periods[ack["period"]],
                ack["note"],
                Decimal(value),
            )
            if wanted not in found:
                lost.append({**ack, "missing": key})
                break
    return checked, lost


def _window(requests: list[dict], start: float, end: float) -> dict:
    inside = [r for r in requests if start <= r["t"] < end]
    failed = [r for r in inside if not r["ok"] or r["status"] >= 400]
    return {
        "requests": len(inside),
        "failed": len(failed),
        # HTTP status when the server answered, else what the client saw (connection reset, refused…)
        "by_outcome": dict(Counter(str(r["status"]) if r["status"] else r["error"] for r in failed)),
    }


def _analyse(requests, acks, probes, marks) -> dict:
    load_start, load_end = marks["load_start"], marks["load_end"]
    kill, stop, back = marks["worker_killed"], marks["pg_stopped"], marks["pg_started"]
    after = [r for r in requests if r["t"] >= back]
    failed_after = [r for r in after if not r["ok"] or r["status"] >= 400]
    first_ack = min((a["t"] for a in acks if a["t"] >= back), default=None)
    first_health = min((t for t, status in probes if t >= back and status == 200), default=None)
    health_down = [t for t, status in probes if stop <= t < back and status != 200]
    rel = lambda t: None if t is None else round(t - back, 2)  # noqa: E731
    return {
        "requests": len(requests),
        "failed": sum(1 for r in requests if not r["ok"] or r["status"] >= 400),
        "acknowledged_saves": len(acks),
        "acknowledged_saves_during_outage": sum(1 for a in acks if marks["pg_stop_issued"] <= a["t"] < back),
        "before_faults": _window(requests, load_start, kill),
        "worker_kill_10s": {
            **_window(requests, kill, kill + 10),
            "healthz_non_200": sum(1 for t, status in probes if kill <= t < kill + 10 and status != 200),
        },
        "outage": {
            "seconds": round(back - marks["pg_stop_issued"], 1),
            **_window(requests, marks["pg_stop_issued"], back),
            "healthz_non_200": len(health_down),
        },
        "after_restart": {
            **_window(requests, back, load_end + 1),
            "first_acknowledged_save_s": rel(first_ack),
            "first_healthz_200_s": rel(first_health),
            "last_failed_request_s": rel(max((r["t"] for r in failed_after), default=None)),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8125)
    parser.add_argument("--pgport", type=int, default=54341)
    parser.add_argument(
        "--pgdata", type=Path, help="keep the cluster here and reuse it (the data are built once)"
    )
    parser.add_argument("--users", type=int, default=15)
    parser.add_argument("--seconds", type=int, default=150, help="length of the load")
    parser.add_argument("--kill-at", type=float, default=40)
    parser.add_argument("--stop-at", type=float, default=70)
    parser.add_argument("--outage", type=float, default=20)
    parser.add_argument(
        "--max-seconds", type=int, default=1800, help="bound of the whole run, data build included"
    )
    parser.add_argument("--out", type=Path, default=BENCH / "results-fault.json")
    args = parser.parse_args()

    def out_of_time(*_):
        raise Timeout(f"the fault run exceeded --max-seconds={args.max_seconds}")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.max_seconds)
    keep = args.pgdata is not None
    pg = Postgres(args.pgdata or Path(tempfile.mkdtemp(prefix="dtiportal-fault-pg-")), args.pgport)
    tmp = Path(tempfile.mkdtemp(prefix="dtiportal-fault-"))
    server = locust = None
    stop_probing = threading.Event()
    probes: list[tuple[float, int]] = []
    marks: dict[str, float] = {}
    try:
        pg.init()
        pg.start()
        print(f"PostgreSQL on 127.0.0.1:{args.pgport} ({pg.data})", flush=True)
        scale_db.ensure(pg.url)
        from django.db import connections

        connections.close_all()
        requests_log, acks_log = tmp / "requests.jsonl", tmp / "acks.jsonl"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings_production",
            "PYTHONPATH": str(ROOT),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": pg.url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "FAULT_STATIC_ROOT": str(tmp / "static"),
            "MEDIA_ROOT": str(tmp / "media"),
            "CACHE_BACKEND": "file",
            "CACHE_LOCATION": str(tmp / "cache"),
            "FAULT_REQUESTS": str(requests_log),
            "FAULT_ACKS": str(acks_log),
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=600,
        )
        base = f"http://127.0.0.1:{args.port}"
        log = (tmp / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "dtiportal.wsgi:application",
                f"--bind=127.0.0.1:{args.port}",
                "--workers=3",
                "--timeout=30",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_until_up(f"{base}/healthz", 90)
        print(f"gunicorn up on {base}: workers {_workers(server.pid)}", flush=True)

        def probe() -> None:
            while not stop_probing.is_set():
                probes.append((time.time(), _get(f"{base}/healthz", timeout=2)))
                stop_probing.wait(0.5)

        prober = threading.Thread(target=probe, daemon=True)
        prober.start()
        locust = subprocess.Popen(
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(HERE / "fault_locustfile.py"),
                "--headless",
                f"--users={args.users}",
                f"--spawn-rate={max(args.users / 10, 1):g}",
                f"--run-time={args.seconds}s",
                f"--host={base}",
                "--only-summary",
                "--stop-timeout=10",
                "--loglevel=ERROR",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(tmp / "locust.log").open("w"),
            start_new_session=True,
        )
        marks["load_start"] = start = time.time()

        def at(offset: float) -> None:
            time.sleep(max(0.0, start + offset - time.time()))

        at(args.kill_at)
        victim, mid_request = _kill_a_worker(server.pid, args.port)
        marks["worker_killed"] = time.time()
        print(
            f"{marks['worker_killed'] - start:.0f} s: killed gunicorn worker {victim}"
            f" ({'in the middle of a request' if mid_request else 'idle'})",
            flush=True,
        )
        at(args.stop_at)
        marks["pg_stop_issued"] = time.time()
        pg.stop("immediate")
        marks["pg_stopped"] = time.time()
        print(f"{args.stop_at:.0f} s: PostgreSQL stopped (immediate)", flush=True)
        at(args.stop_at + args.outage)
        pg.start()
        marks["pg_started"] = time.time()
        print(f"{marks['pg_started'] - start:.0f} s: PostgreSQL accepting connections again", flush=True)
        locust.wait(timeout=max(60.0, start + args.seconds + 60 - time.time()))
        marks["load_end"] = time.time()
        stop_probing.set()
        prober.join(timeout=5)
        workers_after = _workers(server.pid)

        requests, acks = _read_lines(requests_log), _read_lines(acks_log)
        checked, lost = _lost_saves(acks)
        # The check itself must be able to fail: a save that was never made is reported missing.
        never_made = {**acks[0], "note": "fault-run never-made"} if acks else None
        control = bool(never_made) and len(_lost_saves([never_made])[1]) == 1
        analysis = _analyse(requests, acks, probes, marks)
        log.flush()
        gunicorn_log = (tmp / "gunicorn.log").read_text(errors="replace")
    finally:
        signal.alarm(0)
        stop_probing.set()
        for proc in (locust, server):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        pg.stop("fast")
        if not keep:
            shutil.rmtree(pg.data, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)

    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{os.cpu_count()} cores",
        "users": args.users,
        "seconds": args.seconds,
        "workers": 3,
        "settings": "bench.settings_production (dtiportal.settings.production over plain HTTP)",
        "timeline_s": {
            "worker_killed": round(marks["worker_killed"] - marks["load_start"], 1),
            "pg_stop_issued": round(marks["pg_stop_issued"] - marks["load_start"], 1),
            "pg_started": round(marks["pg_started"] - marks["load_start"], 1),
        },
        "workers_after": len(workers_after),
        "worker_killed_mid_request": mid_request,
        "acknowledged_values_checked": checked,
        "check_reports_a_save_never_made": control,
        "acknowledged_saves_lost": len(lost),
        "lost": lost[:10],
        "gunicorn_worker_timeouts": gunicorn_log.count("WORKER TIMEOUT"),
        **analysis,
    }
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    after = result["after_restart"]
    print(
        f"{result['requests']} requests, {result['acknowledged_saves']} saves acknowledged "
        f"({checked} values), LOST: {len(lost)}. Worker killed {'mid-request' if mid_request else 'idle'}: "
        f"{result['worker_kill_10s']['failed']} failed requests and "
        f"{result['worker_kill_10s']['healthz_non_200']} failed health checks in the next 10 s. Outage {result['outage']['seconds']} s: {result['outage']['failed']} of "
        f"{result['outage']['requests']} requests failed. After the restart: healthz 200 after "
        f"{after['first_healthz_200_s']} s, first save after {after['first_acknowledged_save_s']} s, last "
        f"failure at {after['last_failed_request_s']} s ({after['failed']} failed). Written to {args.out}"
    )
    return 0 if not lost and control else 1


if __name__ == "__main__":
    sys.exit(main())
