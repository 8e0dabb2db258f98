"""`make bench`: every benchmark under bench/, a table of the figures, and bench/results.json.

SQLite always (the scale database `bench/scale.sqlite3` is built on first use); PostgreSQL too when
DATABASE_URL names one (`bench/with_postgres.sh make bench` starts a throw-away one on 127.0.0.1).
Options are passed on to bench_pages.py (e.g. `--runs 5 --skip-excel` for a quick look, `--only-excel`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import scale_db  # noqa: E402


def _run(script: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, str(HERE / script), "--out", out.name, *args], check=True, env=env)
        return json.loads(Path(out.name).read_text())


def _ms(figure: dict[str, float] | None) -> str:
    return "—" if not figure else f"{figure['median_ms']:.0f} / {figure['p95_ms']:.0f}"


def _verdict(name: str, page: dict[str, Any]) -> str:
    goal = page.get("goal")
    if not goal:
        return ""
    warm = page["warm"]["median_ms"]
    ok = warm < goal["median_ms"] and ("ratio" not in goal or page["ratio_warm"] <= goal["ratio"])
    text = f"< {goal['median_ms']} ms" + (f", ≤ {goal['ratio']}× floor" if "ratio" in goal else "")
    return f"{text}: {'met' if ok else 'MISSED'}"


def print_table(label: str, result: dict[str, Any]) -> None:
    print(f"\n{label}: {result['data']} — load average {result['load_average_before']}")
    header = (
        f"{'page':20s} {'queries':>8s} {'cold median/p95 ms':>19s} {'warm median/p95 ms':>19s}"
        f" {'floor ms':>9s} {'ratio cold/warm':>16s}  goal  | after a write median/p95 ms (goal)"
    )
    print(header)
    print("-" * len(header))
    if "pages" in result:  # absent with --only-excel
        for name, page in result["pages"].items():
            queries = f"{page['queries']}/{page['queries_warm']}"
            print(
                f"{name:20s} {queries:>8s} {_ms(page['cold']):>19s} {_ms(page['warm']):>19s}"
                f" {page['floor']['median_ms']:9.1f} {page['ratio_cold']:>7.1f}/{page['ratio_warm']:<8.1f}"
                f"  {_verdict(name, page)}"
                + (
                    f"  | {_ms(page['after_write'])} (< {page['after_write_goal_ms']}:"
                    f" {'met' if page['after_write']['median_ms'] < page['after_write_goal_ms'] else 'MISSED'})"
                    if page.get("after_write")
                    else ""
                )
            )
        for name, part in result.get("heatmap_history", {}).items():
            print(
                f"{name}: the heatmap's {part['quarters']} past quarters, engine alone {_ms(part['engine'])} ms"
                f" ({part['targets']} targets) against {part['beyond_floor_budget_ms']:.1f} ms left beyond the"
                f" SQL by cold ≤ 3× floor: {'within' if part['engine_within_budget'] else 'OVER, before any other work'}"
            )
    if "engine" in result:  # absent with --pages
        engine = result["engine"]
        print(
            f"progress engine, all {engine['targets']} targets: fetch {_ms(engine['fetch'])} ms,"
            f" assess {_ms(engine['assess'])} ms (median / p95)"
        )
        save = result["entry_save"]
        ok = max(save["new"]["median_ms"], save["changed"]["median_ms"]) < save["goal"]["median_ms"]
        print(
            f"entry save, 40 values: new {_ms(save['new'])} ms, changed {_ms(save['changed'])} ms"
            f" (goal < 200 ms: {'met' if ok else 'MISSED'})"
        )
    if "excel" in result:
        x = result["excel"]
        print(
            f"Excel report, all localities ({x['cells']} cells, {x['bytes'] / 2**20:.1f} MiB):"
            f" {x['report']['median_ms'] / 1000:.1f} s, peak {x['report_peak_mib']:.0f} MiB;"
            f" floor {x['floor_ms'] / 1000:.1f} s (xlsxwriter {x['xlsxwriter']['median_ms'] / 1000:.1f} s,"
            f" peak {x['xlsxwriter_peak_mib']:.0f} MiB, + SQL {x['floor_sql']['median_ms'] / 1000:.1f} s);"
            f" ratio {x['ratio']:.2f} (goal ≤ 1.2: {'met' if x['ratio'] <= 1.2 else 'MISSED'});"
            f" peak goal < 300 MiB: {'met' if x['report_peak_mib'] < 300 else 'MISSED'};"
            f" writing alone peak {x['writing_peak_mib']:.0f} MiB;"
            f" request {_ms(x['request'])} ms (goal < 1 s: {'met' if x['request']['median_ms'] < 1000 else 'MISSED'}),"
            f" repeat {_ms(x['repeat_request'])} ms, kept file download {_ms(x['kept_file_download'])} ms"
        )


def main() -> int:
    passed = sys.argv[1:]
    results: dict[str, Any] = {}
    print("== bench_progress.py (synthetic frame)", flush=True)
    results["progress"] = _run("bench_progress.py")
    print("== bench_excel_memory.py (the report writer, rows built in code)", flush=True)
    results["excel_memory"] = _run("bench_excel_memory.py")
    sqlite_env = {**os.environ, "DATABASE_URL": scale_db.SQLITE_URL}
    print("== bench_pages.py on SQLite", flush=True)
    results["sqlite"] = _run("bench_pages.py", *passed, env=sqlite_env)
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("== bench_pages.py on PostgreSQL", flush=True)
        results["postgresql"] = _run("bench_pages.py", *passed)
    (HERE / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    progress = results["progress"]
    print(
        f"\nprogress engine, synthetic {progress['observations']} observations in {progress['series']} series:"
        f" assess_frame {progress['assess_frame_median_s'] * 1000:.0f} ms,"
        f" plain loop {progress['python_loop_median_s'] * 1000:.0f} ms"
    )
    memory = results["excel_memory"]
    print(
        f"Excel writer memory: {memory['small_rows']} rows {memory['small_peak_mib']:.2f} MiB,"
        f" {memory['large_rows']} rows {memory['large_peak_mib']:.2f} MiB"
        f" (growth {memory['growth_mib']:.3f} MiB; goal < 1 MiB: {'met' if memory['met'] else 'MISSED'})"
    )
    print_table("SQLite", results["sqlite"])
    if "postgresql" in results:
        print_table("PostgreSQL", results["postgresql"])
    print(f"\nwritten to {HERE / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
