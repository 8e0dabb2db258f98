"""Catalogue reads: targets for the catalogue pages and the open data, a series' figures."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import (
    Actual,
    FormerUnitFigure,
    Target,
)


def targets_for_catalogue() -> QuerySet[Target]:
    """All targets with what the catalogue shows of them: one query, joined (select_related)."""
    return Target.objects.select_related(
        "indicator", "indicator__pillar", "pillar", "locality", "document"
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
