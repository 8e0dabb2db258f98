"""Open data (public, no login): targets as CSV/JSON."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from targets.periods import resolve_as_of

from . import opendata, selectors

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
    rows = selectors.open_data_targets()
    if fmt == "csv":
        body = opendata.to_csv(rows, opendata.TARGET_COLUMNS)
    else:
        meta = {
            "title": "DTI Portal — mục tiêu chuyển đổi số / digital-transformation targets",
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "count": len(rows),
            "licence": "Dữ liệu mở / open data",
        }
        body = opendata.to_json(rows, opendata.TARGET_COLUMNS, meta)
    return _file_response(body, fmt, "targets")


@require_GET
def open_data_progress(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every target with where it stands at `?as_of=` (default: the last closed quarter)."""
    if fmt not in _CONTENT_TYPES:
        raise Http404
    try:
        as_of_code, as_of = resolve_as_of(request.GET.get("as_of"), today=timezone.localdate())
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    rows = selectors.open_data_progress(as_of_code=as_of_code, as_of=as_of)
    if fmt == "csv":
        body = opendata.to_csv(rows, opendata.PROGRESS_COLUMNS)
    else:
        meta = {
            "title": "DTI Portal — tiến độ các mục tiêu / progress towards the targets",
            "as_of": as_of_code,
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "count": len(rows),
            "method": "docs/progress-method.md: linear trajectory, weighted least-squares projection; Open SDG measure",
            "contains_demo_values": any(_has_demo(r) for r in rows),
        }
        body = opendata.to_json(rows, opendata.PROGRESS_COLUMNS, meta)
    return _file_response(body, fmt, f"progress-{as_of_code}")


def _has_demo(row: dict) -> bool:
    return row.get("latest_origin") == "demo"
