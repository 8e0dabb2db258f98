"""The default progress method: statuses, figures and edge cases, one target at a time and all at once.

Pure tests of `targets.progress`: no database. Times are decimal years at the end of a period
(2024-Q4 → 2025.0); a target "by 2025" is due at 2026.0.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from targets import progress
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
    date_to_time,
    most_behind,
    period_end_time,
    rollup,
    target_due_time,
)
from tests.unit.progress_oracle import Assessment, assess

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


# --- time ----------------------------------------------------------------------------------------------------


def test_a_quarter_ends_at_its_last_quarter_of_the_year() -> None:
    assert period_end_time("2026-Q1") == 2026.25
    assert period_end_time("2026-Q3") == 2026.75
    assert period_end_time("2026-Q4") == 2027.0


def test_an_annual_figure_ends_at_the_start_of_the_next_year() -> None:
    assert period_end_time("2024") == 2025.0


def test_a_period_code_that_is_not_a_year_or_quarter_is_refused() -> None:
    for code in ("2024-Q5", "24", "2024Q1", ""):
        with pytest.raises(ValueError):
            period_end_time(code)


def test_a_target_by_2025_is_due_at_the_start_of_2026() -> None:
    assert target_due_time(2025) == 2026.0


def test_a_date_at_a_quarter_end_is_the_time_of_that_quarter() -> None:
    assert date_to_time(dt.date(2025, 6, 30)) == 2025.5
    assert date_to_time(dt.date(2026, 9, 30)) == period_end_time("2026-Q3")
    assert date_to_time(dt.date(2024, 12, 31)) == period_end_time("2024")


# --- achieved, per comparator ----------------------------------------------------------------------------------


def test_latest_figure_at_the_target_value_is_achieved() -> None:
    result = assess_target(observations=[(2024.0, 70.0), (2025.0, 80.0)])
    assert result.status == ACHIEVED
    assert result.gap == 0


def test_strictly_greater_than_is_not_achieved_at_the_value_itself() -> None:
    result = assess_target(comparator=">", observations=[(2024.0, 70.0), (2025.0, 80.0)])
    assert result.status != ACHIEVED
    assert assess_target(comparator=">", observations=[(2025.0, 80.5)]).status == ACHIEVED


def test_beyond_the_target_is_achieved_with_a_negative_gap_and_completion_above_one() -> None:
    result = assess_target(target_value=100.0, baseline=(2021.0, 40.0), observations=[(2025.0, 120.0)])
    assert result.status == ACHIEVED
    assert result.gap == -20.0
    # completion = (120 − 40) / (100 − 40) = 80 / 60
    assert result.completion == pytest.approx(4 / 3)


def test_rank_target_met_is_achieved() -> None:
    # "Top 20 of the DTI ranking": lower is better, rank 18 meets ≤ 20.
    result = assess_target(
        comparator="<=",
        target_value=20.0,
        higher_is_better=False,
        baseline=(2021.0, 35.0),
        observations=[(2025.0, 18.0)],
    )
    assert result.status == ACHIEVED
    # gap = d·(target − latest) = −1·(20 − 18)
    assert result.gap == -2.0


def test_rank_strictly_below_is_not_achieved_at_the_value_itself() -> None:
    result = assess_target(
        comparator="<", target_value=20.0, higher_is_better=False, observations=[(2025.0, 20.0)]
    )
    assert result.status != ACHIEVED


def test_rank_improving_steadily_needs_acceleration() -> None:
    result = assess_target(
        comparator="<=",
        target_value=20.0,
        higher_is_better=False,
        baseline=(2021.0, 35.0),
        observations=[(2023.0, 30.0), (2024.0, 27.0), (2025.0, 25.0)],
    )
    # points t = 2021, 2023, 2024, 2025; v = 35, 30, 27, 25; weights 1..4 (Σw = 10)
    # t̄ = (2021 + 2·2023 + 3·2024 + 4·2025)/10 = 2023.9; v̄ = (35 + 60 + 81 + 100)/10 = 27.6
    # Sxx = 1·2.9² + 2·0.9² + 3·0.1² + 4·1.1² = 14.9
    # Sxy = 1·(−2.9)(7.4) + 2·(−0.9)(2.4) + 3·(0.1)(−0.6) + 4·(1.1)(−2.6) = −37.4
    # slope = −37.4/14.9; projected(2026) = 27.6 + slope·2.1 ≈ 22.329
    # projected_completion = (22.329 − 35)/(20 − 35) ≈ 0.8447 → ≥ 0.6, < 0.95
    slope = -37.4 / 14.9
    projected = 27.6 + slope * 2.1
    assert result.slope == pytest.approx(slope)
    assert result.projected == pytest.approx(projected)
    assert result.projected_completion == pytest.approx((projected - 35) / (20 - 35))
    # completion = (25 − 35)/(20 − 35) = 2/3; gap = −1·(20 − 25) = 5
    assert result.completion == pytest.approx(2 / 3)
    assert result.gap == 5.0
    assert result.status == NEEDS_ACCELERATION


def test_rank_getting_worse_is_regressing() -> None:
    result = assess_target(
        comparator="<=",
        target_value=20.0,
        higher_is_better=False,
        baseline=(2021.0, 35.0),
        observations=[(2024.0, 36.0), (2025.0, 40.0)],
    )
    assert result.status == REGRESSING
    assert result.slope > 0


def test_range_is_achieved_from_its_lower_bound_when_higher_is_better() -> None:
    within = assess_target(
        comparator="range", target_value=80.0, target_value_max=90.0, observations=[(2025.0, 85.0)]
    )
    above = assess_target(
        comparator="range", target_value=80.0, target_value_max=90.0, observations=[(2025.0, 95.0)]
    )
    below = assess_target(
        comparator="range", target_value=80.0, target_value_max=90.0, observations=[(2025.0, 79.0)]
    )
    assert (within.status, above.status) == (ACHIEVED, ACHIEVED)
    assert below.status != ACHIEVED
    assert below.gap == 1.0  # measured against the lower bound


def test_range_is_achieved_from_its_upper_bound_when_lower_is_better() -> None:
    # "Processing time down to 3–5 days": reaching 5 days from above is reaching the range.
    def days(latest: float) -> Assessment:
        return assess_target(
            comparator="range",
            target_value=3.0,
            target_value_max=5.0,
            higher_is_better=False,
            observations=[(2025.0, latest)],
        )

    assert days(4.0).status == ACHIEVED
    assert days(2.0).status == ACHIEVED
    assert days(6.0).status != ACHIEVED
    assert days(6.0).gap == 1.0  # −1·(5 − 6)


def test_range_without_an_upper_bound_is_refused() -> None:
    with pytest.raises(ValueError, match="target_value_max"):
        assess_target(comparator="range", observations=[(2025.0, 85.0)])


def test_unknown_comparator_is_refused() -> None:
    with pytest.raises(ValueError, match="comparator"):
        assess_target(comparator="≥", observations=[(2025.0, 85.0)])


def test_approximately_is_achieved_within_five_percent_below() -> None:
    # 5 % of 100 is 5: 95.5 is within it, 94 is not.
    assert assess_target(comparator="~", target_value=100.0, observations=[(2025.0, 95.5)]).status == ACHIEVED
    assert assess_target(comparator="~", target_value=100.0, observations=[(2025.0, 94.0)]).status != ACHIEVED


def test_approximately_is_achieved_beyond_the_value_in_the_good_direction() -> None:
    assert (
        assess_target(comparator="~", target_value=100.0, observations=[(2025.0, 150.0)]).status == ACHIEVED
    )


def test_approximately_lower_is_better_is_achieved_within_five_percent_above() -> None:
    # 5 % of 20 is 1: 20.9 is within it, 21.5 is not, 10 is beyond in the good direction.
    def approx(latest: float) -> str:
        return assess_target(
            comparator="~", target_value=20.0, higher_is_better=False, observations=[(2025.0, latest)]
        ).status

    assert approx(20.9) == ACHIEVED
    assert approx(10.0) == ACHIEVED
    assert approx(21.5) != ACHIEVED


def test_equals_means_reaching_the_value_in_the_good_direction() -> None:
    def equals(latest: float, higher_is_better: bool) -> str:
        return assess_target(
            comparator="=",
            target_value=100.0,
            higher_is_better=higher_is_better,
            observations=[(2025.0, latest)],
        ).status

    assert equals(100.0, True) == ACHIEVED
    assert equals(105.0, True) == ACHIEVED
    assert equals(99.0, True) != ACHIEVED
    assert equals(95.0, False) == ACHIEVED
    assert equals(101.0, False) != ACHIEVED


# --- the trajectory statuses --------------------------------------------------------------------------------


def test_target_met_then_lost_is_judged_on_the_latest_figure() -> None:
    result = assess_target(baseline=(2023.0, 40.0), observations=[(2024.0, 82.0), (2025.0, 78.0)])
    # Not achieved: 78 < 80, although 2023's figure of 82 met the target.
    # points t = 2023, 2024, 2025; v = 40, 82, 78; weights 1, 2, 3 (Σw = 6)
    # t̄ = (2023 + 4048 + 6075)/6 = 2024 + 1/3; v̄ = (40 + 164 + 234)/6 = 73
    # Sxx = (4/3)² + 2·(1/3)² + 3·(2/3)² = 10/3; Sxy = (−4/3)(−33) + 2(−1/3)(9) + 3(2/3)(5) = 48
    # slope = 14.4; projected(2026) = 73 + 14.4·(5/3) = 97; projected_completion = (97 − 40)/(80 − 40)
    assert result.status == ON_TRACK
    assert result.latest == 78.0
    assert result.gap == 2.0
    assert result.slope == pytest.approx(14.4)
    assert result.projected == pytest.approx(97.0)
    assert result.projected_completion == pytest.approx(57 / 40)
    assert result.completion == pytest.approx(38 / 40)


def test_slow_progress_is_off_track() -> None:
    result = assess_target(target_value=100.0, baseline=(2021.0, 0.0), observations=[(2025.0, 10.0)])
    # The line through (2021, 0) and (2025, 10) reaches 12.5 by 2026: 12.5 % of the way.
    assert result.projected == pytest.approx(12.5)
    assert result.projected_completion == pytest.approx(0.125)
    assert result.status == OFF_TRACK


def test_zero_baseline_is_a_valid_starting_point() -> None:
    result = assess_target(target_value=60.0, baseline=(2021.0, 0.0), observations=[(2025.0, 30.0)])
    # completion = 30/60; expected = (2025 − 2021)/(2026 − 2021) = 0.8
    # the line through (2021, 0) and (2025, 30) rises 7.5 a year: 37.5 by 2026, 37.5/60 = 0.625
    assert result.completion == 0.5
    assert result.expected_completion == pytest.approx(0.8)
    assert result.projected == pytest.approx(37.5)
    assert result.projected_completion == pytest.approx(0.625)
    assert result.status == NEEDS_ACCELERATION


def test_one_point_is_insufficient_data_with_no_projection() -> None:
    result = assess_target(observations=[(2025.0, 50.0)])
    assert result.status == INSUFFICIENT_DATA
    assert result.projected is None
    assert result.projected_completion is None
    assert result.slope is None
    # The one figure is its own baseline: no distance covered yet; 30 to go in one year.
    assert result.latest == 50.0
    assert result.completion == 0.0
    assert result.gap == 30.0
    assert result.required_pace_per_year == 30.0


def test_no_observation_is_insufficient_data_with_no_figures() -> None:
    result = assess_target(baseline=(2021.0, 40.0))
    assert result.status == INSUFFICIENT_DATA
    assert (result.latest, result.gap, result.completion, result.required_pace_per_year) == (
        None,
        None,
        None,
        None,
    )
    # How far through the window we are does not need any figure: (2025 − 2021)/(2026 − 2021).
    assert result.expected_completion == pytest.approx(0.8)


def test_baseline_and_one_observation_are_two_points() -> None:
    result = assess_target(baseline=(2023.0, 50.0), observations=[(2025.0, 70.0)])
    # through (2023, 50) and (2025, 70): 10 a year, 80 by 2026 → completion 1 at the deadline
    assert result.projected == pytest.approx(80.0)
    assert result.projected_completion == pytest.approx(1.0)
    assert result.status == ON_TRACK


def test_two_points_project_along_the_line_through_them() -> None:
    result = assess_target(observations=[(2024.0, 50.0), (2025.0, 60.0)])
    # +10 a year: 70 by 2026; (70 − 50)/(80 − 50) = 2/3
    assert result.slope == pytest.approx(10.0)
    assert result.projected == pytest.approx(70.0)
    assert result.projected_completion == pytest.approx(2 / 3)
    assert result.status == NEEDS_ACCELERATION


def test_two_readings_at_the_same_time_are_not_two_points() -> None:
    result = assess_target(baseline=(2025.0, 50.0), observations=[(2025.0, 50.0)])
    assert result.status == INSUFFICIENT_DATA


def test_a_falling_share_is_regressing_even_when_far_from_the_deadline() -> None:
    result = assess_target(
        target_time=target_due_time(2030), observations=[(2024.0, 60.0), (2024.5, 58.0), (2025.0, 55.0)]
    )
    assert result.status == REGRESSING


def test_a_flat_series_is_not_regressing() -> None:
    result = assess_target(observations=[(2024.0, 60.0), (2025.0, 60.0)])
    assert result.slope == 0
    assert result.status == OFF_TRACK  # no progress: projected completion 0


def test_deadline_already_passed_is_missed() -> None:
    # The 2025 targets are due at 2026.0; as of 2026-Q2 a 2025 target not met is missed.
    result = assess_target(as_of=period_end_time("2026-Q2"), observations=[(2025.0, 70.0), (2026.0, 75.0)])
    assert result.status == MISSED
    assert result.required_pace_per_year is None  # no time left to divide by


def test_deadline_passed_but_target_met_is_achieved() -> None:
    result = assess_target(as_of=2026.5, observations=[(2025.0, 70.0), (2026.0, 85.0)])
    assert result.status == ACHIEVED


def test_missed_on_the_due_date_itself() -> None:
    assert assess_target(as_of=BY_2025, observations=[(2025.0, 70.0), (2026.0, 75.0)]).status == MISSED


def test_target_no_longer_applicable_is_not_applicable_even_if_met() -> None:
    # District-level targets stopped applying on 2025-06-30.
    until = date_to_time(dt.date(2025, 6, 30))
    result = assess_target(as_of=2026.0, applies_until=until, observations=[(2025.0, 90.0)])
    assert result.status == NOT_APPLICABLE
    assert result.latest == 90.0  # the figures are still given


def test_target_still_applicable_is_assessed_as_usual() -> None:
    result = assess_target(applies_until=2025.5, observations=[(2025.0, 90.0)])
    assert result.status == ACHIEVED


def test_observations_after_as_of_are_ignored() -> None:
    result = assess_target(observations=[(2024.0, 60.0), (2025.0, 70.0), (2025.25, 95.0)])
    assert result.latest == 70.0
    assert result.latest_time == 2025.0
    assert result.status != ACHIEVED


def test_expected_completion_is_clipped_to_between_zero_and_one() -> None:
    early = assess_target(as_of=2020.0, baseline=(2021.0, 40.0))
    late = assess_target(as_of=2027.0, baseline=(2021.0, 40.0), observations=[(2026.0, 50.0)])
    assert early.expected_completion == 0.0
    assert late.expected_completion == 1.0


def test_baseline_already_at_the_target_has_no_share_and_is_judged_by_its_projection() -> None:
    # The document's baseline (60) already met "≥ 50"; the series then dropped and is climbing back.
    observations = [(2024.25, 30.0), (2024.5, 40.0), (2024.75, 45.0), (2025.0, 48.0)]
    result = assess_target(target_value=50.0, baseline=(2024.0, 60.0), observations=observations)
    assert result.completion is None
    assert result.projected_completion is None
    assert result.projected >= 50.0
    assert result.status == ON_TRACK
    result = assess_target(target_value=60.0, baseline=(2024.0, 60.0), observations=observations)
    assert result.projected < 60.0
    assert result.status == OFF_TRACK


# --- milestones ----------------------------------------------------------------------------------------------


def milestone(**overrides) -> Assessment:
    return assess_target(milestone=True, target_value=1.0, **overrides)


def test_milestone_done_is_achieved() -> None:
    assert milestone(observations=[(2024.0, 0.0), (2025.0, 1.0)]).status == ACHIEVED


def test_milestone_in_progress_needs_acceleration_without_projection() -> None:
    result = milestone(observations=[(2024.0, 0.0), (2025.0, 0.0)])
    assert result.status == NEEDS_ACCELERATION
    assert (result.projected, result.projected_completion, result.slope) == (None, None, None)


def test_milestone_not_reported_is_insufficient_data() -> None:
    assert milestone().status == INSUFFICIENT_DATA


def test_milestone_not_done_by_the_deadline_is_missed() -> None:
    assert milestone(as_of=2026.25, observations=[(2026.0, 0.0)]).status == MISSED


# --- quarterly and annual figures together --------------------------------------------------------------------


def test_quarterly_and_annual_observations_mix_on_one_time_axis() -> None:
    observations = [
        (period_end_time("2023"), 40.0),  # annual 2023 → 2024.0
        (period_end_time("2024-Q1"), 44.0),
        (period_end_time("2024-Q2"), 47.0),
        (period_end_time("2024-Q3"), 50.0),
        (period_end_time("2024-Q4"), 52.0),  # ends at 2025.0 …
        (period_end_time("2024"), 54.0),  # … as does the annual 2024 figure: one point, their mean
    ]
    result = assess_target(target_value=70.0, observations=observations)
    assert result.latest_time == 2025.0
    assert result.latest == 53.0
    # points (2024, 40), (2024.25, 44), (2024.5, 47), (2024.75, 50), (2025, 53), weights 1..5 (Σw = 15)
    # t̄ = 2024 + (0 + 0.5 + 1.5 + 3 + 5)/15 = 2024 + 2/3; v̄ = (40 + 88 + 141 + 200 + 265)/15 = 734/15
    t = np.array([2024.0, 2024.25, 2024.5, 2024.75, 2025.0])
    v = np.array([40.0, 44.0, 47.0, 50.0, 53.0])
    w = np.arange(1.0, 6.0)
    t_bar, v_bar = (w * t).sum() / 15, (w * v).sum() / 15
    slope = (w * (t - t_bar) * (v - v_bar)).sum() / (w * (t - t_bar) ** 2).sum()
    assert t_bar == pytest.approx(2024 + 2 / 3)
    assert v_bar == pytest.approx(734 / 15)
    assert result.slope == pytest.approx(slope)
    assert result.projected == pytest.approx(v_bar + slope * (2026 - t_bar))
    assert result.status == NEEDS_ACCELERATION
    assert assess_target(target_value=70.0, observations=observations[::-1]) == result


# --- properties ----------------------------------------------------------------------------------------------

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


@settings(max_examples=300, deadline=None)
@given(case=cases(), data=st.data())
def test_assessment_does_not_depend_on_the_order_of_observations(case: dict, data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(case["observations"]))
    assert assess(**{**case, "observations": shuffled}) == assess(**case)


@settings(max_examples=300, deadline=None)
@given(case=cases(unique_times=True))
def test_flipping_the_direction_and_negating_every_value_keeps_the_status(case: dict) -> None:
    flipped = {
        **case,
        "comparator": FLIPPED[case["comparator"]],
        "higher_is_better": not case["higher_is_better"],
        "observations": [(t, -v) for t, v in case["observations"]],
        "baseline": None if case["baseline"] is None else (case["baseline"][0], -case["baseline"][1]),
        "lower": None if case["upper"] is None else -case["upper"],
        "upper": None if case["lower"] is None else -case["lower"],
    }
    if case["comparator"] == "range":
        flipped["target_value"], flipped["target_value_max"] = (
            -case["target_value_max"],
            -case["target_value"],
        )
    else:
        flipped["target_value"] = -case["target_value"]
    original, mirrored = assess(**case), assess(**flipped)
    assert mirrored.status == original.status
    assert mirrored.completion == original.completion
    assert mirrored.projected_completion == original.projected_completion


@settings(max_examples=300, deadline=None)
@given(
    target=values,
    distance=st.floats(min_value=0.01, max_value=500).map(lambda x: round(x, 2)),
    higher_is_better=st.booleans(),
    with_baseline=st.booleans(),
    middle=st.lists(st.tuples(st.integers(2021 * 4 + 1, 2024 * 4).map(lambda q: q / 4), values), max_size=8),
)
def test_completion_of_a_series_ending_exactly_at_the_target_is_one(
    target: float,
    distance: float,
    higher_is_better: bool,
    with_baseline: bool,
    middle: list[tuple[float, float]],
) -> None:
    d = 1 if higher_is_better else -1
    start = target - d * distance
    assume(start != target)
    observations = [*middle, (2025.0, target)]
    if with_baseline:
        result = assess_target(
            target_value=target,
            higher_is_better=higher_is_better,
            baseline=(2021.0, start),
            observations=observations,
        )
    else:
        result = assess_target(
            target_value=target,
            higher_is_better=higher_is_better,
            observations=[(2021.0, start), *observations],
        )
    assert result.completion == 1.0


# --- all series at once ----------------------------------------------------------------------------------------


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
    assert list(table.columns) == [*STATUSES, "total", "share_on_track"]
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
