"""Progress engine test inputs: a default target, hypothesis strategies for any target, and frames shaped
like the selector's output. Shared by the tests of `targets.progress` (test_progress_*.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from targets.periods import period_end_time
from targets.progress import (
    target_due_time,
)
from tests.unit.progress_oracle import Assessment, assess  # the scalar oracle, one target at a time

BY_2025 = target_due_time(2025)  # 2026.0
END_OF_2024 = period_end_time("2024-Q4")  # 2025.0


def assess_target(**overrides) -> Assessment:
    """A Hải Phòng-style "at least 80 % by 2025" target, assessed at the end of 2024, unless overridden."""
    arguments = {
        "comparator": ">=",
        "target_value": 80.0,
        "target_time": BY_2025,
        "observations": [],
        "as_of": END_OF_2024,
        "higher_is_better": True,
    }
    arguments.update(overrides)
    return assess(**arguments)


FLIPPED = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "=": "=", "~": "~", "range": "range"}
quarter_ends = st.integers(min_value=2020 * 4, max_value=2027 * 4).map(lambda q: q / 4)
values = st.floats(min_value=-1_000, max_value=1_000, allow_nan=False).map(lambda x: round(x, 2))


@st.composite
def cases(draw: st.DrawFn, *, unique_times: bool = False) -> dict:
    comparator = draw(st.sampled_from(list(FLIPPED)))
    target_value = draw(values)
    times = st.lists(quarter_ends, max_size=12, unique=unique_times)
    observation_times = draw(times)
    return {
        "comparator": comparator,
        "target_value": target_value,
        "target_value_max": target_value + draw(st.floats(0, 50).map(lambda x: round(x, 2)))
        if comparator == "range"
        else None,
        "target_time": draw(st.sampled_from([2026.0, 2027.0, 2031.0])),
        "observations": [(t, draw(values)) for t in observation_times],
        "as_of": draw(quarter_ends),
        "higher_is_better": draw(st.booleans()),
        "baseline": draw(st.none() | st.tuples(st.sampled_from([2019.0, 2021.0, 2024.0]), values)),
        "applies_until": draw(st.none() | quarter_ends),
        "milestone": draw(st.booleans()),
        **draw(bounds()),
    }


@st.composite
def bounds(draw: st.DrawFn) -> dict:
    """No bounds, one side, or both (lower ≤ upper), as the selector passes an indicator's domain."""
    lower = draw(st.none() | values)
    upper = draw(st.none() | values)
    if lower is not None and upper is not None and lower > upper:
        lower, upper = upper, lower
    return {"lower": lower, "upper": upper}


def long_frame(targets: dict[object, dict]) -> pd.DataFrame:
    """The selector's frame: one row per observation, target columns repeated, NaN where absent."""
    rows = []
    for target_id, case in targets.items():
        baseline = case.get("baseline")
        head = {
            "target_id": target_id,
            "comparator": case["comparator"],
            "target_value": case["target_value"],
            "target_value_max": np.nan if case.get("target_value_max") is None else case["target_value_max"],
            "target_time": case["target_time"],
            "higher_is_better": case["higher_is_better"],
            "applies_until": np.nan if case.get("applies_until") is None else case["applies_until"],
            "milestone": case.get("milestone", False),
            "baseline_time": np.nan if baseline is None else baseline[0],
            "baseline_value": np.nan if baseline is None else baseline[1],
            "lower": np.nan if case.get("lower") is None else case["lower"],
            "upper": np.nan if case.get("upper") is None else case["upper"],
        }
        observations = case["observations"] or [(np.nan, np.nan)]
        rows.extend({**head, "obs_time": t, "obs_value": v} for t, v in observations)
    return pd.DataFrame(rows)


def random_targets(n: int, seed: int) -> dict[int, dict]:
    """n targets of every kind: ranks, ranges, `~`, milestones, targets without figures, NaN readings."""
    rng = np.random.default_rng(seed)
    targets = {}
    quarters = np.arange(2020.25, 2027.01, 0.25)
    for target_id in range(n):
        comparator = str(rng.choice(list(FLIPPED)))
        is_milestone = bool(rng.random() < 0.1)
        higher = bool(rng.random() < 0.7) if comparator not in ("<=", "<") else False
        start = float(np.round(rng.uniform(-20, 80), 2))
        value = (
            1.0 if is_milestone else float(np.round(start + rng.uniform(-10, 40) * (1 if higher else -1), 2))
        )
        k = int(rng.integers(0, 14))
        times = sorted(rng.choice(quarters, size=k, replace=True))  # replace: some periods reported twice
        if is_milestone:
            observations = [(float(t), float(rng.random() < 0.3)) for t in times]
        else:
            trend = rng.normal(2, 4)
            observations = [
                (float(t), float(np.round(start + trend * (t - 2020) + rng.normal(0, 3), 2))) for t in times
            ]
        if observations and rng.random() < 0.1:
            observations.append(
                (float(rng.choice(quarters)), float("nan"))
            )  # a reading still without a value
        rng.shuffle(observations)
        targets[target_id] = {
            "comparator": comparator,
            "target_value": value,
            "target_value_max": value + float(np.round(rng.uniform(0, 15), 2))
            if comparator == "range"
            else None,
            "target_time": float(rng.choice([2026.0, 2027.0, 2031.0])),
            "higher_is_better": higher,
            "applies_until": 2025.5 if rng.random() < 0.1 else None,
            "milestone": is_milestone,
            "baseline": (float(rng.choice([2019.0, 2020.0, 2021.0, 2024.0])), start)
            if rng.random() < 0.6
            else None,
            "observations": observations,
            # A domain on half of them (a percentage's 0–100, a rank's 1–34), tight enough to clip.
            "lower": float(np.round(start - 5, 2)) if rng.random() < 0.5 else None,
            "upper": float(np.round(start + 25, 2)) if rng.random() < 0.5 else None,
        }
    return targets
