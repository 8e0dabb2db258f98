"""Catalogue reads: targets for the catalogue pages and the open data, a series' figures."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import (
    Actual,
    Target,
)


def targets_for_catalogue() -> QuerySet[Target]:
    """All targets with what the catalogue shows of them: one query, joined (select_related)."""
    return Target.objects.select_related("indicator", "indicator__pillar", "locality", "document").order_by(
        "indicator__pillar__order", "indicator__order", "locality__name", "level", "year"
    )


def target_detail(pk: int) -> Target:
    """One target with its indicator, pillar, locality and document: one query."""
    return targets_for_catalogue().get(pk=pk)


def targets_for_open_data(*, with_id: bool = False) -> list[dict]:
    """Every target as plain values for the open-data files: one query (`values()`, no model instances)."""
    return list(
        Target.objects.order_by(
            "locality__slug", "indicator__pillar__order", "indicator__order", "level", "year"
        ).values(
            *(("id",) if with_id else ()),
            "locality__slug",
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
            "applies_until",
            "document__code",
            "document__number",
            "document__title",
            "quote",
        )
    )


def actuals_for_series(*, indicator_id: int, locality_id: int, level: str) -> list:
    """A series' approved values (published and demo included), newest first, with periods: one query."""
    return list(
        Actual.objects.filter(
            indicator_id=indicator_id, locality_id=locality_id, level=level, status="approved"
        )
        .select_related("period")
        .order_by("-period__year", "-period__quarter")
    )
