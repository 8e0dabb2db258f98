"""The default progress method, one target at a time: time, achieved per comparator, the trajectory
statuses, milestones, quarterly and annual figures together.

Pure tests, no database, of the scalar method (`tests/unit/progress_oracle.assess`, the oracle that
`targets.progress.assess_frame` is checked against) and of the time scale in `targets.progress`. Times are decimal years at the end of a period
(2024-Q4 → 2025.0); a target "by 2025" is due at 2026.0.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from targets.periods import date_to_time, period_end_time
from targets.progress import (
    ACHIEVED,
    INSUFFICIENT_DATA,
    MISSED,
    NEEDS_ACCELERATION,
    NOT_APPLICABLE,
    OFF_TRACK,
    ON_TRACK,
    REGRESSING,
    target_due_time,
)
from tests.unit.progress_oracle import Assessment

from .progress_cases import (
    BY_2025,
    assess_target,
)

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
