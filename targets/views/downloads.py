"""File downloads shared by the pages: evidence is served only through a view, after its access check."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def evidence_download(file: FieldFile, name: str) -> FileResponse:
    """An evidence file always as a download (never rendered by the browser); 404 when there is none."""
    if not file:
        raise Http404
    response = FileResponse(file.open("rb"), as_attachment=True, filename=name or "minh-chung")
    response["X-Content-Type-Options"] = "nosniff"
    return response
