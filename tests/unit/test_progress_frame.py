"""Every series at once: `assess_frame` agrees with `assess` row by row (random and generated targets), does
not depend on the order of rows, and refuses frames it cannot read."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from targets import progress
from targets.progress import (
    ACHIEVED,
    INSUFFICIENT_DATA,
    STATUSES,
    assess_frame,
)
from tests.unit.progress_oracle import assess  # the scalar oracle, one target at a time

from .progress_cases import (
    BY_2025,
    END_OF_2024,
    cases,
    long_frame,
    quarter_ends,
    random_targets,
)


def assert_frame_agrees_with_assess(targets: dict, as_of: float) -> pd.DataFrame:
    frame = long_frame(targets)
    result = assess_frame(frame, as_of=as_of)
    assert list(result.columns) == list(progress.RESULT_COLUMNS)
    assert sorted(result.index) == sorted(targets)
    for target_id, case in targets.items():
        one = assess(
            **{k: v for k, v in case.items() if k != "observations"},
            observations=[(t, v) for t, v in case["observations"] if not math.isnan(t)],
            as_of=as_of,
        )
        row = result.loc[target_id]
        assert row["status"] == one.status, (target_id, case)
        assert row["opensdg_status"] == one.opensdg_status, (target_id, case)
        for column in progress.RESULT_COLUMNS:
            if column in ("status", "opensdg_status"):
                continue
            expected = getattr(one, column)
            if column == "provisional_status":
                assert (row[column] if isinstance(row[column], str) else None) == expected, (target_id, case)
            elif expected is None:
                assert math.isnan(row[column]), (target_id, column, row[column])
            else:
                assert row[column] == pytest.approx(expected, rel=1e-9, abs=1e-12), (target_id, column)
    return result


@pytest.mark.parametrize("as_of", [2024.0, END_OF_2024, 2026.0, 2026.75])
def test_assess_frame_agrees_with_assess_row_by_row(as_of: float) -> None:
    assert_frame_agrees_with_assess(random_targets(400, seed=int(as_of * 4)), as_of)


def test_assess_frame_does_not_depend_on_the_order_of_rows() -> None:
    frame = long_frame(random_targets(300, seed=5))
    # Three figures at one time, so the mean of tied values is exercised too.
    tied = frame.loc[frame["obs_time"] <= END_OF_2024].head(1)
    frame = pd.concat([frame, tied.assign(obs_value=0.1), tied.assign(obs_value=0.7)], ignore_index=True)
    shuffled = frame.sample(frac=1.0, random_state=1)
    pd.testing.assert_frame_equal(
        assess_frame(shuffled, as_of=END_OF_2024), assess_frame(frame, as_of=END_OF_2024), check_exact=True
    )


def test_assess_frame_covers_every_status_on_the_random_frame() -> None:
    statuses: set[str] = set()
    for as_of in (2024.0, END_OF_2024, 2026.0, 2026.75):
        targets = random_targets(400, seed=int(as_of * 4))
        statuses |= set(assess_frame(long_frame(targets), as_of=as_of)["status"])
    assert statuses == set(STATUSES)


@settings(max_examples=60, deadline=None)
@given(st.lists(cases(), min_size=1, max_size=8), quarter_ends)
def test_assess_frame_agrees_with_assess_on_generated_targets(case_list: list[dict], as_of: float) -> None:
    targets = {f"t{i}": {k: v for k, v in case.items() if k != "as_of"} for i, case in enumerate(case_list)}
    assert_frame_agrees_with_assess(targets, as_of)


def test_assess_frame_gives_a_target_without_observations_its_own_row() -> None:
    targets = {
        7: {
            "comparator": ">=",
            "target_value": 80.0,
            "target_time": BY_2025,
            "higher_is_better": True,
            "baseline": (2021.0, 40.0),
            "observations": [],
        },
        3: {
            "comparator": ">=",
            "target_value": 80.0,
            "target_time": BY_2025,
            "higher_is_better": True,
            "observations": [(2024.0, 60.0), (2025.0, 81.0)],
        },
    }
    result = assess_frame(long_frame(targets), as_of=END_OF_2024)
    assert list(result.index) == [3, 7]
    assert result.index.name == "target_id"
    assert result.loc[7, "status"] == INSUFFICIENT_DATA
    assert math.isnan(result.loc[7, "latest"])
    assert result.loc[3, "status"] == ACHIEVED


def test_assess_frame_refuses_a_frame_without_the_required_columns() -> None:
    with pytest.raises(ValueError, match="obs_value"):
        assess_frame(
            pd.DataFrame({"target_id": [1]}).assign(**{c: [0] for c in progress.FRAME_COLUMNS[:-1]}),
            as_of=2025,
        )


def test_assess_frame_refuses_an_unknown_comparator() -> None:
    case = {
        "comparator": "≥",
        "target_value": 1.0,
        "target_time": 2026.0,
        "higher_is_better": True,
        "observations": [],
    }
    with pytest.raises(ValueError, match="comparator"):
        assess_frame(long_frame({1: case}), as_of=2025.0)
