"""Catalogue reads: targets for the catalogue pages and the open data, a series' figures."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import (
    Actual,
    FormerUnitFigure,
    Target,
)


def targets_for_catalogue() -> QuerySet[Target]:
    """All targets with what the catalogue shows of them, their national target included: one query."""
    return Target.objects.select_related(
        "indicator",
        "indicator__pillar",
        "pillar",
        "locality",
        "document",
        "national_target",
        "national_target__document",
    ).order_by("indicator__pillar__order", "indicator__order", "locality__name", "level", "year")


def target_detail(pk: int) -> Target:
    """One target with its indicator, pillar, locality and document: one query."""
    return targets_for_catalogue().get(pk=pk)


def actuals_for_series(*, indicator_id: int, locality_id: int, level: str) -> list:
    """A series' approved values (published and demo included), newest first, with periods: one query."""
    return list(
        Actual.objects.filter(
            indicator_id=indicator_id, locality_id=locality_id, level=level, status="approved"
        )
        .select_related("period")
        .order_by("-period__year", "-period__quarter")
    )


def former_unit_figures(*, locality_ids: list[int], indicator_code: str | None = None) -> list[dict]:
    """The published figures of pre-merger units kept as these localities' predecessor history (issue #16),
    oldest first, as plain values (with the locality's and the indicator's names and unit): one query."""
    qs = FormerUnitFigure.objects.filter(locality_id__in=locality_ids)
    if indicator_code is not None:
        qs = qs.filter(indicator__code=indicator_code)
    return list(
        qs.order_by("locality__name", "year").values(
            "locality_id",
            "locality__slug",
            "locality__name",
            "locality__name_en",
            "indicator_id",
            "indicator__code",
            "indicator__unit",
            "year",
            "value",
            "ranked_among",
            "qualifier",
            "unit_name",
            "unit_name_en",
            "note",
            "note_en",
            "source",
            "published_on",
        )
    )


# --- the national frame (issue #21) ----------------------------------------------------------------------------

_NATIONAL_FIELDS = {
    "id": "national_target_id",
    "comparator": "national_target__comparator",
    "value": "national_target__value",
    "value_max": "national_target__value_max",
    "unit": "national_target__unit",
    "year": "national_target__year",
    "provenance": "national_target__provenance",
    "document_number": "national_target__document__number",
    "document_title": "national_target__document__title",
}


def national_targets_of(target_ids: list[int]) -> dict[int, dict]:
    """For each of these (city) targets that derives from a national target: the city target's own bar
    (comparator, value, value_max, unit, national_note, higher_is_better) and the national target's, as
    {"city": {...}, "national": {...}}. One query, whatever the number of targets."""
    rows = (
        Target.objects.filter(pk__in=target_ids, national_target__isnull=False)
        .values(
            "id",
            "comparator",
            "value",
            "value_max",
            "unit",
            "national_note",
            "indicator__higher_is_better",
            *_NATIONAL_FIELDS.values(),
        )
        .order_by()
    )
    return {
        r["id"]: {
            "city": {k: r[k] for k in ("comparator", "value", "value_max", "unit", "national_note")},
            "national": {name: r[field] for name, field in _NATIONAL_FIELDS.items()},
            "higher_is_better": r["indicator__higher_is_better"],
        }
        for r in rows
    }


def derived_targets(national_id: int) -> list[Target]:
    """The city targets that derive from a national target, with locality and document: one query."""
    return list(
        Target.objects.filter(national_target_id=national_id)
        .select_related("locality", "document")
        .order_by("locality__name", "year", "level")
    )


def index_links_of_indicator(indicator_id: int) -> list:
    """The DTI indices an indicator feeds, per framework, with their notes: one query."""
    from ..models import IndexLink

    return list(
        IndexLink.objects.filter(indicator_id=indicator_id)
        .select_related("index", "index__framework", "index__parent")
        .order_by("index__framework__order", "index__order")
    )
