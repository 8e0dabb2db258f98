"""Catalogue pages: thin views — parse input, ask access, call a selector, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_tables2 import RequestConfig

from . import access, selectors
from .filters import TargetFilter
from .models import Origin, Target
from .tables import TargetTable


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("targets:catalogue")
    return redirect("reports:open_data")


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    if not access.catalogue_visible(request.user):
        raise Http404
    filterset = TargetFilter(request.GET or None, queryset=selectors.targets_for_catalogue())
    table = TargetTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "targets/catalogue.html", {"filter": filterset, "table": table})


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.catalogue_visible(request.user):
        raise Http404
    try:
        target = selectors.target_detail(pk)
    except Target.DoesNotExist as exc:
        raise Http404 from exc
    actuals = selectors.actuals_for_series(
        indicator_id=target.indicator_id, locality_id=target.locality_id, level=target.level
    )
    context = {
        "target": target,
        "actuals": actuals,
        "has_demo": any(a.origin == Origin.DEMO for a in actuals),
    }
    return render(request, "targets/target_detail.html", context)
