"""Reads for dashboards, reports and open data: database rows → plain frames, and the pages' lookups.

Frames: `progress_inputs` makes three queries (targets, approved figures, the history of entered ones)
whatever the number of localities, indicators and quarters, narrowed in SQL to what a page shows; the page
models (`reports.pages`, the only caller of the progress engine) assess them. Lookups: the localities of a
user's scope, the pillars, an indicator, a series' figures, the DTI rank history, the figures known at a
quarter. Each makes a fixed number of queries; none imports what consumes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connections
from django.db.models import FilteredRelation, FloatField, Q, QuerySet
from django.db.models.functions import Cast, Coalesce

from targets import known, periods
from targets.models import (
    ASSESSMENT_FLOATS,
    ASSESSMENT_TEXTS,
    Actual,
    Assignment,
    Indicator,
    Locality,
    Origin,
    Pillar,
    Status,
    Target,
    Unit,
)
from targets.selectors import catalogue as catalogue_selectors

_TARGET_FIELDS = (
    "id",
    "indicator_id",
    "locality_id",
    "year",
    "level",
    "comparator",
    "value",
    "value_max",
    "unit",
    "baseline_year",
    "baseline_value",
    "applies_until",
    "indicator__higher_is_better",
    "aggregation",
    "period_from",
)
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
    "target_pillar": "pillar",
    "target_pillar_order": "pillar_order",
}
# Enough to group by locality and pillar (the overview): the joins cost time at national scale.
_SLUG_FIELDS = {"locality__slug": "locality", "target_pillar": "pillar"}


def with_target_pillar(qs: QuerySet) -> QuerySet:
    """Targets with `target_pillar` (slug) and `target_pillar_order`: the pillar the document lists the target
    under, else the indicator's (issue #16: Đà Nẵng's e-commerce accounts are Xã hội số)."""
    return qs.annotate(
        target_pillar=Coalesce("pillar__slug", "indicator__pillar__slug"),
        target_pillar_order=Coalesce("pillar__order", "indicator__pillar__order"),
    )


def _narrow_targets(
    qs: QuerySet,
    *,
    locality_ids: list[int] | None,
    pillar: str | None,
    indicator_code: str | None,
    indicator_ids: list[int] | None = None,
) -> QuerySet:
    """`_narrow` for targets: a pillar is the target's own (the document's), else its indicator's."""
    qs = _narrow(
        with_target_pillar(qs),
        locality_ids=locality_ids,
        pillar=None,
        indicator_code=indicator_code,
        indicator_ids=indicator_ids,
    )
    return qs.filter(target_pillar=pillar) if pillar is not None else qs


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


def _narrow(
    qs: QuerySet,
    *,
    locality_ids: list[int] | None,
    pillar: str | None,
    indicator_code: str | None,
    indicator_ids: list[int] | None = None,
) -> QuerySet:
    if locality_ids is not None:
        qs = qs.filter(locality_id__in=locality_ids)
    if indicator_ids is not None:
        qs = qs.filter(indicator_id__in=indicator_ids)
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
    return periods.day_times(pd.to_datetime(column, errors="coerce"))


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
    frame["obs_time"] = periods.end_times(frame["year"], frame["quarter"].astype(float))
    frame["obs_value"] = frame["obs_value"].astype(float)
    return frame.drop(columns=["year", "quarter"])


def observations_frame(
    *,
    locality_ids: list[int] | None = None,
    pillar: str | None = None,
    indicator_code: str | None = None,
    statuses: tuple[str, ...] = (Status.APPROVED,),
    indicator_ids: list[int] | None = None,
) -> pd.DataFrame:
    """Every version of the figures (approved ones; `statuses` to add those awaiting review) with the time
    each became known and stopped being current (`targets.known`): `known.known_at(frame, as_of)` is what
    was known at the end of a quarter.

    Two queries (`values()` into pandas, no model instances): the figures as they are now, and the
    history records of the entered and imported ones (their approvals and corrections).
    """
    narrow = {
        "locality_ids": locality_ids,
        "pillar": pillar,
        "indicator_code": indicator_code,
        "indicator_ids": indicator_ids,
    }
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


# The targets' order on every page (the model's, then the id: the same order from every query).
TARGET_ORDER = (*Target._meta.ordering, "id")


def _assessed_targets(
    *,
    locality_ids: list[int] | None,
    pillar: str | None,
    indicator_code: str | None,
    indicator_ids: list[int] | None = None,
    stored_as_of: str | None = None,
) -> QuerySet:
    """The targets the engine assesses, narrowed, in `TARGET_ORDER`; with `stored_as_of`, each joined to its
    stored assessment then as `stored` (none: a LEFT JOIN's nulls). The national targets (the whole country,
    issue #21) are floors shown beside the cities' targets, not targets anyone reports against: never
    assessed."""
    qs = _narrow_targets(
        Target.objects.filter(locality__is_country=False),
        locality_ids=locality_ids,
        pillar=pillar,
        indicator_code=indicator_code,
        indicator_ids=indicator_ids,
    ).order_by(*TARGET_ORDER)
    if stored_as_of:
        qs = qs.annotate(stored=_stored_join(stored_as_of, locality_ids))
    return qs


def _stored_join(as_of_code: str, locality_ids: list[int] | None) -> FilteredRelation:
    """The join of a target with its stored assessment at `as_of_code`; narrowed to localities, the stored
    rows are found through their (locality, as_of) index rather than by scanning the country's."""
    condition = Q(assessments__as_of=as_of_code)
    if locality_ids is not None:
        condition &= Q(assessments__locality_id__in=locality_ids)
    return FilteredRelation("assessments", condition=condition)


def _engine_columns(frame: pd.DataFrame) -> dict[str, pd.Series | np.ndarray]:
    """Target rows (`_TARGET_FIELDS`) as the engine's target columns."""
    return {
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
        # A comparison over a period (issue #16): the period "from 2026" starts at 2026.0.
        "aggregation": frame["aggregation"].fillna(""),
        "period_start": pd.to_numeric(frame["period_from"], errors="coerce").astype(float),
    }


def _targets_frame(
    *,
    locality_ids: list[int] | None,
    pillar: str | None,
    indicator_code: str | None,
    labels: bool | Literal["slugs"],
    indicator_ids: list[int] | None = None,
    stored_as_of: str | None = None,
    target_ids: list[int] | None = None,
) -> pd.DataFrame:
    label_fields = _SLUG_FIELDS if labels == "slugs" else _LABEL_FIELDS if labels else {}
    stored = {f"stored__{name}": name for name in (*STORED_COLUMNS, "id")} if stored_as_of else {}
    fields = (*_TARGET_FIELDS, *label_fields, *stored)
    qs = _assessed_targets(
        locality_ids=locality_ids,
        pillar=pillar,
        indicator_code=indicator_code,
        indicator_ids=indicator_ids,
        stored_as_of=stored_as_of,
    )
    if target_ids is not None:
        qs = qs.filter(id__in=target_ids)
    # Decimals cast to floats in SQL, as in `observations_frame`.
    qs = qs.annotate(**{f"{name}_float": Cast(name, FloatField()) for name in _DECIMAL_FIELDS})
    selected = [f"{name}_float" if name in _DECIMAL_FIELDS else name for name in fields]
    frame = _frame(qs.values_list(*selected), selected)
    frame.columns = list(fields)
    # The columns gathered first and made a frame once (a column added to a frame costs a copy of its index).
    out = _engine_columns(frame)
    if labels:
        named = frame.rename(columns=label_fields)
        for column in (*label_fields.values(), *([] if labels == "slugs" else LABEL_COLUMNS)):
            if column not in out:
                out[column] = named[column].to_numpy()
    for field, name in stored.items():
        values = frame[field]
        if name == "id":  # the stored row's own id: which version of the assessment this row is
            out[STORED_ID] = values.astype(float).to_numpy()
        elif name in ASSESSMENT_FLOATS:
            out[name] = values.astype(float).to_numpy()
        else:  # text: a missing one is NaN, as the engine leaves it
            out[name] = values.where(values.notna(), np.nan).to_numpy()
    return pd.DataFrame(out)


@dataclass(frozen=True)
class ProgressInputs:
    """The targets (the engine's target columns, and labels when asked) and every version of their
    figures, fetched once; `reports.pages.assess` assesses them at any time with what was known then."""

    targets: pd.DataFrame
    observations: pd.DataFrame  # `known.VERSION_COLUMNS`: every version with when it was known

    def known_at(self, as_of: float) -> pd.DataFrame:
        """The figures known at the end of the period ending at `as_of` (one version per figure)."""
        return known.known_at(self.observations, as_of)


def progress_inputs(
    *,
    locality_ids: list[int] | None = None,
    pillar: str | None = None,
    indicator_code: str | None = None,
    labels: bool | Literal["slugs"] = False,
    indicator_ids: list[int] | None = None,
) -> ProgressInputs:
    """Targets (with their labels when asked, joined in the same query; "slugs": only the locality and
    pillar slugs) and approved observations.

    Three queries, whatever the data size (targets, figures, the history of entered figures): `values()`
    rows straight into pandas frames, narrowed in SQL to the localities, pillar or indicator a page shows
    (every series is assessed on its own, so narrowing changes no figure).
    """
    targets = _targets_frame(
        locality_ids=locality_ids,
        pillar=pillar,
        indicator_code=indicator_code,
        labels=labels,
        indicator_ids=indicator_ids,
    )
    if targets.empty:
        observations = pd.DataFrame(columns=list(known.VERSION_COLUMNS))
    elif pillar is not None:
        # A pillar's targets may have indicators of another pillar (the document's pillar, issue #16): the
        # figures are those of the targets' indicators.
        observations = observations_frame(
            locality_ids=locality_ids,
            indicator_ids=sorted({int(i) for i in targets["indicator_id"]}),
            indicator_code=indicator_code,
        )
    else:
        observations = observations_frame(locality_ids=locality_ids, indicator_code=indicator_code)
    return ProgressInputs(targets=targets, observations=observations)


STORED_COLUMNS: tuple[str, ...] = (*ASSESSMENT_TEXTS, *ASSESSMENT_FLOATS)
STORED_ID = "stored_id"  # `stored_assessments`: the id of the stored row a target's assessment was read from


def stored_statuses(*, as_of_code: str, locality_ids: list[int] | None = None) -> pd.DataFrame | None:
    """Each target's locality and pillar slugs with its stored status and latest figure's origin at
    `as_of_code`, indexed by target_id: all the overview needs (`stored_assessments` with four columns);
    None when a target has no stored row. One query."""
    fields = {
        "id": "target_id",
        "locality__slug": "locality",
        # The pillar the document lists the target under, as every page counts it (issue #16).
        "target_pillar": "pillar",
        "stored__status": "status",
        "stored__latest_origin": "latest_origin",
    }
    # The targets `_targets_frame` gives, under the same pillar (the document's).
    qs = _assessed_targets(
        locality_ids=locality_ids, pillar=None, indicator_code=None, stored_as_of=as_of_code
    )
    frame = _frame(qs.values_list(*fields), list(fields))
    frame.columns = list(fields.values())
    if frame["status"].isna().any():
        return None
    frame["latest_origin"] = frame["latest_origin"].where(frame["latest_origin"].notna(), np.nan)
    return frame.set_index("target_id")


def stored_assessments(
    *,
    as_of_code: str,
    locality_ids: list[int] | None = None,
    pillar: str | None = None,
    indicator_code: str | None = None,
    labels: bool | Literal["slugs"] = False,
    target_ids: list[int] | None = None,
) -> pd.DataFrame | None:
    """The targets (as `progress_inputs` gives them, with their labels when asked; only `target_ids` when
    given) with their stored assessment at `as_of_code` (`targets.models.Assessment`, columns
    `STORED_COLUMNS`, and `STORED_ID`: the stored row's id), indexed by target_id as `reports.pages.assess`
    returns them; None when a target has none (the table was not built for that quarter): the caller
    computes instead. One query."""
    frame = _targets_frame(
        locality_ids=locality_ids,
        pillar=pillar,
        indicator_code=indicator_code,
        labels=labels,
        stored_as_of=as_of_code,
        target_ids=target_ids,
    )
    if frame["status"].isna().any():
        return None
    return frame.set_index("target_id")


def stored_ids(
    *,
    as_of_code: str,
    locality_ids: list[int] | None = None,
    pillar: str | None = None,
    indicator_code: str | None = None,
) -> pd.Series | None:
    """The id of each narrowed target's stored assessment at `as_of_code`, by target_id in the targets'
    order: a write that re-assesses a target replaces its row, so a new id is a new assessment (or a changed
    target). None when a target has none. One query of two integers a target."""
    qs = _assessed_targets(
        locality_ids=locality_ids, pillar=pillar, indicator_code=indicator_code, stored_as_of=as_of_code
    )
    frame = _frame(qs.values_list("id", "stored__id"), ["id", "stored__id"])
    if frame["stored__id"].isna().any():
        return None
    return pd.Series(frame["stored__id"].to_numpy(dtype=float), index=frame["id"].to_numpy(), name=STORED_ID)


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
    fields = (
        "locality__slug",
        "locality__name",
        "locality__name_en",
        "source",
        "note",
        "note_en",
        "qualifier",
    )
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


def former_unit_figures(
    *, locality_ids: list[int], as_of: float, indicator_code: str | None = None
) -> list[dict]:
    """The pre-merger units' published figures kept as these localities' predecessor history (issue #16),
    those known at `as_of` (from their publication day, or the end of their year where it is unknown),
    oldest first: one query."""
    rows = catalogue_selectors.former_unit_figures(locality_ids=locality_ids, indicator_code=indicator_code)
    out = []
    for row in rows:
        known_from = (
            periods.date_to_time(row["published_on"]) if row["published_on"] else float(row["year"] + 1)
        )
        if known_from <= as_of + 1e-9:
            out.append({**row, "origin": Origin.PUBLISHED, "time": float(row["year"] + 1)})
    return out


def series_actuals(
    *, indicator_code: str, locality_id: int, as_of: float, awaiting_review: bool = True
) -> list[dict]:
    """A series' values known at `as_of` — approved ones, and those awaiting review then (shown hollow:
    the engine only counts approved ones) — oldest first, with period, origin, source and when each
    became known.

    Four queries: the versions of the figures (`observations_frame`), then their source and note.
    """
    versions = observations_frame(
        locality_ids=[locality_id],
        indicator_code=indicator_code,
        statuses=(Status.APPROVED, Status.SUBMITTED) if awaiting_review else (Status.APPROVED,),
    )
    shown = known.known_at(versions, as_of).sort_values(["level", "obs_time", "obs_period"])
    details = _details(shown["actual_id"].astype(int).tolist(), ("source", "note", "note_en", "qualifier"))
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


# --- open data (publishing localities only) -------------------------------------------------------------------


def publishing_localities() -> list[dict]:
    """The localities that publish their figures (`Locality.publishes`): one query."""
    return list(
        Locality.objects.filter(publishes=True)
        .order_by("slug")
        .values("id", "slug", "official_code", "name", "name_en", "valid_to", "is_demo")
    )


def open_indicators() -> list[dict]:
    """Every indicator with its pillar slug, in catalogue order: one query."""
    return list(
        Indicator.objects.order_by("pillar__order", "order").values(
            "code", "name", "name_en", "pillar__slug", "unit", "higher_is_better", "frequency", "definition"
        )
    )


def open_documents() -> list[dict]:
    """The documents of the publishing localities: one query."""
    from targets.models import Document

    return list(
        Document.objects.filter(locality__publishes=True)
        .order_by("locality__slug", "code")
        .values("code", "locality__slug", "number", "title", "issuer", "issued_on", "source_url")
    )


def open_targets(*, locality_ids: list[int] | None = None) -> list[dict]:
    """The targets of the publishing localities (narrowed to `locality_ids` when given) as plain values,
    with id, province code and document code, in open-data order (by locality slug first): one query."""
    return list(
        _narrow_targets(
            Target.objects.filter(locality__publishes=True),
            locality_ids=locality_ids,
            pillar=None,
            indicator_code=None,
        )
        .order_by("locality__slug", "target_pillar_order", "indicator__order", "level", "year", "id")
        .values(
            "id",
            "locality__slug",
            "locality__official_code",
            "target_pillar",
            "ranked_among",
            "aggregation",
            "period_from",
            "indicator__code",
            "indicator__name",
            "level",
            "year",
            "comparator",
            "value",
            "value_max",
            "unit",
            "indicator__higher_is_better",
            "applies_until",
            "document__code",
            "document__number",
            "document__title",
            "quote",
            "national_target_id",
            "indicator_id",
        )
    )


def open_plan_tasks() -> list[dict]:
    """The plan tasks of the publishing localities: one query."""
    from targets.models import PlanTask

    return list(
        PlanTask.objects.filter(plan__locality__publishes=True)
        .order_by("plan__locality__slug", "plan__year", "order", "code")
        .values(
            "plan__locality__slug",
            "plan__year",
            "code",
            "pillar__slug",
            "section",
            "text",
            "lead__name",
            "deadline",
            "status",
            "plan__document__code",
            "updated_at",
        )
    )


def open_actuals(
    *,
    as_of: float | None = None,
    locality: str | None = None,
    locality_ids: list[int] | None = None,
    indicator_code: str | None = None,
    pillar: str | None = None,
) -> pd.DataFrame:
    """Approved and published figures (never drafts or submissions awaiting review) of the publishing
    localities, each with the day it became known (with `as_of`, the versions known at the end of that
    quarter, else the current ones), narrowed in SQL to a locality (by slug, or to `locality_ids`), indicator
    or pillar when given, with each figure's province code, pillar, indicator name, unit and last change
    (ISO UTC text), in open-data order (by locality slug first). Three queries."""
    ids = locality_ids
    if locality is not None:
        ids = list(Locality.objects.filter(slug=locality, publishes=True).values_list("id", flat=True))
    versions = observations_frame(locality_ids=ids, indicator_code=indicator_code, pillar=pillar)
    shown = (
        known.known_at(versions, as_of) if as_of is not None else versions[np.isinf(versions["until_time"])]
    )
    fields = [
        "id",
        "locality__slug",
        "locality__official_code",
        "indicator__code",
        "indicator__pillar__slug",
        "indicator__name",
        "indicator__unit",
        "source",
        "updated_at",
    ]
    qs = _narrow(
        # Every status: an approved version known at `as_of` may belong to a figure reopened since.
        Actual.objects.filter(locality__publishes=True),
        locality_ids=ids,
        pillar=pillar,
        indicator_code=indicator_code,
    )
    details = _frame(qs.values_list(*fields), fields).rename(
        columns={
            "id": "actual_id",
            "locality__slug": "locality",
            "locality__official_code": "locality_code",
            "indicator__code": "indicator_code",
            "indicator__pillar__slug": "pillar",
            "indicator__name": "indicator_name",
            "indicator__unit": "unit",
            "updated_at": "last_changed",
        }
    )
    changed = pd.to_datetime(details["last_changed"], utc=True, format="ISO8601")
    details["last_changed"] = changed.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    frame = shown.merge(details, on="actual_id", how="inner")
    return frame.sort_values(["locality", "indicator_code", "level", "obs_period"])


def department_reporting(*, locality_ids: list[int]) -> list[dict]:
    """Each department of the localities with how many indicators it is assigned, how many figures it
    has sent and when it last sent one (submitted or approved, whatever the outcome): two queries."""
    from django.db.models import Count, Max

    from targets.models import Department

    departments = list(
        Department.objects.filter(locality_id__in=locality_ids)
        .annotate(assigned=Count("assignments"))
        .order_by("locality__name", "name")
        .values("id", "locality_id", "locality__slug", "name", "name_en", "assigned")
    )
    sent = {
        row["department_id"]: row
        for row in Actual.objects.filter(locality_id__in=locality_ids, department__isnull=False)
        .values("department_id")
        .annotate(last=Max("submitted_at"), figures=Count("id"))
    }
    return [
        {**d, "last": sent.get(d["id"], {}).get("last"), "figures": sent.get(d["id"], {}).get("figures", 0)}
        for d in departments
    ]


# --- the national frame (issue #21) ----------------------------------------------------------------------------


def frameworks() -> list[dict]:
    """The DTI framework versions, in order, with the ranking years each scored: one query."""
    from targets.models import Framework

    return list(
        Framework.objects.order_by("order").values(
            "code", "name", "decision", "issued_on", "first_year", "last_year", "provincial", "note"
        )
    )


def national_targets(*, indicator_code: str) -> list[dict]:
    """The national targets (the whole country's) of an indicator, with document and provenance, by year:
    one query."""
    return list(
        Target.objects.filter(indicator__code=indicator_code, locality__is_country=True)
        .order_by("year", "level", "document__issued_on", "id")
        .values(
            "id",
            "year",
            "level",
            "comparator",
            "value",
            "value_max",
            "unit",
            "provenance",
            "quote",
            "quote_source",
            "document__number",
            "document__title",
        )
    )


def dti_frame(*, locality_id: int, frameworks: list[dict]) -> dict:
    """The DTI pillar's frame for a city: its published main-index scores per framework and year, and which
    of its targets feed which main index under each provincial framework. Three queries."""
    from targets.models import IndexLink, IndexScore

    scores = list(
        IndexScore.objects.filter(locality_id=locality_id)
        .order_by("index__framework__order", "year", "index__order")
        .values("year", "value", "source", "note", "index__framework__decision", "index__code", "index__name")
    )
    targets = list(
        Target.objects.filter(locality_id=locality_id)
        .order_by("indicator__pillar__order", "indicator__order", "year", "level")
        .values("id", "indicator_id", "indicator__name", "indicator__name_en", "year", "level")
    )
    links = list(
        IndexLink.objects.filter(
            indicator_id__in={t["indicator_id"] for t in targets}, index__framework__provincial=True
        )
        .order_by("index__framework__order", "index__order")
        .values(
            "indicator_id",
            "note",
            "index__framework__code",
            "index__framework__decision",
            "index__code",
            "index__name",
            "index__parent__name",
            "index__order",
        )
    )
    by_indicator: dict[int, list[dict]] = {}
    for t in targets:
        by_indicator.setdefault(t["indicator_id"], []).append(t)
    feeds: dict[str, dict] = {}
    for link in links:
        fw = feeds.setdefault(
            link["index__framework__code"], {"decision": link["index__framework__decision"], "indices": {}}
        )
        label = (
            f"{link['index__code']}. {link['index__name']}"
            if link["index__code"]
            else " › ".join(x for x in (link["index__parent__name"], link["index__name"]) if x)
        )
        fw["indices"].setdefault(label, []).extend(by_indicator.get(link["indicator_id"], []))
    return {
        "scores": scores,
        "feeds": [
            {
                "decision": fw["decision"],
                "indices": [{"label": k, "targets": v} for k, v in fw["indices"].items()],
            }
            for fw in feeds.values()
        ],
    }


def open_dti_indices_by_indicator() -> dict[int, str]:
    """Per indicator id, the DTI main index it feeds under each framework, as the targets file writes it
    ("dti-tinh-922=7 | dti-tinh-405=Hoạt động chính quyền số"): one query."""
    from targets.models import IndexLink

    out: dict[int, list[str]] = {}
    for link in (
        IndexLink.objects.filter(indicator__isnull=False)
        .order_by("indicator_id", "index__framework__order")
        .values("indicator_id", "index__framework__code", "index__key")
    ):
        out.setdefault(link["indicator_id"], []).append(
            f"{link['index__framework__code']}={link['index__key']}"
        )
    return {k: " | ".join(v) for k, v in out.items()}


def open_national_targets() -> list[dict]:
    """The national targets (the whole country's): one query."""
    return list(
        Target.objects.filter(locality__is_country=True)
        .order_by(
            "indicator__pillar__order", "indicator__order", "year", "level", "document__issued_on", "id"
        )
        .values(
            "id",
            "indicator__pillar__slug",
            "indicator__code",
            "indicator__name",
            "level",
            "year",
            "comparator",
            "value",
            "value_max",
            "unit",
            "indicator__higher_is_better",
            "document__code",
            "document__number",
            "document__title",
            "clause",
            "quote",
            "quote_source",
            "provenance",
            "note",
        )
    )


def open_framework_indices() -> list[dict]:
    """Every framework's indices, in order: one query."""
    from targets.models import FrameworkIndex

    return list(
        FrameworkIndex.objects.order_by("framework__order", "order").values(
            "framework__code", "key", "level", "code", "parent__key", "name", "name_en", "points", "source"
        )
    )


def open_indicator_links() -> list[dict]:
    """Every indicator's DTI index per framework, with its note: one query."""
    from targets.models import IndexLink

    return list(
        IndexLink.objects.filter(indicator__isnull=False)
        .order_by("index__framework__order", "indicator__pillar__order", "indicator__order")
        .values("index__framework__code", "index__key", "indicator__code", "note")
    )


def open_task_links() -> list[dict]:
    """The DTI index of each plan task of the publishing localities, per framework: one query."""
    from targets.models import IndexLink

    return list(
        IndexLink.objects.filter(task__plan__locality__publishes=True)
        .order_by("task__plan__locality__slug", "task__plan__year", "task__order", "index__framework__order")
        .values(
            "task__plan__locality__slug",
            "task__plan__year",
            "task__code",
            "index__framework__code",
            "index__key",
            "note",
        )
    )


def open_index_scores() -> list[dict]:
    """The published main-index scores of the publishing localities: one query."""
    from targets.models import IndexScore

    return list(
        IndexScore.objects.filter(locality__publishes=True)
        .order_by("locality__slug", "index__framework__order", "year", "index__order")
        .values("locality__slug", "index__framework__code", "index__key", "year", "value", "source", "note")
    )


def responsible_departments(*, locality_id: int) -> dict[tuple[int, str], list[dict]]:
    """(indicator id, level) → the departments of the locality assigned to report that series, by name (each
    with `name` and `name_en`): who answers for a target on the leader's brief and in the Báo cáo's section
    III. One query."""
    out: dict[tuple[int, str], list[dict]] = {}
    rows = (
        Assignment.objects.filter(department__locality_id=locality_id)
        .order_by("department__name")
        .values("indicator_id", "level", "department__name", "department__name_en")
    )
    for r in rows:
        out.setdefault((r["indicator_id"], r["level"] or ""), []).append(
            {"name": r["department__name"], "name_en": r["department__name_en"]}
        )
    return out
