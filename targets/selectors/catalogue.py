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


def actuals_for_series(*, indicator_id: int, locality_id: int, level: str) -> list:
    """A series' approved values (published and demo included), newest first, with periods: one query."""
    return list(
        Actual.objects.filter(
            indicator_id=indicator_id, locality_id=locality_id, level=level, status="approved"
        )
        .select_related("period")
        .order_by("-period__year", "-period__quarter")
    )
