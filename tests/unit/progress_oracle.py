"""The scalar progress engine: a test oracle, written independently of the vectorised engine.

`assess` assesses one target with the default method, v2 (docs/progress-method.md), in plain Python, one
rule after another; `opensdg_measure` is Open SDG's published progress measure for one series (with a
target, without one, and near a limit). The application never runs them: `targets.progress.assess_frame`
assesses every series at once with numpy, and the tests check it against this oracle row by row (on worked
examples and on random targets, bounds included) — a second implementation of the same rules, not a copy
of the first, so that a slip in either shows as a disagreement. `bench/bench_progress.py` times the engine
against a loop over `assess`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from targets.progress import (
    _SAME_TIME,
    ACHIEVED,
    APPROX_TOLERANCE,
    AWAITING_FINAL,
    AWAITING_FINAL_GRACE_YEARS,
    COMPARATORS,
    DETERIORATION,
    INSUFFICIENT_DATA,
    LIMITED_PROGRESS,
    MISSED,
    MODERATE_PROGRESS,
    NEEDS_ACCELERATION,
    NEEDS_ACCELERATION_AT,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    OFF_TRACK,
    ON_TRACK,
    ON_TRACK_AT,
    OPENSDG_TARGET_THRESHOLDS,
    OPENSDG_ZERO_REPLACEMENT,
    REGRESSING,
    SUBSTANTIAL_PROGRESS,
    TARGET_ACHIEVED,
)

# Open SDG defaults (sdg-build ProgressMeasure) without a target.
OPENSDG_GROWTH_THRESHOLDS = (0.015, 0.005, 0.0)
OPENSDG_LIMIT_EXPONENT = 4.44


@dataclass(frozen=True)
class Assessment:
    """Where one target stands as of a time. A figure that cannot be computed is None, never a guess."""

    status: str
    latest: float | None
    gap: float | None
    completion: float | None
    expected_completion: float | None
    projected: float | None
    projected_completion: float | None
    required_pace_per_year: float | None
    latest_time: float | None = None
    slope: float | None = None
    opensdg_value: float | None = None
    opensdg_status: str = NOT_AVAILABLE
    # Past the deadline: the newest figure after it, given as information only (it never changes the verdict).
    latest_after_deadline: float | None = None
    latest_after_deadline_time: float | None = None
    # `awaiting_final` only: the verdict the last figure before the deadline gives (achieved or missed).
    provisional_status: str | None = None


def _clip_to(value: float | None, lower: float | None, upper: float | None) -> float | None:
    if value is None:
        return None
    if lower is not None and math.isfinite(lower) and value < lower:
        return float(lower)
    if upper is not None and math.isfinite(upper) and value > upper:
        return float(upper)
    return value


# --- the default method, one target -------------------------------------------------------------------------


def _check_comparator(comparator: str) -> None:
    if comparator not in COMPARATORS:
        raise ValueError(f"unknown comparator {comparator!r}; expected one of {COMPARATORS}")


def _effective_target(
    comparator: str, value: float, value_max: float | None, higher_is_better: bool
) -> float:
    """The single value gap, completion and pace are measured against.

    A range is reached from the side the series comes from: its lower bound when higher is better,
    its upper bound otherwise.
    """
    if comparator == "range":
        if value_max is None or not math.isfinite(value_max):
            raise ValueError("a range target needs target_value_max")
        return value if higher_is_better else value_max
    return value


def _is_achieved(comparator: str, latest: float, target: float, higher_is_better: bool) -> bool:
    """Whether a value satisfies the comparator; `target` is the effective target."""
    d = 1.0 if higher_is_better else -1.0
    if comparator == ">=":
        return latest >= target
    if comparator == ">":
        return latest > target
    if comparator == "<=":
        return latest <= target
    if comparator == "<":
        return latest < target
    if comparator == "~":
        return d * (latest - target) >= -APPROX_TOLERANCE * abs(target)
    # `=` and `range` mean reaching the value from the good side.
    return d * (latest - target) >= 0


def _collapse(points: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sort points by time; several values at one time (an annual figure and the Q4 figure of the same
    year both end at year + 1) become one point, their mean, so the answer does not depend on input order."""
    by_time: dict[float, list[float]] = {}
    for t, v in points:
        by_time.setdefault(t, []).append(v)
    # Summing the tied values in sorted order makes the mean exactly the same whatever the input order.
    return [(t, sum(sorted(vs)) / len(vs)) for t, vs in sorted(by_time.items())]


def _weighted_line(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Weighted least squares with weights 1..n oldest → newest: (slope, weighted mean time, mean value)."""
    sw = swt = swv = 0.0
    for i, (t, v) in enumerate(points, start=1):
        sw += i
        swt += i * t
        swv += i * v
    t_bar, v_bar = swt / sw, swv / sw
    sxx = sxy = 0.0
    for i, (t, v) in enumerate(points, start=1):
        sxx += i * (t - t_bar) * (t - t_bar)
        sxy += i * (t - t_bar) * (v - v_bar)
    return sxy / sxx, t_bar, v_bar


def assess(
    *,
    comparator: str,
    target_value: float,
    target_time: float,
    observations: list[tuple[float, float]],
    as_of: float,
    higher_is_better: bool,
    baseline: tuple[float, float] | None = None,
    target_value_max: float | None = None,
    applies_until: float | None = None,
    milestone: bool = False,
    lower: float | None = None,
    upper: float | None = None,
) -> Assessment:
    """Assess one target as of `as_of` with the default method, v2: the rules of docs/progress-method.md
    (also in `targets.progress.assess_frame`'s docstring), written one after another for one target.

    `target_time` is when the target is due (a target "by 2025" is due at 2026.0); `observations` are
    (time, value) pairs in any order, the figures known at `as_of`; those after `as_of` or not finite are
    ignored. `lower`/`upper` bound the indicator's domain (None: unbounded). A figure that cannot be
    computed is None.
    """
    _check_comparator(comparator)
    target = _effective_target(comparator, target_value, target_value_max, higher_is_better)
    d = 1.0 if higher_is_better else -1.0

    known = _collapse((t, v) for t, v in observations if math.isfinite(t) and math.isfinite(v) and t <= as_of)
    past_due = as_of >= target_time
    if past_due:
        obs = [(t, v) for t, v in known if t <= target_time + _SAME_TIME]
        after = [(t, v) for t, v in known if t > target_time + _SAME_TIME]
    else:
        obs, after = known, []
    after_time, after_value = after[-1] if after else (None, None)
    if baseline is not None and not (math.isfinite(baseline[0]) and math.isfinite(baseline[1])):
        baseline = None
    latest_time, latest = obs[-1] if obs else (None, None)
    base_time, base_value = baseline or (obs[0] if obs else (None, None))

    gap = completion = expected = projected = projected_completion = pace = slope = None
    distance = None if base_value is None else target - base_value
    # A share of the distance only means something while the baseline had not met the target yet.
    measurable = distance is not None and d * distance > 0
    if latest is not None:
        gap = d * (target - latest)
        if measurable:
            completion = (latest - base_value) / distance
        if target_time > as_of:
            pace = (target - latest) / (target_time - as_of)
    if base_time is not None and target_time > base_time:
        expected = min(1.0, max(0.0, (as_of - base_time) / (target_time - base_time)))

    points = _collapse([*([baseline] if baseline else []), *obs])
    if len(points) >= 2 and not milestone:
        slope, t_bar, v_bar = _weighted_line(points)
        projected = _clip_to(v_bar + slope * (target_time - t_bar), lower, upper)
        if measurable:
            projected_completion = (projected - base_value) / distance

    met = latest is not None and _is_achieved(comparator, latest, target, higher_is_better)
    provisional = None
    if applies_until is not None and math.isfinite(applies_until) and applies_until < as_of:
        status = NOT_APPLICABLE
    elif past_due:
        final_in = latest_time is not None and abs(latest_time - target_time) <= _SAME_TIME
        if latest is None:
            status = INSUFFICIENT_DATA
        elif final_in or as_of >= target_time + AWAITING_FINAL_GRACE_YEARS:
            status = ACHIEVED if met else MISSED
        else:
            status, provisional = AWAITING_FINAL, ACHIEVED if met else MISSED
    elif met:
        status = ACHIEVED
    elif milestone:
        status = NEEDS_ACCELERATION if latest is not None else INSUFFICIENT_DATA
    elif slope is None or projected is None:
        status = INSUFFICIENT_DATA
    elif d * slope < 0:
        status = REGRESSING
    elif projected_completion is None:
        status = ON_TRACK if d * (projected - target) >= 0 else OFF_TRACK
    elif projected_completion >= ON_TRACK_AT:
        status = ON_TRACK
    elif projected_completion >= NEEDS_ACCELERATION_AT:
        status = NEEDS_ACCELERATION
    else:
        status = OFF_TRACK

    if latest is None or base_value is None or base_time is None:
        sdg_value, sdg_status = None, NOT_AVAILABLE
    elif milestone:
        sdg_value = None
        sdg_status = TARGET_ACHIEVED if _opensdg_met(latest, target, d) else NOT_AVAILABLE
    else:
        sdg_value, sdg_status = opensdg_measure(
            base=(base_time, base_value),
            current=(latest_time, latest),
            target=target,
            target_year=target_time,
            direction="positive" if higher_is_better else "negative",
        )

    return Assessment(
        status=status,
        latest=latest,
        gap=gap,
        completion=completion,
        expected_completion=expected,
        projected=projected,
        projected_completion=projected_completion,
        required_pace_per_year=pace,
        latest_time=latest_time,
        slope=slope,
        opensdg_value=sdg_value,
        opensdg_status=sdg_status,
        latest_after_deadline=after_value,
        latest_after_deadline_time=after_time,
        provisional_status=provisional,
    )


# --- the Open SDG measure, one series ----------------------------------------------------------------------


def _cagr(v1: float, v0: float, t1: float, t0: float) -> float | None:
    """Compound annual growth rate, or None where it is not a real number."""
    if t1 == t0 or v0 == 0:
        return None
    ratio = v1 / v0
    if ratio < 0 or (ratio == 0 and t1 < t0):
        return None
    try:
        return ratio ** (1 / (t1 - t0)) - 1
    except OverflowError:
        return None


def _opensdg_met(current: float, target: float, d: float) -> bool:
    target = target if target != 0 else OPENSDG_ZERO_REPLACEMENT
    return current >= target if d > 0 else current <= target


def _opensdg_status(value: float | None, thresholds: tuple[float, float, float], achieved: bool) -> str:
    if achieved:
        return TARGET_ACHIEVED
    if value is None:
        return NOT_AVAILABLE
    high, medium, low = thresholds
    if value >= high:
        return SUBSTANTIAL_PROGRESS
    if value >= medium:
        return MODERATE_PROGRESS
    if value >= low:
        return LIMITED_PROGRESS
    return DETERIORATION


def _limit_coefficient(base: float, limit: float) -> float:
    """Open SDG's threshold reduction near a limit l: 1 − (b/l)^4.44, 1 − ((2l − b)/l)^4.44, or 1."""
    b, lim = abs(base), abs(limit)
    if b >= 2 * lim:  # first, so that b = l = 0 gives 1
        return 1.0
    if b <= lim:
        return 1 - (b / lim) ** OPENSDG_LIMIT_EXPONENT
    return 1 - ((2 * lim - b) / lim) ** OPENSDG_LIMIT_EXPONENT


def opensdg_measure(
    *,
    base: tuple[float, float],
    current: tuple[float, float],
    target: float | None,
    target_year: float = 2030,
    direction: str = "positive",
    limit: float | None = None,
) -> tuple[float | None, str]:
    """Open SDG's progress measure (sdg-build `ProgressMeasure`): (progress value, Open SDG status).

    `base` and `current` are (year, value). With d = +1 for a "positive" direction, −1 for "negative",
    sign = −1 when the base value is negative, CAGR(v1, v0, t1, t0) = (v1/v0)^(1/(t1 − t0)) − 1:

    - with a target: R = sign·d·CAGR(current, base)/|CAGR(target, base, target_year, base_year)|,
      thresholds 0.95 / 0.6 / 0 (substantial / moderate / limited progress, below: deterioration);
    - without: v = sign·d·CAGR(current, base), thresholds 0.015 / 0.005 / 0, each multiplied by
      C = 1 − (b/l)^4.44 (b ≤ l), 1 − ((2l − b)/l)^4.44 (l < b < 2l), 1 (b ≥ 2l) when a limit l is given.

    A zero target or base becomes 0.001. No value (None) when base and current have opposite signs, are
    less than a year apart, or a growth rate is not a real number (e.g. the target's sign differs from
    the base's, or the target equals the base). A current value that meets the target gives
    `target_achieved` whatever the value.
    """
    if direction not in ("positive", "negative"):
        raise ValueError(f"direction must be 'positive' or 'negative', not {direction!r}")
    d = 1.0 if direction == "positive" else -1.0
    (base_year, base_value), (current_year, current_value) = base, current
    if target == 0:
        target = OPENSDG_ZERO_REPLACEMENT
    sign = -1.0 if base_value < 0 else 1.0
    achieved = target is not None and _opensdg_met(current_value, target, d)

    if target is None:
        high, medium, low = OPENSDG_GROWTH_THRESHOLDS
        if limit is not None:
            c = _limit_coefficient(base_value, limit)
            high, medium, low = high * c, medium * c, low * c
        thresholds = (high, medium, low)
    else:
        thresholds = OPENSDG_TARGET_THRESHOLDS  # Open SDG ignores a limit once there is a target

    if base_value == 0:
        base_value = OPENSDG_ZERO_REPLACEMENT
    value: float | None = None
    opposite = (base_value > 0 > current_value) or (base_value < 0 < current_value)
    if not opposite and current_year - base_year >= 1:
        observed = _cagr(current_value, base_value, current_year, base_year)
        if observed is not None and target is None:
            value = sign * d * observed
        elif observed is not None:
            required = _cagr(target, base_value, target_year, base_year)
            if required is not None and required != 0:
                value = sign * d * observed / abs(required)
    return value, _opensdg_status(value, thresholds, achieved)
