"""Open SDG's progress measure, reproduced from its formula on worked examples computed by hand.

CAGR(v1, v0, t1, t0) = (v1/v0)^(1/(t1 − t0)) − 1. With a target: R = sign·d·CAGR(current, base) /
|CAGR(target, base, target_year, base_year)|, thresholds 0.95 / 0.6 / 0. Without: v = sign·d·CAGR(current,
base), thresholds 0.015 / 0.005 / 0, scaled by C near a limit. Pure tests: no database.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from targets.progress import (
    DETERIORATION,
    LIMITED_PROGRESS,
    MODERATE_PROGRESS,
    NOT_AVAILABLE,
    SUBSTANTIAL_PROGRESS,
    TARGET_ACHIEVED,
    assess_frame,
)
from tests.unit.progress_oracle import assess, opensdg_measure


def test_doubling_towards_a_quadrupling_target_is_substantial_progress() -> None:
    # CAGR(20, 10, 2020, 2015) = 2^(1/5) − 1 = 0.148698; CAGR(40, 10, 2030, 2015) = 4^(1/15) − 1 = 0.096825
    # R = 0.148698 / 0.096825 = 1.535744 ≥ 0.95
    value, status = opensdg_measure(base=(2015, 10), current=(2020, 20), target=40)
    assert value == pytest.approx(1.535744, rel=1e-5)
    assert status == SUBSTANTIAL_PROGRESS


def test_growth_at_most_of_the_required_rate_is_moderate_progress() -> None:
    # CAGR(60, 50, 2020, 2015) = 1.2^(1/5) − 1 = 0.037137; CAGR(100, 50, 2030, 2015) = 2^(1/15) − 1 = 0.047294
    # R = 0.037137 / 0.047294 = 0.785241: ≥ 0.6, < 0.95
    value, status = opensdg_measure(base=(2015, 50), current=(2020, 60), target=100)
    assert value == pytest.approx(0.785241, rel=1e-5)
    assert status == MODERATE_PROGRESS


def test_growth_well_below_the_required_rate_is_limited_progress() -> None:
    # CAGR(52, 50, 2020, 2015) = 1.04^(1/5) − 1 = 0.0078750; R = 0.0078750 / 0.047294 = 0.166511
    value, status = opensdg_measure(base=(2015, 50), current=(2020, 52), target=100)
    assert value == pytest.approx(0.166511, rel=1e-5)
    assert status == LIMITED_PROGRESS


def test_moving_away_from_the_target_is_deterioration() -> None:
    # CAGR(45, 50, 2020, 2015) = 0.9^(1/5) − 1 = −0.020852; R = −0.020852 / 0.047294 = −0.440893 < 0
    value, status = opensdg_measure(base=(2015, 50), current=(2020, 45), target=100)
    assert value == pytest.approx(-0.440893, rel=1e-5)
    assert status == DETERIORATION


def test_meeting_the_target_overrides_the_value() -> None:
    # 110 ≥ 100: target achieved; the value is still R = (2.2^(1/5) − 1)/0.047294 = 0.170805/0.047294 = 3.611546
    value, status = opensdg_measure(base=(2015, 50), current=(2020, 110), target=100)
    assert value == pytest.approx(3.611546, rel=1e-5)
    assert status == TARGET_ACHIEVED


def test_a_reduction_target_measures_falling_values_as_progress() -> None:
    # d = −1. CAGR(30, 40, 2020, 2015) = 0.75^(1/5) − 1 = −0.055912; CAGR(20, 40, 2030, 2015) = 0.5^(1/15) − 1
    # = −0.045158; R = −1 · (−0.055912) / 0.045158 = 1.238142
    value, status = opensdg_measure(base=(2015, 40), current=(2020, 30), target=20, direction="negative")
    assert value == pytest.approx(1.238142, rel=1e-5)
    assert status == SUBSTANTIAL_PROGRESS


def test_a_negative_base_flips_the_sign() -> None:
    # sign = −1 (base −10). CAGR(−5, −10, 2020, 2015) = 0.5^(1/5) − 1 = −0.129449;
    # CAGR(−2, −10, 2030, 2015) = 0.2^(1/15) − 1 = −0.101740; R = −1 · 1 · (−0.129449) / 0.101740 = 1.272354
    value, status = opensdg_measure(base=(2015, -10), current=(2020, -5), target=-2)
    assert value == pytest.approx(1.272354, rel=1e-5)
    assert status == SUBSTANTIAL_PROGRESS


def test_a_zero_target_becomes_one_thousandth() -> None:
    # d = −1, target 0 → 0.001. CAGR(5, 10, 2020, 2015) = −0.129449; CAGR(0.001, 10, 2030, 2015)
    # = 0.0001^(1/15) − 1 = −0.458830; R = 0.129449 / 0.458830 = 0.282129: limited
    value, status = opensdg_measure(base=(2015, 10), current=(2020, 5), target=0, direction="negative")
    assert value == pytest.approx(0.282129, rel=1e-5)
    assert status == LIMITED_PROGRESS


def test_a_zero_base_becomes_one_thousandth() -> None:
    # base 0 → 0.001. CAGR(1, 0.001, 2020, 2015) = 1000^(1/5) − 1 = 2.981072;
    # CAGR(2, 0.001, 2030, 2015) = 2000^(1/15) − 1 = 0.659849; R = 2.981072 / 0.659849 = 4.517807
    value, status = opensdg_measure(base=(2015, 0), current=(2020, 1), target=2)
    assert value == pytest.approx(4.517807, rel=1e-5)
    assert status == SUBSTANTIAL_PROGRESS


def test_base_and_current_of_opposite_signs_have_no_value() -> None:
    assert opensdg_measure(base=(2015, -5), current=(2020, 5), target=10) == (None, NOT_AVAILABLE)


def test_figures_less_than_a_year_apart_have_no_value() -> None:
    # 2020-Q1 to 2020-Q4 end: 2020.25 → 2021.0 is three quarters of a year.
    assert opensdg_measure(base=(2020.25, 10), current=(2021.0, 12), target=20) == (None, NOT_AVAILABLE)


def test_a_target_equal_to_the_base_has_no_required_growth_and_no_value() -> None:
    # CAGR(50, 50, 2030, 2015) = 0: R would divide by zero. 55 > 50 does not meet a reduction target.
    assert opensdg_measure(base=(2015, 50), current=(2020, 55), target=50, direction="negative") == (
        None,
        NOT_AVAILABLE,
    )


def test_a_target_of_the_other_sign_than_the_base_has_no_value() -> None:
    # CAGR(−10, 50, …) is not a real number.
    assert opensdg_measure(base=(2015, 50), current=(2020, 40), target=-10, direction="negative") == (
        None,
        NOT_AVAILABLE,
    )


def test_without_a_target_growth_above_one_and_a_half_percent_is_substantial() -> None:
    # v = 1.1^(1/5) − 1 = 0.019245 ≥ 0.015
    value, status = opensdg_measure(base=(2015, 100), current=(2020, 110), target=None)
    assert value == pytest.approx(0.019245, rel=1e-4)
    assert status == SUBSTANTIAL_PROGRESS


def test_without_a_target_growth_between_half_and_one_and_a_half_percent_is_moderate() -> None:
    # v = 1.04^(1/5) − 1 = 0.0078750: ≥ 0.005, < 0.015
    value, status = opensdg_measure(base=(2015, 100), current=(2020, 104), target=None)
    assert value == pytest.approx(0.0078750, rel=1e-4)
    assert status == MODERATE_PROGRESS


def test_a_limit_just_above_the_base_lowers_the_thresholds() -> None:
    # d = −1, limit 4, base 5: l < b < 2l → C = 1 − ((2·4 − 5)/4)^4.44 = 1 − 0.75^4.44 = 0.721213
    # thresholds 0.015·C = 0.010818, 0.005·C = 0.003606, 0
    # v = −1 · (0.98^(1/5) − 1) = 0.0040324: ≥ 0.003606 → moderate (without the limit: < 0.005, limited)
    value, status = opensdg_measure(
        base=(2015, 5), current=(2020, 4.9), target=None, direction="negative", limit=4
    )
    assert value == pytest.approx(0.0040324, rel=1e-4)
    assert status == MODERATE_PROGRESS
    assert opensdg_measure(base=(2015, 5), current=(2020, 4.9), target=None, direction="negative")[1] == (
        LIMITED_PROGRESS
    )


def test_a_limit_above_the_base_lowers_the_thresholds_steeply() -> None:
    # limit 100, base 95 ≤ l → C = 1 − 0.95^4.44 = 0.203670; thresholds 0.0030551, 0.0010184, 0
    # v = (96/95)^(1/5) − 1 = 0.0020965: ≥ 0.0010184 → moderate
    value, status = opensdg_measure(base=(2015, 95), current=(2020, 96), target=None, limit=100)
    assert value == pytest.approx(0.0020965, rel=1e-4)
    assert status == MODERATE_PROGRESS


def test_a_limit_is_ignored_once_there_is_a_target() -> None:
    assert opensdg_measure(base=(2015, 10), current=(2020, 20), target=40, limit=15) == opensdg_measure(
        base=(2015, 10), current=(2020, 20), target=40
    )


def test_an_unknown_direction_is_refused() -> None:
    with pytest.raises(ValueError, match="direction"):
        opensdg_measure(base=(2015, 10), current=(2020, 20), target=40, direction="up")


# --- beside the default method ---------------------------------------------------------------------------------


def test_assess_takes_the_document_baseline_as_open_sdg_base_and_the_due_time_as_target_year() -> None:
    result = assess(
        comparator=">=",
        target_value=40.0,
        target_time=2030.0,
        observations=[(2018.0, 14.0), (2020.0, 20.0)],
        as_of=2020.0,
        higher_is_better=True,
        baseline=(2015.0, 10.0),
    )
    # the same figures as the first worked example: R = 1.535744
    assert result.opensdg_value == pytest.approx(1.535744, rel=1e-5)
    assert result.opensdg_status == SUBSTANTIAL_PROGRESS


def test_assess_takes_the_earliest_observation_as_open_sdg_base_without_a_baseline() -> None:
    result = assess(
        comparator="<=",
        target_value=20.0,
        target_time=2030.0,
        observations=[(2020.0, 30.0), (2015.0, 40.0)],
        as_of=2020.0,
        higher_is_better=False,
    )
    assert result.opensdg_value == pytest.approx(1.238142, rel=1e-5)


def test_a_milestone_has_no_open_sdg_value() -> None:
    def done(latest: float) -> tuple[float | None, str]:
        result = assess(
            comparator=">=",
            target_value=1.0,
            target_time=2026.0,
            observations=[(2022.0, 0.0), (2025.0, latest)],
            as_of=2025.0,
            higher_is_better=True,
            milestone=True,
        )
        return result.opensdg_value, result.opensdg_status

    assert done(1.0) == (None, TARGET_ACHIEVED)
    assert done(0.0) == (None, NOT_AVAILABLE)


def test_assess_frame_gives_the_open_sdg_measure_per_series() -> None:
    head = {
        "comparator": ">=",
        "target_value": 40.0,
        "target_value_max": np.nan,
        "target_time": 2030.0,
        "higher_is_better": True,
        "applies_until": np.nan,
        "milestone": False,
        "baseline_time": 2015.0,
        "baseline_value": 10.0,
    }
    frame = pd.DataFrame(
        [
            {**head, "target_id": "a", "obs_time": 2020.0, "obs_value": 20.0},
            {**head, "target_id": "b", "obs_time": 2015.5, "obs_value": 11.0},  # half a year after the base
            {**head, "target_id": "c", "obs_time": np.nan, "obs_value": np.nan},
        ]
    )
    result = assess_frame(frame, as_of=2020.0)
    assert result.loc["a", "opensdg_value"] == pytest.approx(1.535744, rel=1e-5)
    assert result.loc["a", "opensdg_status"] == SUBSTANTIAL_PROGRESS
    assert math.isnan(result.loc["b", "opensdg_value"])
    assert result.loc["b", "opensdg_status"] == NOT_AVAILABLE
    assert result.loc["c", "opensdg_status"] == NOT_AVAILABLE
