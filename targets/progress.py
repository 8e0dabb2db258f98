"""The progress engine: where each target stands, how far it is, and whether it will be met in time.

Pure Python + numpy + pandas, no Django: a selector turns database rows into plain values (or the long
frame `assess_frame` takes), and pages, the Excel report and open data all read the same answers.

Time is in decimal years at the *end* of a period: 2026-Q3 → 2026.75, 2026-Q4 → 2027.0, the year 2024
(an annual figure) → 2025.0, and a target "by 2025" is due at 2026.0 (see `periods.period_end_time`,
`target_due_time`, `periods.date_to_time`).

The default method, v2 (a linear trajectory with a time-weighted projection; after the deadline, the
deadline figure decides; forecasts kept inside the indicator's domain) is written down in `assess_frame` and
in docs/progress-method.md, with Open SDG's published progress measure beside it as a second opinion.
`assess_frame` computes both for every series at once; `meets` is its verdict of a value against a target,
for anything else judged against one (the DTI rank goals). A scalar implementation of the same rules, one
target at a time, is the tests' oracle (tests/unit/progress_oracle.py): the two agree row by row.

What was *known* at a time (a figure counts from its publication or approval) is decided before the
engine, by the selector (`targets.known`): the engine sees the figures known at `as_of`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .periods import SAME_TIME, known_by

# Statuses of the default method, in the order dashboards list them.
ACHIEVED = "achieved"
ON_TRACK = "on_track"
NEEDS_ACCELERATION = "needs_acceleration"
OFF_TRACK = "off_track"
REGRESSING = "regressing"
MISSED = "missed"
AWAITING_FINAL = "awaiting_final"
INSUFFICIENT_DATA = "insufficient_data"
NOT_APPLICABLE = "not_applicable"
STATUSES: tuple[str, ...] = (
    ACHIEVED,
    ON_TRACK,
    NEEDS_ACCELERATION,
    OFF_TRACK,
    REGRESSING,
    MISSED,
    AWAITING_FINAL,
    INSUFFICIENT_DATA,
    NOT_APPLICABLE,
)

# Statuses of the Open SDG progress measure.
TARGET_ACHIEVED = "target_achieved"
SUBSTANTIAL_PROGRESS = "substantial_progress"
MODERATE_PROGRESS = "moderate_progress"
LIMITED_PROGRESS = "limited_progress"
DETERIORATION = "deterioration"
NOT_AVAILABLE = "not_available"
OPENSDG_STATUSES: tuple[str, ...] = (
    TARGET_ACHIEVED,
    SUBSTANTIAL_PROGRESS,
    MODERATE_PROGRESS,
    LIMITED_PROGRESS,
    DETERIORATION,
    NOT_AVAILABLE,
)

COMPARATORS: tuple[str, ...] = (">=", ">", "=", "~", "<=", "<", "range")

APPROX_TOLERANCE = 0.05  # `~`: within 5 % of the value
ON_TRACK_AT = 0.95  # projected completion at or above which a target is on track
NEEDS_ACCELERATION_AT = 0.6  # … and at or above which it needs acceleration (below: off track)
# How long after its deadline a target whose deadline-period figure is not in yet stays `awaiting_final`
# (annual figures such as the DTI rank are published months later); afterwards it is judged on the last
# figure at or before the deadline.
AWAITING_FINAL_GRACE_YEARS = 1.0

# Open SDG defaults (sdg-build ProgressMeasure): with a target, then without one.
OPENSDG_TARGET_THRESHOLDS = (0.95, 0.6, 0.0)
OPENSDG_ZERO_REPLACEMENT = 0.001

FRAME_COLUMNS: tuple[str, ...] = (
    "target_id",
    "comparator",
    "target_value",
    "target_value_max",
    "target_time",
    "higher_is_better",
    "applies_until",
    "milestone",
    "baseline_time",
    "baseline_value",
    "obs_time",
    "obs_value",
)
# Optional columns of `assess_frame`: the indicator's domain (NaN: unbounded on that side).
BOUND_COLUMNS: tuple[str, ...] = ("lower", "upper")
# Optional columns of `assess_frame` (issue #16): what a target's figure is compared on — "" the figure
# itself, EACH_YEAR every yearly figure of the period, PERIOD_AVERAGE their mean — and where the period starts
# (decimal years: a period "from 2026" starts at 2026.0, so the 2026 figure, at 2027.0, is its first).
AGGREGATION_COLUMNS: tuple[str, ...] = ("aggregation", "period_start")
EACH_YEAR = "each_year"
PERIOD_AVERAGE = "period_average"
RESULT_COLUMNS: tuple[str, ...] = (
    "status",
    "latest",
    "latest_time",
    "gap",
    "completion",
    "expected_completion",
    "projected",
    "projected_completion",
    "required_pace_per_year",
    "slope",
    "opensdg_value",
    "opensdg_status",
    "latest_after_deadline",
    "latest_after_deadline_time",
    "provisional_status",
)


# --- time -------------------------------------------------------------------------------------------------


def target_due_time(year: int) -> float:
    """A target "by <year>" is due at the end of that year: by 2025 → 2026.0."""
    return float(year + 1)


# --- the indicator's domain ----------------------------------------------------------------------------------

RANKED_UNITS_BEFORE_2024 = 63  # provincial units ranked until the 2024 ranking (34 since)
# unit → (lower, upper); None: unbounded. A rank's upper bound is the number ranked (see `domain_bounds`).
UNIT_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "percent": (0.0, 100.0),
    "rank": (1.0, None),
    "count": (0.0, None),
    "per_1000": (0.0, None),
    "money": (0.0, None),
    "score": (0.0, 1.0),
    "milestone": (0.0, 1.0),
    "growth_rate": (-100.0, None),  # a quantity cannot shrink by more than all of it
    "index": (0.0, None),  # against a base year = 100
}


def domain_bounds(unit: str, *, ranked_among: float | None = None) -> tuple[float | None, float | None]:
    """The values a figure of `unit` can take: percent 0–100; rank 1 to the number ranked (`ranked_among`,
    else 63); counts, rates per 1,000 and money ≥ 0; score and milestone 0–1; growth rate ≥ −100 %.
    An unknown unit is unbounded."""
    lower, upper = UNIT_BOUNDS.get(unit, (None, None))
    if unit == "rank":
        among = ranked_among if ranked_among is not None and math.isfinite(ranked_among) else None
        upper = float(among) if among and among >= 1 else float(RANKED_UNITS_BEFORE_2024)
    return lower, upper


# --- the comparators ---------------------------------------------------------------------------------------

_COMPARATOR_CODE = {c: i for i, c in enumerate(COMPARATORS)}


def effective_target(comparator, value, value_max, higher_is_better) -> np.ndarray:
    """Per target, the single value gap, completion and pace are measured against (array-likes in, an
    array out): the target value, except that a range is reached from the side the series comes from —
    its lower bound when higher is better, its upper bound otherwise."""
    is_range = np.asarray(comparator, dtype=object) == "range"
    higher = np.asarray(higher_is_better, dtype=bool)
    return np.where(is_range & ~higher, np.asarray(value_max, dtype=float), np.asarray(value, dtype=float))


def meets(comparator, value, target, higher_is_better) -> np.ndarray:
    """Whether each value satisfies its comparator against its effective target (`effective_target`):
    `>=`, `>`, `<=`, `<` as written; `~` within APPROX_TOLERANCE of the target from the good side,
    d·(value − target) ≥ −5 %·|target| with d = +1 when higher is better, −1 otherwise; `=` and `range`
    reaching the target from the good side, d·(value − target) ≥ 0. A missing value (NaN) meets nothing.
    The engine's verdict on every target, and the one for anything else judged against a target."""
    code = pd.Categorical(np.asarray(comparator, dtype=object), categories=COMPARATORS).codes
    value = np.asarray(value, dtype=float)
    target = np.asarray(target, dtype=float)
    d = np.where(np.asarray(higher_is_better, dtype=bool), 1.0, -1.0)
    with np.errstate(invalid="ignore"):
        return np.select(
            [
                code == _COMPARATOR_CODE[">="],
                code == _COMPARATOR_CODE[">"],
                code == _COMPARATOR_CODE["<="],
                code == _COMPARATOR_CODE["<"],
                code == _COMPARATOR_CODE["~"],
            ],
            [
                value >= target,
                value > target,
                value <= target,
                value < target,
                d * (value - target) >= -APPROX_TOLERANCE * np.abs(target),
            ],
            default=d * (value - target) >= 0,
        )


# --- every series at once ------------------------------------------------------------------------------------

_STATUS_ARRAY = np.array(STATUSES, dtype=object)
_OPENSDG_ARRAY = np.array(OPENSDG_STATUSES, dtype=object)


def _segments(codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of each of k groups in an array of group codes sorted ascending."""
    groups = np.arange(k)
    return np.searchsorted(codes, groups, "left"), np.searchsorted(codes, groups, "right")


def _collapse_arrays(
    codes: np.ndarray, t: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points sorted by (group, time), values at one time within a group averaged."""
    order = np.lexsort((t, codes))
    codes, t, v = codes[order], t[order], v[order]
    same = (codes[1:] == codes[:-1]) & (t[1:] == t[:-1])
    if not same.any():
        return codes, t, v
    # Tied values are summed in ascending order (as the tests' scalar oracle does), so the mean is exactly
    # the same whatever the row order; only the few tied rows are re-sorted.
    tied = np.zeros(len(codes), dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    at = np.flatnonzero(tied)
    v[at] = v[at[np.lexsort((v[at], t[at], codes[at]))]]
    new = np.concatenate([[True], ~same])
    segment = np.cumsum(new) - 1
    count = np.bincount(segment)
    return codes[new], t[new], np.bincount(segment, weights=v) / count


def _as_float(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _as_bool(column: pd.Series, *, default: bool | None = None) -> np.ndarray:
    if column.isna().any():
        if default is None:
            raise ValueError(f"assess_frame: {column.name} is missing for some targets")
        column = column.astype(object).where(column.notna(), default)
    return column.to_numpy(dtype=bool)


def _opensdg_arrays(
    base_t: np.ndarray,
    base_v: np.ndarray,
    cur_t: np.ndarray,
    cur_v: np.ndarray,
    target: np.ndarray,
    target_year: np.ndarray,
    d: np.ndarray,
    milestone: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Open SDG's measure with a target, for arrays of series; milestones get no value.

    With d = +1 when higher is better, −1 otherwise, sign = −1 when the base value is negative and
    CAGR(v1, v0, t1, t0) = (v1/v0)^(1/(t1 − t0)) − 1: R = sign·d·CAGR(current, base) /
    |CAGR(target, base, target_year, base_year)|, thresholds 0.95 / 0.6 / 0 (substantial / moderate /
    limited progress, below: deterioration). A zero target or base becomes 0.001; no value when base and
    current have opposite signs, are less than a year apart, or a growth rate is not a real number; a
    current value that meets the target gives `target_achieved` whatever the value."""
    has = np.isfinite(cur_v) & np.isfinite(base_v) & np.isfinite(base_t) & np.isfinite(cur_t)
    tgt = np.where(target == 0, OPENSDG_ZERO_REPLACEMENT, target)
    achieved = has & np.where(d > 0, cur_v >= tgt, cur_v <= tgt)
    sign = np.where(base_v < 0, -1.0, 1.0)
    b = np.where(base_v == 0, OPENSDG_ZERO_REPLACEMENT, base_v)
    opposite = ((b > 0) & (cur_v < 0)) | ((b < 0) & (cur_v > 0))
    span = cur_t - base_t
    span_required = target_year - base_t
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio_required = tgt / b
        valid = has & ~milestone & ~opposite & (span >= 1) & (ratio_required >= 0) & (span_required != 0)
        valid &= ~((ratio_required == 0) & (span_required < 0))
        observed = np.power(cur_v / b, 1 / span) - 1
        required = np.power(ratio_required, 1 / span_required) - 1
        valid &= np.isfinite(observed) & np.isfinite(required) & (required != 0)
        value = np.where(valid, sign * d * observed / np.abs(required), np.nan)
    high, medium, low = OPENSDG_TARGET_THRESHOLDS
    code = np.select(
        [achieved, ~valid, value >= high, value >= medium, value >= low],
        [0, 5, 1, 2, 3],
        default=4,
    )
    return value, _OPENSDG_ARRAY[code]


def assess_frame(frame: pd.DataFrame, *, as_of: float) -> pd.DataFrame:
    """Assess every target at `as_of` with the default method, v2 (docs/progress-method.md), vectorised; one
    row per `target_id` (the index, sorted).

    `target_time` is when a target is due (a target "by 2025" is due at 2026.0); the observations are the
    figures known at `as_of`; those after `as_of` or not finite are ignored, and several at one time in a
    series count as one, their mean. Which figures judge a target: before the deadline, all of them; once
    `as_of` reaches the deadline, only those whose period ends at or before it (the *judged* figures) — a
    later figure never changes anything and is given as `latest_after_deadline` (with its time). The
    baseline is the document's when given, else the earliest judged figure. Let d = +1 when higher is
    better, −1 otherwise, and T the effective target (`effective_target`):

    - latest = the newest judged figure; gap = d·(T − latest); completion = (latest − baseline)/(T − baseline);
      expected_completion = (as_of − baseline time)/(target_time − baseline time), clipped to [0, 1];
    - projected = the value at target_time of the least-squares line through the points (the baseline,
      then the judged figures) weighted 1, 2, …, n oldest → newest, clipped to [lower, upper];
      projected_completion as completion, from the clipped projection;
    - required_pace_per_year = (T − latest)/(target_time − as_of), while time is left.

    Status, first rule that applies: not_applicable (applies_until < as_of). Before the deadline:
    achieved (the latest figure `meets` the target), then for a milestone needs_acceleration once
    reported (it is never projected), insufficient_data (fewer than two points at distinct times,
    counting the baseline), regressing (d·slope < 0), on_track (projected_completion ≥ 0.95),
    needs_acceleration (≥ 0.6), off_track; when the baseline already met T there is no distance to
    measure shares of: the completions are NaN and the status is on_track if the projection meets T,
    else off_track. From the deadline on: insufficient_data (no figure at or before the deadline);
    awaiting_final while the deadline period's own figure (one whose period ends at the deadline) is not
    in and as_of < deadline + AWAITING_FINAL_GRACE_YEARS, with `provisional_status` the verdict the last
    figure before the deadline gives; otherwise achieved or missed on the latest judged figure.

    `frame` is long, one row per observation, with the columns in `FRAME_COLUMNS`: the target's columns
    repeated on each of its rows, NaN for what is absent (no baseline, no range maximum, no end of
    applicability); a target without observations has one row with NaN `obs_time`/`obs_value`.
    Optional columns `lower` and `upper` (`BOUND_COLUMNS`) give the indicator's domain, NaN for
    unbounded. The result has the columns in `RESULT_COLUMNS`, NaN for a figure that cannot be computed
    (never a guess). Open SDG's measure (`_opensdg_arrays`) is taken with base = the baseline, current =
    the latest judged observation, target = T, target_year = the due time.

    Optional columns `aggregation` and `period_start` (`AGGREGATION_COLUMNS`, issue #16; rule 6 of
    docs/progress-method.md): a target compared `EACH_YEAR` of its period is judged on the worst figure of the
    period (its `latest`), and is missed as soon as one year falls short; one compared on the
    `PERIOD_AVERAGE` is judged on the mean of the period's figures, and before the deadline needs acceleration
    while that mean falls short. The period's figures are those after `period_start`; neither is projected.
    """
    missing = [c for c in FRAME_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"assess_frame: missing columns {missing}")
    codes, ids = pd.factorize(frame["target_id"], sort=True)
    k = len(ids)
    _, first_row = np.unique(codes, return_index=True)
    head = frame.iloc[first_row]

    comparator = head["comparator"].map(_COMPARATOR_CODE)
    if comparator.isna().any():
        bad = sorted(set(head.loc[comparator.isna(), "comparator"]), key=str)
        raise ValueError(f"unknown comparator(s) {bad}; expected one of {COMPARATORS}")
    comp = comparator.to_numpy(dtype=int)
    value = _as_float(head["target_value"])
    value_max = _as_float(head["target_value_max"])
    due = _as_float(head["target_time"])
    higher = _as_bool(head["higher_is_better"])
    until = _as_float(head["applies_until"])
    milestone = _as_bool(head["milestone"], default=False)
    baseline_t = _as_float(head["baseline_time"])
    baseline_v = _as_float(head["baseline_value"])
    lower = _as_float(head["lower"]) if "lower" in head.columns else np.full(k, np.nan)
    upper = _as_float(head["upper"]) if "upper" in head.columns else np.full(k, np.nan)
    aggregation = (
        head["aggregation"].fillna("").astype(str).to_numpy()
        if "aggregation" in head.columns
        else np.full(k, "", dtype=object)
    )
    is_each = aggregation == EACH_YEAR
    is_average = aggregation == PERIOD_AVERAGE
    is_period = is_each | is_average
    period_start = _as_float(head["period_start"]) if "period_start" in head.columns else np.full(k, np.nan)
    if (is_period & ~np.isfinite(period_start)).any():
        raise ValueError(
            f"period target(s) without period_start: {list(ids[is_period & ~np.isfinite(period_start)])}"
        )
    d = np.where(higher, 1.0, -1.0)
    past_due = as_of >= due

    is_range = comp == _COMPARATOR_CODE["range"]
    if (is_range & ~np.isfinite(value_max)).any():
        raise ValueError(
            f"range target(s) without target_value_max: {list(ids[is_range & ~np.isfinite(value_max)])}"
        )
    target = effective_target(head["comparator"], value, value_max, higher)

    # Observations up to as_of, collapsed to one point per (series, time); past its deadline a target is
    # judged only on those at or before the deadline, and the newest later one is kept apart.
    obs_t_all = _as_float(frame["obs_time"])
    obs_v_all = _as_float(frame["obs_value"])
    known = np.isfinite(obs_t_all) & np.isfinite(obs_v_all) & known_by(obs_t_all, as_of)
    late = past_due[codes] & (obs_t_all > due[codes] + SAME_TIME)
    keep = known & ~late
    ac, at_, av = _collapse_arrays(codes[known & late], obs_t_all[known & late], obs_v_all[known & late])
    a_start, a_end = _segments(ac, k)
    has_after = a_end > a_start
    a_last = np.where(has_after, a_end - 1, len(at_))
    after_t, after_v = np.append(at_, np.nan)[a_last], np.append(av, np.nan)[a_last]
    oc, ot, ov = _collapse_arrays(codes[keep], obs_t_all[keep], obs_v_all[keep])
    start, end = _segments(oc, k)
    has_obs = end > start
    # Series without observations read a NaN appended at the end.
    ot_nan, ov_nan = np.append(ot, np.nan), np.append(ov, np.nan)
    last = np.where(has_obs, end - 1, len(ot))
    first = np.where(has_obs, start, len(ot))
    latest, latest_t = ov_nan[last], ot_nan[last]

    # A comparison over a period (issue #16) judges the figures of the period (those whose period ends after
    # its start), each year (the worst one decides) or their mean, instead of the newest figure.
    in_period = is_period[oc] & (ot > period_start[oc] + SAME_TIME)
    n_period = np.bincount(oc[in_period], minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        period_mean = np.bincount(oc[in_period], weights=ov[in_period], minlength=k) / n_period
    worst = np.full(k, np.inf)
    np.minimum.at(worst, oc[in_period], (d[oc] * ov)[in_period])
    period_worst = np.where(n_period > 0, d * worst, np.nan)
    latest = np.where(is_each, period_worst, np.where(is_average, period_mean, latest))
    has_obs = np.where(is_period, n_period > 0, has_obs)

    has_baseline = np.isfinite(baseline_t) & np.isfinite(baseline_v)
    base_t = np.where(has_baseline, baseline_t, ot_nan[first])
    base_v = np.where(has_baseline, baseline_v, ov_nan[first])

    with np.errstate(divide="ignore", invalid="ignore"):
        distance = target - base_v
        measurable = d * distance > 0
        gap = d * (target - latest)
        completion = np.where(measurable, (latest - base_v) / distance, np.nan)
        pace = np.where(due > as_of, (target - latest) / (due - as_of), np.nan)
        expected = np.where(
            np.isfinite(base_t) & (due > base_t), np.clip((as_of - base_t) / (due - base_t), 0.0, 1.0), np.nan
        )

        # Weighted least squares over the baseline and the observations, weights 1..n per series.
        bsel = np.flatnonzero(has_baseline)
        pc, pt, pv = _collapse_arrays(
            np.concatenate([bsel, oc]),
            np.concatenate([baseline_t[bsel], ot]),
            np.concatenate([baseline_v[bsel], ov]),
        )
        p_start, p_end = _segments(pc, k)
        n_points = p_end - p_start
        w = (np.arange(len(pc)) - p_start[pc] + 1).astype(float)
        sw = np.bincount(pc, weights=w, minlength=k)
        t_bar = np.bincount(pc, weights=w * pt, minlength=k) / sw
        v_bar = np.bincount(pc, weights=w * pv, minlength=k) / sw
        dt_ = pt - t_bar[pc]
        sxx = np.bincount(pc, weights=w * dt_ * dt_, minlength=k)
        sxy = np.bincount(pc, weights=w * dt_ * (pv - v_bar[pc]), minlength=k)
        fitted = (n_points >= 2) & ~milestone & ~is_period  # no projection of a period's worst or mean
        slope = np.where(fitted, sxy / sxx, np.nan)
        projected = np.where(fitted, v_bar + slope * (due - t_bar), np.nan)
        projected = np.where(np.isfinite(lower) & (projected < lower), lower, projected)
        projected = np.where(np.isfinite(upper) & (projected > upper), upper, projected)
        projected_completion = np.where(fitted & measurable, (projected - base_v) / distance, np.nan)

    achieved = has_obs & meets(head["comparator"], latest, target, higher)
    s = {status: i for i, status in enumerate(STATUSES)}
    final_in = has_obs & (np.abs(latest_t - due) <= SAME_TIME)
    judged = final_in | (as_of >= due + AWAITING_FINAL_GRACE_YEARS)
    status_code = np.select(
        [
            np.isfinite(until) & (until < as_of),
            past_due & ~has_obs,
            past_due & judged & achieved,
            past_due & judged,
            past_due,
            achieved,
            is_period & ~has_obs,
            is_each,
            is_average,
            milestone & has_obs,
            milestone | ~fitted,
            d * slope < 0,
            ~measurable & (d * (projected - target) >= 0),
            ~measurable,
            projected_completion >= ON_TRACK_AT,
            projected_completion >= NEEDS_ACCELERATION_AT,
        ],
        [
            s[NOT_APPLICABLE],
            s[INSUFFICIENT_DATA],
            s[ACHIEVED],
            s[MISSED],
            s[AWAITING_FINAL],
            s[ACHIEVED],
            s[INSUFFICIENT_DATA],
            s[MISSED],  # a year of the period already fell short: "every year" can no longer be met
            s[NEEDS_ACCELERATION],  # the mean so far is short: the remaining years must make up for it
            s[NEEDS_ACCELERATION],
            s[INSUFFICIENT_DATA],
            s[REGRESSING],
            s[ON_TRACK],
            s[OFF_TRACK],
            s[ON_TRACK],
            s[NEEDS_ACCELERATION],
        ],
        default=s[OFF_TRACK],
    )
    awaiting = status_code == s[AWAITING_FINAL]
    provisional = np.full(k, np.nan, dtype=object)
    provisional[awaiting] = np.where(achieved[awaiting], ACHIEVED, MISSED)

    sdg_value, sdg_status = _opensdg_arrays(base_t, base_v, latest_t, latest, target, due, d, milestone)

    return pd.DataFrame(
        {
            "status": _STATUS_ARRAY[status_code],
            "latest": latest,
            "latest_time": latest_t,
            "gap": gap,
            "completion": completion,
            "expected_completion": expected,
            "projected": projected,
            "projected_completion": projected_completion,
            "required_pace_per_year": pace,
            "slope": slope,
            "opensdg_value": sdg_value,
            "opensdg_status": sdg_status,
            "latest_after_deadline": after_v,
            "latest_after_deadline_time": after_t,
            "provisional_status": provisional,
        },
        index=pd.Index(ids, name="target_id"),
    )


# --- roll-ups ------------------------------------------------------------------------------------------------


_STATUS_INDEX = pd.Index(STATUSES)


def rollup(assessed: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts per status for each group of `by` (e.g. locality × pillar), one column per status in
    `STATUSES` (zero when absent), plus `total` and `share_on_track`.

    share_on_track = (achieved + on_track) / the group's assessable targets, i.e. excluding
    not_applicable (the target no longer counts), insufficient_data (nothing to judge it on) and
    awaiting_final (its final figure is not in yet), so a city is neither flattered nor penalised for
    targets without data. NaN when none is assessable. Every page, file and report takes its counts
    and shares from here: nothing recounts statuses by hand.
    With `by` empty, one row for all targets, labelled "all".

    Counted with numpy (`bincount` over each row's group and status codes): the same table as pandas'
    groupby and value_counts, a tenth of the time — pages roll up several times per request (issue #20).
    Groups are sorted, a missing key is a group of its own (last), as `groupby(sort=True, dropna=False)`.
    """
    if by:
        codes, levels = [], []
        for name in by:
            code, unique = pd.factorize(assessed[name], sort=True, use_na_sentinel=False)
            codes.append(code)
            levels.append(unique)
        shape = tuple(max(len(level), 1) for level in levels)
        combined = np.ravel_multi_index(codes, shape) if len(assessed) else np.zeros(0, dtype=np.intp)
        present, group = np.unique(combined, return_inverse=True)
        parts = np.unravel_index(present, shape)
        if len(by) == 1:
            index = pd.Index(levels[0].take(parts[0]), name=by[0])
        else:
            index = pd.MultiIndex.from_arrays(
                [level.take(part) for level, part in zip(levels, parts, strict=True)], names=list(by)
            )
    else:
        group = np.zeros(len(assessed), dtype=np.intp)
        index = pd.Index(["all"] if len(assessed) else [], name="group")
    groups = len(index)
    status = _STATUS_INDEX.get_indexer(assessed["status"])  # -1: not a status
    known = status >= 0
    cells = np.bincount(group[known] * len(STATUSES) + status[known], minlength=groups * len(STATUSES))
    counts = pd.DataFrame(cells.reshape(groups, len(STATUSES)), index=index, columns=list(STATUSES)).astype(
        int
    )
    counts["total"] = np.bincount(group, minlength=groups).astype(int)
    assessable = counts["total"] - counts[NOT_APPLICABLE] - counts[INSUFFICIENT_DATA] - counts[AWAITING_FINAL]
    counts["share_on_track"] = (counts[ACHIEVED] + counts[ON_TRACK]) / assessable.where(assessable > 0)
    counts["assessable"] = assessable  # the share's denominator: a page saying "x % of N" names this N
    return counts


def most_behind(assessed: pd.DataFrame, n: int = 3, by: list[str] | None = None) -> pd.DataFrame:
    """The n targets most behind, overall or per group of `by`, largest shortfall first.

    shortfall = expected_completion − projected_completion (where the target should be by now against
    where its trajectory takes it by the deadline), among targets neither achieved nor not_applicable
    and for which both figures exist. Returns those rows of `assessed` with a `shortfall` column.
    """
    candidates = assessed.loc[~assessed["status"].isin([ACHIEVED, NOT_APPLICABLE])].copy()
    candidates["shortfall"] = candidates["expected_completion"] - candidates["projected_completion"]
    candidates = candidates.loc[candidates["shortfall"].notna()]
    # Stable sort on the index first, so ties come out in target order.
    candidates = candidates.sort_index(kind="stable").sort_values("shortfall", ascending=False, kind="stable")
    if not by:
        return candidates.head(n)
    top = candidates.groupby(by, dropna=False, observed=True, sort=False).head(n)
    return top.sort_values(list(by), kind="stable")
