"""Comparisons over a period (issue #16): "hằng năm tăng tối thiểu 15%" is every year of the period (the
worst year decides), "tăng bình quân trên 7,5%/năm" the mean of the period's yearly figures — not the
figure of the target year alone. Pure tests of `targets.progress.assess_frame`; every expected value is
worked out by hand in the comments. Times are decimal years at the end of a period: the figure for 2026
stands at 2027.0; a target "by 2030" is due at 2031.0; a period "from 2026" starts at 2026.0.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from targets.progress import (
    ACHIEVED,
    EACH_YEAR,
    INSUFFICIENT_DATA,
    MISSED,
    NEEDS_ACCELERATION,
    PERIOD_AVERAGE,
    assess_frame,
)


def _frame(
    figures: dict[int, float],
    *,
    comparator: str,
    value: float,
    year: int,
    aggregation: str,
    period_from: int | None,
    higher_is_better: bool = True,
) -> pd.DataFrame:
    """One target (id 1) with its yearly figures: the figure for year Y at time Y + 1."""
    target = {
        "target_id": 1,
        "comparator": comparator,
        "target_value": value,
        "target_value_max": math.nan,
        "target_time": year + 1.0,
        "higher_is_better": higher_is_better,
        "applies_until": math.nan,
        "milestone": False,
        "baseline_time": math.nan,
        "baseline_value": math.nan,
        "aggregation": aggregation,
        "period_start": float(period_from) if period_from is not None else math.nan,
    }
    rows = [{**target, "obs_time": y + 1.0, "obs_value": v} for y, v in sorted(figures.items())]
    return pd.DataFrame(rows or [{**target, "obs_time": math.nan, "obs_value": math.nan}])


def _one(frame: pd.DataFrame, as_of: float) -> dict:
    return assess_frame(frame, as_of=as_of).iloc[0].to_dict()


# --- the average over the period (Hà Nội 2030: "tăng bình quân trên 7,5%/năm", 2026–2030) ------------------

HA_NOI_2030 = {
    "comparator": ">",
    "value": 7.5,
    "year": 2030,
    "aggregation": PERIOD_AVERAGE,
    "period_from": 2026,
}


def test_the_average_of_the_period_meets_the_target_although_the_last_year_alone_does_not() -> None:
    # 2026–2030: 7.0, 8.0, 7.2, 8.1, 7.4 → mean 37.7 / 5 = 7.54 > 7.5 → achieved. The 2030 figure alone,
    # 7.4, would have missed. The 2025 figure (2.0, at 2026.0) is before the period and does not count.
    figures = {2025: 2.0, 2026: 7.0, 2027: 8.0, 2028: 7.2, 2029: 8.1, 2030: 7.4}
    result = _one(_frame(figures, **HA_NOI_2030), as_of=2031.25)
    assert result["status"] == ACHIEVED
    assert result["latest"] == pytest.approx(7.54)
    assert result["gap"] == pytest.approx(7.5 - 7.54)


def test_a_high_last_year_does_not_lift_a_period_average_below_the_target() -> None:
    # 6.0, 6.5, 7.0, 7.0, 9.0 → mean 35.5 / 5 = 7.1, not > 7.5 → missed, although 9.0 > 7.5.
    figures = {2026: 6.0, 2027: 6.5, 2028: 7.0, 2029: 7.0, 2030: 9.0}
    result = _one(_frame(figures, **HA_NOI_2030), as_of=2031.25)
    assert result["status"] == MISSED
    assert result["latest"] == pytest.approx(7.1)


def test_before_the_deadline_a_short_average_so_far_needs_acceleration() -> None:
    # As of 2029.0 the 2026 and 2027 figures are in: (7.0 + 7.6) / 2 = 7.3 ≤ 7.5 → the later years must make
    # up for it: needs_acceleration; no projection of a mean.
    result = _one(_frame({2026: 7.0, 2027: 7.6}, **HA_NOI_2030), as_of=2029.0)
    assert result["status"] == NEEDS_ACCELERATION
    assert result["latest"] == pytest.approx(7.3)
    assert math.isnan(result["projected"])


def test_a_period_without_a_figure_of_its_own_is_insufficient_data() -> None:
    # Only figures before the period (2024, 2025): nothing to average.
    result = _one(_frame({2024: 8.0, 2025: 9.0}, **HA_NOI_2030), as_of=2027.0)
    assert result["status"] == INSUFFICIENT_DATA
    assert math.isnan(result["latest"])


# --- every year of the period (Hải Phòng 2025: "hằng năm tăng tối thiểu 15%", 2021–2025) -------------------

HAI_PHONG_2025 = {
    "comparator": ">=",
    "value": 15,
    "year": 2025,
    "aggregation": EACH_YEAR,
    "period_from": 2021,
}


def test_each_year_is_met_only_when_the_worst_year_of_the_period_meets_it() -> None:
    # 2021–2025: 16, 17, 15, 18, 16 → worst 15 ≥ 15 → achieved, the figure judged is 15. The 2020 figure (3)
    # is before the period.
    figures = {2020: 3.0, 2021: 16.0, 2022: 17.0, 2023: 15.0, 2024: 18.0, 2025: 16.0}
    result = _one(_frame(figures, **HAI_PHONG_2025), as_of=2026.25)
    assert result["status"] == ACHIEVED
    assert result["latest"] == 15.0


def test_one_short_year_misses_each_year_even_before_the_deadline() -> None:
    # 16, 14, 17 (2021–2023), as of 2024.0: 14 < 15 — "every year" can no longer be met → missed, although
    # the newest figure (17) meets the floor.
    result = _one(_frame({2021: 16.0, 2022: 14.0, 2023: 17.0}, **HAI_PHONG_2025), as_of=2024.0)
    assert result["status"] == MISSED
    assert result["latest"] == 14.0


def test_each_year_met_so_far_is_achieved_so_far() -> None:
    # 16, 15.5 (2021, 2022), as of 2023.0: worst 15.5 ≥ 15 → achieved (so far).
    result = _one(_frame({2021: 16.0, 2022: 15.5}, **HAI_PHONG_2025), as_of=2023.0)
    assert result["status"] == ACHIEVED
    assert result["latest"] == 15.5


def test_each_year_when_lower_is_better_judges_the_highest_year() -> None:
    # "≤ 10 every year", lower is better: 8, 12 → the worst year is the highest, 12 > 10 → missed.
    frame = _frame(
        {2021: 8.0, 2022: 12.0},
        comparator="<=",
        value=10,
        year=2025,
        aggregation=EACH_YEAR,
        period_from=2021,
        higher_is_better=False,
    )
    result = _one(frame, as_of=2023.0)
    assert result["status"] == MISSED
    assert result["latest"] == 12.0


def test_without_a_comparison_over_a_period_the_newest_figure_is_judged_as_before() -> None:
    # The same figures as the average test, judged as the 2030 figure alone: 7.4 is not > 7.5 → missed.
    figures = {2026: 7.0, 2027: 8.0, 2028: 7.2, 2029: 8.1, 2030: 7.4}
    frame = _frame(figures, comparator=">", value=7.5, year=2030, aggregation="", period_from=None)
    result = _one(frame, as_of=2031.25)
    assert result["status"] == MISSED
    assert result["latest"] == 7.4


def test_a_period_comparison_without_its_start_is_refused() -> None:
    frame = _frame(
        {2026: 8.0}, comparator=">", value=7.5, year=2030, aggregation=PERIOD_AVERAGE, period_from=None
    )
    with pytest.raises(ValueError, match="period_start"):
        assess_frame(frame, as_of=2028.0)
