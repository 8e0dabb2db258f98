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
from django.db import connections
from django.db.models import FloatField, QuerySet
from django.db.models.functions import Cast

from targets import progress
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


def observations_frame(
    *, locality_ids: list[int] | None = None, pillar: str | None = None, indicator_code: str | None = None
) -> pd.DataFrame:
    """Approved actuals (entered, imported, published, demo) as (series, time, value, period code, origin).

    One query (`values()` into pandas, no model instances); the time is the decimal year at the end of
    the period.
    """
    qs = _narrow(
        Actual.objects.filter(status=Status.APPROVED),
        locality_ids=locality_ids,
        pillar=pillar,
        indicator_code=indicator_code,
    )
    # The value cast to a float in SQL: no Decimal object per row (most of the cost at national scale).
    fields = ["indicator_id", "locality_id", "level", "value_float", "period__code", "period__year"]
    fields += ["period__quarter", "origin"]
    frame = _frame(qs.annotate(value_float=Cast("value", FloatField())).values_list(*fields), fields)
    frame.columns = [
        "indicator_id",
        "locality_id",
        "level",
        "obs_value",
        "obs_period",
        "year",
        "quarter",
        "origin",
    ]
    quarter = frame["quarter"].astype(float)
    frame["obs_time"] = np.where(quarter.notna(), frame["year"] + quarter.fillna(0) / 4, frame["year"] + 1.0)
    frame["obs_value"] = frame["obs_value"].astype(float)
    return frame.drop(columns=["year", "quarter"])


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


@dataclass(frozen=True)
class ProgressInputs:
    """The targets and their approved observations, fetched once; `at(as_of)` assesses them at any time."""

    targets: pd.DataFrame
    observations: pd.DataFrame

    def at(self, as_of: float) -> pd.DataFrame:
        """Every target's assessment at `as_of`, indexed by target_id, with `latest_period`, `latest_origin`
        (and the label columns when the inputs carry them). No query: pure pandas and the engine."""
        labelled = "locality" in self.targets.columns
        if self.targets.empty:
            return pd.DataFrame(
                columns=[
                    *progress.RESULT_COLUMNS,
                    "latest_period",
                    "latest_origin",
                    *(c for c in self.targets.columns if labelled and c != "target_id"),
                ]
            )
        obs = self.observations[self.observations["obs_time"] <= as_of + 1e-9]
        long = self.targets[list(_ENGINE_TARGET_COLUMNS)].merge(
            obs[[*_SERIES, "obs_time", "obs_value"]], on=list(_SERIES), how="left"
        )
        assessed = progress.assess_frame(long[list(progress.FRAME_COLUMNS)], as_of=as_of)
        # Where the latest value comes from: the series' newest observation (a quarter wins over the year
        # ending with it). Found per series, not per target: every target of a series shares its values.
        newest = (
            obs.assign(is_quarter=obs["obs_period"].str.contains("-Q", regex=False))
            .sort_values([*_SERIES, "obs_time", "is_quarter"])
            .groupby(list(_SERIES))
            .tail(1)[[*_SERIES, "obs_period", "origin"]]
        )
        latest = self.targets[["target_id", *_SERIES]].merge(newest, on=list(_SERIES), how="left")
        latest = latest.set_index("target_id").reindex(assessed.index)
        assessed["latest_period"] = latest["obs_period"].where(latest["obs_period"].notna(), np.nan)
        assessed["latest_origin"] = latest["origin"].where(latest["origin"].notna(), np.nan)
        if labelled:
            assessed = assessed.join(self.targets.set_index("target_id"))
        return assessed

    def statuses(self, times: list[float]) -> dict[float, pd.Series]:
        """Each target's status at each of `times` (the heatmap's quarters): the engine run once per time on
        one long frame, since it ignores the observations after its as-of. No query."""
        if self.targets.empty:
            return {t: pd.Series(dtype=object) for t in times}
        long = self.targets[list(_ENGINE_TARGET_COLUMNS)].merge(
            self.observations[[*_SERIES, "obs_time", "obs_value"]], on=list(_SERIES), how="left"
        )[list(progress.FRAME_COLUMNS)]
        return {t: progress.assess_frame(long, as_of=t)["status"] for t in times}


def progress_inputs(
    *,
    locality_ids: list[int] | None = None,
    pillar: str | None = None,
    indicator_code: str | None = None,
    labels: bool | Literal["slugs"] = False,
) -> ProgressInputs:
    """Targets (with their labels when asked, joined in the same query; "slugs": only the locality and
    pillar slugs) and approved observations.

    Two queries, whatever the data size: `values()` rows straight into pandas frames, narrowed in SQL to
    the localities, pillar or indicator a page shows (every series is assessed on its own, so narrowing
    changes no figure).
    """
    targets = _targets_frame(
        locality_ids=locality_ids, pillar=pillar, indicator_code=indicator_code, labels=labels
    )
    if targets.empty:
        observations = pd.DataFrame(
            columns=["indicator_id", "locality_id", "level", "obs_value", "obs_period", "origin", "obs_time"]
        )
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


def open_data_progress(*, as_of_code: str, as_of: float) -> list[dict]:
    """Open-data target rows with the progress columns for `as_of`: three queries."""
    rows = open_data_targets_with_ids()
    table = progress_table(as_of=as_of)
    return opendata.progress_rows(rows, table, as_of_code=as_of_code)


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


def dti_rank_history(*, locality_ids: list[int], as_of: float) -> list[dict]:
    """Approved DTI ranks (published with their source, or demo) of the localities up to `as_of`.

    One query: `values()` with locality and period joined, ordered for plotting.
    """
    rows = (
        Actual.objects.filter(
            indicator__code="dti_rank", status=Status.APPROVED, locality_id__in=locality_ids, level=""
        )
        .order_by("locality__name", "period__year", "period__quarter")
        .values(
            "locality__slug",
            "locality__name",
            "locality__name_en",
            "period__code",
            "period__year",
            "period__quarter",
            "value",
            "ranked_among",
            "origin",
            "source",
            "note",
        )
    )
    out = []
    for row in rows:
        quarter = row["period__quarter"]
        time = row["period__year"] + quarter / 4 if quarter else row["period__year"] + 1.0
        if time <= as_of + 1e-9:
            out.append({**row, "time": time})
    return out


def series_actuals(*, indicator_id: int, locality_id: int, as_of: float) -> list[dict]:
    """A series' approved and submitted values up to `as_of`, oldest first, with period, origin and source.

    One query (`values()` with the period joined). Submitted values are shown, hollow, but the engine only
    counts approved ones.
    """
    rows = (
        Actual.objects.filter(
            indicator_id=indicator_id,
            locality_id=locality_id,
            status__in=[Status.APPROVED, Status.SUBMITTED],
        )
        .order_by("level", "period__year", "period__quarter")
        .values(
            "level",
            "period__code",
            "period__year",
            "period__quarter",
            "value",
            "status",
            "origin",
            "source",
            "note",
            "ranked_among",
        )
    )
    out = []
    for row in rows:
        quarter = row["period__quarter"]
        time = row["period__year"] + quarter / 4 if quarter else row["period__year"] + 1.0
        if time <= as_of + 1e-9:
            out.append({**row, "time": time, "value": float(row["value"])})
    return out


# --------------------------------------------------------------------------- the Excel report


def report_data(
    *, locality_ids: list[int], as_of_code: str, as_of: float, pillar_slugs: list[str] | None, today
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
    inputs = progress_inputs(locality_ids=locality_ids)
    assessed = inputs.at(as_of)
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
    obs = inputs.observations
    obs = obs[obs["obs_time"] <= as_of + 1e-9].sort_values(
        ["locality_id", "indicator_id", "level", "obs_time"]
    )
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
    )


def _report_targets(
    locality_ids: list[int], pillar_slugs: list[str], assessed: pd.DataFrame, level_labels: dict[str, str]
) -> Iterator[excel.TargetLine]:
    """The report's target lines with their assessment, in the order of the pillar sheets: one query, read
    in chunks as the report is written."""
    from types import SimpleNamespace

    from targets.models import Origin
    from targets.templatetags.dti import target_text

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
                )
            ),
            strict=True,
        )
    )
    unassessed = (None,) * 8
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
        latest, latest_period, latest_origin, gap, completion, status, projected, pace = (
            assessments[i] if i is not None else unassessed
        )
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


def open_data_actuals() -> list[dict]:
    """Approved and published actuals only (never drafts or submissions awaiting review): one query."""
    from targets.models import Origin

    rows = (
        Actual.objects.filter(status=Status.APPROVED)
        .order_by("locality__slug", "indicator__code", "level", "period__year", "period__quarter")
        .values_list(
            "locality__slug", "indicator__code", "level", "period__code", "value", "origin", "source"
        )
    )
    return [
        {
            "locality": loc,
            "indicator_code": code,
            "level": level or "",
            "period": period,
            "value": opendata.number(value),
            "origin": origin,
            "source": source if origin == Origin.PUBLISHED else "",
        }
        for loc, code, level, period, value, origin, source in rows
    ]
