"""Reads for reports and open data."""

from __future__ import annotations

from targets import selectors as target_selectors

from . import opendata


def open_data_targets() -> list[dict]:
    """The open-data target rows: one query."""
    return opendata.target_rows(target_selectors.targets_for_open_data())
