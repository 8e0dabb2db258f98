"""The engine's comparators (`progress.meets`, `progress.effective_target`), and the DTI rank goals of a plan
judged with them: `~` and ranges included. Every expected value is worked out by hand beside it."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np

from targets import progress
from targets.models import Actual, Indicator, Target
from targets.selectors import RankYear


def test_each_comparator_judges_a_value_as_written_or_from_the_good_side():
    comparators = [">=", ">", "<=", "<", "=", "=", "~", "~", "~", "range"]
    values = [80.0, 80.0, 10.0, 10.0, 9.0, 11.0, 10.4, 10.6, 76.5, 8.0]
    targets = [80.0, 80.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 80.0, 10.0]
    higher = [True, True, False, False, False, False, False, False, True, False]
    # >= 80: 80 meets; > 80: 80 does not; <= 10: 10 meets; < 10: 10 does not;
    # "= 10" for a rank (lower is better) is reached from below: 9 meets, 11 does not;
    # "~ 10" lower is better: within 5 % (0.5) above it, 10.4 meets, 10.6 does not;
    # "~ 80" higher is better: 76.5 is 3.5 below, within 4.0, meets; a range (8 against its near bound 10) meets.
    met = progress.meets(comparators, values, targets, higher)
    assert met.tolist() == [True, False, True, False, True, False, True, False, True, True]


def test_a_missing_value_meets_nothing():
    met = progress.meets([">=", "<=", "~", "range"], [math.nan] * 4, [1.0] * 4, [True, False, True, False])
    assert not met.any()


def test_a_range_is_measured_against_its_near_bound():
    # Range 5–10: a rank (lower is better) is reached from above, at 10; a share (higher is better) at 5.
    target = progress.effective_target(
        ["range", "range", ">="], [5.0, 5.0, 50.0], [10.0, 10.0, np.nan], [False, True, True]
    )
    assert target.tolist() == [10.0, 5.0, 50.0]


def _rank_year(rank: str, *goals: tuple[str, str, str | None]) -> RankYear:
    dti_rank = Indicator(code="dti_rank", higher_is_better=False)
    return RankYear(
        year=2024,
        goals=[
            Target(
                indicator=dti_rank,
                comparator=c,
                value=Decimal(v),
                value_max=None if m is None else Decimal(m),
            )
            for c, v, m in goals
        ],
        rank=Actual(indicator=dti_rank, value=Decimal(rank)),
    )


def test_a_rank_goal_near_a_place_or_within_a_range_is_achieved_as_the_engine_judges_it():
    # "about 10th" (~ 10): 10th meets; "between 5th and 10th": 8th meets, 12th does not.
    assert _rank_year("10", ("~", "10", None)).verdict == "achieved"
    assert _rank_year("8", ("range", "5", "10")).verdict == "achieved"
    assert _rank_year("12", ("range", "5", "10")).verdict == "missed"


def test_a_rank_year_is_achieved_only_when_every_goal_of_the_year_is_met():
    # Two documents set goals for 2024: top 10 and top 5. The 7th place meets one, not both.
    assert _rank_year("7", ("<=", "10", None), ("<=", "5", None)).verdict == "missed"
    assert _rank_year("4", ("<=", "10", None), ("<=", "5", None)).verdict == "achieved"
    assert RankYear(year=2024, goals=_rank_year("4", ("<=", "5", None)).goals).verdict == "pending"
    assert RankYear(year=2024).verdict == ""
