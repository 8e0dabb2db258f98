"""Open data (public, no login): targets as CSV/JSON."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

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
