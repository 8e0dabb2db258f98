"""The Sở's progress report as an Excel workbook — openpyxl in write-only mode (constant memory), no Django.

Plain data in (`ReportData`, built by `reports.selectors.report_data` from the same selector and progress
engine as the dashboards and the open data), bytes out. Real numbers in cells, Vietnamese-friendly number
and date formats, frozen headers, fitted widths, A4 landscape print set-up with repeated header rows,
status cells coloured by conditional formatting, a native Excel chart on the summary sheet.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from targets.progress import STATUSES

# Colour-blind-safe fills (Okabe–Ito family, lightened); the label text carries the meaning too.
STATUS_FILLS = {
    "achieved": "CCE5FF",
    "on_track": "D5EFE3",
    "needs_acceleration": "FFF1C2",
    "off_track": "FAD9C1",
    "regressing": "F3C7DC",
    "missed": "E6C6C6",
    "insufficient_data": "E8E8E8",
    "not_applicable": "F4F4F4",
}
NUMBER = "#,##0.##"
PERCENT_SHARE = "0%"
DATE = "dd/mm/yyyy"
TITLE = "BÁO CÁO TIẾN ĐỘ THỰC HIỆN CÁC CHỈ TIÊU CHUYỂN ĐỔI SỐ"


@dataclass
class TargetLine:
    locality: str
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


@dataclass
class DepartmentLine:
    locality: str
    department: str
    assigned: int
    entered: int
    submitted: int
    approved: int
    late: bool


@dataclass
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


@dataclass
class SourceLine:
    kind: str  # "document" | "quote" | "published"
    cells: list[Any]


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
    localities: list[str]
    as_of: str
    generated_at: dt.datetime
    pillars: list[tuple[str, str]]  # (slug, name), in order
    status_labels: dict[str, str]
    targets: dict[str, list[TargetLine]]  # pillar slug → lines
    departments: list[DepartmentLine] = field(default_factory=list)
    progress_period: str = ""
    actuals: list[ActualLine] = field(default_factory=list)
    sources: list[SourceLine] = field(default_factory=list)
    contains_demo: bool = False
    tasks: list[TaskLine] = field(default_factory=list)
    task_state_labels: dict[str, str] = field(default_factory=dict)


def _cell(
    ws, value: Any, *, fmt: str | None = None, bold: bool = False, fill: str | None = None, wrap: bool = False
):
    cell = WriteOnlyCell(ws, value=_clean(value))
    if fmt:
        cell.number_format = fmt
    if bold:
        cell.font = Font(bold=True)
    if fill:
        cell.fill = PatternFill("solid", fgColor=fill)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _clean(value: Any) -> Any:
    """No NaN in a cell: a figure that cannot be computed stays empty."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters cannot be stored in a worksheet
    return value


def _header(ws, names: list[str]):
    fill = "DCE6F1"
    return [_cell(ws, n, bold=True, fill=fill, wrap=True) for n in names]


def _setup(ws, widths: list[float], *, header_row: int) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _status_formatting(ws, column: str, first: int, last: int, labels: dict[str, str]) -> None:
    if last < first:
        return
    for status, colour in STATUS_FILLS.items():
        ws.conditional_formatting.add(
            f"{column}{first}:{column}{last}",
            CellIsRule(
                operator="equal", formula=[f'"{labels[status]}"'], fill=PatternFill("solid", bgColor=colour)
            ),
        )


def _sheet_title(name: str, used: set[str]) -> str:
    title = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"
    base, n = title, 2
    while title in used:
        title = f"{base[:28]} {n}"
        n += 1
    used.add(title)
    return title


def build_report(data: ReportData) -> bytes:
    wb = Workbook(write_only=True)
    used: set[str] = set()
    _summary(wb, data, used)
    for slug, name in data.pillars:
        _pillar(wb, data, slug, name, used)
    _tasks(wb, data, used)
    _departments(wb, data, used)
    _actuals(wb, data, used)
    _sources(wb, data, used)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _summary(wb: Workbook, data: ReportData, used: set[str]) -> None:
    ws = wb.create_sheet(_sheet_title("Tổng hợp", used))
    labels = data.status_labels
    columns = ["Trụ cột", *[labels[s] for s in STATUSES], "Tổng số", "Tỷ lệ đạt hoặc đúng tiến độ"]
    header_row = 7
    _setup(ws, [28, *[13] * len(STATUSES), 10, 16], header_row=header_row)
    ws.append([_cell(ws, TITLE, bold=True)])
    ws.append([_cell(ws, "Địa phương:"), _cell(ws, ", ".join(data.localities))])
    ws.append([_cell(ws, "Tính đến kỳ:"), _cell(ws, data.as_of)])
    ws.append(
        [_cell(ws, "Ngày xuất:"), _cell(ws, data.generated_at.replace(tzinfo=None), fmt=DATE + " hh:mm")]
    )
    demo_note = (
        "Lưu ý: báo cáo có DỮ LIỆU MINH HOẠ (demo), không phải số liệu thật."
        if data.contains_demo
        else "Số liệu: đã duyệt và số liệu công bố (có nguồn)."
    )
    ws.append([_cell(ws, demo_note, bold=data.contains_demo)])
    ws.append([])
    ws.append(_header(ws, columns))
    rows = 0
    for slug, name in data.pillars:
        lines = data.targets.get(slug, [])
        counts = [sum(1 for t in lines if t.status == s) for s in STATUSES]
        assessable = (
            len(lines)
            - counts[STATUSES.index("not_applicable")]
            - counts[STATUSES.index("insufficient_data")]
        )
        good = counts[0] + counts[1]
        share = good / assessable if assessable else None
        ws.append([_cell(ws, name), *counts, len(lines), _cell(ws, share, fmt=PERCENT_SHARE)])
        rows += 1
    if rows:
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = "Số mục tiêu theo trạng thái, từng trụ cột"
        chart.y_axis.title = "Số mục tiêu"
        values = Reference(
            ws, min_col=2, max_col=1 + len(STATUSES), min_row=header_row, max_row=header_row + rows
        )
        categories = Reference(ws, min_col=1, min_row=header_row + 1, max_row=header_row + rows)
        chart.add_data(values, titles_from_data=True)
        chart.set_categories(categories)
        chart.height, chart.width = 9, 22
        ws.add_chart(chart, f"A{header_row + rows + 3}")


def _pillar(wb: Workbook, data: ReportData, slug: str, name: str, used: set[str]) -> None:
    ws = wb.create_sheet(_sheet_title(name, used))
    multi = len(data.localities) > 1
    columns = [
        *(["Địa phương"] if multi else []),
        "Chỉ tiêu",
        "Cấp",
        "Mục tiêu",
        "Năm",
        "Giá trị mục tiêu",
        "Giá trị gốc",
        "Giá trị mới nhất",
        "Kỳ",
        "Khoảng cách",
        "Mức hoàn thành",
        "Trạng thái",
        "Dự báo đến hạn",
        "Tốc độ cần/năm",
        "Ghi chú",
    ]
    widths = [*([14] if multi else []), 52, 12, 16, 7, 12, 11, 12, 9, 12, 12, 22, 13, 13, 18]
    _setup(ws, widths, header_row=1)
    ws.append(_header(ws, columns))
    lines = data.targets.get(slug, [])
    for t in lines:
        status = data.status_labels.get(t.status, t.status)
        ws.append(
            [
                *([t.locality] if multi else []),
                _cell(ws, t.indicator, wrap=True),
                t.level,
                t.target,
                t.year,
                _cell(ws, t.target_value, fmt=NUMBER),
                _cell(ws, t.baseline, fmt=NUMBER),
                _cell(ws, t.latest, fmt=NUMBER),
                t.latest_period,
                _cell(ws, t.gap, fmt=NUMBER),
                _cell(ws, t.completion, fmt=PERCENT_SHARE),
                status,
                _cell(ws, t.projected, fmt=NUMBER),
                _cell(ws, t.pace, fmt=NUMBER),
                "minh hoạ (demo)" if t.latest_is_demo else "",
            ]
        )
    status_col = get_column_letter(columns.index("Trạng thái") + 1)
    _status_formatting(ws, status_col, 2, 1 + len(lines), data.status_labels)
    if lines:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{1 + len(lines)}"


def _tasks(wb: Workbook, data: ReportData, used: set[str]) -> None:
    """The improvement-plan tasks by pillar and DTI component, overdue ones highlighted; counts below."""
    ws = wb.create_sheet(_sheet_title("Nhiệm vụ", used))
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
    _setup(ws, [*([14] if multi else []), 18, 16, 22, 24, 70, 28, 12, 16, 40], header_row=1)
    ws.append(_header(ws, columns))
    if not data.tasks:
        ws.append([_cell(ws, "Chưa có kế hoạch nhiệm vụ của địa phương đến năm báo cáo.")])
        return
    for t in data.tasks:
        fill = OVERDUE_FILL if t.state == "overdue" else None
        ws.append(
            [
                *([t.locality] if multi else []),
                t.plan,
                t.pillar,
                t.component,
                t.section,
                _cell(ws, t.text, wrap=True, fill=fill),
                t.lead,
                _cell(ws, t.deadline, fmt=DATE, fill=fill),
                _cell(ws, t.state_label, bold=t.state == "overdue", fill=fill),
                _cell(ws, t.note, wrap=True),
            ]
        )
    last = 1 + len(data.tasks)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    ws.append([])
    ws.append([_cell(ws, "Tổng hợp theo trụ cột và chỉ số thành phần", bold=True)])
    labels = data.task_state_labels
    ws.append(
        _header(ws, ["Trụ cột", "Chỉ số thành phần", "Tổng số", *[labels.get(s, s) for s in TASK_STATES]])
    )
    groups: dict[tuple[str, str], list[TaskLine]] = {}
    for t in data.tasks:
        groups.setdefault((t.pillar, t.component), []).append(t)
    for (pillar, component), lines in groups.items():
        counts = [sum(1 for t in lines if t.state == s) for s in TASK_STATES]
        overdue = counts[TASK_STATES.index("overdue")]
        ws.append(
            [
                pillar,
                component,
                len(lines),
                *counts[:-1],
                _cell(ws, overdue, bold=bool(overdue), fill=OVERDUE_FILL if overdue else None),
            ]
        )


def _departments(wb: Workbook, data: ReportData, used: set[str]) -> None:
    ws = wb.create_sheet(_sheet_title("Tiến độ nhập liệu", used))
    _setup(ws, [14, 40, 11, 11, 11, 11, 12], header_row=1)
    ws.append(
        _header(
            ws,
            [
                "Địa phương",
                f"Đơn vị (kỳ {data.progress_period})",
                "Được giao",
                "Đã nhập",
                "Đã gửi",
                "Đã duyệt",
                "Trễ hạn",
            ],
        )
    )
    for d in data.departments:
        ws.append(
            [
                d.locality,
                d.department,
                d.assigned,
                d.entered,
                d.submitted,
                d.approved,
                "Trễ hạn" if d.late else "Đúng hạn",
            ]
        )
    last = 1 + len(data.departments)
    if data.departments:
        ws.conditional_formatting.add(
            f"G2:G{last}",
            CellIsRule(operator="equal", formula=['"Trễ hạn"'], fill=PatternFill("solid", bgColor="FAD9C1")),
        )


def _actuals(wb: Workbook, data: ReportData, used: set[str]) -> None:
    ws = wb.create_sheet(_sheet_title("Số liệu", used))
    columns = [
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
    _setup(ws, [14, 30, 50, 10, 9, 12, 11, 16, 40], header_row=1)
    ws.append(_header(ws, columns))
    for a in data.actuals:
        ws.append(
            [
                a.locality,
                a.indicator_code,
                a.indicator,
                a.level,
                a.period,
                _cell(ws, a.value, fmt=NUMBER),
                a.status,
                a.origin,
                a.source,
            ]
        )
    # An Excel table needs at least one data row.
    last = 1 + max(len(data.actuals), 1)
    if not data.actuals:
        ws.append([""] * len(columns))
    table = Table(displayName="SoLieu", ref=f"A1:{get_column_letter(len(columns))}{last}")
    # Write-only mode cannot read the header cells back: the table's columns are named here.
    table.tableColumns = [TableColumn(id=i, name=name) for i, name in enumerate(columns, start=1)]
    table.autoFilter = AutoFilter(ref=table.ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    with warnings.catch_warnings():
        # openpyxl reminds write-only callers to name the columns, which is done just above.
        warnings.filterwarnings("ignore", message="In write-only mode you must add table columns manually")
        ws.add_table(table)


def _sources(wb: Workbook, data: ReportData, used: set[str]) -> None:
    ws = wb.create_sheet(_sheet_title("Nguồn", used))
    _setup(ws, [16, 30, 60, 14, 60], header_row=1)
    ws.append(
        _header(ws, ["Loại", "Văn bản / chỉ tiêu", "Nội dung", "Ngày / năm", "Nguồn / trích dẫn nguyên văn"])
    )
    kinds = {"document": "Văn bản nguồn", "quote": "Trích dẫn mục tiêu", "published": "Số liệu công bố"}
    for s in data.sources:
        ws.append(
            [
                kinds.get(s.kind, s.kind),
                *[_cell(ws, c, wrap=True, fmt=DATE if isinstance(c, dt.date) else None) for c in s.cells],
            ]
        )
