"""Open-data files — pure Python, no Django: rows in, CSV (UTF-8 with BOM, for Excel) or JSON bytes out."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

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


def _number(value: Decimal | float | None) -> int | float | None:
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
