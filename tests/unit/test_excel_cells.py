"""The report writer, cell by cell: every cell of a pillar row, a data row, a quote row and a task row, with
its value, number format, wrap and fill, and the rows' heights, stated by hand (issue #20: the writer was made
faster; what it writes must not change). Each expected value is worked out here from the line's figures, never
by calling the writer's helpers."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from reports.excel import writer

from .report_lines import actual_line, report_data, target_line

GENERAL = "General"
OVERDUE = "FFFAD9C1"  # the overdue fill, "#FAD9C1", as openpyxl reads it (opaque)


def _workbook(data: writer.ReportData):
    out = io.BytesIO()
    writer.write_report(data, out)
    return load_workbook(io.BytesIO(out.getvalue()))


def _cells(ws, row: int) -> list[tuple]:
    """(value, number format, wrapped) of every cell of `row` up to the sheet's last column."""
    return [
        (c.value, c.number_format, bool(c.alignment.wrap_text))
        for c in ws.iter_rows(min_row=row, max_row=row, max_col=ws.max_column).__next__()
    ]


def _lines() -> list[writer.TargetLine]:
    percent = target_line(
        1,
        "kinh-te-so",
        "on_track",
        target_value=80.0,
        baseline=10.0,
        latest=66.666666,
        previous_latest=60.0,
        gap=13.333334,
        completion=0.8333,
        projected=85.123,
        pace=4.5,
        latest_is_demo=True,
        provisional_label="tạm tính: đúng tiến độ",
        lower=0.0,
        upper=100.0,
    )
    rank = target_line(
        2,
        "kinh-te-so",
        "missed",
        unit="rank",
        target="Top 10",
        target_value=10.0,
        baseline=None,
        latest=float("nan"),
        latest_period="",
        previous_latest=5.0,
        gap=float("inf"),
        completion=None,
        projected=70.0,  # beyond the 63 ranked: never written
        pace=None,
        after_deadline=12.0,
        after_deadline_period="2026-Q2",
        after_deadline_among=63,
        latest_is_demo=False,
        lower=1.0,
        upper=63.0,
    )
    # Twenty words of four letters, 99 characters, in the 46-wide column (48 characters a line): nine words
    # fit a line (4 + 8 × 5 = 44; a tenth makes 49), so 9 + 9 + 2: three lines of 15 points, plus 2.
    wrapped = target_line(
        3, "kinh-te-so", "achieved", indicator=" ".join(["aaaa"] * 20), latest_is_demo=False
    )
    return [percent, rank, wrapped]


def test_every_cell_of_a_pillar_row_holds_its_figure_kept_to_its_precision_in_its_format():
    wb = _workbook(report_data(_lines(), []))
    ws = wb["Kinh tế số"]
    assert [c.value for c in ws[1]] == list(writer.PILLAR_COLUMNS)
    assert _cells(ws, 2) == [
        ("Chỉ tiêu 1", GENERAL, True),
        (None, GENERAL, False),  # no level
        ("≥ 80%", GENERAL, True),
        (2025, GENERAL, False),
        (80, "#,##0", False),
        (10, "#,##0", False),
        (66.67, "#,##0.00", False),  # a percentage keeps two decimals
        ("Quý III/2026", GENERAL, False),
        (6.67, "#,##0.00", False),  # 66.666666 − 60
        (13.33, "#,##0.00", False),
        (0.8333, '[>1]"vượt mục tiêu";[<0]"lùi so với gốc";0%', False),
        ("On track", GENERAL, False),
        (85.12, "#,##0.00", False),
        (4.5, "#,##0.0", False),
        (None, GENERAL, False),  # nothing after the deadline: an empty cell is not written
        ("minh hoạ (demo); tạm tính: đúng tiến độ", GENERAL, True),
    ]
    assert _cells(ws, 3) == [
        ("Chỉ tiêu 2", GENERAL, True),
        (None, GENERAL, False),
        ("Top 10", GENERAL, True),
        (2025, GENERAL, False),
        (10, "#,##0", False),
        (None, GENERAL, False),  # no baseline
        (None, GENERAL, False),  # NaN: cannot be computed
        (None, GENERAL, False),
        (None, GENERAL, False),  # no change without a latest figure
        (None, GENERAL, False),  # nor a gap
        (None, GENERAL, False),
        ("Missed", GENERAL, False),
        (None, GENERAL, False),  # 70th of 63: outside the domain
        (None, GENERAL, False),
        ("hạng 12/63 (Quý II/2026)", GENERAL, True),
        (None, GENERAL, False),
    ]
    assert ws.cell(row=4, column=1).value == " ".join(["aaaa"] * 20)
    # Heights: the longest wrapped cell's lines × 15 points + 2, kept by xlsxwriter in whole pixels
    # (int(points × 4/3 + 0.5) px, written back as px × 0.75 points).
    # Row 2: the note in the 18-wide column (18 characters a line): "minh hoạ (demo);" | "tạm tính: đúng" |
    # "tiến độ": 3 lines, 47 points → 63 px → 47.25.
    assert ws.row_dimensions[2].height == 47.25
    # Row 3: "hạng 12/63 (Quý II/2026)" in the 14-wide column (14 a line): "hạng 12/63" | "(Quý II/2026)":
    # 2 lines, 32 points → 43 px → 32.25.
    assert ws.row_dimensions[3].height == 32.25
    # Row 4: the indicator's 20 words, 3 lines (see `_lines`): 47.25 again.
    assert ws.row_dimensions[4].height == 47.25


def test_every_cell_of_a_data_row_and_a_quote_row_and_an_overdue_task_keeps_its_format():
    figure = actual_line(5, "published")  # 5.0, 2026-Q2
    precise = actual_line(7)
    precise.value = 12.3456
    data = report_data(_lines(), [figure, precise])
    data.code_labels = {"approved": "đã duyệt", "published": "số liệu công bố", "demo": "minh hoạ"}
    data.tasks = [
        writer.TaskLine(
            locality="Tỉnh Minh hoạ",
            plan="86/KH-UBND (2026)",
            pillar="Kinh tế số",
            component="Hạ tầng số",
            section="II.1",
            text="",  # empty, but the overdue fill stays
            lead="Sở Khoa học và Công nghệ",
            deadline=dt.date(2026, 6, 30),
            state="overdue",
            state_label="Quá hạn",
        )
    ]
    wb = _workbook(data)
    actuals = wb["Số liệu"]
    assert _cells(actuals, 2) == [
        ("Tỉnh Minh hoạ", GENERAL, False),
        ("ind_5", GENERAL, False),
        ("Chỉ tiêu 5", GENERAL, True),
        (None, GENERAL, False),
        ("Quý II/2026", GENERAL, False),
        (5, "#,##0", False),
        ("đã duyệt", GENERAL, False),
        ("số liệu công bố", GENERAL, False),
        ("Báo cáo số 12/BC-UBND", GENERAL, True),
    ]
    assert _cells(actuals, 3)[4:6] == [("Quý IV/2022", GENERAL, False), (12.3456, "#,##0.0000", False)]

    sources = wb["Nguồn"]
    assert _cells(sources, 3) == [  # after the document: the first target's quote
        ("Trích dẫn mục tiêu", GENERAL, False),
        ("01/NQ-HĐND", GENERAL, True),
        ("Chỉ tiêu 1 (2025)", GENERAL, True),
        (None, GENERAL, False),
        ("Phấn đấu đạt 80% (chỉ tiêu 1)", GENERAL, True),
    ]
    assert [c.value for c in next(sources.iter_rows(min_row=6, max_row=6))][:3] == [
        "Số liệu công bố",
        "Chỉ tiêu 5",
        "Tỉnh Minh hoạ: 5 (Quý II/2026)",
    ]

    tasks = wb["Nhiệm vụ"]
    row = list(next(tasks.iter_rows(min_row=2, max_row=2)))
    assert [c.value for c in row] == [
        "86/KH-UBND (2026)",
        "Kinh tế số",
        "Hạ tầng số",
        "II.1",
        None,
        "Sở Khoa học và Công nghệ",
        dt.datetime(2026, 6, 30),
        "Quá hạn",
        None,
    ]
    assert row[4].fill.fgColor.rgb == OVERDUE and row[4].alignment.wrap_text  # the empty task stays coloured
    assert row[6].fill.fgColor.rgb == OVERDUE and row[6].number_format == "dd/mm/yyyy"
    assert row[7].fill.fgColor.rgb == OVERDUE and row[7].font.b
    assert row[8].fill.fgColor.rgb != OVERDUE  # the note is not highlighted
