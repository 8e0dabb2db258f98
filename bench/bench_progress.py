"""Benchmark of the progress engine: `assess_frame` against a plain Python loop calling the tests' scalar
oracle `assess` (tests/unit/progress_oracle.py) per series.

Run from the project root: `python bench/bench_progress.py [--out bench/results-progress.json]`.
The frame is synthetic (100,000 observations in 5,000 series, a fixed seed) and shaped like the
selector's output: quarterly figures, a document baseline on most targets, ranges, ranks, milestones.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from targets.progress import assess_frame
from tests.unit.progress_oracle import assess  # the scalar oracle, one target at a time

AS_OF = 2026.75  # end of 2026-Q3


def synthetic_frame(n_series: int = 5_000, per_series: int = 20, seed: int = 2026) -> pd.DataFrame:
    """A long frame of `n_series` × `per_series` quarterly observations ending at or after AS_OF."""
    rng = np.random.default_rng(seed)
    ids = np.arange(n_series)
    comparator = rng.choice([">=", ">", "=", "~", "<=", "<", "range"], size=n_series)
    higher = ~np.isin(comparator, ["<=", "<"])
    milestone = rng.random(n_series) < 0.05
    comparator[milestone] = ">="
    higher[milestone] = True
    start = rng.uniform(10, 60, n_series)
    target_value = np.where(higher, start + rng.uniform(5, 40, n_series), start - rng.uniform(1, 9, n_series))
    target_value = np.where(milestone, 1.0, target_value)
    value_max = np.where(comparator == "range", target_value + 10, np.nan)
    target_time = rng.choice([2026.0, 2027.0, 2031.0], size=n_series)
    has_baseline = rng.random(n_series) < 0.7
    baseline_time = np.where(has_baseline, 2021.0, np.nan)
    baseline_value = np.where(has_baseline, start, np.nan)
    applies_until = np.where(rng.random(n_series) < 0.05, 2025.5, np.nan)
    # The indicator's domain on most series (a percentage's 0–100), none on the others.
    bounded = rng.random(n_series) < 0.8
    lower = np.where(bounded, 0.0, np.nan)
    upper = np.where(bounded, 100.0, np.nan)

    quarters = 2022.25 + 0.25 * np.arange(per_series)  # 2022-Q1 … 2026-Q4: the last one is after AS_OF
    slope = rng.normal(3, 4, n_series) * np.where(higher, 1, -1)
    values = (
        start[:, None]
        + slope[:, None] * (quarters[None, :] - 2021)
        + rng.normal(0, 2, (n_series, per_series))
    )
    values = np.where(
        milestone[:, None], (quarters[None, :] > 2025.5 + rng.random((n_series, 1))).astype(float), values
    )
    # Rows in a shuffled order, as a database without ORDER BY may return them.
    order = rng.permutation(n_series * per_series)
    rep = np.repeat(ids, per_series)[order]
    return pd.DataFrame(
        {
            "target_id": rep,
            "comparator": comparator[rep],
            "target_value": target_value[rep],
            "target_value_max": value_max[rep],
            "target_time": target_time[rep],
            "higher_is_better": higher[rep],
            "applies_until": applies_until[rep],
            "milestone": milestone[rep],
            "baseline_time": baseline_time[rep],
            "baseline_value": baseline_value[rep],
            "lower": lower[rep],
            "upper": upper[rep],
            "obs_time": np.tile(quarters, n_series)[order],
            "obs_value": values.ravel()[order],
        }
    )


def loop_assess(frame: pd.DataFrame, as_of: float) -> dict[int, str]:
    """The plain Python way: group the rows per series, then call `assess` once per series."""
    records = frame.to_dict("records")
    series: dict[int, list[dict]] = {}
    for row in records:
        series.setdefault(row["target_id"], []).append(row)
    statuses = {}
    for target_id, rows in series.items():
        head = rows[0]
        has_baseline = not (np.isnan(head["baseline_time"]) or np.isnan(head["baseline_value"]))
        statuses[target_id] = assess(
            comparator=head["comparator"],
            target_value=head["target_value"],
            target_time=head["target_time"],
            observations=[(r["obs_time"], r["obs_value"]) for r in rows],
            as_of=as_of,
            higher_is_better=bool(head["higher_is_better"]),
            baseline=(head["baseline_time"], head["baseline_value"]) if has_baseline else None,
            target_value_max=None if np.isnan(head["target_value_max"]) else head["target_value_max"],
            applies_until=None if np.isnan(head["applies_until"]) else head["applies_until"],
            milestone=bool(head["milestone"]),
            lower=None if np.isnan(head["lower"]) else head["lower"],
            upper=None if np.isnan(head["upper"]) else head["upper"],
        ).status
    return statuses


def median_seconds(fn, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", default="bench/results-progress.json", help="where to write the JSON figures"
    )
    parser.add_argument("--runs", type=int, default=7, help="runs of assess_frame (the loop runs 3 times)")
    args = parser.parse_args()

    frame = synthetic_frame()
    assessed = assess_frame(frame, as_of=AS_OF)  # warm-up, and the check below
    looped = loop_assess(frame, AS_OF)
    disagreements = int(sum(assessed.at[i, "status"] != s for i, s in looped.items()))

    frame_s = median_seconds(lambda: assess_frame(frame, as_of=AS_OF), args.runs)
    loop_s = median_seconds(lambda: loop_assess(frame, AS_OF), 3)
    results = {
        "observations": len(frame),
        "series": int(frame["target_id"].nunique()),
        "assess_frame_median_s": round(frame_s, 4),
        "python_loop_median_s": round(loop_s, 4),
        "speed_up": round(loop_s / frame_s, 1),
        "status_disagreements": disagreements,
        "runs": args.runs,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "machine": platform.machine(),
    }
    print(f"assess_frame: {frame_s:.4f} s (median of {args.runs})")
    print(f"python loop : {loop_s:.4f} s (median of 3)")
    print(f"status disagreements between the two: {disagreements}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
