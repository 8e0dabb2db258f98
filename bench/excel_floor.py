"""The Excel report's floor: plain xlsxwriter (constant_memory) writing the same cells as the report.

`sheet_cells` reads a report back (values and number formats, sheet by sheet); `write_plain` writes them
again with xlsxwriter, a format per number format and nothing else: no chart, no conditional formatting,
no table, no print set-up. What is left is the cost of the cells themselves.
"""

from __future__ import annotations

import io
from typing import Any

Sheet = tuple[str, list[list[tuple[Any, str]]]]  # (title, rows of (value, number format))


def sheet_cells(body: bytes) -> list[Sheet]:
    """Every sheet's cells as (value, number format), read back with openpyxl (read-only)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(body), read_only=True)
    try:
        return [
            (ws.title, [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()])
            for ws in wb.worksheets
        ]
    finally:
        wb.close()


def write_plain(sheets: list[Sheet]) -> bytes:
    """The same cells through xlsxwriter in constant-memory mode (rows streamed to disk as written)."""
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False})
    formats: dict[str, Any] = {}
    for title, rows in sheets:
        ws = wb.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, (value, number_format) in enumerate(row):
                if value is None:
                    continue
                if number_format and number_format != "General":
                    fmt = formats.get(number_format)
                    if fmt is None:
                        fmt = formats[number_format] = wb.add_format({"num_format": number_format})
                    ws.write(r, c, value, fmt)
                else:
                    ws.write(r, c, value)
    wb.close()
    return buffer.getvalue()
