"""Roll-ups of assessed targets: status counts and the share achieved or on track per group, and the
targets most behind."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from targets.progress import (
    ACHIEVED,
    INSUFFICIENT_DATA,
    MISSED,
    NEEDS_ACCELERATION,
    NOT_APPLICABLE,
    OFF_TRACK,
    ON_TRACK,
    REGRESSING,
    STATUSES,
    assess_frame,
    most_behind,
    rollup,
)

from .progress_cases import (
    END_OF_2024,
    long_frame,
    random_targets,
)

# --- roll-ups ------------------------------------------------------------------------------------------------


@pytest.fixture
def assessed() -> pd.DataFrame:
    """Hải Phòng and Hà Nội targets, already assessed, with their locality and pillar."""
    rows = [
        # target_id, locality, pillar, status, expected_completion, projected_completion
        (1, "hai-phong", "digital-government", ACHIEVED, 0.8, 1.2),
        (2, "hai-phong", "digital-government", ON_TRACK, 0.8, 0.97),
        (3, "hai-phong", "digital-government", OFF_TRACK, 0.8, 0.2),
        (4, "hai-phong", "digital-economy", NEEDS_ACCELERATION, 0.8, 0.7),
        (5, "hai-phong", "digital-economy", INSUFFICIENT_DATA, 0.8, np.nan),
        (6, "hai-phong", "digital-economy", NOT_APPLICABLE, 0.9, 0.1),
        (7, "ha-noi", "digital-government", REGRESSING, 0.5, -0.4),
        (8, "ha-noi", "digital-government", MISSED, 1.0, 0.5),
        (9, "ha-noi", "digital-society", ON_TRACK, 0.5, 1.0),
    ]
    frame = pd.DataFrame(
        rows,
        columns=["target_id", "locality", "pillar", "status", "expected_completion", "projected_completion"],
    )
    return frame.set_index("target_id")


def test_rollup_counts_each_status_per_locality_and_pillar(assessed: pd.DataFrame) -> None:
    table = rollup(assessed, ["locality", "pillar"])
    assert list(table.columns) == [*STATUSES, "total", "share_on_track", "assessable"]
    government = table.loc[("hai-phong", "digital-government")]
    assert (government[ACHIEVED], government[ON_TRACK], government[OFF_TRACK], government[MISSED]) == (
        1,
        1,
        1,
        0,
    )
    assert government["total"] == 3
    assert government["share_on_track"] == pytest.approx(2 / 3)
    assert len(table) == 4  # only the locality × pillar pairs that have targets


def test_rollup_share_leaves_out_targets_without_data_or_no_longer_applicable(assessed: pd.DataFrame) -> None:
    table = rollup(assessed, ["locality"])
    hai_phong = table.loc["hai-phong"]
    assert hai_phong["total"] == 6
    # achieved + on track = 2, over 6 − 1 insufficient − 1 not applicable = 4 assessable
    assert hai_phong["share_on_track"] == pytest.approx(2 / 4)
    assert hai_phong["assessable"] == 4  # the share's denominator, named on pages ("50 % of 4")
    # Hà Nội: 1 on track over 3 assessable
    assert table.loc["ha-noi", "share_on_track"] == pytest.approx(1 / 3)
    assert table.loc["ha-noi", ACHIEVED] == 0


def test_rollup_share_is_nan_when_nothing_is_assessable(assessed: pd.DataFrame) -> None:
    table = rollup(assessed.loc[[5, 6]], ["locality"])
    assert math.isnan(table.loc["hai-phong", "share_on_track"])


def test_rollup_without_grouping_gives_one_row_for_everything(assessed: pd.DataFrame) -> None:
    table = rollup(assessed, [])
    assert len(table) == 1
    assert table["total"].iloc[0] == 9


def test_most_behind_ranks_by_shortfall_of_projected_against_expected(assessed: pd.DataFrame) -> None:
    behind = most_behind(assessed, n=3)
    # shortfalls: 7: 0.5 − (−0.4) = 0.9, 3: 0.6, 8: 0.5, 4: 0.1, 2: −0.17, 9: −0.5;
    # 1 is achieved and 6 no longer applies; 5 has no projection.
    assert list(behind.index) == [7, 3, 8]
    assert behind["shortfall"].tolist() == pytest.approx([0.9, 0.6, 0.5])


def test_most_behind_per_locality_keeps_n_of_each(assessed: pd.DataFrame) -> None:
    behind = most_behind(assessed, n=2, by=["locality"])
    assert behind.loc[behind["locality"] == "hai-phong"].index.tolist() == [3, 4]
    assert behind.loc[behind["locality"] == "ha-noi"].index.tolist() == [7, 8]
    assert len(behind) == 4


def test_rollup_and_most_behind_read_the_output_of_assess_frame() -> None:
    targets = random_targets(60, seed=11)
    assessed = assess_frame(long_frame(targets), as_of=END_OF_2024)
    assessed["locality"] = np.where(assessed.index % 2 == 0, "hai-phong", "ha-noi")
    table = rollup(assessed, ["locality"])
    assert table["total"].sum() == 60
    assert table[list(STATUSES)].sum(axis=1).tolist() == table["total"].tolist()
    behind = most_behind(assessed, n=3, by=["locality"])
    assert (behind.groupby("locality").size() <= 3).all()
    assert not behind["status"].isin([ACHIEVED, NOT_APPLICABLE]).any()


def _rollup_by_pandas(assessed: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The roll-up as pandas' groupby and value_counts give it (the engine's code before issue #20): an
    independent route to the same table."""
    keys = list(by) if by else [pd.Series("all", index=assessed.index, name="group")]
    counts = (
        assessed.groupby(keys, dropna=False, observed=True, sort=True)["status"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=list(STATUSES), fill_value=0)
        .astype(int)
    )
    counts.columns.name = None
    counts["total"] = assessed.groupby(keys, dropna=False, observed=True, sort=True).size()
    assessable = (
        counts["total"] - counts[NOT_APPLICABLE] - counts[INSUFFICIENT_DATA] - counts["awaiting_final"]
    )
    counts["share_on_track"] = (counts[ACHIEVED] + counts[ON_TRACK]) / assessable.where(assessable > 0)
    counts["assessable"] = assessable
    return counts


@pytest.mark.parametrize("seed", range(6))
def test_rollup_is_the_table_pandas_groupby_gives(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    frame = pd.DataFrame(
        {
            "locality": rng.choice(["hai-phong", "ha-noi", "da-nang", None], n, p=[0.4, 0.3, 0.2, 0.1]),
            "pillar": rng.choice(["cqs", "kts", "xhs", "dti"], n),
            "year": rng.choice([2025, 2030], n),
            # every status, and now and then a text that is none (counted in the total only)
            "status": rng.choice([*STATUSES, "unknown"], n),
        }
    )
    for by in ([], ["pillar"], ["locality"], ["locality", "pillar"], ["year", "pillar"]):
        pd.testing.assert_frame_equal(rollup(frame, by), _rollup_by_pandas(frame, by), check_index_type=False)
