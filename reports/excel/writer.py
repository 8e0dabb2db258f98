"""The Sở's progress report as an Excel workbook — xlsxwriter in constant-memory mode, no database.

Plain data in (`ReportData`, built by `reports.excel.data.report_data` from the same page model and progress
engine as the dashboards and the open data), an .xlsx out. Real numbers in cells, Vietnamese-friendly
number and date formats, frozen headers, fitted widths, A4 landscape print set-up with repeated header
rows, status cells coloured by conditional formatting (the fills of `reports.status`), a native Excel chart
on the summary sheet. Only xlsxwriter's public API: the data sheet gets filters over its rows and a frozen
header (an Excel table is refused in constant-memory mode).

Constant memory: the targets and the actuals arrive as iterators and go through once. Each row goes to
its sheet as it comes (xlsxwriter flushes a sheet's rows to a temporary file as they are written, every
sheet on its own), so a national report never holds its rows in memory. The summary sheet is first in the
workbook but filled last. Its counts and shares are the progress engine's roll-up (`progress.rollup`, handed
in as `ReportData.summary`), never recounted here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from reports.status import COLOURS, FILLS, ORDER
from targets.numbers import decimals_for, shown_decimals
from targets.periods import period_label

# A figure's format follows its indicator's precision (`targets.numbers.UNIT_DECIMALS`) and shows only the
# decimals the figure has: 100 → "100", 12,5 → "12,5" — never "100," as "#,##0.##" shows a whole number.
NUMBER = "#,##0"
PERCENT_SHARE = "0%"
# A completion is shown within 0–100 %: beyond the target it reads "vượt mục tiêu", behind the baseline
# "lùi so với gốc"; the cell keeps the figure itself (shown in the formula bar).
COMPLETION = '[>1]"vượt mục tiêu";[<0]"lùi so với gốc";0%'
PROVISIONAL = "tạm tính"
DATE = "dd/mm/yyyy"
HEADER_FILL = "#DCE6F1"
TITLE = "BÁO CÁO TIẾN ĐỘ THỰC HIỆN CÁC CHỈ TIÊU CHUYỂN ĐỔI SỐ"


@dataclass(slots=True)
class TargetLine:
    locality: str
    pillar: str  # slug: the sheet the line goes to
    indicator: str
    level: str
    unit: str
    target: str  # as the document states it: "≥ 50% (2025)"
    target_value: float | None
    year: int
    baseline: float | None
    latest: float | None
    latest_period: str
    gap: float | None
    completion: float | None
    status: str
    projected: float | None
    pace: float | None
    latest_is_demo: bool = False
    # Past the deadline: the newest figure after it, as information (the verdict rests on `latest`).
    after_deadline: float | None = None
    after_deadline_period: str = ""
    after_deadline_among: int | None = None  # a rank's basis: how many units were ranked
    latest_among: int | None = None  # the latest figure's basis, for a rank
    provisional_label: str = ""  # awaiting_final: the provisional verdict's label
    document: str = ""  # the source document's number (or title), for the quote on the "Nguồn" sheet
    quote: str = ""  # the target as the document words it, verbatim
    target_id: int = 0
    indicator_id: int = 0
    level_code: str = ""
    # The period before the as-of: the figure and status then (the change since the previous quarter).
    previous_latest: float | None = None
    previous_status: str = ""
    # The indicator's domain (NaN/None: unbounded): a figure outside it never reaches the workbook.
    lower: float | None = None
    upper: float | None = None


@dataclass(slots=True)
class DepartmentLine:
    locality: str
    department: str
    assigned: int
    entered: int
    submitted: int
    approved: int
    late: bool


@dataclass(slots=True)
class ActualLine:
    locality: str
    indicator_code: str
    indicator: str
    level: str
    period: str
    value: float
    status: str
    origin: str
    source: str
    is_demo: bool = False
    is_published: bool = False


@dataclass(slots=True)
class DocumentLine:
    number: str
    title: str
    issued_on: dt.date | None
    source: str


@dataclass
class TaskLine:
    """One task of an improvement plan, with its state as the board shows it."""

    locality: str
    plan: str  # "86/KH-UBND (2022)"
    pillar: str
    component: str
    section: str
    text: str
    lead: str
    deadline: dt.date | None
    state: str  # not_started | in_progress | done | overdue
    state_label: str
    note: str = ""


TASK_STATES = ("not_started", "in_progress", "done", "overdue")
OVERDUE_FILL = "FAD9C1"


@dataclass
class ReportData:
    """What the report shows. `targets` and `actuals` may be one-pass iterators (they are, at national
    scale): the writer reads each once, in order."""

    localities: list[str]
    as_of: str
    generated_at: dt.datetime
    pillars: list[tuple[str, str]]  # (slug, name), in order
    status_labels: dict[str, str]
    targets: Iterable[TargetLine]  # every pillar's lines, each pillar's in the order its sheet shows them
    departments: list[DepartmentLine] = field(default_factory=list)
    progress_period: str = ""
    actuals: Iterable[ActualLine] = ()
    documents: list[DocumentLine] = field(default_factory=list)
    contains_demo: bool = False
    tasks: list[TaskLine] = field(default_factory=list)
    task_state_labels: dict[str, str] = field(default_factory=dict)
    # Per pillar slug, the engine's roll-up (`progress.rollup`): each status's count, `total`,
    # `share_on_track`. The summary sheet shows it as it is.
    summary: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    provisional: bool = False  # the as-of quarter is the current one, still being entered
    previous_period: str = ""  # the period the change column compares with
    # A report of several localities: per locality the engine's roll-up (`progress.rollup` by locality).
    locality_summary: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    # Vietnamese labels of the codes the data sheet would otherwise show (origins, statuses of figures).
    code_labels: dict[str, str] = field(default_factory=dict)

    # About how many rows the sheets will hold (each target twice: its pillar and its quote; each figure;
    # the tasks, departments and documents): the total of a background job's progress bar.
    rows_expected: int = 0


LINE_HEIGHT = 15.0  # points per line of 11-point text
# Characters of ordinary Vietnamese text that fit a column's width unit (the width of "0" in the default
# font): a little under one, as diacritics and capitals are wider than digits.
CHARS_PER_WIDTH = 1.05


@functools.lru_cache(maxsize=8192)
def wrapped_lines(text: str, width: float) -> int:
    """The lines `text` takes wrapped in a column `width` wide (word by word, as a spreadsheet wraps).
    Remembered: the same texts come back on many rows (an indicator's name, a document's wording)."""
    room = max(1, int(width * CHARS_PER_WIDTH))
    lines = 0
    for paragraph in text.split("\n"):
        used, count = 0, 1
        for word in paragraph.split():
            size = len(word)
            if used and used + 1 + size > room:
                count += 1 + (size - 1) // room
                used = size % room or room
            else:
                used += (1 if used else 0) + size
                if used > room:
                    count += (used - 1) // room
                    used = used % room or room
        lines += count
    return max(lines, 1)


class _Progress:
    """Rows written so far, told to `callback` every `every` rows (a background job's progress bar)."""

    def __init__(self, callback: Callable[[int], None] | None, every: int = 2000) -> None:
        self.callback, self.every, self.rows = callback, every, 0

    def tick(self) -> None:
        self.rows += 1
        if self.callback is not None and self.rows % self.every == 0:
            self.callback(self.rows)


_NO_PROGRESS = _Progress(None)


class _Sheet:
    """A worksheet written row by row (constant-memory mode only accepts rows in order). A row with wrapped
    text gets the height its longest cell needs, so no text overprints the next row when printed."""

    def __init__(
        self, ws: Worksheet, row: int = 0, widths: Sequence[float] = (), progress: _Progress = _NO_PROGRESS
    ) -> None:
        self.ws = ws
        self.row = row
        self.widths = list(widths)
        self.progress = progress
        # xlsxwriter's undecorated writers (`Worksheet._write_string` …, "undecorated version of
        # write_string()" in its source, what its own `write` calls): the public ones only add a check that
        # the row is not given in A1 notation, about 0.5 µs for each of a national report's 1.6 million
        # cells. The version is pinned (pyproject.toml); tests/unit/test_excel_writer.py writes a row of
        # every kind of value and reads it back.
        self._string = getattr(ws, "_write_string", ws.write_string)
        self._number = getattr(ws, "_write_number", ws.write_number)
        self._datetime = getattr(ws, "_write_datetime", ws.write_datetime)
        self._blank = getattr(ws, "_write_blank", ws.write_blank)

    def append(self, values: Sequence[Any], formats: Sequence[Format | None] = ()) -> None:
        """One row: text as text, numbers as numbers, dates as dates; empty for None, "" and NaN (a figure
        that cannot be computed stays empty). Control characters are kept, escaped as the format says.
        A cell without a format in `formats` (shorter than the row) has none."""
        row, string, number, widths = self.row, self._string, self._number, self.widths
        known, shaped = len(widths), len(formats)
        lines = 1
        for col, value in enumerate(values):
            fmt = formats[col] if col < shaped else None
            if isinstance(value, str) and value:
                if col < known and len(value) > widths[col] and fmt is not None and fmt.text_wrap:
                    lines = max(lines, wrapped_lines(value, widths[col]))
                string(row, col, value, fmt)
            elif isinstance(value, (int, float)):  # numpy's floats and bools too
                if math.isfinite(value):
                    number(row, col, value, fmt)
            elif value is None or value == "":
                if fmt is not None and fmt.bg_color:  # a coloured cell stays coloured when empty
                    self._blank(row, col, None, fmt)
            elif isinstance(value, dt.date):
                self._datetime(row, col, value, fmt)
            else:
                string(row, col, str(value), fmt)
        if lines > 1:
            self.ws.set_row(row, LINE_HEIGHT * lines + 2)
        self.row += 1
        self.progress.tick()

    def skip(self, rows: int = 1) -> None:
        self.row += rows


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        add = wb.add_format
        self.header = add({"bold": True, "bg_color": HEADER_FILL, "text_wrap": True, "valign": "top"})
        self.bold = add({"bold": True})
        self.title = add({"bold": True, "font_size": 13})
        self.left = add({"align": "left"})
        # One format per number of decimals shown (`figure`): "#,##0", "#,##0.0", … "#,##0.0000".
        self.numbers = [add({"num_format": NUMBER + ("." + "0" * d if d else "")}) for d in range(5)]
        self.number = self.numbers[0]
        self.share = add({"num_format": PERCENT_SHARE})
        self.completion = add({"num_format": COMPLETION})
        self.date = add({"num_format": DATE})
        self.datetime = add({"num_format": DATE + " hh:mm", "align": "left"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        overdue = {"bg_color": "#" + OVERDUE_FILL}
        self.overdue_wrap = add({**overdue, "text_wrap": True, "valign": "top"})
        self.overdue_date = add({**overdue, "num_format": DATE})
        self.overdue_bold = add({**overdue, "bold": True})
        self.status = {s: add({"bg_color": "#" + colour}) for s, colour in FILLS.items()}
        self.late = add(overdue)

    def figure(self, value: float | None, places: int) -> Format:
        """The format of a figure kept to `places` decimals: as many as it needs, no trailing comma."""
        if value is None or not math.isfinite(value):
            return self.number
        return self.numbers[_shown(value, places)]

    def kept(self, value: float | None, places: int) -> tuple[float | None, Format]:
        """A figure's cell: the figure kept to `places` decimals (None when it cannot be computed: the cell
        stays empty) and its format (`figure`)."""
        if value is None or not math.isfinite(value):
            return None, self.number
        return round(value, places), self.numbers[_shown(value, places)]


@functools.lru_cache(maxsize=65536)
def _shown(value: float, places: int) -> int:
    # Figures repeat (0, 1, 100, a target's value on every row of its series): worked out once each.
    return min(shown_decimals(value, places), 4)


@functools.lru_cache(maxsize=512)
def _period(code: str) -> str:
    """`period_label`, remembered: a report names the same few periods on thousands of rows."""
    return period_label(code)


def _header_text(text: str) -> str:
    """Text for a page header or footer: "&" doubled (it starts a code there), kept short."""
    text = text.replace("&", "&&")
    return text if len(text) <= 60 else text[:57] + "…"


def _setup(
    ws: Worksheet, widths: list[float], *, header_row: int, data: ReportData | None = None, title: str = ""
) -> None:
    """Column widths, frozen header, A4 landscape fitted to the page width, header row on every page; the
    page header names the locality, the sheet and the quarter, the footer "Trang n/N"."""
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.freeze_panes(header_row + 1, 0)
    ws.repeat_rows(header_row)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    if data is not None:
        places = (
            ", ".join(data.localities) if len(data.localities) <= 3 else f"{len(data.localities)} địa phương"
        )
        ws.set_header(
            f"&L&9{_header_text(places)}&C&9&B{_header_text(title or ws.get_name())}&R&9"
            f"{_header_text(_as_of_text(data))}"
        )
        ws.set_footer("&L&8DTI Portal&C&9Trang &P/&N")


def _status_formatting(ws: Worksheet, fmts: _Formats, col: int, first: int, last: int, labels) -> None:
    if last < first:
        return
    for status in ORDER:
        ws.conditional_format(
            first,
            col,
            last,
            col,
            {"type": "cell", "criteria": "==", "value": f'"{labels[status]}"', "format": fmts.status[status]},
        )


def _sheet_title(name: str, used: set[str]) -> str:
    title = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"
    base, n = title, 2
    while title in used:
        title = f"{base[:28]} {n}"
        n += 1
    used.add(title)
    return title


def _within(value: float | None, lower: float | None, upper: float | None) -> float | None:
    """`value` if it lies in the indicator's domain, else None: an impossible figure is never written."""
    if value is None or not math.isfinite(value):
        return None
    if lower is not None and math.isfinite(lower) and value < lower - 1e-9:
        return None
    if upper is not None and math.isfinite(upper) and value > upper + 1e-9:
        return None
    return value


def write_report(
    data: ReportData, out: str | IO[bytes], *, progress: Callable[[int], None] | None = None
) -> None:
    """Write the report to `out` (a path or a binary file object); `progress(rows)` is told the rows
    written so far every 2,000 rows (of about `data.rows_expected`)."""
    with collecting_new_objects_only():
        _write_report(data, out, progress)


@contextlib.contextmanager
def collecting_new_objects_only() -> Iterator[None]:
    """While the rows are written, the garbage collector looks only at the objects made since (`gc.freeze`):
    the application's and the report data's objects are left out of its full collections, each of which
    went through all of them (about 0.5 s of a national report). Put back as they were after. The report
    job also computes the data inside it (`reports.jobs`): a worker's objects grow with every job it has
    run. Nested, the inner one puts every object back at its end."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _write_report(data: ReportData, out: str | IO[bytes], progress: Callable[[int], None] | None) -> None:
    counter = _Progress(progress)
    wb = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "in_memory": False,  # every sheet's rows go to a temporary file as they are written
            "strings_to_numbers": False,  # text stays text: "Quý III/2026", codes, quotes
            "strings_to_formulas": False,  # a note beginning with "=" is not a formula
            "strings_to_urls": False,  # a source URL is shown as written
        },
    )
    wb.set_properties({"title": TITLE, "comments": f"Tính đến kỳ {_as_of_text(data)}"})
    fmts = _Formats(wb)
    used: set[str] = set()
    # Sheets are created in the order they appear; the summary is filled last (see the module's docstring).
    summary = wb.add_worksheet(_sheet_title("Tổng hợp", used))
    pillar_sheets = {slug: _pillar_sheet(wb, fmts, data, name, used) for slug, name in data.pillars}
    tasks = wb.add_worksheet(_sheet_title("Nhiệm vụ", used))
    departments = wb.add_worksheet(_sheet_title("Tiến độ nhập liệu", used))
    actuals = wb.add_worksheet(_sheet_title("Số liệu", used))
    sources = _sources_sheet(wb, fmts, data, used)
    for sheet in (*pillar_sheets.values(), sources):
        sheet.progress = counter

    contains_demo = data.contains_demo
    demo_note = "minh hoạ (demo)"
    labels = data.status_labels
    multi = len(data.localities) > 1
    lead = [*([fmts.wrap] if multi else []), fmts.wrap, None, fmts.wrap, None]
    tail = [fmts.completion, None, None, None, fmts.wrap, fmts.wrap]
    for t in data.targets:
        sheet = pillar_sheets.get(t.pillar)
        if sheet is None:
            continue
        contains_demo |= t.latest_is_demo
        places = decimals_for(t.unit)
        lower, upper = t.lower, t.upper
        latest = _within(t.latest, lower, upper)
        previous = _within(t.previous_latest, lower, upper)
        change = latest - previous if latest is not None and previous is not None else None
        projected = _within(t.projected, lower, upper)
        after_value = _within(t.after_deadline, lower, upper)
        after = (
            f"{_with_unit(after_value, t.unit)}"
            + (f"/{t.after_deadline_among}" if t.unit == "rank" and t.after_deadline_among else "")
            + f" ({_period(t.after_deadline_period)})"
            if after_value is not None
            else ""
        )
        notes = [note for note in (demo_note if t.latest_is_demo else "", t.provisional_label) if note]
        target_value, target_format = fmts.kept(t.target_value, places)
        baseline, baseline_format = fmts.kept(_within(t.baseline, lower, upper), places)
        latest, latest_format = fmts.kept(latest, places)
        change, change_format = fmts.kept(change, places)
        gap, gap_format = fmts.kept(t.gap if latest is not None else None, places)
        projected, projected_format = fmts.kept(projected, places)
        pace, pace_format = fmts.kept(t.pace, places)
        sheet.append(
            (
                *((t.locality,) if multi else ()),
                t.indicator,
                t.level,
                t.target,
                t.year,
                target_value,
                baseline,
                latest,
                _period(t.latest_period) if t.latest_period else "",
                change,
                gap,
                t.completion,
                labels.get(t.status, t.status),
                projected,
                pace,
                after,
                "; ".join(notes),
            ),
            (
                *lead,
                target_format,
                baseline_format,
                latest_format,
                None,
                change_format,
                gap_format,
                tail[0],
                tail[1],
                projected_format,
                pace_format,
                *tail[4:],
            ),
        )
        sources.append(
            ("Trích dẫn mục tiêu", t.document, f"{t.indicator} ({t.year})", None, t.quote),
            (None, fmts.wrap, fmts.wrap, None, fmts.wrap),
        )
    for slug, _ in data.pillars:
        _finish_pillar(pillar_sheets[slug], fmts, data)

    published: list[ActualLine] = []
    contains_demo |= _actuals(actuals, fmts, data, published, counter)
    for a in published:
        sources.append(
            (
                "Số liệu công bố",
                a.indicator,
                f"{a.locality}: {_figure(a.value)} ({period_label(a.period)})",
                None,
                a.source,
            ),
            (None, fmts.wrap, fmts.wrap, None, fmts.wrap),
        )
    _tasks(tasks, fmts, data, counter)
    _departments(departments, fmts, data, counter)
    _summary(wb, summary, fmts, data, contains_demo)
    wb.close()


def _as_of_text(data: ReportData) -> str:
    label = period_label(data.as_of)
    return f"{label} ({PROVISIONAL})" if data.provisional else label


def _figure(value: float) -> str:
    """A figure as text in the Vietnamese format: 3 → '3', 12.5 → '12,5', 1200 → '1.200'."""
    return f"{value:,.4f}".rstrip("0").rstrip(".").replace(",", " ").replace(".", ",").replace(" ", ".")


def _with_unit(value: float, unit: str) -> str:
    """'hạng 3', '58,9%', '1.200' — a figure written in a text cell."""
    if unit == "rank":
        return f"hạng {_figure(value)}"
    return _figure(value) + ("%" if unit in ("percent", "growth_rate") else "")


SUMMARY_HEADER_ROW = 6


def _summary(
    wb: xlsxwriter.Workbook, ws: Worksheet, fmts: _Formats, data: ReportData, contains_demo: bool
) -> None:
    labels = data.status_labels
    columns = ["Trụ cột", *[labels[s] for s in ORDER], "Tổng số", "Tỷ lệ đạt hoặc đúng tiến độ"]
    widths = [30, *[12] * len(ORDER), 9, 13]
    header_row = SUMMARY_HEADER_ROW
    _setup(ws, widths, header_row=header_row, data=data, title="Tổng hợp")
    sheet = _Sheet(ws, widths=[sum(widths), *widths[1:]])
    sheet.append([TITLE], [fmts.title])
    # Each value spans the columns B–E, so the export date and time fit (no "###") and a list of
    # localities is not cut.
    for label, value, fmt in (
        ("Địa phương:", ", ".join(data.localities), fmts.left),
        ("Tính đến kỳ:", _as_of_text(data), fmts.left),
        ("Ngày xuất:", data.generated_at.replace(tzinfo=None), fmts.datetime),
    ):
        ws.write_string(sheet.row, 0, label)
        ws.merge_range(sheet.row, 1, sheet.row, 4, value, fmt)
        sheet.skip()
    demo_note = (
        "Lưu ý: báo cáo có DỮ LIỆU MINH HOẠ (demo), không phải số liệu thật."
        if contains_demo
        else "Số liệu: đã duyệt và số liệu công bố (có nguồn)."
    )
    sheet.append([demo_note], [fmts.bold if contains_demo else None])
    sheet.skip()
    sheet.widths = widths
    sheet.append(columns, [fmts.header] * len(columns))
    counts = [None] * (len(ORDER) + 1)  # the statuses and the total
    for slug, name in data.pillars:
        row = data.summary.get(slug, {})
        share = row.get("share_on_track")
        sheet.append(
            [name, *[int(row.get(s, 0)) for s in ORDER], int(row.get("total", 0)), share],
            [fmts.wrap, *counts, fmts.share],
        )
    rows = len(data.pillars)
    after = sheet.row
    if len(data.localities) > 1 and data.locality_summary:
        # A report of several localities: one summary row per locality (the engine's roll-up by locality).
        sheet.skip()
        sheet.append(["Tổng hợp theo địa phương"], [fmts.bold])
        sheet.append(["Địa phương", *columns[1:]], [fmts.header] * len(columns))
        for name, row in data.locality_summary:
            sheet.append(
                [
                    name,
                    *[int(row.get(s, 0)) for s in ORDER],
                    int(row.get("total", 0)),
                    row.get("share_on_track"),
                ],
                [fmts.wrap, *counts, fmts.share],
            )
    if not rows:
        return
    title = ws.get_name().replace("'", "''")
    first, last = header_row + 1, header_row + rows
    chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
    for i, status in enumerate(ORDER, start=1):
        chart.add_series(
            {
                "name": [title, header_row, i],
                "categories": [title, first, 0, last, 0],
                "values": [title, first, i, last, i],
                # The chart's colours are the cells' (`reports.status`: each fill is its colour lightened).
                "fill": {"color": COLOURS[status]},
                "border": {"color": "#FFFFFF"},
                "gap": 60,
                "overlap": 100,
            }
        )
    chart.set_title({"name": "Số mục tiêu theo trạng thái, từng trụ cột"})
    chart.set_x_axis({"name": "Số mục tiêu"})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 830, "height": 340})
    ws.insert_chart(max(after, sheet.row) + 2, 0, chart)


PILLAR_COLUMNS = (
    "Chỉ tiêu",
    "Cấp",
    "Mục tiêu",
    "Năm",
    "Giá trị mục tiêu",
    "Giá trị gốc",
    "Giá trị mới nhất",
    "Kỳ",
    "Thay đổi so với kỳ trước",
    "Khoảng cách",
    "Mức hoàn thành",
    "Trạng thái",
    "Dự báo đến hạn",
    "Tốc độ cần/năm",
    "Số liệu sau hạn",
    "Ghi chú",
)
PILLAR_WIDTHS = (46, 12, 16, 6, 10, 9, 10, 12, 11, 10, 11, 16, 10, 10, 14, 18)


def _pillar_columns(data: ReportData) -> list[str]:
    """A pillar sheet's header: with the locality first when the report has several."""
    columns = [*(["Địa phương"] if len(data.localities) > 1 else []), *PILLAR_COLUMNS]
    if data.previous_period:
        columns[columns.index("Thay đổi so với kỳ trước")] = (
            f"Thay đổi so với {period_label(data.previous_period)}"
        )
    return columns


def _pillar_sheet(wb: xlsxwriter.Workbook, fmts: _Formats, data: ReportData, name: str, used) -> _Sheet:
    ws = wb.add_worksheet(_sheet_title(name, used))
    columns = _pillar_columns(data)
    widths = [*([13] if len(columns) > len(PILLAR_COLUMNS) else []), *PILLAR_WIDTHS]
    _setup(ws, widths, header_row=0, data=data, title=name)
    sheet = _Sheet(ws, widths=widths)
    sheet.append(columns, [fmts.header] * len(columns))
    return sheet


def _finish_pillar(sheet: _Sheet, fmts: _Formats, data: ReportData) -> None:
    """Status colours and filters over the rows written."""
    columns = _pillar_columns(data)
    last = sheet.row - 1
    _status_formatting(sheet.ws, fmts, columns.index("Trạng thái"), 1, last, data.status_labels)
    if last >= 1:
        sheet.ws.autofilter(0, 0, last, len(columns) - 1)


def _tasks(ws: Worksheet, fmts: _Formats, data: ReportData, progress: _Progress = _NO_PROGRESS) -> None:
    """The improvement-plan tasks by pillar and DTI component, overdue ones highlighted; counts below."""
    multi = len({t.locality for t in data.tasks}) > 1
    columns = [
        *(["Địa phương"] if multi else []),
        "Kế hoạch",
        "Trụ cột",
        "Chỉ số thành phần",
        "Mục trong kế hoạch",
        "Nhiệm vụ",
        "Cơ quan chủ trì",
        "Hạn hoàn thành",
        "Trạng thái",
        "Ghi chú tiến độ",
    ]
    widths = [*([13] if multi else []), 16, 14, 18, 20, 50, 22, 11, 14, 28]
    _setup(ws, widths, header_row=0, data=data, title="Nhiệm vụ")
    sheet = _Sheet(ws, widths=widths, progress=progress)
    sheet.append(columns, [fmts.header] * len(columns))
    if not data.tasks:
        sheet.append(["Chưa có kế hoạch nhiệm vụ của địa phương đến năm báo cáo."])
        return
    lead = [fmts.wrap] * (5 if multi else 4)
    for t in data.tasks:
        overdue = t.state == "overdue"
        sheet.append(
            [
                *([t.locality] if multi else []),
                t.plan,
                t.pillar,
                t.component,
                t.section,
                t.text,
                t.lead,
                t.deadline,
                t.state_label,
                t.note,
            ],
            [
                *lead,
                fmts.overdue_wrap if overdue else fmts.wrap,
                fmts.wrap,
                fmts.overdue_date if overdue else fmts.date,
                fmts.overdue_bold if overdue else None,
                fmts.wrap,
            ],
        )
    ws.autofilter(0, 0, len(data.tasks), len(columns) - 1)
    sheet.skip()
    sheet.append(["Tổng hợp theo trụ cột và chỉ số thành phần"], [fmts.bold])
    labels = data.task_state_labels
    names = ["Trụ cột", "Chỉ số thành phần", "Tổng số", *[labels.get(s, s) for s in TASK_STATES]]
    sheet.append(names, [fmts.header] * len(names))
    groups: dict[tuple[str, str], Counter] = {}
    for t in data.tasks:
        groups.setdefault((t.pillar, t.component), Counter())[t.state] += 1
    for (pillar, component), count in groups.items():
        overdue = count["overdue"]
        sheet.append(
            [pillar, component, sum(count.values()), *[count[s] for s in TASK_STATES]],
            [fmts.wrap, fmts.wrap] + [None] * len(TASK_STATES) + [fmts.overdue_bold if overdue else None],
        )


def _departments(ws: Worksheet, fmts: _Formats, data: ReportData, progress: _Progress = _NO_PROGRESS) -> None:
    widths = [14, 40, 10, 10, 10, 10, 11]
    _setup(ws, widths, header_row=0, data=data, title="Tiến độ nhập liệu")
    sheet = _Sheet(ws, widths=widths, progress=progress)
    columns = [
        "Địa phương",
        f"Đơn vị ({period_label(data.progress_period)})" if data.progress_period else "Đơn vị",
        "Được giao",
        "Đã nhập",
        "Đã gửi",
        "Đã duyệt",
        "Trễ hạn",
    ]
    sheet.append(columns, [fmts.header] * len(columns))
    for d in data.departments:
        sheet.append(
            [
                d.locality,
                d.department,
                d.assigned,
                d.entered,
                d.submitted,
                d.approved,
                "Trễ hạn" if d.late else "Đúng hạn",
            ],
            [fmts.wrap, fmts.wrap],
        )
    if data.departments:
        last = len(data.departments)
        ws.conditional_format(
            1, 6, last, 6, {"type": "cell", "criteria": "==", "value": '"Trễ hạn"', "format": fmts.late}
        )


ACTUAL_COLUMNS = [
    "Địa phương",
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Cấp",
    "Kỳ",
    "Giá trị",
    "Trạng thái",
    "Nguồn gốc",
    "Nguồn",
]


def _actuals(
    ws: Worksheet,
    fmts: _Formats,
    data: ReportData,
    published: list[ActualLine],
    progress: _Progress = _NO_PROGRESS,
) -> bool:
    """Every approved and published value in long form, with filters; returns whether any is demo.
    The published ones are kept in `published` for the "Nguồn" sheet (a few per locality). Every code is
    shown by its Vietnamese label (`ReportData.code_labels`), every period as "Quý III/2026"."""
    widths = [13, 22, 46, 12, 12, 10, 10, 16, 40]
    _setup(ws, widths, header_row=0, data=data, title="Số liệu")
    sheet = _Sheet(ws, widths=widths, progress=progress)
    sheet.append(ACTUAL_COLUMNS, [fmts.header] * len(ACTUAL_COLUMNS))
    codes = data.code_labels
    demo = False
    wrap = fmts.wrap
    for a in data.actuals:
        demo |= a.is_demo
        if a.is_published:
            published.append(a)
        sheet.append(
            (
                a.locality,
                a.indicator_code,
                a.indicator,
                a.level,
                _period(a.period),
                a.value,
                codes.get(a.status, a.status),
                codes.get(a.origin, a.origin),
                a.source,
            ),
            (None, None, wrap, None, None, fmts.figure(a.value, MAX_PLACES), None, None, wrap),
        )
    # Filters over the header and every row written (the header is frozen by `_setup`): what an Excel
    # table would give the reader, with public API only — xlsxwriter refuses tables in constant memory.
    ws.autofilter(0, 0, sheet.row - 1, len(ACTUAL_COLUMNS) - 1)
    return demo


MAX_PLACES = 4  # a stored figure has at most four decimals


def _sources_sheet(wb: xlsxwriter.Workbook, fmts: _Formats, data: ReportData, used) -> _Sheet:
    """Documents first (number and title, and where to find them); the targets' quotes and the published
    figures' sources follow as they stream."""
    ws = wb.add_worksheet(_sheet_title("Nguồn", used))
    widths = [16, 26, 50, 11, 60]
    _setup(ws, widths, header_row=0, data=data, title="Nguồn")
    sheet = _Sheet(ws, widths=widths)
    columns = ["Loại", "Văn bản / chỉ tiêu", "Nội dung", "Ngày / năm", "Nguồn / trích dẫn nguyên văn"]
    sheet.append(columns, [fmts.header] * len(columns))
    for d in data.documents:
        sheet.append(
            ("Văn bản nguồn", d.number, d.title, d.issued_on, d.source),
            (None, fmts.wrap, fmts.wrap, fmts.date, fmts.wrap),
        )
    return sheet
