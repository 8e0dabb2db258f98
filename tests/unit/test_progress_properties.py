"""Properties of the default progress method on generated targets (hypothesis): the order of the figures,
the direction of the indicator and a series ending at its target."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.unit.progress_oracle import assess  # the scalar oracle, one target at a time

from .progress_cases import (
    FLIPPED,
    assess_target,
    cases,
    values,
)


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
