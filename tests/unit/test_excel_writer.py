"""The report writer on its own (no database): rows streamed once onto their sheets, the summary counted from
them, empty cells for figures that cannot be computed, text never turned into formulas, the data sheet's
filters spanning exactly the rows written, and no row kept once written.

That memory does not grow with the rows (10,000 rows against 500, measured with tracemalloc) is a benchmark:
bench/bench_excel_memory.py, run by `make bench`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import tempfile
import weakref
from collections.abc import Iterator

from openpyxl import load_workbook

from reports.excel import writer
from targets.progress import STATUSES

from .report_lines import PILLARS, actual_line, report_data, target_line


class Once:
    """An iterator that refuses to be read twice: the writer must go through the rows in one pass."""

    def __init__(self, items) -> None:
        self.items = list(items)
        self.used = False

    def __iter__(self) -> Iterator:
        assert not self.used, "read twice"
        self.used = True
        return iter(self.items)


def _read(data: writer.ReportData):
    out = io.BytesIO()
    writer.write_report(data, out)
    return load_workbook(io.BytesIO(out.getvalue()))


def test_streamed_rows_land_on_their_pillar_sheets_and_the_summary_shows_the_engines_rollup():
    targets = Once(
        [target_line(1, "chinh-quyen-so", "achieved"), target_line(2, "chinh-quyen-so", "off_track")]
        + [target_line(3 + i, "kinh-te-so", "on_track") for i in range(3)]
        + [target_line(9, "kinh-te-so", "insufficient_data")]
    )
    actuals = Once([actual_line(1), actual_line(2, "published")])
    # The engine's roll-up of those rows (progress.rollup), worked out by hand: the writer shows it as is.
    zero = dict.fromkeys(STATUSES, 0)
    summary = {
        "chinh-quyen-so": {**zero, "achieved": 1, "off_track": 1, "total": 2, "share_on_track": 0.5},
        "kinh-te-so": {**zero, "on_track": 3, "insufficient_data": 1, "total": 4, "share_on_track": 1.0},
    }
    wb = _read(report_data(targets, actuals, summary))
    assert targets.used and actuals.used
    assert wb.sheetnames == [
        "Tổng hợp",
        "Chính quyền số",
        "Kinh tế số",
        "Nhiệm vụ",
        "Tiến độ nhập liệu",
        "Số liệu",
        "Nguồn",
    ]
    government = list(wb["Chính quyền số"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in government] == ["Chỉ tiêu 1", "Chỉ tiêu 2"]
    assert [r[11] for r in government] == ["Achieved", "Off track"]  # after the change column
    summary = {r[0]: r for r in wb["Tổng hợp"].iter_rows(min_row=8, values_only=True) if r[0]}
    header = [c.value for c in wb["Tổng hợp"][7]]
    economy = dict(zip(header, summary["Kinh tế số"], strict=True))
    assert economy["On track"] == 3 and economy["Insufficient data"] == 1 and economy["Tổng số"] == 4
    assert economy["Tỷ lệ đạt hoặc đúng tiến độ"] == 1.0  # 3 on track of 3 assessable
    assert dict(zip(header, summary["Chính quyền số"], strict=True))["Tỷ lệ đạt hoặc đúng tiến độ"] == 0.5
    assert "DỮ LIỆU MINH HOẠ" in wb["Tổng hợp"]["A5"].value  # known only once the rows went through
    assert len(wb["Tổng hợp"]._charts) == 1
    sources = [r for r in wb["Nguồn"].iter_rows(min_row=2, values_only=True)]
    assert [r[0] for r in sources] == ["Văn bản nguồn"] + ["Trích dẫn mục tiêu"] * 6 + ["Số liệu công bố"]
    assert sources[0][3] == dt.datetime(2021, 3, 1) and sources[-1][4] == "Báo cáo số 12/BC-UBND"


def test_a_figure_that_cannot_be_computed_stays_empty_and_text_is_never_a_formula():
    nan, inf = float("nan"), float("inf")
    line = target_line(1, "kinh-te-so", "insufficient_data", latest=nan, gap=inf, pace=None, latest_period="")
    line.indicator = '=HYPERLINK("http://example.com","x")'
    wb = _read(report_data([line], []))
    ws = wb["Kinh tế số"]
    header = [c.value for c in ws[1]]
    row = {name: ws.cell(row=2, column=i + 1) for i, name in enumerate(header)}
    assert row["Giá trị mới nhất"].value is None and row["Khoảng cách"].value is None
    assert row["Tốc độ cần/năm"].value is None and row["Kỳ"].value is None
    assert row["Chỉ tiêu"].data_type == "s" and row["Chỉ tiêu"].value.startswith("=HYPERLINK")
    assert row["Giá trị mục tiêu"].value == 80 and row["Giá trị mục tiêu"].number_format == "#,##0"


def test_the_data_sheets_filters_span_exactly_the_rows_written_under_a_frozen_header():
    wb = _read(report_data([], [actual_line(i) for i in range(25)]))
    ws = wb["Số liệu"]
    assert ws.auto_filter.ref == "A1:I26"
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]][:2] == ["Địa phương", "Mã chỉ tiêu"]
    assert ws.max_row == 26 and ws["F26"].value == 24.0


def test_an_empty_report_still_filters_its_header():
    wb = _read(report_data([], []))
    assert wb["Số liệu"].auto_filter.ref == "A1:I1"
    assert wb["Chính quyền số"].max_row == 1


class _Line(writer.TargetLine):
    """A target line that can be watched with a weak reference (the writer's lines have slots only)."""


def test_the_writer_keeps_no_target_line_once_it_is_written():
    # A writer that collected the lines (to sort them, or to write them twice) would keep them alive;
    # one that streams them drops each line as soon as the next one comes. Row i is produced while the
    # writer still holds row i − 1 (its loop variable), so every row before that must be gone already.
    watched: list[weakref.ref] = []
    kept: list[int] = []

    def lines():
        for i in range(200):
            if i >= 2 and watched[i - 2]() is not None:
                kept.append(i - 2)
            line = _Line(**dataclasses.asdict(target_line(i, PILLARS[i % 2][0], "on_track")))
            watched.append(weakref.ref(line))
            yield line

    with tempfile.TemporaryFile() as out:
        writer.write_report(report_data(lines(), []), out)
    assert len(watched) == 200 and kept == []


def test_a_report_of_several_localities_names_the_locality_first_and_colours_the_status_column():
    data = report_data([target_line(i, "kinh-te-so", "achieved") for i in range(3)], [])
    data.localities = ["Tỉnh Minh hoạ", "Tỉnh Minh hoạ 2"]
    ws = _read(data)["Kinh tế số"]
    header = [c.value for c in ws[1]]
    assert header[0] == "Địa phương" and header[12] == "Trạng thái" and len(header) == 17
    assert ws["A2"].value == "Tỉnh Minh hoạ" and ws["M2"].value == "Achieved"
    assert {str(cf.sqref) for cf in ws.conditional_formatting} == {"M2:M4"}
    assert ws.auto_filter.ref == "A1:Q4"


def test_the_summary_is_the_engines_rollup_and_is_never_recounted_from_the_rows():
    # Three rows marked achieved, but the roll-up handed in says otherwise: the summary shows the roll-up.
    rows = [target_line(i, "kinh-te-so", "achieved") for i in range(3)]
    zero = dict.fromkeys(STATUSES, 0)
    summary = {"kinh-te-so": {**zero, "missed": 2, "awaiting_final": 1, "total": 3, "share_on_track": 0.0}}
    wb = _read(report_data(rows, [], summary))
    header = [c.value for c in wb["Tổng hợp"][7]]
    economy = next(r for r in wb["Tổng hợp"].iter_rows(min_row=8, values_only=True) if r[0] == "Kinh tế số")
    line = dict(zip(header, economy, strict=True))
    assert (line["Achieved"], line["Missed"], line["Awaiting final"], line["Tổng số"]) == (0, 2, 1, 3)
    assert line["Tỷ lệ đạt hoặc đúng tiến độ"] == 0


def test_a_completion_beyond_the_target_reads_beyond_it_and_a_figure_after_the_deadline_is_a_note():
    line = target_line(
        1,
        "kinh-te-so",
        "missed",
        unit="rank",
        latest=14.0,
        latest_period="2022",
        completion=5.9,
        after_deadline=3.0,
        after_deadline_period="2024",
    )
    awaiting = target_line(2, "kinh-te-so", "awaiting_final", provisional_label="tạm tính: không đạt")
    data = report_data([line, awaiting], [])
    data.as_of, data.provisional = "2026-Q4", True
    wb = _read(data)
    ws = wb["Kinh tế số"]
    header = [c.value for c in ws[1]]
    row = {name: ws.cell(row=2, column=i + 1) for i, name in enumerate(header)}
    # The cell keeps the figure; its format shows "vượt mục tiêu" above 100 %, never "590%".
    assert row["Mức hoàn thành"].value == 5.9
    assert row["Mức hoàn thành"].number_format == '[>1]"vượt mục tiêu";[<0]"lùi so với gốc";0%'
    assert (row["Giá trị mới nhất"].value, row["Kỳ"].value) == (14, "Năm 2022")
    assert row["Số liệu sau hạn"].value == "hạng 3 (Năm 2024)"
    notes = {name: ws.cell(row=3, column=i + 1).value for i, name in enumerate(header)}
    assert "tạm tính: không đạt" in notes["Ghi chú"]
    assert wb["Tổng hợp"]["B3"].value == "Quý IV/2026 (tạm tính)"


def test_the_summary_shows_shares_as_percentages_and_a_row_per_locality_of_a_multi_city_report():
    zero = dict.fromkeys(STATUSES, 0)
    data = report_data(
        [], [], {"kinh-te-so": {**zero, "on_track": 2, "missed": 1, "total": 3, "share_on_track": 2 / 3}}
    )
    data.localities = ["Tỉnh A", "Tỉnh B"]
    data.locality_summary = [
        ("Tỉnh A", {**zero, "achieved": 1, "total": 1, "share_on_track": 1.0}),
        ("Tỉnh B", {**zero, "missed": 2, "total": 2, "share_on_track": 0.0}),
    ]
    ws = _read(data)["Tổng hợp"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=8) if r[0].value}
    assert rows["Kinh tế số"][-1].number_format == "0%"
    header = next(r for r in ws.iter_rows() if r[0].value == "Địa phương")
    names = [c.value for c in header]
    a = {n: c.value for n, c in zip(names, rows["Tỉnh A"], strict=True)}
    b = {n: c.value for n, c in zip(names, rows["Tỉnh B"], strict=True)}
    assert (a["Achieved"], a["Tổng số"], a["Tỷ lệ đạt hoặc đúng tiến độ"]) == (1, 1, 1.0)
    assert (b["Missed"], b["Tổng số"], b["Tỷ lệ đạt hoặc đúng tiến độ"]) == (2, 2, 0.0)
    assert rows["Tỉnh A"][-1].number_format == "0%"


def test_figures_follow_their_precision_and_periods_read_in_vietnamese():
    lines = [
        target_line(1, "kinh-te-so", "on_track", latest=100.0, previous_latest=97.5),
        target_line(2, "kinh-te-so", "on_track", latest=66.666666, previous_latest=None),
        target_line(3, "kinh-te-so", "on_track", unit="count", latest=1200.0, target_value=1500.0, gap=300.0),
    ]
    data = report_data(lines, [actual_line(1, "published")])
    data.previous_period = "2026-Q2"
    data.code_labels = {"approved": "đã duyệt", "published": "số liệu công bố"}
    wb = _read(data)
    ws = wb["Kinh tế số"]
    header = [c.value for c in ws[1]]
    assert "Thay đổi so với Quý II/2026" in header
    row = {n: ws.cell(row=2, column=i + 1) for i, n in enumerate(header)}
    # 100 is shown "100" (never "100,"), 97,5 → 100: a change of 2,5 points.
    assert (row["Giá trị mới nhất"].value, row["Giá trị mới nhất"].number_format) == (100, "#,##0")
    assert (row["Thay đổi so với Quý II/2026"].value, row["Thay đổi so với Quý II/2026"].number_format) == (
        2.5,
        "#,##0.0",
    )
    assert row["Kỳ"].value == "Quý III/2026"
    second = {n: ws.cell(row=3, column=i + 1) for i, n in enumerate(header)}
    assert (second["Giá trị mới nhất"].value, second["Giá trị mới nhất"].number_format) == (66.67, "#,##0.00")
    assert second["Thay đổi so với Quý II/2026"].value is None
    third = {n: ws.cell(row=4, column=i + 1) for i, n in enumerate(header)}
    assert (third["Giá trị mới nhất"].value, third["Giá trị mới nhất"].number_format) == (1200, "#,##0")
    data_row = [c.value for c in wb["Số liệu"][2]]
    assert data_row[4] == "Quý II/2022" and data_row[6] == "đã duyệt" and data_row[7] == "số liệu công bố"


def test_no_figure_outside_its_domain_reaches_the_workbook():
    # A percentage cannot exceed 100: a projection of 130 % or a stored 104 % is left out, never printed.
    line = target_line(1, "kinh-te-so", "on_track", latest=104.0, projected=130.0, lower=0.0, upper=100.0)
    ws = _read(report_data([line], []))["Kinh tế số"]
    header = [c.value for c in ws[1]]
    row = {n: ws.cell(row=2, column=i + 1).value for i, n in enumerate(header)}
    assert row["Giá trị mới nhất"] is None and row["Dự báo đến hạn"] is None and row["Khoảng cách"] is None
    assert row["Giá trị gốc"] == 10


def test_wrapped_rows_get_the_height_of_their_text_and_every_sheet_numbers_its_pages():
    line = target_line(1, "kinh-te-so", "on_track")
    line.indicator = "Tỷ lệ hồ sơ thủ tục hành chính được xử lý hoàn toàn trực tuyến " * 3  # ~190 characters
    wb = _read(report_data([line], []))
    ws = wb["Kinh tế số"]
    # 46 characters wide, about 48 per line: five lines of 15 points.
    assert ws.row_dimensions[2].height >= 4 * 15
    for sheet in wb.worksheets:
        assert "Trang &P/&N" in sheet.oddFooter.center.text, sheet.title
        assert sheet.oddHeader.right.text == "Quý III/2026", sheet.title
        assert "Tỉnh Minh hoạ" in sheet.oddHeader.left.text, sheet.title


def test_the_wrapped_line_count_follows_the_words():
    assert writer.wrapped_lines("một hai ba", 10) == 1
    # 10 wide → 10 characters a line: "aaaa bbbb" | "cccc dddd" | "eeee"
    assert writer.wrapped_lines("aaaa bbbb cccc dddd eeee", 10) == 3
    assert writer.wrapped_lines("dòng một\ndòng hai", 40) == 2


def test_a_row_of_every_kind_of_value_is_written_as_that_kind_through_the_undecorated_writers():
    """`_Sheet.append` calls xlsxwriter's undecorated writers, once per kind of value: text, a number and
    its kin (numpy's float64, a bool, an int), a date, a datetime, an empty or missing value and a value of
    another kind each land as that kind. Expected cells stated by hand."""
    import math

    import numpy as np
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("T")
    fill = wb.add_format({"bg_color": "#FFEEEE"})
    wrap = wb.add_format({"text_wrap": True})
    sheet = writer._Sheet(ws, widths=[10])
    sheet.append(
        (
            "một hai ba bốn năm sáu bảy tám chín mười",  # wider than its column, wrapped: a taller row
            "12",  # text that looks like a number stays text
            1.5,
            np.float64(2.25),
            7,
            True,
            math.nan,
            math.inf,
            None,
            "",
            dt.date(2026, 3, 31),
            dt.datetime(2026, 3, 31, 8, 30),
            dt.time(8, 30),  # another kind: written as its text
        ),
        (wrap, None, None, None, None, None, fill, None, fill, fill),
    )
    sheet.append(("second",))
    wb.close()

    ws = load_workbook(io.BytesIO(out.getvalue()))["T"]
    row = [ws.cell(1, c).value for c in range(1, 14)]
    assert row[:6] == ["một hai ba bốn năm sáu bảy tám chín mười", "12", 1.5, 2.25, 7, True]
    assert row[6:10] == [None, None, None, None]
    # Dates as Excel serial numbers (no date format given here): 1 January 2026 is 46023, plus 89 days;
    # 8:30 is 8.5/24 of a day.
    assert row[10] == 46112 and abs(row[11] - (46112 + 8.5 / 24)) < 1e-9
    assert row[12] == "08:30:00"
    # An empty value (None, "") with a fill keeps its fill; a figure that cannot be computed (NaN, inf) is
    # not written at all, fill or not.
    assert ws.cell(1, 9).fill.fgColor.rgb.endswith("FFEEEE") and ws.cell(1, 10).fill.fgColor.rgb.endswith(
        "FFEEEE"
    )
    assert ws.cell(1, 7).fill.fgColor.rgb == "00000000" and ws.cell(1, 8).fill.fgColor.rgb == "00000000"
    # 41 characters in a 10-wide column: five lines (`wrapped_lines`), so the row is that tall.
    assert writer.wrapped_lines(row[0], 10) == 5
    assert abs(ws.row_dimensions[1].height - (writer.LINE_HEIGHT * 5 + 2)) < 0.5  # kept in whole pixels
    assert ws.cell(2, 1).value == "second" and sheet.row == 2
