"""Open-data files — pure Python, no database: rows in, CSV (UTF-8 with BOM, for Excel) or JSON bytes out."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

from .charts import finite

TARGET_COLUMNS = (
    "locality",
    "pillar",
    "indicator_code",
    "indicator_name",
    "level",
    "year",
    "comparator",
    "value",
    "value_max",
    "unit",
    "higher_is_better",
    "applies_until",
    "source_document",
    "source_quote",
)


# `period`: what the figure is for; `known_on`: the day it became known (published, approved, or the end of
# its period where no date is known — `known_basis` says which).
ACTUAL_COLUMNS = (
    "locality",
    "indicator_code",
    "level",
    "period",
    "value",
    "origin",
    "source",
    "known_on",
    "known_basis",
)


def _number(value: Decimal | float | None) -> int | float | None:
    """A figure as a JSON number: 12.5000 → 12.5, 100.0000 → 100."""
    if value is None:
        return None
    d = Decimal(str(value)).normalize()
    return int(d) if d == d.to_integral_value() else float(d)


def target_rows(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Shape the selector's `values()` rows into the open-data columns (JSON-ready types)."""
    rows = []
    for v in values:
        number, title = v["document__number"], v["document__title"]
        rows.append(
            {
                "locality": v["locality__slug"],
                "pillar": v["indicator__pillar__slug"],
                "indicator_code": v["indicator__code"],
                "indicator_name": v["indicator__name"],
                "level": v["level"] or "",
                "year": v["year"],
                "comparator": v["comparator"],
                "value": _number(v["value"]),
                "value_max": _number(v["value_max"]),
                "unit": v["unit"],
                "higher_is_better": bool(v["indicator__higher_is_better"]),
                "applies_until": v["applies_until"].isoformat() if v["applies_until"] else None,
                "source_document": f"{number}: {title}" if number else title,
                "source_quote": " ".join(v["quote"].split()),
            }
        )
    return rows


def actual_rows(frame: Any) -> list[dict[str, Any]]:
    """The open-data actual rows (`ACTUAL_COLUMNS`) of a frame of figures with the day each became known
    (`reports.selectors.known_actuals`): a published figure's source, no other's."""
    return [
        {
            "locality": loc,
            "indicator_code": code,
            "level": level or "",
            "period": period,
            "value": _number(value),
            "origin": origin,
            "source": source if origin == "published" else "",
            "known_on": known_on,
            "known_basis": basis,
        }
        for loc, code, level, period, value, origin, source, known_on, basis in zip(
            *(
                frame[c].tolist()
                for c in (
                    "locality",
                    "indicator_code",
                    "level",
                    "obs_period",
                    "obs_value",
                    "origin",
                    "source",
                    "known_on",
                    "known_basis",
                )
            ),
            strict=True,
        )
    ]


PROGRESS_COLUMNS = (
    *TARGET_COLUMNS,
    "as_of",
    # true for the current quarter, still being entered ("tạm tính")
    "provisional",
    "status",
    # awaiting_final only: the verdict the last figure before the deadline gives
    "provisional_status",
    # past the deadline: the deadline figure (the one judged), its period and the day it became known
    "latest",
    "latest_period",
    "latest_known_on",
    "latest_known_basis",
    "gap",
    "completion",
    "expected_completion",
    "projected",
    "required_pace_per_year",
    "opensdg_status",
    # Where the latest value comes from (entered, imported, published, demo): demo values are never
    # presented as real figures.
    "latest_origin",
    # information only: the newest figure after the deadline (it never changes the verdict)
    "latest_after_deadline",
    "latest_after_deadline_period",
)


def _figure(value: Any, digits: int = 4) -> float | None:
    """A computed figure for publication: NaN/None stays empty (never a made-up number), else rounded."""
    f = finite(value)
    return None if f is None else round(f, digits)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


# The progress columns: figures rounded for publication, and texts, empty when absent (open-data column ←
# the assessment's column).
_PROGRESS_FIGURES = (
    "latest",
    "latest_after_deadline",
    "gap",
    "completion",
    "expected_completion",
    "projected",
    "required_pace_per_year",
)
_PROGRESS_TEXTS = {
    "provisional_status": "provisional_status",
    "latest_period": "latest_period",
    "latest_known_on": "latest_known_on",
    "latest_known_basis": "latest_known_basis",
    "latest_after_deadline_period": "after_period",
    "latest_origin": "latest_origin",
}


def progress_rows(
    targets: list[tuple[int, dict[str, Any]]], table: Any, *, as_of_code: str, provisional: bool = False
) -> list[dict[str, Any]]:
    """Join each open-data target row with its assessment (`table`, indexed by target id)."""
    records = table.to_dict(orient="index")
    rows = []
    for target_id, row in targets:
        a = records.get(target_id, {})
        rows.append(
            {
                **row,
                "as_of": as_of_code,
                "provisional": provisional,
                "status": a.get("status"),
                "opensdg_status": a.get("opensdg_status"),
                **{column: _figure(a.get(column)) for column in _PROGRESS_FIGURES},
                **{column: _text(a.get(name)) for column, name in _PROGRESS_TEXTS.items()},
            }
        )
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def to_csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> bytes:
    """CSV in UTF-8 with a BOM so that Excel opens Vietnamese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_json(rows: list[dict[str, Any]], columns: tuple[str, ...], meta: dict[str, Any]) -> bytes:
    body = {"meta": meta, "columns": list(columns), "data": [{c: row[c] for c in columns} for row in rows]}
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
