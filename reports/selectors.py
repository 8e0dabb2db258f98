"""Reads for dashboards, reports and open data: database rows → plain frames → the progress engine.

One code path for every consumer (pages, Excel, open data): `progress_inputs` makes two queries (targets,
approved observations) whatever the number of localities, indicators and quarters, and
`ProgressInputs.at(as_of)` hands plain data to the pure engine. `progress_table` is that path for all
targets; the dashboards call the same path narrowed to a locality, a pillar or an indicator, so a target
has the same figures on a page as in `/open-data/progress.*` for the same data and as-of quarter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connections
from django.db.models import FloatField, QuerySet
from django.db.models.functions import Cast

from targets import known, progress
from targets import selectors as target_selectors
from targets.models import Actual, Indicator, Locality, Pillar, Status, Target, Unit

from . import excel, opendata

_TARGET_FIELDS = (
    "id",
    "indicator_id",
    "locality_id",
    "level",
    "year",
    "comparator",
    "value",
    "value_max",
    "unit",
    "baseline_year",
    "baseline_value",
    "applies_until",
    "indicator__higher_is_better",
)
_SERIES = ("indicator_id", "locality_id", "level")  # a series: what observations are reported against
_DECIMAL_FIELDS = ("value", "value_max", "baseline_value")
# What pages show beside the figures; fetched in the same query (joins), renamed as below.
_LABEL_FIELDS = {
    "locality__slug": "locality",
    "locality__name": "locality_name",
    "locality__name_en": "locality_name_en",
    "indicator__code": "indicator_code",
    "indicator__name": "indicator_name",
    "indicator__name_en": "indicator_name_en",
    "indicator__order": "indicator_order",
    "indicator__pillar__slug": "pillar",
    "indicator__pillar__order": "pillar_order",
}
# Enough to group by locality and pillar (the overview): the joins cost time at national scale.
_SLUG_FIELDS = {"locality__slug": "locality", "indicator__pillar__slug": "pillar"}
LABEL_COLUMNS: tuple[str, ...] = (
    *_LABEL_FIELDS.values(),
    "year",
    "level",
    "unit",
    "comparator",
    "value",
    "value_max",
    "baseline_year",
    "baseline_value",
)


def open_data_targets() -> list[dict]:
    """The open-data target rows: one query."""
    return opendata.target_rows(target_selectors.targets_for_open_data())


def _narrow(
    qs: QuerySet, *, locality_ids: list[int] | None, pillar: str | None, indicator_code: str | None
) -> QuerySet:
    if locality_ids is not None:
        qs = qs.filter(locality_id__in=locality_ids)
    if pillar is not None:
        qs = qs.filter(indicator__pillar__slug=pillar)
    if indicator_code is not None:
        qs = qs.filter(indicator__code=indicator_code)
    return qs


def _frame(qs: QuerySet, columns: list[str]) -> pd.DataFrame:
    """A `values_list()` queryset as a frame with `columns`: one query, its rows straight from the driver.

    Django's per-value converters are skipped (at national scale they cost more than the query): booleans
    may come as 0/1 and dates as text (SQLite), so callers convert whole columns.
    """
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        selected = [d[0] for d in cursor.description]  # Django names every column (`AS "…"`)
    return pd.DataFrame(rows, columns=selected)[columns] if rows else pd.DataFrame(columns=columns)


def _date_times(column: pd.Series) -> np.ndarray:
    """`targets.periods.date_to_time` for a column of dates (or ISO text, or None → NaN), vectorised."""
    day = pd.to_datetime(column, errors="coerce")
    years = day.dt.year + (day.dt.month - 1) / 12 + day.dt.day / day.dt.days_in_month / 12
    return years.to_numpy(dtype=float, na_value=np.nan)


_FIGURE_FIELDS = {
    "indicator_id": "indicator_id",
    "locality_id": "locality_id",
    "level": "level",
    "value_float": "obs_value",
    "period__code": "obs_period",
    "period__year": "year",
    "period__quarter": "quarter",
    "period__ends_on": "period_end",
    "origin": "origin",
    "status": "status",
    "ranked_among": "ranked_among",
    "reviewed_at": "reviewed_at",
}


def _figures(qs: QuerySet, extra: dict[str, str]) -> pd.DataFrame:
    """Figure rows of `qs` (actuals or their history records) with `_FIGURE_FIELDS` and `extra`, the
    value cast to a float in SQL (no Decimal object per row: most of the cost at national scale) and the
    time at the end of the period as decimal years."""
    fields = {**_FIGURE_FIELDS, **extra}
    frame = _frame(qs.annotate(value_float=Cast("value", FloatField())).values_list(*fields), list(fields))
    frame.columns = list(fields.values())
    quarter = frame["quarter"].astype(float)
    frame["obs_time"] = np.where(quarter.notna(), frame["year"] + quarter.fillna(0) / 4, frame["year"] + 1.0)
    frame["obs_value"] = frame["obs_value"].astype(float)
    return frame.drop(columns=["year", "quarter"])


def observations_frame(
    *,
    locality_ids: list[int] | None = None,
    pillar: str | None = None,
    indicator_code: str | None = None,
    statuses: tuple[str, ...] = (Status.APPROVED,),
) -> pd.DataFrame:
    """Every version of the figures (approved ones; `statuses` to add those awaiting review) with the time
    each became known and stopped being current (`targets.known`): `known.known_at(frame, as_of)` is what
    was known at the end of a quarter.

    Two queries (`values()` into pandas, no model instances): the figures as they are now, and the
    history records of the entered and imported ones (their approvals and corrections).
    """
    from targets.models import Origin

    narrow = {"locality_ids": locality_ids, "pillar": pillar, "indicator_code": indicator_code}
    current = _figures(
        _narrow(Actual.objects.filter(status__in=statuses), **narrow),
        {"id": "actual_id", "published_on": "published_on"},
    )
    # Entered and imported figures only: published and demo ones count from their own dates.
    history = _figures(
        _narrow(Actual.history.filter(origin__in=[Origin.ENTERED, Origin.IMPORTED]), **narrow),
        {
            "id": "actual_id",
            "history_id": "history_id",
            "history_date": "history_date",
            "history_type": "history_type",
        },
    )
    return known.known_versions(current, history, tz=settings.TIME_ZONE, statuses=statuses)


def _engine_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Target rows (`_TARGET_FIELDS`) as the engine's target columns."""
    return pd.DataFrame(
        {
            "target_id": frame["id"],
            "indicator_id": frame["indicator_id"],
            "locality_id": frame["locality_id"],
            "level": frame["level"],
            "comparator": frame["comparator"],
            "target_value": frame["value"].astype(float),
            "target_value_max": frame["value_max"].astype(float),
            "target_time": frame["year"].astype(float) + 1.0,  # a target "by 2025" is due at 2026.0
            "higher_is_better": frame["indicator__higher_is_better"].astype(bool),
            "applies_until": _date_times(frame["applies_until"]),
            "milestone": frame["unit"] == Unit.MILESTONE,
            "unit": frame["unit"],
            # A baseline "of year Y" stands at the end of that year, like an annual figure.
            "baseline_time": frame["baseline_year"].astype(float) + 1.0,
            "baseline_value": frame["baseline_value"].astype(float),
        }
    )


_ENGINE_TARGET_COLUMNS = (
    "target_id",
    "indicator_id",
    "locality_id",
    "level",
    "comparator",
    "target_value",
    "target_value_max",
    "target_time",
    "higher_is_better",
    "applies_until",
    "milestone",
    "baseline_time",
    "baseline_value",
)


def _targets_frame(
    *,
    locality_ids: list[int] | None,
    pillar: str | None,
    indicator_code: str | None,
    labels: bool | Literal["slugs"],
) -> pd.DataFrame:
    label_fields = _SLUG_FIELDS if labels == "slugs" else _LABEL_FIELDS if labels else {}
    fields = (*_TARGET_FIELDS, *label_fields)
    qs = _narrow(
        Target.objects.all(), locality_ids=locality_ids, pillar=pillar, indicator_code=indicator_code
    )
    # Decimals cast to floats in SQL, as in `observations_frame`.
    qs = qs.annotate(**{f"{name}_float": Cast(name, FloatField()) for name in _DECIMAL_FIELDS})
    selected = [f"{name}_float" if name in _DECIMAL_FIELDS else name for name in fields]
    frame = _frame(qs.values_list(*selected), selected)
    frame.columns = list(fields)
    out = _engine_columns(frame)
    if labels:
        named = frame.rename(columns=label_fields)
        for column in (*label_fields.values(), *([] if labels == "slugs" else LABEL_COLUMNS)):
            if column not in out.columns:
                out[column] = named[column].to_numpy()
    return out


def targets_frame(
    *, locality_ids: list[int] | None = None, pillar: str | None = None, indicator_code: str | None = None
) -> pd.DataFrame:
    """Targets as the engine's target columns. One query."""
    return _targets_frame(
        locality_ids=locality_ids, pillar=pillar, indicator_code=indicator_code, labels=False
    )


# Per target, what is shown beside the figures the engine chose: where they come from and when they
# became known (`targets.known`).
DESCRIBED = ("period", "origin", "known_on", "known_basis")


def _bounds(targets: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    """Each target's domain (`progress.domain_bounds`): a rank's upper bound is the number ranked in the
    series' newest known ranking (63 when none is known)."""
    lower = targets["unit"].map(lambda u: progress.domain_bounds(u)[0]).astype(float)
    upper = targets["unit"].map(lambda u: progress.domain_bounds(u)[1]).astype(float)
    is_rank = (targets["unit"] == Unit.RANK).to_numpy()
    if is_rank.any():
        ranked = obs.loc[obs["ranked_among"].notna(), [*_SERIES, "obs_time", "ranked_among"]]
        newest = ranked.sort_values([*_SERIES, "obs_time"]).groupby(list(_SERIES)).tail(1)
        among = targets[list(_SERIES)].merge(newest, on=list(_SERIES), how="left")["ranked_among"]
        among = pd.to_numeric(among, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        among = np.where(np.isfinite(among) & (among >= 1), among, progress.RANKED_UNITS_BEFORE_2024)
        upper = upper.where(~is_rank, among)
    return pd.DataFrame({"lower": lower.to_numpy(), "upper": upper.to_numpy()}, index=targets.index)


def _describe(
    targets: pd.DataFrame, assessed: pd.DataFrame, obs: pd.DataFrame, time_column: str, prefix: str
) -> None:
    """Add `<prefix>_period`, `_origin`, `_known_on`, `_known_basis` to `assessed`: those of the figure at
    `time_column` in the target's series (a quarter wins over the year ending with it). No query."""
    at = (
        obs.assign(is_quarter=obs["obs_period"].str.contains("-Q", regex=False))
        .sort_values([*_SERIES, "obs_time", "is_quarter"])
        .drop_duplicates([*_SERIES, "obs_time"], keep="last")
        .rename(columns={"obs_period": "period"})[[*_SERIES, "obs_time", *DESCRIBED]]
    )
    wanted = targets[["target_id", *_SERIES]].set_index("target_id").reindex(assessed.index)
    wanted["obs_time"] = assessed[time_column].to_numpy(dtype=float)
    found = wanted.reset_index().merge(at, on=[*_SERIES, "obs_time"], how="left").set_index("target_id")
    for column in DESCRIBED:
        values = found[column].reindex(assessed.index)
        assessed[f"{prefix}_{column}"] = values.where(values.notna(), np.nan)


@dataclass(frozen=True)
class ProgressInputs:
    """The targets and every version of their figures, fetched once; `at(as_of)` assesses them at any time
    with what was known then."""

    targets: pd.DataFrame
    observations: pd.DataFrame  # `known.VERSION_COLUMNS`: every version with when it was known

    def known_at(self, as_of: float) -> pd.DataFrame:
        """The figures known at the end of the period ending at `as_of` (one version per figure)."""
        return known.known_at(self.observations, as_of)

    def _assess(self, obs: pd.DataFrame, as_of: float) -> pd.DataFrame:
        """The engine's results with each target's domain (`lower`, `upper`) beside them."""
        targets = self.targets
        engine = targets[list(_ENGINE_TARGET_COLUMNS)].join(_bounds(targets, obs))
        long = engine.merge(obs[[*_SERIES, "obs_time", "obs_value"]], on=list(_SERIES), how="left")
        assessed = progress.assess_frame(
            long[[*progress.FRAME_COLUMNS, *progress.BOUND_COLUMNS]], as_of=as_of
        )
        bounds = engine.set_index("target_id")[list(progress.BOUND_COLUMNS)]
        return assessed.join(bounds)

    def at(self, as_of: float) -> pd.DataFrame:
        """Every target's assessment at `as_of`, indexed by target_id, with `latest_period`, `latest_origin`,
        `latest_known_on`, `latest_known_basis` (and the same `after_*` for the figure after the deadline)
        and the label columns when the inputs carry them. No query: pure pandas and the engine."""
        labelled = "locality" in self.targets.columns
        described = [f"{p}_{c}" for p in ("latest", "after") for c in DESCRIBED]
        if self.targets.empty:
            return pd.DataFrame(
                columns=[
                    *progress.RESULT_COLUMNS,
                    *progress.BOUND_COLUMNS,
                    *described,
                    *(c for c in self.targets.columns if labelled and c != "target_id"),
                ]
            )
        obs = self.known_at(as_of)
        assessed = self._assess(obs, as_of)
        _describe(self.targets, assessed, obs, "latest_time", "latest")
        _describe(self.targets, assessed, obs, "latest_after_deadline_time", "after")
        if labelled:
            assessed = assessed.join(self.targets.set_index("target_id"))
        return assessed

    def statuses(self, times: list[float]) -> dict[float, pd.Series]:
        """Each target's status at each of `times` (the heatmap's quarters), each with what was known
        then. No query."""
        if self.targets.empty:
            return {t: pd.Series(dtype=object) for t in times}
        return {t: self._assess(self.known_at(t), t)["status"] for t in times}


def progress_inputs(
    *,
    locality_ids: list[int] | None = None,
    pillar: str | None = None,
    indicator_code: str | None = None,
    labels: bool | Literal["slugs"] = False,
) -> ProgressInputs:
    """Targets (with their labels when asked, joined in the same query; "slugs": only the locality and
    pillar slugs) and approved observations.

    Three queries, whatever the data size (targets, figures, the history of entered figures): `values()`
    rows straight into pandas frames, narrowed in SQL to the localities, pillar or indicator a page shows
    (every series is assessed on its own, so narrowing changes no figure).
    """
    targets = _targets_frame(
        locality_ids=locality_ids, pillar=pillar, indicator_code=indicator_code, labels=labels
    )
    if targets.empty:
        observations = pd.DataFrame(columns=list(known.VERSION_COLUMNS))
    else:
        observations = observations_frame(
            locality_ids=locality_ids, pillar=pillar, indicator_code=indicator_code
        )
    return ProgressInputs(targets=targets, observations=observations)


def progress_table(*, as_of: float, locality_ids: list[int] | None = None) -> pd.DataFrame:
    """Every target's assessment at `as_of`, indexed by target_id, with `latest_period` and `latest_origin`.

    Two queries. Observations after `as_of` are ignored (time travel: the page as it stood then).
    """
    return progress_inputs(locality_ids=locality_ids).at(as_of)


def open_data_progress(*, as_of_code: str, as_of: float, provisional: bool = False) -> list[dict]:
    """Open-data target rows with the progress columns for `as_of`: four queries."""
    rows = open_data_targets_with_ids()
    table = progress_table(as_of=as_of)
    return opendata.progress_rows(rows, table, as_of_code=as_of_code, provisional=provisional)


def open_data_targets_with_ids() -> list[tuple[int, dict]]:
    values = target_selectors.targets_for_open_data(with_id=True)
    ids = [v.pop("id") for v in values]
    return list(zip(ids, opendata.target_rows(values), strict=True))


def progress_with_groups(*, as_of: float, locality_ids: list[int] | None = None) -> pd.DataFrame:
    """`progress_table` with the label columns (locality and pillar slugs, indicator code, year, level…),
    ready for `progress.rollup`. Two queries: the labels come joined with the targets."""
    return progress_inputs(locality_ids=locality_ids, labels=True).at(as_of)


def progress_rollups(*, as_of: float, locality_ids: list[int] | None = None) -> dict[str, pd.DataFrame]:
    """Per locality × pillar and per locality: status counts, share on track, the targets most behind."""
    assessed = progress_with_groups(as_of=as_of, locality_ids=locality_ids)
    return {
        "by_pillar": progress.rollup(assessed, by=["locality", "pillar"]),
        "by_locality": progress.rollup(assessed, by=["locality"]),
        "most_behind": progress.most_behind(assessed, n=3, by=["locality", "pillar"]),
    }


# --- dashboards --------------------------------------------------------------------------------------------


def localities_in(scope: QuerySet[Locality]) -> list[dict]:
    """The localities of a user's scope (from `targets.access.localities_for`) as plain rows: one query."""
    return list(scope.order_by("name").values("id", "slug", "name", "name_en", "valid_to"))


def locality_in(scope: QuerySet[Locality], *, slug: str) -> dict | None:
    """One locality of a user's scope by slug, or None (the view answers 404): one query."""
    return scope.filter(slug=slug).values("id", "slug", "name", "name_en", "valid_to").first()


def pillars() -> list[dict]:
    """Every pillar in display order: one query (a handful of rows)."""
    return list(Pillar.objects.order_by("order").values("id", "slug", "name", "name_en", "order"))


def indicator_detail(code: str) -> dict | None:
    """One indicator with its pillar: one query (`values()` with the pillar joined)."""
    return (
        Indicator.objects.filter(code=code)
        .values(
            "id",
            "code",
            "name",
            "name_en",
            "unit",
            "higher_is_better",
            "definition",
            "frequency",
            "pillar__slug",
            "pillar__name",
            "pillar__name_en",
        )
        .first()
    )


def _details(ids: list[int], fields: tuple[str, ...]) -> dict[int, dict]:
    """Text beside a few figures (source, note, names) by actual id: one query."""
    rows = Actual.objects.filter(pk__in=ids).values("id", *fields)
    return {row.pop("id"): row for row in rows}


def _period_parts(code: str) -> tuple[int, int | None]:
    year, _, quarter = code.partition("-Q")
    return int(year), int(quarter) if quarter else None


def dti_rank_history(*, locality_ids: list[int], as_of: float) -> list[dict]:
    """The DTI ranks of the localities known at `as_of` (published with their source and publication
    date, or demo), oldest first.

    Four queries: the rank figures' versions (`observations_frame`), then their source and names.
    """
    versions = observations_frame(locality_ids=locality_ids, indicator_code="dti_rank")
    shown = known.known_at(versions, as_of)
    shown = shown[shown["level"] == ""].sort_values(["locality_id", "obs_time"])
    fields = ("locality__slug", "locality__name", "locality__name_en", "source", "note")
    details = _details(shown["actual_id"].astype(int).tolist(), fields)
    out = []
    for row in shown.to_dict(orient="records"):
        year, quarter = _period_parts(row["obs_period"])
        out.append(
            {
                **details[int(row["actual_id"])],
                "period__code": row["obs_period"],
                "period__year": year,
                "period__quarter": quarter,
                "value": row["obs_value"],
                "ranked_among": None if pd.isna(row["ranked_among"]) else int(row["ranked_among"]),
                "origin": row["origin"],
                "time": row["obs_time"],
                "known_on": row["known_on"],
                "known_basis": row["known_basis"],
            }
        )
    return sorted(out, key=lambda r: (r["locality__name"], r["time"]))


def series_actuals(*, indicator_code: str, locality_id: int, as_of: float) -> list[dict]:
    """A series' values known at `as_of` — approved ones, and those awaiting review then (shown hollow:
    the engine only counts approved ones) — oldest first, with period, origin, source and when each
    became known.

    Four queries: the versions of the figures (`observations_frame`), then their source and note.
    """
    versions = observations_frame(
        locality_ids=[locality_id],
        indicator_code=indicator_code,
        statuses=(Status.APPROVED, Status.SUBMITTED),
    )
    shown = known.known_at(versions, as_of).sort_values(["level", "obs_time", "obs_period"])
    details = _details(shown["actual_id"].astype(int).tolist(), ("source", "note"))
    out = []
    for row in shown.to_dict(orient="records"):
        year, quarter = _period_parts(row["obs_period"])
        out.append(
            {
                **details[int(row["actual_id"])],
                "level": row["level"],
                "period__code": row["obs_period"],
                "period__year": year,
                "period__quarter": quarter,
                "value": float(row["obs_value"]),
                "status": row["status"],
                "origin": row["origin"],
                "ranked_among": None if pd.isna(row["ranked_among"]) else int(row["ranked_among"]),
                "time": row["obs_time"],
                "known_on": row["known_on"],
                "known_basis": row["known_basis"],
            }
        )
    return out


# --------------------------------------------------------------------------- the Excel report


def report_data(
    *,
    locality_ids: list[int],
    as_of_code: str,
    as_of: float,
    pillar_slugs: list[str] | None,
    today,
    provisional: bool = False,
) -> excel.ReportData:
    """Everything the Excel report shows, from the same progress path as the dashboards and open data.

    A fixed number of queries (ten, and the data-entry worklist's when the as-of quarter exists) whatever
    the number of localities, targets, actuals and plan tasks.
    The targets and the actuals come as one-pass iterators (the report's rows are never all in memory at
    once): the targets from a database cursor read in chunks, the actuals from the observations frame the
    engine has already fetched.
    """
    from django.utils import timezone

    from targets import selectors as ts
    from targets.models import (
        Department,
        Document,
        Level,
        Locality,
        Pillar,
        ReportingPeriod,
        TaskState,
    )

    from .labels import status_labels

    localities = {loc.pk: loc for loc in Locality.objects.filter(pk__in=locality_ids).order_by("name")}
    pillars = [
        (p.slug, p.name)
        for p in Pillar.objects.order_by("order")
        if not pillar_slugs or p.slug in pillar_slugs
    ]
    inputs = progress_inputs(locality_ids=locality_ids, labels="slugs")
    assessed = inputs.at(as_of)
    # The summary sheet: the engine's roll-up per pillar, as every page shows it.
    by_pillar = progress.rollup(assessed, by=["pillar"]) if not assessed.empty else pd.DataFrame()
    summary = {slug: row for slug, row in by_pillar.to_dict(orient="index").items()}
    level_labels = {code: str(label) for code, label in Level.choices}

    # Data-entry progress for the as-of quarter (an annual as-of uses that year's figures).
    period = ReportingPeriod.objects.filter(code=as_of_code).first()
    departments: list[excel.DepartmentLine] = []
    if period is not None:
        depts = list(
            Department.objects.filter(locality_id__in=locality_ids)
            .select_related("locality")
            .order_by("locality__name", "name")
        )
        for line in ts.worklist(depts, [period]):
            if not line.assigned:
                continue
            departments.append(
                excel.DepartmentLine(
                    locality=line.department.locality.name,
                    department=line.department.name,
                    assigned=line.assigned,
                    entered=line.entered,
                    submitted=line.submitted,
                    approved=line.approved,
                    late=today > line.state.deadline and line.submitted < line.assigned,
                )
            )
    documents = [
        excel.DocumentLine(
            number=doc.number or doc.code,
            title=f"{doc.title} — {doc.issuer}",
            issued_on=doc.issued_on,
            source=doc.source_url or doc.source_file,
        )
        for doc in Document.objects.filter(locality_id__in=locality_ids).order_by("locality__name", "code")
    ]
    tasks = [
        excel.TaskLine(
            locality=t.plan.locality.name,
            plan=f"{t.plan.document.number or t.plan.document.code} ({t.plan.year})",
            pillar=t.pillar.name,
            component=str(t.get_component_display()),
            section=t.section,
            text=t.text,
            lead=t.lead.name,
            deadline=t.deadline,
            state=t.state,
            state_label=str(t.state_label),
            note=t.progress_note,
        )
        for t in ts.latest_plan_tasks(locality_ids, up_to_year=int(as_of_code[:4]), today=today)
    ]
    obs = inputs.known_at(as_of).sort_values(["locality_id", "indicator_id", "level", "obs_time"])
    return excel.ReportData(
        localities=[loc.name for loc in localities.values()],
        as_of=as_of_code,
        generated_at=timezone.localtime(),
        pillars=pillars,
        status_labels=status_labels(),
        targets=_report_targets(locality_ids, [p[0] for p in pillars], assessed, level_labels),
        departments=departments,
        progress_period=as_of_code,
        actuals=_report_actuals(obs, localities, locality_ids, level_labels),
        actual_count=len(obs),
        documents=documents,
        tasks=tasks,
        task_state_labels={k: str(v) for k, v in TaskState.choices},
        summary=summary,
        provisional=provisional,
    )


def _report_targets(
    locality_ids: list[int], pillar_slugs: list[str], assessed: pd.DataFrame, level_labels: dict[str, str]
) -> Iterator[excel.TargetLine]:
    """The report's target lines with their assessment, in the order of the pillar sheets: one query, read
    in chunks as the report is written."""
    from types import SimpleNamespace

    from targets.models import Origin
    from targets.templatetags.dti import target_text

    from .labels import status_labels

    position = {target_id: i for i, target_id in enumerate(assessed.index.tolist())}
    assessments = list(
        zip(
            *(
                assessed[name].tolist()
                for name in (
                    "latest",
                    "latest_period",
                    "latest_origin",
                    "gap",
                    "completion",
                    "status",
                    "projected",
                    "required_pace_per_year",
                    "latest_after_deadline",
                    "after_period",
                    "provisional_status",
                )
            ),
            strict=True,
        )
    )
    unassessed = (None,) * 11
    labels = status_labels()
    rows = (
        Target.objects.filter(locality_id__in=locality_ids, indicator__pillar__slug__in=pillar_slugs)
        .order_by("locality__name", "indicator__pillar__order", "indicator__order", "level", "year")
        .values_list(
            "id",
            "unit",
            "comparator",
            "value",
            "value_max",
            "year",
            "level",
            "baseline_value",
            "quote",
            "locality__name",
            "indicator__name",
            "indicator__pillar__slug",
            "document__number",
            "document__code",
        )
        .iterator(chunk_size=2000)
    )
    texts: dict[tuple, str] = {}  # the target as stated, by (unit, comparator, value, max): few distinct

    def number(value):
        return None if value is None or value != value else float(value)

    for tid, unit, comparator, value, value_max, year, level, baseline, quote, *names in rows:
        locality, indicator, pillar, document_number, document_code = names
        key = (unit, comparator, value, value_max)
        text = texts.get(key)
        if text is None:
            text = texts[key] = str(
                target_text(
                    SimpleNamespace(unit=unit, comparator=comparator, value=value, value_max=value_max)
                )
            )
        i = position.get(tid)
        latest, latest_period, latest_origin, gap, completion, status, projected, pace, *rest = (
            assessments[i] if i is not None else unassessed
        )
        after, after_period, provisional = rest
        yield excel.TargetLine(
            locality=locality,
            pillar=pillar,
            indicator=indicator,
            level=level_labels.get(level, "") if level else "",
            unit=unit,
            target=text,
            target_value=float(value),
            year=year,
            baseline=number(baseline),
            latest=number(latest),
            latest_period=latest_period if isinstance(latest_period, str) else "",
            gap=number(gap),
            completion=number(completion),
            status=status or "insufficient_data",
            projected=number(projected),
            pace=number(pace),
            latest_is_demo=latest_origin == Origin.DEMO,
            after_deadline=number(after),
            after_deadline_period=after_period if isinstance(after_period, str) else "",
            provisional_label=f"tạm tính: {labels[provisional].lower()}"
            if isinstance(provisional, str)
            else "",
            document=document_number or document_code,
            quote=" ".join(quote.split()),
        )


def _report_actuals(
    obs: pd.DataFrame, localities: dict, locality_ids: list[int], level_labels: dict[str, str]
) -> Iterator[excel.ActualLine]:
    """Approved and published values in long form from the engine's observations frame; the published
    figures' sources in one query."""
    from targets.models import Origin

    indicators = {
        pk: (code, name)
        for pk, code, name in Indicator.objects.filter(pk__in=set(obs["indicator_id"].tolist())).values_list(
            "pk", "code", "name"
        )
    }
    sources = {
        (ind, loc, code): src
        for ind, loc, code, src in Actual.objects.filter(
            locality_id__in=locality_ids, origin=Origin.PUBLISHED
        ).values_list("indicator_id", "locality_id", "period__code", "source")
    }
    names = {pk: loc.name for pk, loc in localities.items()}
    columns = ("locality_id", "indicator_id", "level", "obs_period", "obs_value", "origin")
    for locality_id, indicator_id, level, period, value, origin in zip(
        *(obs[c].tolist() for c in columns), strict=True
    ):
        code, name = indicators[indicator_id]
        yield excel.ActualLine(
            locality=names[locality_id],
            indicator_code=code,
            indicator=name,
            level=level_labels.get(level, "") if level else "",
            period=period,
            value=float(value),
            status="approved",
            origin=origin,
            source=sources.get((indicator_id, locality_id, period), ""),
            is_demo=origin == Origin.DEMO,
            is_published=origin == Origin.PUBLISHED,
        )


def open_data_actuals(*, as_of: float | None = None) -> list[dict]:
    """Approved and published actuals only (never drafts or submissions awaiting review), each with the
    day it became known; with `as_of`, the versions known at the end of that quarter (else the current
    ones). Four queries: the versions (`observations_frame`), and the slugs, codes and sources."""
    versions = observations_frame()
    shown = (
        known.known_at(versions, as_of) if as_of is not None else versions[np.isinf(versions["until_time"])]
    )
    fields = ["id", "locality__slug", "indicator__code", "source"]
    details = _frame(Actual.objects.values_list(*fields), fields).rename(
        columns={"locality__slug": "locality", "indicator__code": "indicator_code"}
    )
    rows = shown.merge(details, left_on="actual_id", right_on="id", how="inner").sort_values(
        ["locality", "indicator_code", "level", "obs_period"]
    )
    return [
        {
            "locality": loc,
            "indicator_code": code,
            "level": level or "",
            "period": period,
            "value": opendata.number(value),
            "origin": origin,
            "source": source if origin == "published" else "",
            "known_on": known_on,
            "known_basis": basis,
        }
        for loc, code, level, period, value, origin, source, known_on, basis in zip(
            *(
                rows[c].tolist()
                for c in (
                    "locality",
                    "indicator_code",
                    "level",
                    "obs_period",
                    "obs_value",
                    "origin",
                    "source",
                    "known_on",
                    "known_basis",
                )
            ),
            strict=True,
        )
    ]
