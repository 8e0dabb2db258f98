"""Serve the plotly.js that ships inside the `plotly` Python package as `vendor/plotly.min.js`.

A staticfiles finder, so runserver, whitenoise (with finders) and `collectstatic` all see the file: no CDN,
no copy of a 4.8 MB vendor file in the repository, and the version is the one pinned in pyproject.toml.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage

PACKAGE_DATA = Path(plotly.__file__).resolve().parent / "package_data"
FILENAME = "plotly.min.js"
PREFIX = "vendor"
URL_PATH = f"{PREFIX}/{FILENAME}"


class PlotlyFinder(BaseFinder):
    """Finds exactly one file, `vendor/plotly.min.js`, in plotly's package data."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(PACKAGE_DATA))
        self.storage.prefix = PREFIX  # collectstatic and whitenoise place the file under vendor/

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        if not (PACKAGE_DATA / FILENAME).is_file():
            return [
                Error(
                    f"{PACKAGE_DATA / FILENAME} is missing: reinstall the plotly package.", id="reports.E001"
                )
            ]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        if path == URL_PATH and (PACKAGE_DATA / FILENAME).is_file():
            found = str(PACKAGE_DATA / FILENAME)
            return [found] if find_all else found
        return []

    def list(self, ignore_patterns: list[str] | None) -> Iterator[tuple[str, FileSystemStorage]]:
        yield FILENAME, self.storage
