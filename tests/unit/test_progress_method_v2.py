"""Method v2 of the progress engine, one rule at a time (docs/progress-method.md).

1. after its deadline a target is judged on its deadline figure, never on a later one;
2. `awaiting_final` while the deadline period's own figure is not in (for up to a year);
3. forecasts stay inside the indicator's domain;
plus the properties: a projection never leaves its bounds, and figures after the deadline never change
a past-deadline verdict. Every expected value is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from targets import progress
from targets.progress import (
    ACHIEVED,
    AWAITING_FINAL,
    AWAITING_FINAL_GRACE_YEARS,
    INSUFFICIENT_DATA,
    MISSED,
    ON_TRACK,
    REGRESSING,
    assess_frame,
    domain_bounds,
    rollup,
)
from tests.unit.progress_oracle import assess

# Hải Phòng's Plan 86: "top 10 on the DTI in 2022" — a rank (lower is better), due at the end of 2022.
TOP_10_BY_2022 = {
    "comparator": "<=",
    "target_value": 10.0,
    "target_time": 2023.0,
    "higher_is_better": False,
}
# The DTI ranks as published: 2020 → 21st (ends 2021.0), 2022 → 14th (2023.0), 2023 → 8th, 2024 → 3rd.
HAI_PHONG_RANKS = [(2021.0, 21.0), (2023.0, 14.0), (2024.0, 8.0), (2025.0, 3.0)]
# "At least 80 % by 2025", due at 2026.0.
AT_LEAST_80_BY_2025 = {
    "comparator": ">=",
    "target_value": 80.0,
    "target_time": 2026.0,
    "higher_is_better": True,
}


# --- rule 1: the deadline figure decides ------------------------------------------------------------------------


def test_a_rank_target_missed_at_its_deadline_stays_missed_when_a_later_rank_meets_it() -> None:
    result = assess(**TOP_10_BY_2022, observations=HAI_PHONG_RANKS, as_of=2026.0)
    # Judged on 2022's rank (14 > 10), not on 2024's (3).
    assert result.status == MISSED
    assert (result.latest, result.latest_time) == (14.0, 2023.0)
    assert result.gap == 4.0  # d = −1: −(10 − 14)
    # baseline = the earliest judged figure, 21 (2020): completion = (14 − 21)/(10 − 21) = 7/11
    assert result.completion == pytest.approx(7 / 11)
    assert (result.latest_after_deadline, result.latest_after_deadline_time) == (3.0, 2025.0)
    assert result.required_pace_per_year is None
    assert result.provisional_status is None


def test_a_target_met_at_its_deadline_stays_achieved_when_a_later_figure_falls_back() -> None:
    observations = [(2025.0, 70.0), (2026.0, 82.0), (2026.5, 65.0)]
    result = assess(**AT_LEAST_80_BY_2025, observations=observations, as_of=2026.75)
    assert result.status == ACHIEVED
    assert (result.latest, result.latest_time, result.gap) == (82.0, 2026.0, -2.0)
    assert (result.latest_after_deadline, result.latest_after_deadline_time) == (65.0, 2026.5)


def test_the_projection_after_the_deadline_uses_only_the_figures_up_to_it() -> None:
    observations = [(2025.0, 70.0), (2026.0, 76.0), (2026.5, 10.0)]
    result = assess(**AT_LEAST_80_BY_2025, observations=observations, as_of=2026.75)
    # The line through (2025, 70) and (2026, 76), weights 1 and 2: slope 6/year, projected(2026) = 76.
    assert result.slope == pytest.approx(6.0)
    assert result.projected == pytest.approx(76.0)
    assert result.status == MISSED


def test_before_the_deadline_nothing_is_held_back() -> None:
    result = assess(**AT_LEAST_80_BY_2025, observations=[(2025.0, 70.0), (2025.75, 81.0)], as_of=2025.75)
    assert result.status == ACHIEVED
    assert result.latest == 81.0
    assert result.latest_after_deadline is None


# --- rule 2: awaiting the final figure ---------------------------------------------------------------------------


def test_deadline_passed_without_the_deadline_period_figure_awaits_the_final_figure() -> None:
    # The last figure before the deadline (2025-Q3, 78) does not meet 80: provisionally missed.
    observations = [(2025.0, 70.0), (2025.75, 78.0)]
    result = assess(**AT_LEAST_80_BY_2025, observations=observations, as_of=2026.25)
    assert result.status == AWAITING_FINAL
    assert result.provisional_status == MISSED
    assert (result.latest, result.latest_time, result.gap) == (78.0, 2025.75, 2.0)


def test_awaiting_the_final_figure_shows_a_provisional_achieved_verdict() -> None:
    result = assess(**AT_LEAST_80_BY_2025, observations=[(2025.75, 81.0)], as_of=2026.0)
    assert result.status == AWAITING_FINAL
    assert result.provisional_status == ACHIEVED


def test_awaiting_the_final_figure_lasts_until_one_year_after_the_deadline() -> None:
    observations = [(2025.0, 70.0), (2025.75, 78.0)]
    assert AWAITING_FINAL_GRACE_YEARS == 1.0
    # Deadline 2026.0: awaiting through 2026-Q3 (2026.75); from 2026-Q4 (2027.0) judged on 78: missed.
    assert assess(**AT_LEAST_80_BY_2025, observations=observations, as_of=2026.75).status == AWAITING_FINAL
    late = assess(**AT_LEAST_80_BY_2025, observations=observations, as_of=2027.0)
    assert late.status == MISSED
    assert late.provisional_status is None
    assert (late.latest, late.latest_time) == (78.0, 2025.75)


def test_the_deadline_period_figure_ends_the_wait_and_decides() -> None:
    observations = [(2025.75, 78.0), (2026.0, 85.0)]
    result = assess(**AT_LEAST_80_BY_2025, observations=observations, as_of=2026.25)
    assert result.status == ACHIEVED
    assert (result.latest, result.latest_time) == (85.0, 2026.0)


def test_a_deadline_figure_arriving_after_the_grace_period_still_decides() -> None:
    observations = [(2025.75, 78.0), (2026.0, 85.0)]
    assert assess(**AT_LEAST_80_BY_2025, observations=observations, as_of=2027.5).status == ACHIEVED


def test_no_figure_at_or_before_the_deadline_is_insufficient_data_even_with_a_later_one() -> None:
    result = assess(**AT_LEAST_80_BY_2025, observations=[(2026.5, 90.0)], as_of=2026.75)
    assert result.status == INSUFFICIENT_DATA
    assert result.latest is None
    assert result.latest_after_deadline == 90.0


def test_hai_phong_top_10_awaits_the_2022_rank_until_it_is_published() -> None:
    # As of 2023-Q1 only the 2020 rank (21st) is known: awaiting, provisionally missed.
    result = assess(**TOP_10_BY_2022, observations=[(2021.0, 21.0)], as_of=2023.25)
    assert (result.status, result.provisional_status, result.latest) == (AWAITING_FINAL, MISSED, 21.0)


# --- rule 3: forecasts stay in the domain ------------------------------------------------------------------------


def test_a_rank_forecast_never_goes_below_first_place() -> None:
    # "Top 5 by 2025"; 20th at the end of 2023, 10th at the end of 2024: the line reaches 0 at 2026.0.
    rank = {"comparator": "<=", "target_value": 5.0, "target_time": 2026.0, "higher_is_better": False}
    observations = [(2024.0, 20.0), (2025.0, 10.0)]
    unbounded = assess(**rank, observations=observations, as_of=2025.0)
    assert unbounded.projected == pytest.approx(0.0)
    result = assess(**rank, observations=observations, as_of=2025.0, lower=1.0, upper=34.0)
    assert result.projected == 1.0
    # projected completion from the clipped forecast: (1 − 20)/(5 − 20) = 19/15
    assert result.projected_completion == pytest.approx(19 / 15)
    assert result.status == ON_TRACK


def test_a_percentage_forecast_never_exceeds_one_hundred() -> None:
    target = {"comparator": ">=", "target_value": 90.0, "target_time": 2026.0, "higher_is_better": True}
    # 50 → 80 in a year: the line reaches 110 at 2026.0, clipped to 100.
    result = assess(**target, observations=[(2024.0, 50.0), (2025.0, 80.0)], as_of=2025.0, lower=0, upper=100)
    assert result.projected == 100.0
    assert result.projected_completion == pytest.approx((100 - 50) / (90 - 50))


def test_a_falling_rank_forecast_stops_at_the_number_ranked() -> None:
    rank = {"comparator": "<=", "target_value": 10.0, "target_time": 2026.0, "higher_is_better": False}
    # 30th then 60th: the line reaches 90 by 2026.0, but only 63 were ranked.
    result = assess(**rank, observations=[(2024.0, 30.0), (2025.0, 60.0)], as_of=2025.0, lower=1, upper=63)
    assert result.projected == 63.0
    assert result.status == REGRESSING


def test_a_forecast_inside_the_domain_is_left_as_it_is() -> None:
    # "≥ 98 %", baseline 99 (end of 2023), then 97 and 97.5: points (2024, 99), (2024.5, 97), (2025, 97.5),
    # weights 1, 2, 3: t̄ = 2024 + 2/3, v̄ = 585.5/6; Sxx = 4/9 + 2/36 + 3/9 = 5/6;
    # Sxy = (−2/3)(8.5/6) + 2(−1/6)(−3.5/6) + 3(1/3)(−0.5/6) = −5/6; slope = −1;
    # projected(2026) = 585.5/6 − 4/3 = 96.25 — inside 0–100, so unchanged.
    target = {"comparator": ">=", "target_value": 98.0, "target_time": 2026.0, "higher_is_better": True}
    observations = [(2024.5, 97.0), (2025.0, 97.5)]
    bounded = assess(
        **target, baseline=(2024.0, 99.0), observations=observations, as_of=2025.0, lower=0, upper=100
    )
    assert bounded.slope == pytest.approx(-1.0)
    assert bounded.projected == pytest.approx(96.25)
    assert bounded.status == REGRESSING


@pytest.mark.parametrize(
    ("unit", "ranked_among", "expected"),
    [
        ("percent", None, (0.0, 100.0)),
        ("rank", 34, (1.0, 34.0)),
        ("rank", None, (1.0, 63.0)),
        ("count", None, (0.0, None)),
        ("per_1000", None, (0.0, None)),
        ("milestone", None, (0.0, 1.0)),
        ("score", None, (0.0, 1.0)),
        ("growth_rate", None, (-100.0, None)),
    ],
)
def test_every_unit_has_its_domain(unit: str, ranked_among: int | None, expected: tuple) -> None:
    assert domain_bounds(unit, ranked_among=ranked_among) == expected


def test_assess_frame_reads_the_bounds_columns_and_nan_means_unbounded() -> None:
    frame = pd.DataFrame(
        {
            "target_id": [1, 1, 2, 2],
            "comparator": ["<="] * 4,
            "target_value": [5.0] * 4,
            "target_value_max": [np.nan] * 4,
            "target_time": [2026.0] * 4,
            "higher_is_better": [False] * 4,
            "applies_until": [np.nan] * 4,
            "milestone": [False] * 4,
            "baseline_time": [np.nan] * 4,
            "baseline_value": [np.nan] * 4,
            "obs_time": [2024.0, 2025.0] * 2,
            "obs_value": [20.0, 10.0] * 2,
            "lower": [1.0, 1.0, np.nan, np.nan],
            "upper": [34.0, 34.0, np.nan, np.nan],
        }
    )
    result = assess_frame(frame, as_of=2025.0)
    assert result.loc[1, "projected"] == 1.0
    assert result.loc[2, "projected"] == pytest.approx(0.0)


# --- the new status everywhere statuses are counted ---------------------------------------------------------------


def test_awaiting_final_is_a_status_listed_after_missed() -> None:
    assert progress.STATUSES.index(AWAITING_FINAL) == progress.STATUSES.index(MISSED) + 1


def test_rollup_counts_awaiting_final_and_leaves_it_out_of_the_share() -> None:
    assessed = pd.DataFrame(
        {"locality": ["hai-phong"] * 4, "status": [ACHIEVED, MISSED, AWAITING_FINAL, AWAITING_FINAL]},
        index=pd.Index([1, 2, 3, 4], name="target_id"),
    )
    row = rollup(assessed, ["locality"]).loc["hai-phong"]
    assert (row[ACHIEVED], row[MISSED], row[AWAITING_FINAL], row["total"]) == (1, 1, 2, 4)
    # achieved over the two judged targets (achieved, missed): 1/2
    assert row["share_on_track"] == pytest.approx(0.5)


def test_assess_frame_gives_the_figure_after_the_deadline_and_the_provisional_verdict() -> None:
    head = {
        "comparator": "<=",
        "target_value": 10.0,
        "target_value_max": np.nan,
        "target_time": 2023.0,
        "higher_is_better": False,
        "applies_until": np.nan,
        "milestone": False,
        "baseline_time": np.nan,
        "baseline_value": np.nan,
    }
    rows = [{**head, "target_id": 1, "obs_time": t, "obs_value": v} for t, v in HAI_PHONG_RANKS]
    # Target 2: "top 10 by 2023" (due 2024.0) with only the 2020 rank known.
    rows += [{**head, "target_time": 2024.0, "target_id": 2, "obs_time": 2021.0, "obs_value": 21.0}]
    result = assess_frame(pd.DataFrame(rows), as_of=2024.0)
    # As of the end of 2023: target 1 has 2022's rank (14, at its deadline 2023.0) → missed, and 2023's
    # rank (8, ends 2024.0) after its deadline; target 2 is within a year of its deadline without its
    # deadline figure → awaiting, provisionally missed on 21.
    assert result.loc[1, "status"] == MISSED
    assert (result.loc[1, "latest"], result.loc[1, "latest_after_deadline"]) == (14.0, 8.0)
    assert result.loc[1, "latest_after_deadline_time"] == 2024.0
    assert result.loc[2, "status"] == AWAITING_FINAL
    assert result.loc[2, "provisional_status"] == MISSED
    assert math.isnan(result.loc[1, "provisional_status"])


# --- properties ------------------------------------------------------------------------------------------------

times = st.integers(min_value=2019 * 4, max_value=2031 * 4).map(lambda q: q / 4)
figures = st.floats(min_value=-500, max_value=500, allow_nan=False).map(lambda x: round(x, 2))


@st.composite
def bounded_targets(draw: st.DrawFn) -> dict:
    comparator = draw(st.sampled_from([">=", ">", "=", "~", "<=", "<"]))
    lower = draw(figures)
    upper = lower + draw(st.floats(min_value=0, max_value=300).map(lambda x: round(x, 2)))
    return {
        "comparator": comparator,
        "target_value": draw(figures),
        "target_time": draw(st.sampled_from([2023.0, 2026.0, 2031.0])),
        "higher_is_better": draw(st.booleans()),
        "observations": draw(st.lists(st.tuples(times, figures), max_size=10)),
        "baseline": draw(st.none() | st.tuples(st.sampled_from([2019.0, 2021.0]), figures)),
        "as_of": draw(times),
        "lower": draw(st.none() | st.just(lower)),
        "upper": draw(st.none() | st.just(upper)),
    }


@settings(max_examples=400, deadline=None)
@given(case=bounded_targets())
def test_the_projection_stays_within_the_bounds_for_any_input(case: dict) -> None:
    result = assess(**case)
    if result.projected is not None:
        if case["lower"] is not None:
            assert result.projected >= case["lower"]
        if case["upper"] is not None:
            assert result.projected <= case["upper"]


@settings(max_examples=100, deadline=None)
@given(cases=st.lists(bounded_targets(), min_size=1, max_size=6))
def test_assess_frame_keeps_every_projection_within_its_bounds(cases: list[dict]) -> None:
    rows = []
    for i, case in enumerate(cases):
        head = {
            "target_id": i,
            "comparator": case["comparator"],
            "target_value": case["target_value"],
            "target_value_max": np.nan,
            "target_time": case["target_time"],
            "higher_is_better": case["higher_is_better"],
            "applies_until": np.nan,
            "milestone": False,
            "baseline_time": case["baseline"][0] if case["baseline"] else np.nan,
            "baseline_value": case["baseline"][1] if case["baseline"] else np.nan,
            "lower": np.nan if case["lower"] is None else case["lower"],
            "upper": np.nan if case["upper"] is None else case["upper"],
        }
        rows += [
            {**head, "obs_time": t, "obs_value": v} for t, v in case["observations"] or [(np.nan, np.nan)]
        ]
    result = assess_frame(pd.DataFrame(rows), as_of=2026.0)
    for i, case in enumerate(cases):
        projected = result.loc[i, "projected"]
        if not math.isnan(projected):
            assert case["lower"] is None or projected >= case["lower"]
            assert case["upper"] is None or projected <= case["upper"]


@settings(max_examples=400, deadline=None)
@given(case=bounded_targets(), later=st.lists(st.tuples(st.integers(1, 32), figures), min_size=1, max_size=6))
def test_a_past_deadline_verdict_does_not_change_when_figures_after_the_deadline_are_added(
    case: dict, later: list[tuple[int, float]]
) -> None:
    due = case["target_time"]
    case = {**case, "as_of": max(case["as_of"], due)}
    # Figures for periods ending after the deadline, up to as_of (k quarters after it).
    added = [(due + q / 4, v) for q, v in later if due + q / 4 <= case["as_of"]]
    before = assess(**case)
    after = assess(**{**case, "observations": [*case["observations"], *added]})
    for field in (
        "status",
        "provisional_status",
        "latest",
        "latest_time",
        "gap",
        "completion",
        "projected",
        "projected_completion",
        "opensdg_status",
    ):
        assert getattr(after, field) == getattr(before, field), field
