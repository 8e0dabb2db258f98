"""Catalogue pages: the landing redirect, the targets catalogue and a target's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django_tables2 import RequestConfig

from .. import access
from ..filters import TargetFilter
from ..formatting import figure_text, in_language, national_floor_of, provenance_badge
from ..models import (
    Origin,
    Target,
)
from ..navigation import landing
from ..selectors import catalogue as catalogue_selectors
from ..tables import TargetTable


def home(request: HttpRequest) -> HttpResponse:
    """Each person lands where their work is (`navigation.landing`): the superuser on the overview, editors
    on their worklist, reviewers on the quarter with the most values waiting, leaders on their city."""
    return landing(request)


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    if not access.catalogue_visible(request.user):
        raise Http404
    filterset = TargetFilter(request.GET or None, queryset=catalogue_selectors.targets_for_catalogue())
    table = TargetTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "targets/catalogue.html", {"filter": filterset, "table": table})


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.catalogue_visible(request.user):
        raise Http404
    try:
        target = catalogue_selectors.target_detail(pk)
    except Target.DoesNotExist as exc:
        raise Http404 from exc
    actuals = catalogue_selectors.actuals_for_series(
        indicator_id=target.indicator_id, locality_id=target.locality_id, level=target.level
    )
    former = catalogue_selectors.former_unit_figures(
        locality_ids=[target.locality_id], indicator_code=target.indicator.code
    )
    floor = national_floor_of(target)  # issue #21: the national target beside the city's
    context = {
        "target": target,
        "actuals": actuals,
        "former_figures": [
            {
                **f,
                "origin": Origin.PUBLISHED,
                "text": figure_text(
                    f["value"],
                    f["indicator__unit"],
                    among=f["ranked_among"],
                    qualifier=f["qualifier"],
                    former_unit=in_language(f, "unit_name"),
                ),
            }
            for f in former
        ],
        "has_demo": any(a.origin == Origin.DEMO for a in actuals),
        "provenance_label": provenance_badge(target.provenance),
        "floor": floor,
        "derived": catalogue_selectors.derived_targets(target.pk) if target.locality.is_country else [],
        "index_links": catalogue_selectors.index_links_of_indicator(target.indicator_id),
    }
    return render(request, "targets/target_detail.html", context)
