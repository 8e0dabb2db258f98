"""Open data (public, no login): targets and progress as CSV/JSON; the leadership dashboards (login).

Thin views: parse `?as_of=`, ask `targets.access` for the scope (outside it: 404), call the page model
(`reports.pages`: the selectors' frames assessed by the engine and shaped by `reports.dashboards`), render.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import json
import tempfile
import zipfile
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_GET, require_http_methods
from django_tables2 import RequestConfig

from targets import access, jobs
from targets.cache import cached, caching, data_version, figure_versions, full_key, submissions_version
from targets.models import Job, JobState, ReportSettings
from targets.periods import (
    MAX_PERIOD_YEAR,
    MIN_PERIOD_YEAR,
    FutureAsOfError,
    entry_period_codes,
    is_provisional,
    last_closed_quarter,
    parse_period_code,
    period_end_date,
    period_label,
    resolve_as_of,
)
from targets.selectors import narrative as narrative_selectors
from targets.services import narrative as narrative_service
from targets.services.errors import ReportTextError
from targets.views import catalogue as target_catalogue_views

from . import bao_cao, dashboards, display, opendata, pages, schema, selectors
from .display import AsOf
from .excel import writer
from .tables import PillarTargetTable


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
    """A dashboard page: public for the localities that publish (`targets.access.dashboard_localities`),
    GET only, `?as_of=` parsed (`_with_as_of`)."""
    return require_GET(_with_as_of(view))


def _locality_or_404(request: HttpRequest, slug: str) -> dict:
    """A locality the user may open, with whether they see it in full (`full`) or its public figures."""
    locality = selectors.locality_in(access.dashboard_localities(request.user), slug=slug)
    if locality is None:
        raise Http404
    full = access.sees_in_full(request.user, locality["id"])
    return {**locality, "label": display.localized(locality, "name"), "full": full}


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


def _cached_figures(
    key: tuple,
    locality_ids: Iterable[int],
    as_of: AsOf,
    build: Callable[[], dict[str, Any]],
    *,
    versions: Callable[[], Hashable] | None = None,
) -> dict[str, Any]:
    """A page that shows only targets and approved or published figures of `locality_ids` at `as_of`
    (overview, city, pillar, the progress file): cached under the version of those localities' figures up
    to `as_of` (`targets.cache.figure_versions`, one query), so a write cools only the pages of its locality
    from its period on. `versions`: that version as `_versions_once` asks it (a page that caches two entries
    under it), or another (a series page's, `_cached_series`)."""
    if versions is None:
        versions = _versions_once(locality_ids, as_of)
    return cached(("figures", *key, get_language()), build, versions=versions)


def _versions_once(
    locality_ids: Iterable[int], as_of: AsOf, *, indicator_id: int | None = None, submissions: bool = False
) -> Callable[[], Hashable]:
    """The version `_cached_figures` keys by, asked of the database at most once (a page's content and its
    figures are two entries under the same version: one query, not two).

    With `indicator_id`, a series page's (one locality): the figures of that series only and, with
    `submissions` (to the locality's members), its values awaiting review. A write to another series, of
    the same city or elsewhere, leaves it warm (issue #20: it followed the site-wide data version, then its
    locality's figures, which every approval in the city changes)."""
    ids = list(locality_ids)
    ends_on = period_end_date(as_of.code)

    @functools.cache
    def versions() -> Hashable:
        figures = figure_versions(ids, ends_on, indicator_id=indicator_id)
        return (figures, submissions_version(ids[0], indicator_id)) if submissions else figures

    return versions


def _series_versions(loc: dict, indicator_id: int, as_of: AsOf) -> Callable[[], Hashable]:
    """A series page's version (`_versions_once` of its series; its values awaiting review to members)."""
    return _versions_once([loc["id"]], as_of, indicator_id=indicator_id, submissions=loc["full"])


def _cached_series(
    key: tuple,
    loc: dict,
    indicator_id: int,
    as_of: AsOf,
    build: Callable[[], dict[str, Any]],
    *,
    versions: Callable[[], Hashable] | None = None,
) -> dict[str, Any]:
    """A series page's figures, cached under `_series_versions`."""
    versions = versions or _series_versions(loc, indicator_id, as_of)
    return _cached_figures(key, [loc["id"]], as_of, build, versions=versions)


def _content(template: str, context: dict[str, Any], request: HttpRequest, as_of: AsOf) -> dict[str, Any]:
    """A dashboard's content rendered from its figures (and what the page adds), with the as-of picker: what
    the overview, city, pillar and series pages keep rendered under their figures' version (issue #20; tens to
    hundreds of milliseconds of template each), and whether it shows demo figures (the base's banner)."""
    choices = display.as_of_choices(as_of, timezone.localdate())
    content = render_to_string(template, {**context, "as_of": as_of, "as_of_choices": choices}, request)
    return {"content": content, "has_demo": context.get("has_demo", False)}


def _render(request: HttpRequest, template: str, as_of: AsOf, context: dict[str, Any]) -> HttpResponse:
    choices = display.as_of_choices(as_of, timezone.localdate())
    return render(request, template, {**context, "as_of": as_of, "as_of_choices": choices})


@_dashboard
def dashboard_overview(request: HttpRequest, *, as_of: AsOf) -> HttpResponse:
    """Localities × pillars: status counts and share achieved or on track; each city's DTI rank history."""
    return _render(request, "reports/dashboard_overview.html", as_of, _overview(request, as_of))


def _overview(request: HttpRequest, as_of: AsOf, *, public_home: bool = False) -> dict[str, Any]:
    """The overview's content, rendered (a matrix of every locality × pillar and the rank history: tens of
    milliseconds of template each time) and cached under the figure versions of the user's localities."""
    localities = selectors.localities_in(access.dashboard_localities(request.user))
    # Keyed by the localities themselves (names included): the user's scope and how they are shown.
    key = ("overview", tuple(tuple(loc.values()) for loc in localities), as_of)
    ids = [loc["id"] for loc in localities]
    today = timezone.localdate()

    def render_content(figures: dict[str, Any]) -> dict[str, Any]:
        return _content(
            "reports/_overview_content.html", {**figures, "public_home": public_home}, request, as_of
        )

    if not caching():
        return render_content(pages.overview(localities=localities, as_of=as_of))
    versions = figure_versions(ids, period_end_date(as_of.code))

    def counted() -> dict[str, Any]:
        # Each locality's counts kept under its own version: after a write, only its locality's are
        # counted again (issue #20).
        everywhere, per_locality = versions
        keys = {
            loc_id: full_key(("overview-counts", loc_id, as_of.code, everywhere, v))
            for loc_id, v in per_locality
        }
        found = cache.get_many(list(keys.values()))
        missing = [loc for loc in localities if keys[loc["id"]] not in found]
        if missing:
            computed = pages.overview_counts(localities=missing, as_of=as_of)
            fresh = {keys[loc_id]: part for loc_id, part in computed.items()}
            cache.set_many(fresh)
            found.update(fresh)
        counts = dashboards.merge_overview_counts([found[keys[i]] for i in ids])
        return pages.overview(localities=localities, as_of=as_of, counts=counts)

    def build() -> dict[str, Any]:
        figures = cached(("figures", *key, get_language()), counted, versions=lambda: versions)
        return render_content(figures)

    page = cached(
        ("overview-content", *key, public_home, today, get_language()), build, versions=lambda: versions
    )
    return {**page, "content": mark_safe(page["content"])}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """`/`: for the public, each publishing city's pillars at a glance and the DTI rank history with its
    sources; a signed-in user lands where their work is (`targets.views.home`)."""
    if request.user.is_authenticated:
        return target_catalogue_views.home(request)
    try:
        as_of = _parse_as_of(request.GET.get("as_of"))
    except ValueError as exc:
        return _as_of_refused(request, exc)
    context = {**_overview(request, as_of, public_home=True), "public_home": True}
    return _render(request, "reports/dashboard_overview.html", as_of, context)


@_dashboard
def dashboard_city(request: HttpRequest, locality: str, *, as_of: AsOf) -> HttpResponse:
    """One city: a card per pillar, the 2025 outcome and the road to 2030."""
    loc = _locality_or_404(request, locality)
    today = timezone.localdate()
    versions = _versions_once([loc["id"]], as_of)

    def build() -> dict[str, Any]:
        figures = _cached_figures(
            ("city", tuple(loc.items()), as_of),
            [loc["id"]],
            as_of,
            functools.partial(pages.city, locality=loc, as_of=as_of),
            versions=versions,
        )
        # The content is cached rendered: a province lists hundreds of targets due in 2025 and 2030.
        return _content("reports/_city_content.html", {**figures, "locality": loc}, request, as_of)

    page = _cached_figures(
        ("city-content", tuple(loc.items()), as_of, today), [loc["id"]], as_of, build, versions=versions
    )
    context = {"content": mark_safe(page["content"]), "has_demo": page["has_demo"], "locality": loc}
    return _render(request, "reports/dashboard_city.html", as_of, context)


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
    versions = _versions_once([loc["id"]], as_of)

    def figures() -> dict[str, Any]:
        return pages.pillar(locality=loc, pillar=pillar, as_of=as_of)

    def build() -> dict[str, Any]:
        # The figures kept apart from the sort order: the same pillar sorted another way renders its kept
        # rows in another order instead of computing them again (found by the load test, issue #20).
        context = _cached_figures(
            ("pillar-figures", loc["id"], pillar, as_of, today),
            [loc["id"]],
            as_of,
            figures,
            versions=versions,
        )
        table = PillarTargetTable(context["rows"], remember=("pillar", loc["id"], pillar))
        RequestConfig(page_request, paginate=False).configure(table)
        # The content is cached rendered: a national-scale pillar has hundreds of table rows to render.
        context = {**context, "locality": loc, "pillar": current, "table": table}
        return _content("reports/_pillar_content.html", context, page_request, as_of)

    key = ("pillar", tuple(loc.items()), current["label"], as_of, query.urlencode(), today)
    page = _cached_figures(key, [loc["id"]], as_of, build, versions=versions)
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
def dashboard_city_brief(request: HttpRequest, locality: str, *, as_of: AsOf) -> HttpResponse:
    """The leader's one-page brief of a city (issue #17): prints on one A4 page. The departments that report
    each target are named to those who see the city in full (its members)."""
    loc = _locality_or_404(request, locality)
    key = ("brief", tuple(loc.items()), as_of)
    context = _cached(
        key,
        functools.partial(pages.city_brief, locality=loc, as_of=as_of, with_departments=loc["full"]),
    )
    return _render(request, "reports/dashboard_brief.html", as_of, {**context, "locality": loc})


@_dashboard
def indicator_comparison(request: HttpRequest, code: str, *, as_of: AsOf) -> HttpResponse:
    """One indicator across the cities in scope, with their targets."""
    indicator = _indicator_or_404(code)
    localities = selectors.localities_in(access.dashboard_localities(request.user))
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
    today = timezone.localdate()
    versions = _series_versions(loc, indicator["id"], as_of)

    def build() -> dict[str, Any]:
        figures = _cached_series(
            ("series", code, loc["id"], as_of, loc["full"]),
            loc,
            indicator["id"],
            as_of,
            functools.partial(pages.series, indicator=indicator, locality=loc, as_of=as_of, full=loc["full"]),
            versions=versions,
        )
        context = {**figures, "indicator": indicator, "locality": loc}
        return _content("reports/_series_content.html", context, request, as_of)

    # The content is cached rendered, under the names it shows (a renamed indicator or city is a new entry).
    key = ("series-content", tuple(loc.items()), tuple(sorted(indicator.items())), as_of, today)
    page = _cached_figures(key, [loc["id"]], as_of, build, versions=versions)
    context = {"content": mark_safe(page["content"]), "has_demo": page["has_demo"]}
    return _render(
        request, "reports/series.html", as_of, {**context, "indicator": indicator, "locality": loc}
    )


def target_progress(
    request: HttpRequest, *, locality_slug: str, indicator_code: str, level: str, target_id: int
):
    """What a target's catalogue page shows of its progress (issue #17, item 9): its status, its newest
    figure, a small chart of its series and links to the series and pillar pages, at the last closed
    quarter — the series page's own model (and cache), read only if the user may open that city's
    dashboards. None otherwise, or when the target is not assessed."""
    loc = selectors.locality_in(access.dashboard_localities(request.user), slug=locality_slug)
    if loc is None:
        return None
    loc = {
        **loc,
        "label": display.localized(loc, "name"),
        "full": access.sees_in_full(request.user, loc["id"]),
    }
    indicator = _indicator_or_404(indicator_code)
    as_of = _parse_as_of(None)
    build = functools.partial(pages.series, indicator=indicator, locality=loc, as_of=as_of, full=loc["full"])
    context = _cached_series(
        ("series", indicator_code, loc["id"], as_of, loc["full"]), loc, indicator["id"], as_of, build
    )
    section = next((s for s in context["sections"] if (s["level"] or "") == (level or "")), None)
    row = next((r for r in section["rows"] if r["id"] == target_id), None) if section else None
    if row is None:
        return None
    figure = None
    if section["figure"]:
        figure = copy.deepcopy(section["figure"])
        figure["layout"].update({"height": 280, "showlegend": False})
        figure["layout"]["margin"] = {"l": 10, "r": 10, "t": 30, "b": 20, "pad": 2}
        figure["narrow"] = {**figure.get("narrow", {}), "height": 260, "showlegend": False}
    return {
        "row": row,
        "figure": figure,
        "as_of": as_of,
        "series_url": reverse("reports:series", args=[indicator_code, locality_slug]),
        "pillar_url": reverse("reports:pillar", args=[locality_slug, indicator["pillar__slug"]]),
        "pillar_label": indicator["pillar_label"],
    }


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
        "periods": entry_period_codes(today),
        "can_choose_all": access.can_export_all(request.user),
        "writable": [loc for loc in allowed if access.can_write_report_text(request.user, loc)],
    }
    return render(request, "reports/report_index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_download(request: HttpRequest) -> HttpResponse:
    parsed, error = _report_request(request)
    if error:
        return _as_of_refused(request, error)
    localities, slug, as_of, pillars = parsed
    as_of_code = as_of.code
    if slug == "all":
        # The country's report takes a while to write: a background job (its page shows the progress),
        # or at once the file already written for the same request and data (issue #20). Only a POST
        # starts one; a GET follows a job already there or asks to start it (a GET never writes).
        params = {"locality": "all", "as_of": as_of_code, "pillars": sorted(pillars)}
        if request.method == "POST":
            job = jobs.job_request(user=request.user, kind="report", params=params)
        else:
            job = jobs.job_find(user=request.user, kind="report", params=params)
            if job is None:
                return render(
                    request, "reports/job_start.html", {"label": jobs.KINDS["report"].label, "as_of": as_of}
                )
        if job.state == JobState.DONE:
            return redirect("reports:job_file", pk=job.pk)
        return redirect("reports:job", pk=job.pk)
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


# --------------------------------------------------------------------------- the Báo cáo (.docx)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _bao_cao_locality(request: HttpRequest, slug: str | None):
    """One locality of the user's report scope (a Báo cáo is one locality's); 404 outside it."""
    allowed = list(access.report_localities(request.user))
    if not allowed:
        raise Http404
    if not slug and len(allowed) == 1:
        return allowed[0]
    for loc in allowed:
        if loc.slug == slug:
            return loc
    raise Http404


def _job_or_404(request: HttpRequest, pk: int) -> Job:
    """A job the user may follow: whoever may ask for the same parameters (`targets.access.may_run_job`)."""
    job = get_object_or_404(Job, pk=pk)
    kind = jobs.KINDS.get(job.kind)
    if kind is None or not access.may_run_job(request.user, kind.rule, job.params):
        raise Http404
    return job


@login_required
@require_GET
def report_bao_cao(request: HttpRequest) -> HttpResponse:
    """The Báo cáo of a locality and quarter as .docx (Decree 30/2020 form): `reports.bao_cao`."""
    locality = _bao_cao_locality(request, request.GET.get("locality"))
    try:
        as_of = _parse_as_of(request.GET.get("as_of"))
    except ValueError as exc:
        return _as_of_refused(request, exc)
    body = bao_cao.build_bao_cao(locality_id=locality.pk, period_code=as_of.code, today=timezone.localdate())
    response = HttpResponse(body, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="bao-cao-{locality.slug}-{as_of.code}.docx"'
    return response


def _narrative_period(raw: str | None, today: dt.date) -> str:
    """The quarter a narrative is written for (default: the last closed one); ValueError with a message."""
    if not raw:
        year, quarter = last_closed_quarter(today)
        return f"{year}-Q{quarter}"
    try:
        _year, quarter = parse_period_code(raw)
    except ValueError:
        quarter = None
    if quarter is None:
        raise ValueError(_("Kỳ báo cáo phải là một quý, ví dụ 2026-Q3."))
    return raw


@login_required
def report_narrative(request: HttpRequest) -> HttpResponse:
    """The reviewer writes the Báo cáo's sections IV and V, notes per pillar, and the locality's
    letterhead, "Nơi nhận" and signer. GET shows them with the narrative's history; POST writes through
    `targets.services.narrative` (all or nothing: a refusal shows why and changes nothing)."""
    locality = access.get_review_locality(request.user, request.GET.get("locality"))
    if not access.can_write_report_text(request.user, locality):
        raise Http404
    today = timezone.localdate()
    pillars = selectors.pillars()
    try:
        period = _narrative_period(request.GET.get("period"), today)
    except ValueError as exc:
        return _as_of_refused(request, exc)
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        posted = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        try:
            if action == "narrative":
                narrative_service.report_narrative_save(
                    user=request.user,
                    locality=locality,
                    period_code=period,
                    version=_version(request.POST.get("version")),
                    shortcomings=request.POST.get("shortcomings", ""),
                    recommendations=request.POST.get("recommendations", ""),
                    pillar_notes={
                        p["slug"]: request.POST.get(f"note-{p['slug']}", "")
                        for p in pillars
                        if f"note-{p['slug']}" in request.POST
                    },
                )
                messages.success(request, _("Đã lưu nội dung báo cáo."))
            elif action == "settings":
                narrative_service.report_settings_save(
                    user=request.user,
                    locality=locality,
                    version=_version(request.POST.get("version")),
                    **{name: request.POST.get(name, "") for name in narrative_service.SETTINGS_FIELDS},
                )
                messages.success(request, _("Đã lưu thể thức báo cáo."))
            else:
                raise ReportTextError({"": [_("Thao tác không hợp lệ.")]})
        except ReportTextError as exc:
            errors = exc.errors
            status = 400
        else:
            return redirect(f"{request.path}?locality={locality.slug}&period={period}")
    text = narrative_selectors.narrative(locality, period)
    head = narrative_selectors.letterhead(locality)
    context = {
        "locality": locality,
        "period": period,
        "period_label": period_label(period),
        "periods": [c for c in entry_period_codes(today) if "-Q" in c],
        "pillars": [
            {**p, "note": posted.get(f"note-{p['slug']}", text.pillar_notes.get(p["slug"], ""))}
            for p in pillars
        ],
        "narrative": text,
        "letterhead": head,
        "action": posted.get("action"),
        "posted": posted,
        "errors": errors,
        "history": narrative_selectors.narrative_history(locality, period),
        "settings_fields": [
            (
                name,
                str(ReportSettings._meta.get_field(name).verbose_name),
                posted.get(name, getattr(head, name)),
            )
            for name in narrative_service.SETTINGS_FIELDS
        ],
    }
    return render(request, "reports/report_narrative.html", context, status=status)


def _version(raw: str | None) -> int:
    """The version a form was shown (0: nothing saved yet); a malformed one reads as -1, which no row has."""
    return int(raw) if raw and raw.isdigit() else (0 if not raw else -1)


@login_required
@require_GET
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A background job: its progress bar (the page reloads itself every two seconds while it runs, with
    <meta http-equiv="refresh">: no script), then its file, or why it failed."""
    job = jobs.live_progress(_job_or_404(request, pk))
    running = job.state in (JobState.QUEUED, JobState.RUNNING)
    context = {"job": job, "label": jobs.KINDS[job.kind].label, "running": running}
    response = render(request, "reports/job.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def job_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A finished job's file (404 before it is finished or after it was pruned)."""
    job = _job_or_404(request, pk)
    if job.state != JobState.DONE or not job.file or not job.file.storage.exists(job.file.name):
        raise Http404
    content_type = _XLSX if job.filename.endswith(".xlsx") else None
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=content_type
    )


# --- open data (public, no login): every dataset of `reports.schema`, filtered, cached, streamed ----------

_CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_PAGE_LIMIT = 10000  # rows per JSON page at most (`?limit=`, `?offset=`; the total in X-Total-Count)
CACHE_SECONDS = 300


class BadParameter(ValueError):
    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        super().__init__(message)


def _bad(exc: BadParameter) -> HttpResponse:
    body = json.dumps({"parameter": exc.parameter, "error": str(exc)}, ensure_ascii=False)
    return HttpResponse(body, status=400, content_type="application/json; charset=utf-8")


def _parse_since(raw: str) -> str:
    """`?since=` (an ISO date or date-time; without a zone: Vietnam time) as UTC ISO text."""
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(
            "since",
            _(
                "Tham số since: “%(value)s” không phải ngày giờ ISO 8601 (ví dụ 2026-07-01 hoặc 2026-07-01T08:00:00Z)."
            )
            % {"value": raw},
        ) from None
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse_filters(request: HttpRequest, dataset: schema.Dataset) -> dict[str, Any]:
    """The dataset's filters from the query, each checked: a value that names nothing, or a filter the
    dataset has no column for, raises BadParameter naming the parameter."""
    filters: dict[str, Any] = {}
    for name in schema.FILTERS:
        raw = request.GET.get(name)
        if raw is None:
            continue
        raw = raw.strip()
        if name not in dataset.filters:
            raise BadParameter(
                name,
                _("Tham số %(name)s không áp dụng cho bộ dữ liệu %(dataset)s.")
                % {"name": name, "dataset": dataset.name},
            )
        if name == "locality":
            if raw not in {loc["slug"] for loc in selectors.publishing_localities()}:
                raise BadParameter(
                    name,
                    _("Tham số locality: “%(value)s” không phải địa phương công khai số liệu.")
                    % {"value": raw},
                )
            filters[name] = raw
        elif name == "indicator":
            if selectors.indicator_detail(raw) is None:
                raise BadParameter(
                    name, _("Tham số indicator: không có chỉ tiêu mã “%(value)s”.") % {"value": raw}
                )
            filters[name] = raw
        elif name == "pillar":
            if raw not in {p["slug"] for p in selectors.pillars()}:
                raise BadParameter(name, _("Tham số pillar: không có trụ cột “%(value)s”.") % {"value": raw})
            filters[name] = raw
        elif name == "year":
            if not raw.isdigit() or not MIN_PERIOD_YEAR <= int(raw) <= MAX_PERIOD_YEAR:
                raise BadParameter(
                    name,
                    _("Tham số year: “%(value)s” không phải năm từ %(low)s đến %(high)s.")
                    % {"value": raw, "low": MIN_PERIOD_YEAR, "high": MAX_PERIOD_YEAR},
                )
            filters[name] = int(raw)
        elif name == "period":
            try:
                parse_period_code(raw)
            except ValueError:
                raise BadParameter(
                    name,
                    _("Tham số period: “%(value)s” không phải kỳ báo cáo (ví dụ 2026-Q3 hoặc 2024).")
                    % {"value": raw},
                ) from None
            filters[name] = raw
        else:
            filters[name] = _parse_since(raw)
    return filters


def _paging(request: HttpRequest) -> tuple[int, int]:
    values = {}
    for name, default in (("limit", JSON_PAGE_LIMIT), ("offset", 0)):
        raw = request.GET.get(name, "").strip()
        if not raw:
            values[name] = default
            continue
        if not raw.isdigit() or (name == "limit" and not 1 <= int(raw) <= JSON_PAGE_LIMIT):
            raise BadParameter(
                name,
                _("Tham số %(name)s: “%(value)s” không phải số nguyên hợp lệ (limit từ 1 đến %(max)s).")
                % {"name": name, "value": raw, "max": JSON_PAGE_LIMIT},
            )
        values[name] = int(raw)
    return values["limit"], values["offset"]


def data_modified() -> dt.datetime:
    """When the data last changed, as this process first saw the current data version (never earlier than
    the change): the Last-Modified of every open file."""
    return cached(("data-modified",), lambda: timezone.now().replace(microsecond=0))


def _etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    """The data version with everything else a file depends on: path, query, language and day (the default
    as-of follows the calendar)."""
    parts = (data_version(), request.path, request.GET.urlencode(), get_language(), str(timezone.localdate()))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _last_modified(request: HttpRequest, *args: Any, **kwargs: Any) -> dt.datetime:
    return data_modified()


def _open_file(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public open-data file: GET only, ETag and Last-Modified from the data version (304 to a conditional
    GET), a short public Cache-Control, readable from any origin."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return require_GET(condition(etag_func=_etag, last_modified_func=_last_modified)(wrapped))


def _as_of_for(request: HttpRequest, dataset: str) -> AsOf | None:
    """Progress: `?as_of=` or the last closed quarter; actuals: the figures known then if given; else none."""
    raw = request.GET.get("as_of", "").strip()
    if dataset == "progress" or (dataset == "actuals" and raw):
        return _parse_as_of(raw)
    return None


def _rows(
    dataset: str, as_of: AsOf | None, narrow: dict[str, Any] | None = None, *, streamed: bool = False
) -> Iterable[dict]:
    if dataset == "progress" and streamed:
        # A streamed file: a few localities at a time, never the country's rows in memory (issue #19).
        return pages.open_data_rows("progress", as_of=as_of, streamed=True)
    if dataset == "progress":
        # Cached per locality under its figures' version (seconds to compute for the country, a few tens
        # of milliseconds for one locality): a write recomputes the rows of its locality only.
        return _progress_rows(as_of)
    return pages.open_data_rows(dataset, as_of=as_of, narrow=narrow)


def _progress_rows(as_of: AsOf) -> list[dict]:
    """The progress rows of every publishing locality (`pages.open_data_progress`, in its order: by
    locality slug), each locality's cached under the version of its figures up to `as_of`
    (`figure_versions`): two queries when every locality's rows are cached, four more for those that are
    not, computed together, once (`cached`: no stampede)."""
    if not caching():
        return pages.open_data_rows("progress", as_of=as_of)
    localities = selectors.publishing_localities()
    everywhere, versions = figure_versions([loc["id"] for loc in localities], period_end_date(as_of.code))
    keys = {
        loc_id: full_key(
            ("open-data-progress", loc_id, as_of.code, as_of.provisional, everywhere, version, localities)
        )
        for loc_id, version in versions
    }
    found = cache.get_many(list(keys.values()))
    missing = [loc_id for loc_id, key in keys.items() if key not in found]
    if missing:

        def compute() -> dict[str, list[dict]]:
            slugs = {loc["slug"]: loc["id"] for loc in localities}
            by_locality: dict[int, list[dict]] = {loc_id: [] for loc_id in missing}
            for row in pages.open_data_progress_of(as_of=as_of, locality_ids=missing):
                by_locality[slugs[row["locality"]]].append(row)
            return {keys[loc_id]: rows for loc_id, rows in by_locality.items()}

        computed = cached(
            ("open-data-progress-missing", tuple(keys[i] for i in missing)), compute, versioned=False
        )
        cache.set_many(computed)
        found.update(computed)
    return [row for loc in localities for row in found[keys[loc["id"]]]]


def _meta(dataset: schema.Dataset, as_of: AsOf | None, total: int, limit: int, offset: int) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "title": f"DTI Portal — {dataset.title_vi} / {dataset.title_en}",
        "description": f"{dataset.description_vi} / {dataset.description_en}",
        "licence": schema.LICENCE["path"],
        "schema": "datapackage.json",
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "count": total,
        "limit": limit,
        "offset": offset,
    }
    if as_of is not None:
        meta.update(as_of=as_of.code, provisional=as_of.provisional)
    return meta


@_open_file
def open_data_file(request: HttpRequest, dataset: str, fmt: str) -> HttpResponse:
    """One dataset as CSV (streamed), JSON (paged) or .xlsx, filtered by the query (`reports.schema`)."""
    spec = schema.BY_NAME.get(dataset)
    if spec is None or fmt not in (*_CONTENT_TYPES, "xlsx"):
        raise Http404
    try:
        as_of = _as_of_for(request, dataset)
    except ValueError as exc:
        return _as_of_refused(request, exc)
    try:
        filters = _parse_filters(request, spec)
        limit, offset = _paging(request) if fmt == "json" else (None, 0)
    except BadParameter as exc:
        return _bad(exc)
    name = f"{dataset}-{as_of.code}" if as_of and request.GET.get("as_of") else dataset
    narrow = {k: v for k, v in filters.items() if k in ("locality", "indicator", "pillar")}
    rows = opendata.select(_rows(dataset, as_of, narrow, streamed=fmt == "csv"), spec, filters)
    if fmt == "csv":
        response = StreamingHttpResponse(
            opendata.csv_chunks(rows, spec.columns), content_type=_CONTENT_TYPES["csv"]
        )
    elif fmt == "json":
        if dataset == "progress":  # demo values are never presented as real figures
            rows = list(rows)
            demo = any(row["latest_origin"] == "demo" for row in rows)
        kept, total = opendata.page(rows, limit=limit, offset=offset)
        meta = _meta(spec, as_of, total, limit, offset)
        if dataset == "progress":
            meta["contains_demo_values"] = demo
        body = {"meta": meta, "columns": list(spec.columns), "data": kept}
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"),
            content_type=_CONTENT_TYPES["json"],
        )
        response["X-Total-Count"] = str(total)
    else:
        out = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it once sent
        opendata.write_xlsx(rows, spec, out, lang=get_language() or "vi")
        out.seek(0)
        response = FileResponse(out, content_type=_XLSX)
    response["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
    return response


@_open_file
def open_data_indicator_csv(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator's figures across the publishing localities (Open SDG's per-indicator CSV)."""
    if selectors.indicator_detail(code) is None:
        raise Http404
    spec = schema.BY_NAME["actuals"]
    narrow = {"indicator": code}
    rows = opendata.select(pages.open_data_rows("actuals", as_of=None, narrow=narrow), spec, narrow)
    response = StreamingHttpResponse(
        opendata.csv_chunks(rows, spec.columns), content_type=_CONTENT_TYPES["csv"]
    )
    response["Content-Disposition"] = f'inline; filename="{code}.csv"'
    return response


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@_open_file
def open_data_package(request: HttpRequest) -> HttpResponse:
    """The Frictionless tabular data package describing every dataset."""
    body = schema.datapackage(
        base_url=_base_url(request), version=data_version(), modified=data_modified().isoformat()
    )
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})


@_open_file
def open_data_dcat(request: HttpRequest) -> HttpResponse:
    """The DCAT catalogue record (JSON-LD)."""
    body = schema.dcat(base_url=_base_url(request), modified=data_modified().isoformat())
    return JsonResponse(
        body, content_type="application/ld+json", json_dumps_params={"ensure_ascii": False, "indent": 1}
    )


@_open_file
def open_data_zip(request: HttpRequest) -> HttpResponse:
    """Every dataset as CSV with `datapackage.json`, in one zip (written to a temporary file)."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it once sent
    as_of = _parse_as_of(None)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        package = schema.datapackage(
            base_url=_base_url(request), version=data_version(), modified=data_modified().isoformat()
        )
        archive.writestr("datapackage.json", json.dumps(package, ensure_ascii=False, indent=1))
        for spec in schema.DATASETS:
            with archive.open(f"{spec.name}.csv", "w") as member:
                for chunk in opendata.csv_chunks(_rows(spec.name, as_of, streamed=True), spec.columns):
                    member.write(chunk)
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename="dti-portal-open-data.zip", content_type="application/zip"
    )


@require_GET
def open_data_index(request: HttpRequest) -> HttpResponse:
    """Every dataset with its dictionary, row count and last update (from `reports.schema`)."""
    lang = get_language() or "vi"

    def build() -> list[dict[str, Any]]:
        as_of = _parse_as_of(None)
        out = []
        for spec in schema.DATASETS:
            rows = _rows(spec.name, as_of)
            count, last = 0, None
            since = spec.filters.get("since")
            for row in rows:
                count += 1
                if since and row[since] and (last is None or str(row[since]) > last):
                    last = str(row[since])
            out.append({"name": spec.name, "count": count, "last": last})
        return out

    counts = {d["name"]: d for d in cached(("open-data-index",), build)}
    datasets = [
        {
            "name": spec.name,
            "title": spec.title(lang),
            "description": spec.description(lang),
            "fields": [
                {
                    "name": f.name,
                    "type": f.type,
                    "unit": f.unit,
                    "description": f.en if lang == "en" else f.vi,
                }
                for f in spec.fields
            ],
            "primary_key": ", ".join(spec.primary_key),
            "foreign_keys": [f"{', '.join(fk.fields)} → {fk.resource}" for fk in spec.foreign_keys],
            "filters": list(spec.filters),
            "count": counts[spec.name]["count"],
            "last": counts[spec.name]["last"],
        }
        for spec in schema.DATASETS
    ]
    context = {
        "datasets": datasets,
        "licence": schema.LICENCE,
        "modified": data_modified(),
        "indicators": selectors.open_indicators(),
    }
    return render(request, "reports/open_data.html", context)


@_dashboard
def reporting_status(request: HttpRequest, *, as_of: AsOf) -> HttpResponse:
    """Per city, pillar and department: how many targets have current data, when each department last
    reported (public for the publishing localities; a member also sees their own)."""
    localities = selectors.localities_in(access.dashboard_localities(request.user))
    key = ("reporting-status", tuple(tuple(loc.values()) for loc in localities), as_of)
    context = _cached(key, functools.partial(pages.reporting_status, localities=localities, as_of=as_of))
    return _render(request, "reports/reporting_status.html", as_of, context)
