"""The department template cannot trap its user (issue #18), through the real download and upload views:
its title and instructions are in visible cells, the sheet is protected (no password) with only the input
cells open, a percentage cell is read as a percentage, a formula's long decimals are rounded to the
indicator's precision, an .ods is read like an .xlsx (and refused like one when hostile), an .xls keeps its
clear message."""

from __future__ import annotations

import io
import shutil
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from targets.models import Actual
from targets.workbook import HEADER_ROW, KEY_COL, NOTE_COL, VALUE_COL

from ...printing import SOFFICE
from ..entry.test_excel_import import PERIOD, _fill, _refused, _template, _upload, _with_value_xml, editor

_ = editor  # the fixture, imported from the round-trip tests


def _confirm(client, response):
    assert response.status_code == 200, response.content.decode()[:500]
    token = response.context["token"]
    return client.post(
        f"/entry/{PERIOD}/import/?department={client.dept.pk}", {"action": "confirm", "token": token}
    )


def _row_of(response, excel_row: int):
    return next(r for r in response.context["rows"] if r.excel_row == excel_row)


def _epayment_row(data: bytes) -> int:
    ws = load_workbook(io.BytesIO(data))["Biểu nhập"]
    return next(
        r[0].row
        for r in ws.iter_rows(min_row=HEADER_ROW + 1)
        if r[1].value.startswith("Tỷ lệ dân số có tài khoản")
    )


def test_the_title_period_and_instructions_are_in_visible_cells(editor):
    ws = load_workbook(io.BytesIO(_template(editor)))["Biểu nhập"]
    assert ws.column_dimensions["A"].hidden is True and not ws.column_dimensions["B"].hidden
    assert [ws.cell(row=r, column=KEY_COL).value for r in range(1, HEADER_ROW)] == [None] * (HEADER_ROW - 1)
    assert ws["B1"].value == "Sở Tài chính — Hải Phòng: biểu nhập số liệu chuyển đổi số"
    assert ws["B2"].value == "Kỳ báo cáo: Quý IV/2026 (2026-Q4)"
    assert "78,5 % được đọc là 78,5" in ws["B3"].value and "làm tròn" in ws["B3"].value
    assert {"B1:H1", "B2:H2", "B3:H3", "B4:H4"} <= {str(r) for r in ws.merged_cells.ranges}
    assert ws.row_dimensions[3].height >= 3 * 15  # the instructions wrap over three lines, all shown


def test_the_sheet_is_protected_without_a_password_and_only_input_cells_are_open(editor):
    ws = load_workbook(io.BytesIO(_template(editor)))["Biểu nhập"]
    assert ws.protection.sheet is True and not ws.protection.password
    for row in range(HEADER_ROW + 1, HEADER_ROW + 4):
        assert ws.cell(row=row, column=VALUE_COL).protection.locked is False
        assert ws.cell(row=row, column=NOTE_COL).protection.locked is False
        for col in (KEY_COL, 2, 3, 4, 5, 6):
            assert ws.cell(row=row, column=col).protection.locked is True, (row, col)
    assert ws["B1"].protection.locked is True


def test_a_percentage_cell_is_read_as_a_percentage(editor):
    data = _template(editor)
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Biểu nhập"]
    row = _epayment_row(data)
    # What Excel stores when 78,5 % is typed: 0.785 in a cell formatted as a percentage.
    ws.cell(row=row, column=VALUE_COL).value = 0.785
    ws.cell(row=row, column=VALUE_COL).number_format = "0.0%"
    out = io.BytesIO()
    wb.save(out)
    response = _upload(editor, out.getvalue())
    assert (_row_of(response, row).state, _row_of(response, row).new) == ("new", "78.5")
    assert _confirm(editor, response).status_code == 302
    assert Actual.objects.get(period__code=PERIOD, indicator__code="epayment_accounts").value == Decimal(
        "78.5"
    )


def test_a_plain_number_in_a_percent_indicator_is_not_multiplied(editor):
    data = _fill(_template(editor), {"Tỷ lệ dân số có tài khoản": 78.5})
    response = _upload(editor, data)
    assert _row_of(response, _epayment_row(data)).new == "78.5"


def test_a_formula_with_long_decimals_is_rounded_to_the_indicators_precision(editor):
    data = _template(editor)
    first = load_workbook(io.BytesIO(data))["Biểu nhập"].cell(row=HEADER_ROW + 1, column=2).value
    assert first.startswith("Tỷ lệ")  # a percentage: two decimals
    data = _with_value_xml(data, '<c r="G7"><f>200/3</f><v>66.666666666666671</v></c>')
    response = _upload(editor, data)
    row = _row_of(response, 7)
    assert (row.state, row.new, row.messages) == ("new", "66.67", [])
    assert "66,67" in response.content.decode()  # the preview shows the rounded figure
    assert _confirm(editor, response).status_code == 302
    saved = Actual.objects.get(period__code=PERIOD)  # the only figure uploaded
    assert (saved.indicator.name, saved.value) == (first, Decimal("66.67"))


def test_an_xls_keeps_its_clear_message(editor):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000
    _refused(editor, ole, "định dạng Excel 97–2003 (.xls)", "bieu.xls")


# --------------------------------------------------------------------------- .ods


def _ods(content: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr(
            "META-INF/manifest.xml",
            b'<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
        for name, body in (extra or {}).items():
            z.writestr(name, body)
    return out.getvalue()


_ODS_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
)
_ODS_TAIL = b"</office:spreadsheet></office:body></office:document-content>"


def test_an_ods_with_content_repeated_past_the_template_is_refused_before_it_is_read(editor, monkeypatch):
    import pandas as pd

    def never(*args, **kwargs):
        raise AssertionError("the file reached pandas")

    monkeypatch.setattr(pd, "read_excel", never)
    bomb = _ods(
        _ODS_HEAD
        + b'<table:table table:name="Bi\xe1\xbb\x83u nh\xe1\xba\xadp"><table:table-row table:number-rows-repeated="2000000000">'
        + b'<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
        + b"</table:table-row></table:table>"
        + _ODS_TAIL
    )
    _refused(editor, bomb, "ngoài phạm vi biểu mẫu", "bieu.ods")
    wide = _ods(
        _ODS_HEAD
        + b'<table:table table:name="x"><table:table-row>'
        + b'<table:table-cell table:number-columns-repeated="16000" office:value-type="string"><text:p>x</text:p></table:table-cell>'
        + b"</table:table-row></table:table>"
        + _ODS_TAIL
    )
    _refused(editor, wide, "ngoài phạm vi biểu mẫu", "bieu.ods")
    # The empty rest of a sheet, as LibreOffice writes it, is fine: the file is refused for being no template.
    empty = _ods(
        _ODS_HEAD
        + b'<table:table table:name="x"><table:table-row table:number-rows-repeated="1048576">'
        + b'<table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>'
        + _ODS_TAIL
    )
    _refused(editor, empty, "Đây không phải biểu mẫu nhập liệu của DTI Portal", "bieu.ods")


def test_an_ods_with_a_doctype_or_macros_is_refused(editor):
    laughs = _ods(b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><x>&lol;</x>')
    _refused(editor, laughs, "Tệp Excel bị hỏng, không đọc được.", "bieu.ods")
    macros = _ods(_ODS_HEAD + _ODS_TAIL, {"Basic/Standard/Module1.xml": b"<x/>"})
    _refused(editor, macros, "Tệp có chứa macro", "bieu.ods")


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice is installed in CI (.ci/run)")
def test_an_ods_saved_by_libreoffice_is_read_like_the_xlsx_percentages_included(editor, tmp_path):
    data = _template(editor)
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Biểu nhập"]
    row = _epayment_row(data)
    ws.cell(row=row, column=VALUE_COL).value = 0.615
    ws.cell(row=row, column=VALUE_COL).number_format = "0.0%"
    ws.cell(row=row, column=NOTE_COL).value = "Theo NHNN"
    path = tmp_path / "bieu.xlsx"
    wb.save(path)
    import subprocess
    import uuid

    profile = tmp_path / f"lo-{uuid.uuid4().hex}"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    shutil.rmtree(profile, ignore_errors=True)
    ods = (tmp_path / "bieu.ods").read_bytes()
    assert ods[30:38] == b"mimetype"
    response = _upload(editor, ods, "bieu.ods")
    line = _row_of(response, row)
    assert (line.state, line.new, line.note) == ("new", "61.5", "Theo NHNN")
    assert _confirm(editor, response).status_code == 302
    saved = Actual.objects.get(period__code=PERIOD, indicator__code="epayment_accounts")
    assert (saved.value, saved.note) == (Decimal("61.5"), "Theo NHNN")
