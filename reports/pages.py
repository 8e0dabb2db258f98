"""One page model per page: what each dashboard, open-data file and the Excel report shows — and the only
caller of the progress engine.

Each page model fetches its frames with `reports.selectors` (a fixed number of queries), assesses them with
the engine (`assess`: `targets.progress.assess_frame` on the figures known at `as_of`), and hands the
results to what shapes them: `reports.dashboards` (rows, cards and figures), `reports.opendata` (the open
files) or `reports.excel.data` (the report's rows). Views call these and nothing below them, so a target
has the same figures on a page, in `/open-data/progress.*` and in the Excel report for the same data and
as-of quarter.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.utils import timezone
from pandas.api.types import is_object_dtype

from targets import progress
from targets.cache import (
    cached,
    caching,
    figure_epoch,
    figure_versions,
    full_key,
    stored_assessments_on,
)
from targets.formatting import national_floor, provenance_badge, target_text
from targets.frameworks import framework_for_year
from targets.models import Origin, Unit
from targets.periods import live_quarters, period_end_date, period_end_time, previous_period_code
from targets.selectors import catalogue as catalogue_selectors

from . import charts, dashboards, opendata, selectors
from .display import AsOf, level_label
from .excel import data as excel_data
from .excel.writer import ReportData
from .selectors import ProgressInputs

_SERIES = ("indicator_id", "locality_id", "level")  # a series: what observations are reported against
# The engine's target columns (its frame without the observations) and the series they belong to.
_ENGINE_TARGET_COLUMNS = (
    *_SERIES,
    *(c for c in progress.FRAME_COLUMNS if not c.startswith("obs_")),
    *progress.AGGREGATION_COLUMNS,
)
# Per target, what is shown beside the figures the engine chose: where they come from and when they
# became known (`targets.known`).
DESCRIBED = ("period", "origin", "known_on", "known_basis", "ranked_among")


# --- the engine ---------------------------------------------------------------------------------------------


def _bounds(targets: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    """Each target's domain (`progress.domain_bounds`): a rank's upper bound is the number ranked in the
    series' newest known ranking (63 when none is known)."""
    bounds = {unit: progress.domain_bounds(unit) for unit in targets["unit"].unique().tolist()}
    lower = targets["unit"].map({unit: low for unit, (low, _high) in bounds.items()}).astype(float)
    upper = targets["unit"].map({unit: high for unit, (_low, high) in bounds.items()}).astype(float)
    is_rank = (targets["unit"] == Unit.RANK).to_numpy()
    if is_rank.any():
        ranked = obs.loc[obs["ranked_among"].notna(), [*_SERIES, "obs_time", "ranked_among"]]
        newest = ranked.sort_values([*_SERIES, "obs_time"]).groupby(list(_SERIES)).tail(1)
        among = targets[list(_SERIES)].merge(newest, on=list(_SERIES), how="left")["ranked_among"]
        among = pd.to_numeric(among, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        among = np.where(np.isfinite(among) & (among >= 1), among, progress.RANKED_UNITS_BEFORE_2024)
        upper = upper.where(~is_rank, among)
    return pd.DataFrame({"lower": lower.to_numpy(), "upper": upper.to_numpy()}, index=targets.index)


def _figures_at(obs: pd.DataFrame) -> pd.DataFrame:
    """Each series' figure at each time, described (`DESCRIBED`): a quarter wins over the year ending with it."""
    return (
        obs.assign(is_quarter=obs["obs_period"].str.contains("-Q", regex=False))
        .sort_values([*_SERIES, "obs_time", "is_quarter"])
        .drop_duplicates([*_SERIES, "obs_time"], keep="last")
        .rename(columns={"obs_period": "period"})[[*_SERIES, "obs_time", *DESCRIBED]]
    )


def _describe(
    targets: pd.DataFrame, assessed: pd.DataFrame, at: pd.DataFrame, time_column: str, prefix: str
) -> None:
    """Add `<prefix>_period`, `_origin`, `_known_on`, `_known_basis` to `assessed`: those of the figure at
    `time_column` in the target's series (`at`: `_figures_at` of the figures known). No query."""
    wanted = targets[["target_id", *_SERIES]].set_index("target_id").reindex(assessed.index)
    wanted["obs_time"] = assessed[time_column].to_numpy(dtype=float)
    found = wanted.reset_index().merge(at, on=[*_SERIES, "obs_time"], how="left").set_index("target_id")
    for column in DESCRIBED:
        values = found[column].reindex(assessed.index)
        assessed[f"{prefix}_{column}"] = values.where(values.notna(), np.nan)


def _engine(inputs: ProgressInputs, obs: pd.DataFrame, as_of: float) -> pd.DataFrame:
    """The engine's results with each target's domain (`lower`, `upper`) beside them."""
    targets = inputs.targets
    engine = targets[list(_ENGINE_TARGET_COLUMNS)].join(_bounds(targets, obs))
    long = engine.merge(obs[[*_SERIES, "obs_time", "obs_value"]], on=list(_SERIES), how="left")
    columns = [*progress.FRAME_COLUMNS, *progress.BOUND_COLUMNS, *progress.AGGREGATION_COLUMNS]
    assessed = progress.assess_frame(long[columns], as_of=as_of)
    bounds = engine.set_index("target_id")[list(progress.BOUND_COLUMNS)]
    return assessed.join(bounds)


def assess(inputs: ProgressInputs, as_of: float, *, described: bool = True) -> pd.DataFrame:
    """Every target's assessment at `as_of` with what was known then, indexed by target_id, with
    `latest_period`, `latest_origin`, `latest_known_on`, `latest_known_basis`, `latest_ranked_among` (a
    rank's basis: how many units were ranked) (and the same `after_*` for
    the figure after the deadline) and the label columns when the inputs carry them. No query: pure pandas
    and the engine. `described=False`: the engine's columns and the domain only (no `latest_*`/`after_*`
    descriptions, no labels), what a comparison with an earlier quarter needs."""
    labelled = "locality" in inputs.targets.columns
    descriptions = [f"{p}_{c}" for p in ("latest", "after") for c in DESCRIBED]
    if inputs.targets.empty:
        return pd.DataFrame(
            columns=[
                *progress.RESULT_COLUMNS,
                *progress.BOUND_COLUMNS,
                *descriptions,
                *(c for c in inputs.targets.columns if labelled and c != "target_id"),
            ]
        )
    obs = inputs.known_at(as_of)
    assessed = _engine(inputs, obs, as_of)
    if not described:
        return assessed
    at = _figures_at(obs)
    _describe(inputs.targets, assessed, at, "latest_time", "latest")
    _describe(inputs.targets, assessed, at, "latest_after_deadline_time", "after")
    if labelled:
        assessed = assessed.join(inputs.targets.set_index("target_id"))
    return assessed


# The Excel report assesses the country's targets at a quarter not stored (the one before its as-of) a few
# localities at a time: the engine's (target × observation) frame of the whole country was most of the job's
# memory (356 MiB at national scale, issue #20).
ASSESS_CHUNK = 5


def assess_by_localities(
    inputs: ProgressInputs, as_of: float, size: int = ASSESS_CHUNK, *, described: bool = True
) -> pd.DataFrame:
    """`assess(inputs, as_of, described=…)` made `size` localities at a time: the same rows in the same order
    (each series is assessed on its own), with the engine's working frames of a few localities in memory at
    once. No query."""
    localities = sorted(inputs.targets["locality_id"].unique().tolist()) if not inputs.targets.empty else []
    if len(localities) <= size:
        return assess(inputs, as_of, described=described)
    targets_of = inputs.targets["locality_id"].to_numpy()
    observations_of = inputs.observations["locality_id"].to_numpy()
    parts = []
    for start in range(0, len(localities), size):
        chunk = localities[start : start + size]
        part = ProgressInputs(
            targets=inputs.targets[np.isin(targets_of, chunk)],
            observations=inputs.observations[np.isin(observations_of, chunk)],
        )
        parts.append(assess(part, as_of, described=described))
    return pd.concat(parts).sort_index()  # the engine's order: by target id


def statuses_at(inputs: ProgressInputs, times: list[float]) -> dict[float, pd.Series]:
    """Each target's status at each of `times` (the heatmap's quarters), each with what was known then.
    No query."""
    if inputs.targets.empty:
        return {t: pd.Series(dtype=object) for t in times}
    return {t: _engine(inputs, inputs.known_at(t), t)["status"] for t in times}


def live_code(as_of: float) -> str | None:
    """The live quarter (`targets.periods.live_quarters`) ending at `as_of`, whose assessments are stored
    (`reports.assessments`); None for another as-of, or when the table is switched off."""
    if not stored_assessments_on():
        return None
    return next((c for c in live_quarters(timezone.localdate()) if period_end_time(c) == as_of), None)


def _stored(as_of: float, **narrow: Any) -> pd.DataFrame | None:
    """The stored assessments at `as_of` when it is a live quarter and the table holds every target
    narrowed to, else None. One locality's rows are kept in the cache and brought up to date (`_kept`: two
    queries, the second only of the targets a write re-assessed); otherwise one query."""
    code = live_code(as_of)
    if code is None:
        return None
    ids = narrow.get("locality_ids")
    if caching() and ids is not None and len(ids) == 1:
        frame = _kept(code, narrow)
    else:
        frame = selectors.stored_assessments(as_of_code=code, **narrow)
    return None if frame is None else frame.drop(columns=selectors.STORED_ID)


def _kept(code: str, narrow: dict[str, Any]) -> pd.DataFrame | None:
    """`selectors.stored_assessments` of one locality, from the copy kept in the cache brought up to date.

    A write replaces the stored row of each target it re-assesses (`reports.assessments.reassess`), so a
    stored row's id names one assessment of one version of its target. Each kept row carries the id it was
    read from; the ids of now (`selectors.stored_ids`, one small query) tell which targets changed, came or
    went, and only those are read again (issue #20: after an approval, the series' few rows instead of the
    locality's 1,500 with their labels). Anything the rows cannot be merged with exactly as a full read
    would give them (`_merged`) is read in full."""
    key = full_key(("stored-rows", figure_epoch(), code, *sorted((k, repr(v)) for k, v in narrow.items())))
    kept = cache.get(key)
    frame = None
    if kept is not None:
        where = {k: v for k, v in narrow.items() if k != "labels"}
        current = selectors.stored_ids(as_of_code=code, **where)
        if current is None:
            return None
        changed = current.index[
            ~(kept[selectors.STORED_ID].reindex(current.index).to_numpy() == current.to_numpy())
        ]
        if len(changed) == 0 and len(kept) == len(current):
            return kept
        if len(changed) <= len(current) // 2:
            fresh = selectors.stored_assessments(as_of_code=code, target_ids=list(changed), **narrow)
            if fresh is not None and len(fresh) == len(changed):
                frame = _merged(kept, fresh, current.index)
    if frame is None:
        frame = selectors.stored_assessments(as_of_code=code, **narrow)
        if frame is None:
            return None
    cache.set(key, frame)
    return frame


def _merged(kept: pd.DataFrame, fresh: pd.DataFrame, order: pd.Index) -> pd.DataFrame | None:
    """The rows of `kept` with those of `fresh` in their place, in `order` (the targets of now): the frame a
    full read would give, or None when that cannot be told from the parts.

    A full read infers some columns' types from all their values (an integer column with a missing value
    is a float column; a column of nothing but missing values is an object column of what the read gives
    for nothing), so a part's type may differ from the whole's: such a column is cast to the kept type,
    then to what the whole's values make of it."""
    fresh = fresh.copy()
    cast: dict[str, pd.Series] = {}
    for column in kept.columns:
        was, part = kept[column].dtype, fresh[column].dtype
        if was == part:
            continue
        integers = was == np.float64 and part.kind == "i"
        nothing = not is_object_dtype(was) and is_object_dtype(part) and fresh[column].isna().all()
        if not (integers or nothing):
            return None
        cast[column] = fresh[column]
        fresh[column] = fresh[column].astype(np.float64 if was.kind in "iu" else was)
    merged = pd.concat([kept[kept.index.isin(order) & ~kept.index.isin(fresh.index)], fresh]).loc[order]
    for column, part in cast.items():
        missing = merged[column].isna()
        if part.dtype.kind == "i" and not missing.any():
            merged[column] = merged[column].astype(part.dtype)  # integers again, none missing
        elif is_object_dtype(part.dtype) and missing.all():
            nothing = np.empty(len(merged), dtype=object)  # nothing anywhere: as the read gives nothing
            nothing[:] = [part.iloc[0]] * len(merged)
            merged[column] = nothing
    return merged


def assessed_at(
    as_of: float,
    *,
    locality_ids: list[int] | None = None,
    pillar: str | None = None,
    indicator_code: str | None = None,
    labels: bool | str = False,
) -> pd.DataFrame:
    """What `assess` gives for the targets narrowed to at `as_of`: read from the stored assessments at a live
    quarter (one query), else computed (three more)."""
    narrow = {
        "locality_ids": locality_ids,
        "pillar": pillar,
        "indicator_code": indicator_code,
        "labels": labels,
    }
    stored = _stored(as_of, **narrow)
    if stored is not None:
        return stored
    return assess(selectors.progress_inputs(**narrow), as_of)


def progress_table(*, as_of: float, locality_ids: list[int] | None = None) -> pd.DataFrame:
    """Every target's assessment at `as_of` (`assessed_at`), all localities unless narrowed: the path of
    `/open-data/progress.*`. One query at a live quarter, else four."""
    return assessed_at(as_of, locality_ids=locality_ids)


# --- the dashboards ------------------------------------------------------------------------------------------


def overview(*, localities: list[dict], as_of: AsOf, counts: dict[str, Any] | None = None) -> dict[str, Any]:
    """/dashboard/: the localities × pillars matrix and each city's DTI rank history; `counts`: the
    matrix's counts when the caller has them (`overview_counts`, e.g. cached per locality)."""
    ids = [loc["id"] for loc in localities]
    pillars = selectors.pillars()
    if counts is None:
        counts = dashboards.merge_overview_counts(
            list(overview_counts(localities=localities, as_of=as_of).values())
        )
    ranks = selectors.dti_rank_history(locality_ids=ids, as_of=as_of.time)
    former = selectors.former_unit_figures(locality_ids=ids, as_of=as_of.time, indicator_code="dti_rank")
    page = dashboards.overview(
        localities=localities, pillars=pillars, counts=counts, ranks=ranks, former=former, as_of=as_of
    )
    frameworks = selectors.frameworks()
    for row in page.get("rank_rows", []):  # a rank is a rank of the framework of its year (issue #21)
        row["framework"] = _framework_label(frameworks, row["year"])
    return page


def overview_counts(*, localities: list[dict], as_of: AsOf) -> dict[int, dict[str, Any]]:
    """The overview's counts (`dashboards.overview_counts`) of each of `localities`, by locality id: at a
    live quarter from the stored statuses alone (one query), else from the engine."""
    ids = [loc["id"] for loc in localities]
    code = live_code(as_of.time)
    assessed = None if code is None else selectors.stored_statuses(as_of_code=code, locality_ids=ids)
    if assessed is None:
        assessed = assessed_at(as_of.time, locality_ids=ids, labels="slugs")
    counts = dashboards.overview_counts(assessed)
    return {loc["id"]: dashboards.overview_counts_of(counts, loc["slug"]) for loc in localities}


def city(*, locality: dict, as_of: AsOf) -> dict[str, Any]:
    """/dashboard/<locality>/: a card per pillar, the 2025 outcome and the road to 2030."""
    pillars = selectors.pillars()
    assessed = assessed_at(as_of.time, locality_ids=[locality["id"]], labels=True)
    return dashboards.city(
        pillars=pillars, assessed=assessed, as_of=as_of, locality=locality, remember=("city", locality["id"])
    )


def city_brief(*, locality: dict, as_of: AsOf, with_departments: bool) -> dict[str, Any]:
    """/dashboard/<locality>/brief/: the one-page leader brief — each pillar now and a quarter before, what
    changed, the five targets most behind (with the department that reports each, when `with_departments`)
    and the DTI rank with its basis. A fixed number of queries whatever the data size."""
    pillars = selectors.pillars()
    inputs = selectors.progress_inputs(locality_ids=[locality["id"]], labels=True)
    previous = as_of.time - 0.25
    ranks = selectors.dti_rank_history(locality_ids=[locality["id"]], as_of=as_of.time)
    departments = selectors.responsible_departments(locality_id=locality["id"]) if with_departments else {}
    return dashboards.city_brief(
        pillars=pillars,
        assessed=assess(inputs, as_of.time),
        before=assess(inputs, previous),
        previous_code=charts.quarter_code(previous),
        ranks=ranks,
        departments=departments,
        as_of=as_of,
        locality=locality,
    )


def pillar(*, locality: dict, pillar: str, as_of: AsOf) -> dict[str, Any]:
    """/dashboard/<locality>/<pillar>/: the bullet chart, the status-by-quarter heatmap, the table rows."""
    times = charts.last_quarters(as_of.time, dashboards.HEATMAP_QUARTERS)
    stored = _stored(as_of.time, locality_ids=[locality["id"]], pillar=pillar, labels=True)
    if stored is None:
        inputs = selectors.progress_inputs(locality_ids=[locality["id"]], pillar=pillar, labels=True)
        page = dashboards.pillar(
            assessed=assess(inputs, as_of.time),
            history=statuses_at(inputs, times),
            demo_figures=_demo_figures(inputs),
            as_of=as_of,
            remember=("pillar", locality["id"], pillar),
        )
    else:
        # The heatmap's earlier quarters: computed once per version of this locality's figures up to then (a
        # write for the current quarter leaves them as they are); the last one is the stored status.
        past = _pillar_history(locality_id=locality["id"], pillar=pillar, times=tuple(times[:-1]))
        page = dashboards.pillar(
            assessed=stored,
            history={**past["history"], times[-1]: stored["status"]},
            demo_figures=past["demo"],
            as_of=as_of,
            remember=("pillar", locality["id"], pillar),
        )
    _with_national_floors(page["rows"])
    frameworks = selectors.frameworks()
    for row in page["rows"]:  # a DTI score or rank is one of its year's framework (issue #21)
        if row["indicator_code"] in DTI_RESULTS and row.get("latest_period"):
            row["framework"] = _framework_label(frameworks, int(str(row["latest_period"])[:4]))
    if pillar == DTI_PILLAR:
        page["dti_frame"] = selectors.dti_frame(locality_id=locality["id"], frameworks=frameworks)
    return page


# --- the national frame (issue #21) ----------------------------------------------------------------------------

DTI_PILLAR = "dti"
DTI_RESULTS = ("dti_score", "dti_rank")  # the index's own results: each is a result of one framework


def _framework_label(frameworks: list[dict], year: int) -> str:
    fw = framework_for_year(frameworks, year)
    return fw["decision"] if fw else ""


def _with_national_floors(rows: list[dict[str, Any]]) -> None:
    """Add to each row the national target it derives from (`national`: text, document, provenance label,
    below the floor or not), or None. One query for all rows."""
    floors = catalogue_selectors.national_targets_of([r["id"] for r in rows])
    for row in rows:
        link = floors.get(row["id"])
        row["national"] = (
            national_floor(link["national"], city=link["city"], higher_is_better=link["higher_is_better"])
            if link
            else None
        )


def _demo_figures(inputs: ProgressInputs) -> bool:
    """Whether any figure of the inputs is a demo value (it may colour a heatmap cell)."""
    return bool((inputs.observations["origin"] == Origin.DEMO).any())


def _pillar_history(*, locality_id: int, pillar: str, times: tuple[float, ...]) -> dict[str, Any]:
    """Each target's status at each of `times` (past quarters) and whether a demo figure is among the
    inputs, cached under the version of the locality's figures up to the last of `times` (one query; three
    more to compute)."""

    def compute() -> dict[str, Any]:
        inputs = selectors.progress_inputs(locality_ids=[locality_id], pillar=pillar)
        return {"history": statuses_at(inputs, list(times)), "demo": _demo_figures(inputs)}

    if not times:
        return {"history": {}, "demo": False}
    last = period_end_date(charts.quarter_code(times[-1]))
    versions = functools.partial(figure_versions, [locality_id], last)
    return cached(("pillar-history", locality_id, pillar, times), compute, versions=versions)


def indicator(*, indicator: dict, localities: list[dict], as_of: AsOf) -> dict[str, Any]:
    """/indicators/<code>/: one line per city in scope (and level) with its targets."""
    inputs = selectors.progress_inputs(
        locality_ids=[loc["id"] for loc in localities], indicator_code=indicator["code"], labels=True
    )
    page = dashboards.indicator(
        indicator=indicator,
        localities=localities,
        inputs=inputs,
        assessed=assess(inputs, as_of.time),
        as_of=as_of,
    )
    _with_national_floors(page["rows"])
    page["national_targets"] = [
        {
            **n,
            "text": target_text(SimpleNamespace(**n)),
            "level_label": level_label(n["level"]) if n["level"] else "",
            "provenance_label": provenance_badge(n["provenance"]),
        }
        for n in selectors.national_targets(indicator_code=indicator["code"])
    ]
    return page


def series(*, indicator: dict, locality: dict, as_of: AsOf, full: bool = True) -> dict[str, Any]:
    """/indicators/<code>/<locality>/: the series' values, targets, straight lines and projections; in
    `full` (members) with the figures awaiting review shown as such, else approved and published only."""
    code = indicator["code"]
    inputs = selectors.progress_inputs(locality_ids=[locality["id"]], indicator_code=code, labels=True)
    actuals = selectors.series_actuals(
        indicator_code=code, locality_id=locality["id"], as_of=as_of.time, awaiting_review=full
    )
    former = selectors.former_unit_figures(
        locality_ids=[locality["id"]], as_of=as_of.time, indicator_code=code
    )
    if code in DTI_RESULTS:  # each score and rank with the framework of its year (issue #21): one query
        frameworks = selectors.frameworks()
        for actual in actuals:
            actual["framework"] = _framework_label(frameworks, int(actual["period__year"]))
    return dashboards.series(
        indicator=indicator,
        inputs=inputs,
        assessed=assess(inputs, as_of.time),
        actuals=actuals,
        former=former,
        as_of=as_of,
    )


def reporting_status(*, localities: list[dict], as_of: AsOf) -> dict[str, Any]:
    """/reporting-status/ (Open SDG's reporting status): per city and pillar, how many targets have current
    data — an approved or published figure known at `as_of` for a period ending in the year before it —
    and each department's last report. Five queries."""
    ids = [loc["id"] for loc in localities]
    inputs = selectors.progress_inputs(locality_ids=ids, labels="slugs")
    targets = inputs.targets
    rows: list[dict[str, Any]] = []
    if not targets.empty:
        obs = inputs.known_at(as_of.time)
        newest = obs.groupby(list(_SERIES))["obs_time"].max().rename("newest").reset_index()
        joined = targets.merge(newest, on=list(_SERIES), how="left")
        joined["current"] = joined["newest"].to_numpy(dtype=float, na_value=np.nan) > as_of.time - 1 - 1e-9
        counts = joined.groupby(["locality", "pillar"]).agg(
            total=("target_id", "size"), current=("current", "sum")
        )
        rows = [
            {"locality": loc, "pillar": pil, "total": int(r["total"]), "current": int(r["current"])}
            for (loc, pil), r in counts.iterrows()
        ]
    return {
        "coverage": dashboards.reporting_coverage(
            localities=localities, pillars=selectors.pillars(), rows=rows
        ),
        "departments": dashboards.reporting_departments(
            localities=localities, departments=selectors.department_reporting(locality_ids=ids)
        ),
    }


# --- open data and the Excel report --------------------------------------------------------------------------


def open_data_targets() -> list[dict]:
    """The open-data target rows of the publishing localities: one query."""
    return opendata.target_rows(selectors.open_targets(), selectors.open_dti_indices_by_indicator())


# The national files are made a few localities at a time (ordered by slug, as the files are): the memory
# they take depends on the largest chunk, not on the country (issue #19).
OPEN_DATA_CHUNK = 5


def _locality_chunks(size: int) -> Iterator[list[int]]:
    """The publishing localities' ids, `size` at a time in slug order: one query."""
    ids = [loc["id"] for loc in selectors.publishing_localities()]
    for start in range(0, len(ids), max(1, size)):
        yield ids[start : start + size]


def _progress_rows(*, as_of: AsOf, locality_ids: list[int] | None, dti: dict[int, str]) -> list[dict]:
    """Open-data target rows with the progress columns for `as_of` (all publishing localities, or those of
    `locality_ids`), `dti` the indicators' DTI indices (`selectors.open_dti_indices_by_indicator`): four
    queries."""
    rows = opendata.target_rows(selectors.open_targets(locality_ids=locality_ids), dti)
    table = progress_table(as_of=as_of.time, locality_ids=locality_ids)
    pairs = [(row["target_id"], row) for row in rows]
    return opendata.progress_rows(pairs, table, as_of_code=as_of.code, provisional=as_of.provisional)


def open_data_progress(*, as_of: AsOf) -> list[dict]:
    """Open-data target rows with the progress columns for `as_of`, every publishing locality at once (the
    paged JSON and the cached rows): five queries."""
    return _progress_rows(as_of=as_of, locality_ids=None, dti=selectors.open_dti_indices_by_indicator())


def open_data_progress_of(*, as_of: AsOf, locality_ids: list[int]) -> list[dict]:
    """The rows of `open_data_progress` for `locality_ids` only, in the same order: four queries."""
    return _progress_rows(
        as_of=as_of, locality_ids=locality_ids, dti=selectors.open_dti_indices_by_indicator()
    )


def open_data_progress_chunked(*, as_of: AsOf, chunk: int = OPEN_DATA_CHUNK) -> Iterator[dict]:
    """The rows of `open_data_progress`, in the same order, assessed `chunk` localities at a time with the
    same engine path (`progress_table`): one query for the indicators' DTI indices, one for the localities,
    then four per chunk."""
    dti = selectors.open_dti_indices_by_indicator()
    for ids in _locality_chunks(chunk):
        yield from _progress_rows(as_of=as_of, locality_ids=ids, dti=dti)


def open_data_actuals(
    *, as_of: AsOf | None, narrow: dict[str, str] | None = None, chunk: int | None = OPEN_DATA_CHUNK
) -> Iterator[dict]:
    """Approved and published figures of the publishing localities with the day each became known; with
    `as_of`, those known at the end of that quarter; `narrow` (locality, indicator, pillar) read in SQL.
    One locality (or `chunk=None`): its frames at once, three queries; else `chunk` localities at a time
    (one query for the localities, then three per chunk). Rows made one at a time from the frames."""
    narrow = narrow or {}
    query = {
        "as_of": as_of.time if as_of else None,
        "indicator_code": narrow.get("indicator"),
        "pillar": narrow.get("pillar"),
    }
    if chunk is None or narrow.get("locality") is not None:
        yield from opendata.actual_rows(selectors.open_actuals(locality=narrow.get("locality"), **query))
        return
    for ids in _locality_chunks(chunk):
        yield from opendata.actual_rows(selectors.open_actuals(locality_ids=ids, **query))


def open_data_rows(
    dataset: str, *, as_of: AsOf | None, narrow: dict[str, str] | None = None, streamed: bool = False
) -> Iterable[dict]:
    """The rows of one open dataset (`reports.schema.DATASETS`), in its column order; `narrow`: filters a
    dataset may apply in SQL (the view's filters are applied to every row after); `streamed`: progress
    made a few localities at a time (`open_data_progress_chunked`) for a streamed file."""
    if dataset == "targets":
        return open_data_targets()
    if dataset == "progress":
        return open_data_progress_chunked(as_of=as_of) if streamed else open_data_progress(as_of=as_of)
    if dataset == "actuals":
        return open_data_actuals(as_of=as_of, narrow=narrow)
    if dataset == "localities":
        return opendata.locality_rows(selectors.publishing_localities())
    if dataset == "indicators":
        return opendata.indicator_rows(selectors.open_indicators())
    if dataset == "documents":
        return opendata.document_rows(selectors.open_documents())
    if dataset == "plan_tasks":
        return opendata.plan_task_rows(selectors.open_plan_tasks())
    # The national frame (issue #21).
    if dataset == "national_targets":
        return opendata.national_target_rows(selectors.open_national_targets())
    if dataset == "dti_frameworks":
        return opendata.framework_rows(selectors.frameworks())
    if dataset == "dti_indices":
        return opendata.index_rows(selectors.open_framework_indices())
    if dataset == "dti_indicator_links":
        return opendata.indicator_link_rows(selectors.open_indicator_links())
    if dataset == "dti_task_links":
        return opendata.task_link_rows(selectors.open_task_links())
    if dataset == "dti_index_scores":
        return opendata.index_score_rows(selectors.open_index_scores())
    raise KeyError(dataset)


def report(
    *, locality_ids: list[int], as_of: AsOf, pillar_slugs: list[str] | None, today: dt.date
) -> ReportData:
    """What the Excel report (and the Báo cáo, `reports.bao_cao`) shows: the localities' targets assessed at
    `as_of` and at the period before it (the change since then), the engine's roll-up per pillar and per
    locality for the summary sheet, the figures known then, and the report's other rows
    (`reports.excel.data`). A fixed number of queries whatever the data size."""
    # The stored assessments at a live quarter (issue #20): no engine run, nor its long frame in memory.
    assessed = _stored(as_of.time, locality_ids=locality_ids, labels="slugs")
    if assessed is None:
        inputs = selectors.progress_inputs(locality_ids=locality_ids, labels="slugs")
        assessed = assess_by_localities(inputs, as_of.time)
    else:  # the targets came with their stored rows: only the figures are fetched
        inputs = ProgressInputs(
            targets=assessed.drop(columns=list(selectors.STORED_COLUMNS)).reset_index(),
            observations=selectors.observations_frame(locality_ids=locality_ids),
        )
    previous_code = previous_period_code(as_of.code)
    before = _stored(period_end_time(previous_code), locality_ids=locality_ids, labels="slugs")
    if before is None:  # only each target's figure and status then are shown: the engine's columns
        before = assess_by_localities(inputs, period_end_time(previous_code), described=False)
    # The summary sheet: the engine's roll-up per pillar, and per locality, as every page shows it.
    by_pillar = progress.rollup(assessed, by=["pillar"]) if not assessed.empty else pd.DataFrame()
    by_locality = progress.rollup(assessed, by=["locality"]) if not assessed.empty else pd.DataFrame()
    observations = inputs.known_at(as_of.time).sort_values(
        ["locality_id", "indicator_id", "level", "obs_time"]
    )
    return excel_data.report_data(
        locality_ids=locality_ids,
        as_of_code=as_of.code,
        pillar_slugs=pillar_slugs,
        today=today,
        provisional=as_of.provisional,
        assessed=assessed,
        summary=by_pillar.to_dict(orient="index"),
        observations=observations,
        previous=before,
        previous_code=previous_code,
        locality_summary={str(loc): row for loc, row in by_locality.to_dict(orient="index").items()},
    )
