"""Open-data files — pure Python, no database: rows in, CSV (UTF-8 with BOM, for Excel) or JSON bytes out."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from . import schema
from .charts import finite

TARGET_COLUMNS = schema.BY_NAME["targets"].columns
ACTUAL_COLUMNS = schema.BY_NAME["actuals"].columns
PROGRESS_COLUMNS = schema.BY_NAME["progress"].columns


def _number(value: Decimal | float | None) -> int | float | None:
    """A figure as a JSON number: 12.5000 → 12.5, 100.0000 → 100."""
    if value is None:
        return None
    d = Decimal(str(value)).normalize()
    return int(d) if d == d.to_integral_value() else float(d)


def target_rows(values: list[dict[str, Any]], dti: dict[int, str] | None = None) -> list[dict[str, Any]]:
    """Shape the selector's `values()` rows (`reports.selectors.open_targets`) into the open-data columns;
    `dti`: each indicator id's DTI indices (`reports.selectors.open_dti_indices_by_indicator`)."""
    dti = dti or {}
    rows = []
    for v in values:
        number, title = v["document__number"], v["document__title"]
        rows.append(
            {
                "target_id": v["id"],
                "locality": v["locality__slug"],
                "locality_code": v["locality__official_code"] or "",
                "pillar": v["target_pillar"],
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
                "ranked_among": v["ranked_among"],
                "aggregation": v["aggregation"] or "",
                "period_from": v["period_from"],
                "document": v["document__code"],
                "source_document": f"{number}: {title}" if number else title,
                "source_quote": " ".join(v["quote"].split()),
                "national_target_id": v.get("national_target_id"),
                "dti_indices": dti.get(v.get("indicator_id"), ""),
            }
        )
    return rows


# --- the national frame (issue #21) ----------------------------------------------------------------------------


def national_target_rows(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The national targets (`reports.selectors.open_national_targets`): quote and provenance as loaded."""
    return [
        {
            "national_target_id": v["id"],
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
            "document": v["document__code"],
            "source_document": f"{v['document__number']}: {v['document__title']}"
            if v["document__number"]
            else v["document__title"],
            "clause": v["clause"],
            "source_quote": v["quote"],
            "quote_source": v["quote_source"],
            "provenance": v["provenance"],
            "note": v["note"],
        }
        for v in values
    ]


def framework_rows(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "framework": v["code"],
            "name": v["name"],
            "decision": v["decision"],
            "issued_on": v["issued_on"].isoformat() if v["issued_on"] else None,
            "first_year": v["first_year"],
            "last_year": v["last_year"],
            "provincial": bool(v["provincial"]),
            "note": v["note"],
        }
        for v in values
    ]


def index_rows(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "framework": v["framework__code"],
            "index": v["key"],
            "level": v["level"],
            "code": v["code"],
            "parent": v["parent__key"] or "",
            "name": v["name"],
            "name_en": v["name_en"],
            "points": v["points"],
            "source": v["source"],
        }
        for v in values
    ]


def indicator_link_rows(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "framework": v["index__framework__code"],
            "index": v["index__key"],
            "indicator_code": v["indicator__code"],
            "note": v["note"],
        }
        for v in values
    ]


def task_link_rows(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "locality": v["task__plan__locality__slug"],
            "year": v["task__plan__year"],
            "task_code": v["task__code"],
            "framework": v["index__framework__code"],
            "index": v["index__key"],
            "note": v["note"],
        }
        for v in values
    ]


def index_score_rows(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "locality": v["locality__slug"],
            "framework": v["index__framework__code"],
            "index": v["index__key"],
            "year": v["year"],
            "value": _number(v["value"]),
            "source": v["source"],
            "note": v["note"],
        }
        for v in values
    ]


_ACTUAL_FRAME_COLUMNS = (
    "locality",
    "locality_code",
    "pillar",
    "indicator_code",
    "indicator_name",
    "unit",
    "level",
    "obs_period",
    "obs_value",
    "origin",
    "source",
    "known_on",
    "known_basis",
    "last_changed",
)


def _iso_time(value: Any) -> str | None:
    """A stored timestamp (datetime, or ISO text from SQLite) as ISO 8601 in UTC, seconds."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def actual_rows(frame: Any, chunk: int = 5000) -> Iterator[dict[str, Any]]:
    """The open-data actual rows (`ACTUAL_COLUMNS`) of a frame of figures with the day each became known
    (`reports.selectors.open_actuals`), one at a time (a chunk of the frame converted at once): a published
    figure's source, no other's."""
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start : start + chunk]
        for (
            loc,
            code,
            pillar,
            ind,
            name,
            unit,
            level,
            period,
            value,
            origin,
            source,
            known_on,
            basis,
            changed,
        ) in zip(*(part[c].tolist() for c in _ACTUAL_FRAME_COLUMNS), strict=True):
            yield {
                "locality": loc,
                "locality_code": code or "",
                "pillar": pillar,
                "indicator_code": ind,
                "indicator_name": name,
                "unit": unit,
                "level": level or "",
                "period": period,
                "period_type": "quarter" if "-Q" in period else "year",
                "year": int(period[:4]),
                "value": _number(value),
                "origin": origin,
                "source": source if origin == "published" else "",
                "known_on": known_on,
                "known_basis": basis,
                "last_changed": changed,
            }


def locality_rows(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "locality": v["slug"],
            "locality_code": v["official_code"] or "",
            "name": v["name"],
            "name_en": v["name_en"],
            "valid_to": v["valid_to"].isoformat() if v["valid_to"] else None,
            "is_demo": bool(v["is_demo"]),
        }
        for v in values
    ]


def indicator_rows(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "indicator_code": v["code"],
            "indicator_name": v["name"],
            "indicator_name_en": v["name_en"],
            "pillar": v["pillar__slug"],
            "unit": v["unit"],
            "higher_is_better": bool(v["higher_is_better"]),
            "frequency": v["frequency"],
            "definition": " ".join(v["definition"].split()),
        }
        for v in values
    ]


def document_rows(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "document": v["code"],
            "locality": v["locality__slug"],
            "number": v["number"],
            "title": v["title"],
            "issuer": v["issuer"],
            "issued_on": v["issued_on"].isoformat() if v["issued_on"] else None,
            "source_url": v["source_url"],
        }
        for v in values
    ]


def plan_task_rows(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "locality": v["plan__locality__slug"],
            "year": v["plan__year"],
            "task_code": v["code"],
            "pillar": v["pillar__slug"],
            "section": v["section"],
            "text": " ".join(v["text"].split()),
            "lead": v["lead__name"],
            "deadline": v["deadline"].isoformat() if v["deadline"] else None,
            "status": v["status"],
            "document": v["plan__document__code"],
            "last_changed": _iso_time(v["updated_at"]),
        }
        for v in values
    ]


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


# --- filters, streaming, paging and the other formats --------------------------------------------------------


def select(
    rows: Iterable[dict[str, Any]], dataset: schema.Dataset, filters: dict[str, Any]
) -> Iterator[dict]:
    """The rows matching every filter (already validated: `since` a UTC ISO text, the others exact values)
    on the dataset's column for it (`Dataset.filters`)."""
    wanted = [(dataset.filters[name], value) for name, value in filters.items() if name != "since"]
    since = filters.get("since")
    since_column = dataset.filters.get("since")
    if since is not None and {f.name: f.type for f in dataset.fields}[since_column] == "date":
        since = since[:10]  # a day column: figures known on the day of `since` or later
    for row in rows:
        if any(row[column] != value for column, value in wanted):
            continue
        if since is not None and (row[since_column] is None or str(row[since_column]) < since):
            continue
        yield row


def csv_chunks(
    rows: Iterable[dict[str, Any]], columns: tuple[str, ...], chunk: int = 2000
) -> Iterator[bytes]:
    """The CSV (UTF-8 with a BOM, for Excel) a few thousand rows at a time: never the whole file in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(columns)
    for n, row in enumerate(rows, start=1):
        writer.writerow([_cell(row[c]) for c in columns])
        if n % chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def page(rows: Iterable[dict[str, Any]], *, limit: int | None, offset: int) -> tuple[list[dict], int]:
    """(the rows from `offset`, at most `limit` of them; the total number of rows)."""
    kept: list[dict] = []
    total = 0
    for row in rows:
        if total >= offset and (limit is None or len(kept) < limit):
            kept.append(row)
        total += 1
    return kept, total


def write_xlsx(rows: Iterable[dict[str, Any]], dataset: schema.Dataset, out: Any, *, lang: str) -> None:
    """The dataset as an Excel workbook (constant memory): a data sheet with typed cells and a dictionary
    sheet. For those whose Excel splits a CSV on `;` (Vietnamese regional settings)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_urls": False})
    sheet = book.add_worksheet(dataset.name[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, dataset.columns, bold)
    types = {f.name: f.type for f in dataset.fields}
    for r, row in enumerate(rows, start=1):
        for c, name in enumerate(dataset.columns):
            value = row[name]
            if value is None:
                continue
            if types[name] in ("integer", "number") and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            else:
                sheet.write_string(r, c, _cell(value))
    info = book.add_worksheet("dictionary")
    info.write_row(0, 0, ("field", "type", "unit", "description"), bold)
    for r, f in enumerate(dataset.fields, start=1):
        info.write_row(r, 0, (f.name, f.type, f.unit, f.en if lang == "en" else f.vi))
    info.write(len(dataset.fields) + 2, 0, f"{schema.LICENCE['title']} — {schema.LICENCE['path']}")
    book.close()
