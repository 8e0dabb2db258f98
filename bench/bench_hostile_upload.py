"""Hostile Excel uploads (issue #14, items 1 and 2): how fast each is refused, and whether /healthz keeps
answering while three of them hit gunicorn at once.

    .venv/bin/python bench/bench_hostile_upload.py            # both parts, gunicorn on 127.0.0.1:8114
    .venv/bin/python bench/bench_hostile_upload.py --no-live  # only the in-process timings

1. In process: each hostile file of tests/hostile_files.py, built from a department template of 60 rows,
   through `targets.workbook.read_upload` (`--runs` times; median and max), beside the same template read
   whole when untouched. The goal of the issue: the 7 KB far-row file refused in under 1 s.
2. Live: a throw-away SQLite database (migrated, catalogue and demo accounts loaded), gunicorn with
   `--workers` sync workers (3, as in the attack), an editor logged in, the department's own template
   turned into the far-row file, three uploads sent at once while /healthz is asked every 50 ms until they
   are answered. Prints each upload's time and answer, and the health checks' count, failures, median
   and max latency. Writes bench/results-hostile-upload.json.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from targets import workbook  # noqa: E402  (no Django needed)
from tests import hostile_files  # noqa: E402

ATTACKS = (
    "far_row",
    "far_dimension",
    "billion_laughs",
    "external_entity",
    "undefined_entity",
    "nan_value",
    "control_character",
    "many_members",
    "zip_bomb",
)
META = workbook.TemplateMeta(department_id=1, locality="hai-phong", period="2026-Q4")
SECRET = "bench-secret"


def _template(rows: int = 60) -> bytes:
    lines = [
        workbook.TemplateRow(
            key=f"indicator_{i}|city",
            version=0,
            indicator=f"Chỉ tiêu số {i}",
            level="Cấp tỉnh",
            unit="percent",
            unit_label="%",
            target="≥ 80% (2025)",
            previous="2026-Q3: 71,5",
            value=None,
            note="",
            editable=True,
        )
        for i in range(rows)
    ]
    return workbook.build_template(meta=META, title="Sở Tài chính — Hải Phòng", rows=lines, secret=SECRET)


def _time(data: bytes, runs: int) -> dict:
    times, answer = [], ""
    for _ in range(runs):
        started = time.perf_counter()
        try:
            answer = f"read {len(workbook.read_upload(data, meta=META, secret=SECRET))} rows"
        except workbook.UploadError as refused:
            answer = f"refused: {refused}"
        times.append((time.perf_counter() - started) * 1000)
    return {
        "bytes": len(data),
        "median_ms": round(statistics.median(times), 2),
        "max_ms": round(max(times), 2),
        "answer": answer,
    }


def in_process(runs: int) -> dict:
    template = _template()
    results = {"untouched template (60 rows)": _time(template, runs)}
    for name in ATTACKS:
        results[name] = _time(getattr(hostile_files, name)(template), runs)
    print(f"\nIn process, {runs} runs each (median / max ms):")
    for name, r in results.items():
        print(
            f"  {name:30s} {r['bytes']:>8,d} B  {r['median_ms']:8.2f} / {r['max_ms']:8.2f}  {r['answer'][:90]}"
        )
    return results


# --------------------------------------------------------------------------- live, against gunicorn


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def _wait_until_up(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer on {url}")


def _login(base: str) -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    body = f"username=hp.bientap&password=hp-bientap-2026&csrfmiddlewaretoken={token}".encode()
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=body), timeout=30).read()
    return opener, jar


def live(port: int, workers: int) -> dict:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="dtiportal-hostile-") as tmp:
        env = {
            **os.environ,
            # The development settings (the demo accounts exist only there), DEBUG off as in production.
            "DJANGO_SETTINGS_MODULE": "dtiportal.settings.dev",
            "DEBUG": "false",
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'db.sqlite3'}",
            "PYTHONPATH": str(ROOT),
            "CACHE_BACKEND": "file",
            "CACHE_LOCATION": str(Path(tmp) / "cache"),
        }
        print("\nLive: preparing a throw-away database…", flush=True)
        _manage(env, "migrate", "--noinput")
        _manage(env, "load_catalogue")
        _manage({**env, "DEBUG": "true"}, "create_demo_accounts")
        server = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "dtiportal.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                "--timeout=60",  # as in the attack: a worker stuck longer is killed (WORKER TIMEOUT)
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            _wait_until_up(f"{base}/healthz", 60)
            opener, jar = _login(base)
            worklist = opener.open(f"{base}/entry/", timeout=30).read().decode()
            period, department = re.search(r"/entry/(\d{4}-Q\d)/\?department=(\d+)", worklist).groups()
            template = opener.open(
                f"{base}/entry/{period}/template.xlsx?department={department}", timeout=30
            ).read()
            from django.core.files.uploadedfile import SimpleUploadedFile

            attack = hostile_files.far_row(template)
            body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("bieu.xlsx", attack)})
            cookies = {c.name: c.value for c in jar}
            headers = {
                "Content-Type": MULTIPART_CONTENT,
                "Cookie": f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}",
                "X-CSRFToken": cookies["csrftoken"],
            }
            url = f"{base}/entry/{period}/import/?department={department}"
            uploads: list[dict] = []

            def upload() -> None:
                started = time.perf_counter()
                request = urllib.request.Request(url, data=body, headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=120) as response:
                        status, page = response.status, response.read().decode()
                except urllib.error.HTTPError as error:
                    status, page = error.code, error.read().decode()
                except OSError as error:
                    status, page = 0, str(error)
                match = re.search(r'role="alert"><strong>([^<]+)', page)
                uploads.append(
                    {
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "message": match[1] if match else page[:120],
                    }
                )

            threads = [threading.Thread(target=upload) for _ in range(3)]
            health_ms: list[float] = []
            health_failures = 0
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            while any(t.is_alive() for t in threads) or time.perf_counter() - started < 2:
                asked = time.perf_counter()
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=10) as response:
                        ok = response.status == 200
                except OSError:
                    ok = False
                health_ms.append((time.perf_counter() - asked) * 1000)
                health_failures += not ok
                time.sleep(0.05)
            for thread in threads:
                thread.join()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    result = {
        "workers": workers,
        "attack_bytes": len(attack),
        "uploads": uploads,
        "healthz": {
            "asked": len(health_ms),
            "failures": health_failures,
            "median_ms": round(statistics.median(health_ms), 1),
            "max_ms": round(max(health_ms), 1),
        },
    }
    print(f"gunicorn, {workers} sync workers; the far-row file ({len(attack):,} B) sent 3 times at once:")
    for u in uploads:
        print(f"  upload: HTTP {u['status']} in {u['ms']:.0f} ms — {u['message'][:100]}")
    h = result["healthz"]
    print(
        f"  /healthz asked {h['asked']} times meanwhile: {h['failures']} failures, "
        f"median {h['median_ms']} ms, max {h['max_ms']} ms"
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--port", type=int, default=8114)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--no-live", action="store_true", help="only the in-process timings")
    parser.add_argument(
        "--no-in-process", action="store_true", help="only the live part (e.g. against an older reader)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results-hostile-upload.json")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()  # the live part encodes the upload with Django's test client helpers
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
    }
    if not args.no_in_process:
        result["in_process"] = in_process(args.runs)
    if not args.no_live:
        result["live"] = live(args.port, args.workers)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    ok = True
    if "in_process" in result:
        far = result["in_process"]["far_row"]
        ok &= far["answer"].startswith("refused") and far["max_ms"] < 1000
    if "live" in result:
        ok &= result["live"]["healthz"]["failures"] == 0
        ok &= all(u["status"] == 400 for u in result["live"]["uploads"])
    print(f"\n{'goals met' if ok else 'GOALS MISSED'}; written to {args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
