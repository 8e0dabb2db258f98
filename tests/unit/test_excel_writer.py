"""The report writer on its own (no database): rows streamed once onto their sheets, the summary counted from
them, empty cells for figures that cannot be computed, text never turned into formulas, the data sheet's
filters spanning exactly the rows written, and memory that does not grow with the rows."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import tracemalloc
from collections.abc import Iterator

from openpyxl import load_workbook

from reports.excel import writer
from targets.progress import STATUSES

LABELS = {s: s.replace("_", " ").capitalize() for s in STATUSES}
PILLARS = [("chinh-quyen-so", "Chính quyền số"), ("kinh-te-so", "Kinh tế số")]


def _target(i: int, pillar: str, status: str, **changes) -> writer.TargetLine:
    line = writer.TargetLine(
        locality="Tỉnh Minh hoạ",
        pillar=pillar,
        indicator=f"Chỉ tiêu {i}",
        level="",
        unit="percent",
        target="≥ 80%",
        target_value=80.0,
        year=2025,
        baseline=10.0,
        latest=60.0 + i % 10,
        latest_period="2026-Q3",
        gap=20.0,
        completion=0.7,
        status=status,
        projected=85.0,
        pace=4.5,
        latest_is_demo=True,
        document="01/NQ-HĐND",
        quote=f"Phấn đấu đạt 80% (chỉ tiêu {i})",
    )
    for name, value in changes.items():
        setattr(line, name, value)
    return line


def _actual(i: int, origin: str = "demo") -> writer.ActualLine:
    return writer.ActualLine(
        locality="Tỉnh Minh hoạ",
        indicator_code=f"ind_{i % 40}",
        indicator=f"Chỉ tiêu {i % 40}",
        level="",
        period=f"{2021 + i % 6}-Q{1 + i % 4}",
        value=float(i),
        status="approved",
        origin=origin,
        source="Báo cáo số 12/BC-UBND" if origin == "published" else "",
        is_demo=origin == "demo",
        is_published=origin == "published",
    )


def _data(targets, actuals, summary=None) -> writer.ReportData:
    return writer.ReportData(
        summary=summary or {},
        localities=["Tỉnh Minh hoạ"],
        as_of="2026-Q3",
        generated_at=dt.datetime(2026, 11, 22, 9, 30),
        pillars=PILLARS,
        status_labels=LABELS,
        targets=targets,
        progress_period="2026-Q3",
        actuals=actuals,
        documents=[writer.DocumentLine("01/NQ-HĐND", "Nghị quyết — HĐND", dt.date(2021, 3, 1), "seeds/a.md")],
    )


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
        [_target(1, "chinh-quyen-so", "achieved"), _target(2, "chinh-quyen-so", "off_track")]
        + [_target(3 + i, "kinh-te-so", "on_track") for i in range(3)]
        + [_target(9, "kinh-te-so", "insufficient_data")]
    )
    actuals = Once([_actual(1), _actual(2, "published")])
    # The engine's roll-up of those rows (progress.rollup), worked out by hand: the writer shows it as is.
    zero = dict.fromkeys(STATUSES, 0)
    summary = {
        "chinh-quyen-so": {**zero, "achieved": 1, "off_track": 1, "total": 2, "share_on_track": 0.5},
        "kinh-te-so": {**zero, "on_track": 3, "insufficient_data": 1, "total": 4, "share_on_track": 1.0},
    }
    wb = _read(_data(targets, actuals, summary))
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
    assert [r[10] for r in government] == ["Achieved", "Off track"]
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
    line = _target(1, "kinh-te-so", "insufficient_data", latest=nan, gap=inf, pace=None, latest_period="")
    line.indicator = '=HYPERLINK("http://example.com","x")'
    wb = _read(_data([line], []))
    ws = wb["Kinh tế số"]
    header = [c.value for c in ws[1]]
    row = {name: ws.cell(row=2, column=i + 1) for i, name in enumerate(header)}
    assert row["Giá trị mới nhất"].value is None and row["Khoảng cách"].value is None
    assert row["Tốc độ cần/năm"].value is None and row["Kỳ"].value is None
    assert row["Chỉ tiêu"].data_type == "s" and row["Chỉ tiêu"].value.startswith("=HYPERLINK")
    assert row["Giá trị mục tiêu"].value == 80 and row["Giá trị mục tiêu"].number_format == writer.NUMBER


def test_the_data_sheets_filters_span_exactly_the_rows_written_under_a_frozen_header():
    wb = _read(_data([], [_actual(i) for i in range(25)]))
    ws = wb["Số liệu"]
    assert ws.auto_filter.ref == "A1:I26"
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]][:2] == ["Địa phương", "Mã chỉ tiêu"]
    assert ws.max_row == 26 and ws["F26"].value == 24.0


def test_an_empty_report_still_filters_its_header():
    wb = _read(_data([], []))
    assert wb["Số liệu"].auto_filter.ref == "A1:I1"
    assert wb["Chính quyền số"].max_row == 1


def _writing_peak(rows: int) -> int:
    def targets():
        for i in range(rows):
            yield _target(i, PILLARS[i % 2][0], STATUSES[i % len(STATUSES)])

    def actuals():
        for i in range(rows):
            yield _actual(i)

    data = _data(targets(), actuals())
    with tempfile.TemporaryFile() as out:  # the output itself is not the writer's memory
        tracemalloc.start()
        try:
            writer.write_report(data, out)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_writing_memory_does_not_grow_with_the_rows():
    small, large = _writing_peak(500), _writing_peak(10_000)
    # Twenty times the rows: a writer holding them would need 9,500 × 24 cells × ~100 bytes ≈ 22 MiB more.
    assert large - small < 1 * 2**20


def test_a_report_of_several_localities_names_the_locality_first_and_colours_the_status_column():
    data = _data([_target(i, "kinh-te-so", "achieved") for i in range(3)], [])
    data.localities = ["Tỉnh Minh hoạ", "Tỉnh Minh hoạ 2"]
    ws = _read(data)["Kinh tế số"]
    header = [c.value for c in ws[1]]
    assert header[0] == "Địa phương" and header[11] == "Trạng thái" and len(header) == 16
    assert ws["A2"].value == "Tỉnh Minh hoạ" and ws["L2"].value == "Achieved"
    assert {str(cf.sqref) for cf in ws.conditional_formatting} == {"L2:L4"}
    assert ws.auto_filter.ref == "A1:P4"


def test_the_summary_is_the_engines_rollup_and_is_never_recounted_from_the_rows():
    # Three rows marked achieved, but the roll-up handed in says otherwise: the summary shows the roll-up.
    rows = [_target(i, "kinh-te-so", "achieved") for i in range(3)]
    zero = dict.fromkeys(STATUSES, 0)
    summary = {"kinh-te-so": {**zero, "missed": 2, "awaiting_final": 1, "total": 3, "share_on_track": 0.0}}
    wb = _read(_data(rows, [], summary))
    header = [c.value for c in wb["Tổng hợp"][7]]
    economy = next(r for r in wb["Tổng hợp"].iter_rows(min_row=8, values_only=True) if r[0] == "Kinh tế số")
    line = dict(zip(header, economy, strict=True))
    assert (line["Achieved"], line["Missed"], line["Awaiting final"], line["Tổng số"]) == (0, 2, 1, 3)
    assert line["Tỷ lệ đạt hoặc đúng tiến độ"] == 0


def test_a_completion_beyond_the_target_reads_beyond_it_and_a_figure_after_the_deadline_is_a_note():
    line = _target(
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
    awaiting = _target(2, "kinh-te-so", "awaiting_final", provisional_label="tạm tính: không đạt")
    data = _data([line, awaiting], [])
    data.as_of, data.provisional = "2026-Q4", True
    wb = _read(data)
    ws = wb["Kinh tế số"]
    header = [c.value for c in ws[1]]
    row = {name: ws.cell(row=2, column=i + 1) for i, name in enumerate(header)}
    # The cell keeps the figure; its format shows "vượt mục tiêu" above 100 %, never "590%".
    assert row["Mức hoàn thành"].value == 5.9
    assert row["Mức hoàn thành"].number_format == '[>1]"vượt mục tiêu";[<0]"lùi so với gốc";0%'
    assert (row["Giá trị mới nhất"].value, row["Kỳ"].value) == (14, "2022")
    assert row["Số liệu sau hạn"].value == "hạng 3 (2024)"
    notes = {name: ws.cell(row=3, column=i + 1).value for i, name in enumerate(header)}
    assert "tạm tính: không đạt" in notes["Ghi chú"]
    assert wb["Tổng hợp"]["B3"].value == "2026-Q4 (tạm tính)"
