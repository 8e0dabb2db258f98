"""Open data (public, no login): targets and progress as CSV/JSON; the leadership dashboards (login).

Thin views: parse `?as_of=`, ask `targets.access` for the scope (outside it: 404), call the page model
(`reports.pages`: the selectors' frames assessed by the engine and shaped by `reports.dashboards`), render.
"""

from __future__ import annotations

import copy
import functools
import tempfile
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from targets import access
from targets import selectors as target_selectors
from targets.cache import cached
from targets.periods import FutureAsOfError, is_provisional, resolve_as_of

from . import display, opendata, pages, selectors
from .display import AsOf
from .excel import writer
from .tables import PillarTargetTable

_CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


@require_GET
def open_data_index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/open_data.html")


def _file_response(body: bytes, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'inline; filename="{filename}.{fmt}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def open_data_targets(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in _CONTENT_TYPES:
        raise Http404
    body = cached(("open-data-targets", fmt), lambda: _targets_file(fmt))  # cached until the data change
    return _file_response(body, fmt, "targets")


def _targets_file(fmt: str) -> bytes:
    rows = pages.open_data_targets()
    if fmt == "csv":
        return opendata.to_csv(rows, opendata.TARGET_COLUMNS)
    meta = {
        "title": "DTI Portal — mục tiêu chuyển đổi số / digital-transformation targets",
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "count": len(rows),
        "licence": "Dữ liệu mở / open data",
    }
    return opendata.to_json(rows, opendata.TARGET_COLUMNS, meta)


def _as_of_message(exc: ValueError) -> str:
    """The reason an `?as_of=` is refused, in the active language."""
    if isinstance(exc, FutureAsOfError):
        return _(
            "Thời điểm %(code)s chưa đến: chỉ xem được số liệu đến hết quý hiện tại (%(current)s, tạm tính)."
        ) % {"code": exc.code, "current": exc.current}
    return str(exc)


def _as_of_refused(request: HttpRequest, exc: ValueError) -> HttpResponse:
    """The 400 page for a bad or future `?as_of=` (pages, open-data files and the report alike): the
    reason in Vietnamese and a picker of the quarters that can be shown."""
    today = timezone.localdate()
    code, time = resolve_as_of(None, today=today)
    fallback = AsOf(code, time)
    context = {
        "error": _as_of_message(exc),
        "as_of": fallback,
        "as_of_choices": display.as_of_choices(fallback, today),
    }
    return render(request, "reports/as_of_error.html", context, status=400)


def _parse_as_of(raw: str | None) -> AsOf:
    """`?as_of=` as an `AsOf` (default: the last closed quarter). Raises ValueError (FutureAsOfError for a
    quarter that has not begun)."""
    raw = (raw or "").strip()
    today = timezone.localdate()
    code, time = resolve_as_of(raw or None, today=today)
    return AsOf(code=code, time=time, explicit=bool(raw), provisional=is_provisional(time, today=today))


@require_GET
def open_data_progress(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every target with where it stands at `?as_of=` (default: the last closed quarter)."""
    if fmt not in _CONTENT_TYPES:
        raise Http404
    try:
        as_of = _parse_as_of(request.GET.get("as_of"))
    except ValueError as exc:
        return _as_of_refused(request, exc)
    # Cached until the data change (seconds to compute at national scale); `generated_at` is when it was.
    # The key holds whether the quarter is still provisional: the label changes when the quarter ends.
    body = cached(
        ("open-data-progress", fmt, as_of.code, as_of.provisional), lambda: _progress_file(fmt, as_of)
    )
    return _file_response(body, fmt, f"progress-{as_of.code}")


def _progress_file(fmt: str, as_of: AsOf) -> bytes:
    rows = pages.open_data_progress(as_of=as_of)
    if fmt == "csv":
        return opendata.to_csv(rows, opendata.PROGRESS_COLUMNS)
    meta = {
        "title": "DTI Portal — tiến độ các mục tiêu / progress towards the targets",
        "as_of": as_of.code,
        "provisional": as_of.provisional,
        "provisional_note": "tạm tính: quý hiện tại, số liệu còn đang được nhập / the current quarter, "
        "still being entered"
        if as_of.provisional
        else "",
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "count": len(rows),
        "method": "docs/progress-method.md (v2): linear trajectory, weighted least-squares projection "
        "clipped to the indicator's domain; after its deadline a target is judged on its deadline figure; "
        "a figure counts from its publication or approval; Open SDG measure",
        "contains_demo_values": any(_has_demo(r) for r in rows),
    }
    return opendata.to_json(rows, opendata.PROGRESS_COLUMNS, meta)


def _has_demo(row: dict) -> bool:
    return row.get("latest_origin") == "demo"


# --- dashboards (login required; scope from targets.access) -------------------------------------------------


def _with_as_of(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Parse `?as_of=` (default: the last closed quarter) into an `AsOf` for the view; a bad value or a
    quarter that has not begun gets the page's 400 with the reason in Vietnamese, never a 500."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            as_of = _parse_as_of(request.GET.get("as_of"))
        except ValueError as exc:
            return _as_of_refused(request, exc)
        return view(request, *args, as_of=as_of, **kwargs)

    return wrapped


def _dashboard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A dashboard page: login required, GET only, `?as_of=` parsed (`_with_as_of`)."""
    return login_required(require_GET(_with_as_of(view)))


def _locality_or_404(request: HttpRequest, slug: str) -> dict:
    locality = selectors.locality_in(access.localities_for(request.user), slug=slug)
    if locality is None:
        raise Http404
    return {**locality, "label": display.localized(locality, "name")}


def _indicator_or_404(code: str) -> dict:
    indicator = selectors.indicator_detail(code)
    if indicator is None:
        raise Http404
    return {
        **indicator,
        "label": display.localized(indicator, "name"),
        "pillar_label": display.localized(indicator, "pillar__name"),
    }


def _cached(key: tuple, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A dashboard's figures and rows, computed once per data version, page, as-of and language.

    The key holds everything the figures depend on besides the data: the views check access before.
    """
    return cached(("dashboard", *key, get_language()), build)


def _render(request: HttpRequest, template: str, as_of: AsOf, context: dict[str, Any]) -> HttpResponse:
    choices = display.as_of_choices(as_of, timezone.localdate())
    return render(request, template, {**context, "as_of": as_of, "as_of_choices": choices})


@_dashboard
def dashboard_overview(request: HttpRequest, *, as_of: AsOf) -> HttpResponse:
    """Localities × pillars: status counts and share achieved or on track; each city's DTI rank history."""
    localities = selectors.localities_in(access.localities_for(request.user))
    # Keyed by the localities themselves (names included): the user's scope and how they are shown.
    key = ("overview", tuple(tuple(loc.values()) for loc in localities), as_of)
    context = _cached(key, functools.partial(pages.overview, localities=localities, as_of=as_of))
    return _render(request, "reports/dashboard_overview.html", as_of, context)


@_dashboard
def dashboard_city(request: HttpRequest, locality: str, *, as_of: AsOf) -> HttpResponse:
    """One city: a card per pillar, the 2025 outcome and the road to 2030."""
    loc = _locality_or_404(request, locality)
    context = _cached(
        ("city", tuple(loc.items()), as_of), functools.partial(pages.city, locality=loc, as_of=as_of)
    )
    return _render(request, "reports/dashboard_city.html", as_of, {**context, "locality": loc})


# The table's sort values: an orderable column's name, ascending or descending (django-tables2's `sort`).
_PILLAR_SORTS = frozenset(
    f"{sign}{name}"
    for name, column in PillarTargetTable.base_columns.items()
    if column.orderable is not False  # None: the table's Meta.orderable (True)
    for sign in ("", "-")
)


def _pillar_query(request: HttpRequest, as_of: AsOf) -> QueryDict:
    """The query string as the pillar page reads it: the as-of and a valid sort, nothing else. It keys the
    cached page and the page is rendered from it, so `?foo=1` (or `?sort=nonsense`) hits the same entry."""
    query = QueryDict(mutable=True)
    if as_of.explicit:
        query["as_of"] = as_of.code
    sort = request.GET.get("sort", "")
    if sort in _PILLAR_SORTS:
        query["sort"] = sort
    return query


@_dashboard
def dashboard_pillar(request: HttpRequest, locality: str, pillar: str, *, as_of: AsOf) -> HttpResponse:
    """One pillar of a city: progress bars, the status-by-quarter heatmap and the sortable table."""
    loc = _locality_or_404(request, locality)
    current = next((p for p in selectors.pillars() if p["slug"] == pillar), None)
    if current is None:
        raise Http404
    current = {**current, "label": display.localized(current, "name")}
    today = timezone.localdate()
    query = _pillar_query(request, as_of)
    page_request = copy.copy(request)  # the table's sort links are built from the query the page reads
    page_request.GET = query

    def build() -> dict[str, Any]:
        context = pages.pillar(locality=loc, pillar=pillar, as_of=as_of)
        table = PillarTargetTable(context["rows"])
        RequestConfig(page_request, paginate=False).configure(table)
        context = {
            **context,
            "locality": loc,
            "pillar": current,
            "table": table,
            "as_of": as_of,
            "as_of_choices": display.as_of_choices(as_of, today),
        }
        # The content is cached rendered: a national-scale pillar has hundreds of table rows to render.
        content = render_to_string("reports/_pillar_content.html", context, page_request)
        return {"content": content, "has_demo": context["has_demo"]}

    key = ("pillar", tuple(loc.items()), current["label"], as_of, query.urlencode(), today)
    page = _cached(key, build)
    return _render(
        request,
        "reports/dashboard_pillar.html",
        as_of,
        {
            "content": mark_safe(page["content"]),
            "has_demo": page["has_demo"],
            "locality": loc,
            "pillar": current,
        },
    )


@_dashboard
def indicator_comparison(request: HttpRequest, code: str, *, as_of: AsOf) -> HttpResponse:
    """One indicator across the cities in scope, with their targets."""
    indicator = _indicator_or_404(code)
    localities = selectors.localities_in(access.localities_for(request.user))
    key = ("indicator", code, tuple(tuple(loc.values()) for loc in localities), as_of)
    context = _cached(
        key, functools.partial(pages.indicator, indicator=indicator, localities=localities, as_of=as_of)
    )
    return _render(request, "reports/indicator.html", as_of, {**context, "indicator": indicator})


@_dashboard
def indicator_series(request: HttpRequest, code: str, locality: str, *, as_of: AsOf) -> HttpResponse:
    """One series: values, targets, the straight line, the projection, both progress measures."""
    loc = _locality_or_404(request, locality)
    indicator = _indicator_or_404(code)
    build = functools.partial(pages.series, indicator=indicator, locality=loc, as_of=as_of)
    context = _cached(("series", code, loc["id"], as_of), build)
    return _render(
        request, "reports/series.html", as_of, {**context, "indicator": indicator, "locality": loc}
    )


# --------------------------------------------------------------------------- the Excel report


def _report_request(request: HttpRequest):
    """(localities, as-of code, as-of time, pillar slugs) from the query, or an error message. 404 outside scope."""
    allowed = list(access.report_localities(request.user))
    if not allowed:
        raise Http404
    slug = request.GET.get("locality") or (allowed[0].slug if len(allowed) == 1 else "")
    if slug == "all" and access.can_export_all(request.user):
        chosen = allowed
    else:
        chosen = [loc for loc in allowed if loc.slug == slug]
        if not chosen:
            raise Http404
    try:
        as_of = _parse_as_of(request.GET.get("as_of"))
    except ValueError as exc:
        return None, exc
    pillars = [p for p in request.GET.getlist("pillar") if p]
    return (chosen, slug, as_of, pillars), None


@login_required
def report_index(request: HttpRequest) -> HttpResponse:
    allowed = list(access.report_localities(request.user))
    if not allowed:
        raise Http404
    today = timezone.localdate()
    context = {
        "localities": allowed,
        "pillars": selectors.pillars(),
        "periods": target_selectors.entry_period_codes(today),
        "can_choose_all": access.can_export_all(request.user),
    }
    return render(request, "reports/report_index.html", context)


@login_required
def report_download(request: HttpRequest) -> HttpResponse:
    parsed, error = _report_request(request)
    if error:
        return _as_of_refused(request, error)
    localities, slug, as_of, pillars = parsed
    as_of_code = as_of.code
    data = pages.report(
        locality_ids=[loc.pk for loc in localities],
        as_of=as_of,
        pillar_slugs=pillars or None,
        today=timezone.localdate(),
    )
    # Written to a temporary file and streamed from it: a national report is never held in memory.
    out = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it once sent
    writer.write_report(data, out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"bao-cao-cds-{slug}-{as_of_code}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_GET
def open_data_actuals(request: HttpRequest, fmt: str) -> HttpResponse:
    """Approved and published actuals (public): locality, indicator, level, period, value, origin, source,
    and the day each became known. With `?as_of=`: the figures known at the end of that quarter."""
    if fmt not in _CONTENT_TYPES:
        raise Http404
    raw = request.GET.get("as_of", "").strip()
    try:
        as_of = _parse_as_of(raw) if raw else None
    except ValueError as exc:
        return _as_of_refused(request, exc)
    rows = pages.open_data_actuals(as_of=as_of)
    if fmt == "csv":
        body = opendata.to_csv(rows, opendata.ACTUAL_COLUMNS)
    else:
        meta = {
            "title": "DTI Portal — số liệu thực hiện đã duyệt và công bố / approved and published actuals",
            "as_of": as_of.code if as_of else None,
            "provisional": bool(as_of and as_of.provisional),
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "count": len(rows),
            "note": "origin 'demo' marks demonstration values that are not real figures; known_on is the day "
            "a figure became known (known_basis: published_on, approval, or period_end where no date is known)",
        }
        body = opendata.to_json(rows, opendata.ACTUAL_COLUMNS, meta)
    return _file_response(body, fmt, f"actuals-{as_of.code}" if as_of else "actuals")
