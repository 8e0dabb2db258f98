"""Excel round-trip: download the template, fill it, upload, preview, confirm — and every bad file refused."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from targets.models import Actual, Department, Origin, Status
from targets.services.catalogue import period_get_or_create
from targets.services.entry import EntryRow, actuals_save_draft
from targets.services.review import period_lock
from targets.workbook import HEADER_ROW, KEY_COL, NOTE_COL, VALUE_COL

PERIOD = "2026-Q4"


@pytest.fixture
def editor(client, hai_phong_finance_editor, finance_assignments, fixed_today):
    client.force_login(hai_phong_finance_editor)
    client.dept = finance_assignments[0].department
    return client


def _template(client) -> bytes:
    response = client.get(f"/entry/{PERIOD}/template.xlsx", {"department": client.dept.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="bieu-nhap-so-tai-chinh-{PERIOD}.xlsx"'
    return response.content


def _fill(data: bytes, values: dict[str, object], notes: dict[str, str] | None = None) -> bytes:
    """Fill the value column by indicator name prefix, as an officer would in Excel."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Biểu nhập"]
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        name, level = row[1].value, row[2].value or ""
        for label, value in values.items():
            want_name, _, want_level = label.partition("@")
            if name.startswith(want_name) and (not want_level or want_level in level):
                row[VALUE_COL - 1].value = value
                if notes and label in notes:
                    row[NOTE_COL - 1].value = notes[label]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(client, data: bytes, name: str = "bieu.xlsx"):
    return client.post(
        f"/entry/{PERIOD}/import/?department={client.dept.pk}", {"file": SimpleUploadedFile(name, data)}
    )


def _q4():
    return Actual.objects.filter(period__code=PERIOD)


def test_the_template_has_a_row_per_assigned_indicator_with_keys_and_validation(editor, finance_assignments):
    wb = load_workbook(io.BytesIO(_template(editor)))
    ws = wb["Biểu nhập"]
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert len(rows) == 3
    assert [c.value for c in ws[HEADER_ROW]][:8] == [
        "Khoá",
        "Chỉ tiêu",
        "Cấp",
        "Đơn vị tính",
        "Mục tiêu",
        "Kỳ trước",
        "Giá trị kỳ này",
        "Ghi chú",
    ]
    assert ws.column_dimensions["A"].hidden is True
    assert all(re.fullmatch(r"[a-z_0-9]+\|[a-z]*\|0\|[0-9a-f]{24}", r[KEY_COL - 1]) for r in rows)
    assert wb["_meta"].sheet_state == "veryHidden"
    validation = ws.data_validations.dataValidation[0]
    assert (validation.type, validation.operator, validation.formula1, validation.formula2) == (
        "decimal",
        "between",
        "0",
        "100",
    )
    assert "> 80% (2030)" in [r[4] for r in rows]


def test_the_round_trip_saves_drafts_of_origin_imported_with_history(editor, hai_phong_finance_editor):
    filled = _fill(
        _template(editor),
        {"Tỷ lệ dân số có tài khoản": 61.5, "Tỷ lệ hồ sơ công việc@tỉnh": "80,5"},
        {"Tỷ lệ dân số có tài khoản": "Theo NHNN"},
    )
    response = _upload(editor, filled)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 mới · 0 thay đổi · 1 không đổi · 0 lỗi" in html
    assert not _q4().exists()  # the preview writes nothing
    token = response.context["token"]
    response = editor.post(
        f"/entry/{PERIOD}/import/?department={editor.dept.pk}", {"action": "confirm", "token": token}
    )
    assert response.status_code == 302
    epay = _q4().get(indicator__code="epayment_accounts")
    assert (epay.value, epay.note, epay.status, epay.origin, epay.updated_by) == (
        Decimal("61.5"),
        "Theo NHNN",
        Status.DRAFT,
        Origin.IMPORTED,
        hai_phong_finance_editor,
    )
    assert _q4().get(indicator__code="work_dossiers_online", level="city").value == Decimal("80.5")
    assert epay.history.get().history_change_reason == "Nhập từ Excel (lưu nháp)"
    assert epay.history.get().history_user == hai_phong_finance_editor
    # Downloading again shows the saved values; uploading it unchanged changes nothing.
    again = _upload(editor, _template(editor))
    assert "0 mới · 0 thay đổi · 3 không đổi · 0 lỗi" in again.content.decode()


def test_a_value_changed_since_the_download_is_a_conflict(editor, hai_phong_finance_editor, today):
    template = _template(editor)
    actuals_save_draft(
        user=hai_phong_finance_editor,
        department=editor.dept,
        period=period_get_or_create(code=PERIOD),
        today=today,
        rows=[
            EntryRow(
                key="x",
                indicator=editor.dept.assignments.first().indicator,
                level=editor.dept.assignments.first().level,
                raw_value="55",
            )
        ],
    )
    before = list(_q4().values_list("pk", "value", "version"))
    response = _upload(
        editor,
        _fill(
            template,
            {
                "Tỷ lệ dân số có tài khoản": 70,
                "Tỷ lệ hồ sơ công việc@tỉnh": 70,
                "Tỷ lệ hồ sơ công việc@xã": 40,
            },
        ),
    )
    assert "đã thay đổi từ khi bạn tải biểu mẫu" in response.content.decode()
    assert response.context["can_confirm"] is False
    assert list(_q4().values_list("pk", "value", "version")) == before


def _refused(client, data: bytes, message: str, name: str = "bieu.xlsx"):
    before = list(Actual.objects.order_by("pk").values_list("pk", "value", "status", "version"))
    response = _upload(client, data, name)
    html = response.content.decode()
    assert message in html, html[html.find("alert") :][:400]
    assert list(Actual.objects.order_by("pk").values_list("pk", "value", "status", "version")) == before
    return response


def test_a_file_that_is_not_xlsx_is_refused(editor):
    _refused(editor, b"locality,value\nhai-phong,1\n", "không phải là bảng tính Excel", "bieu.csv")


def test_a_password_protected_file_is_refused(editor):
    _refused(editor, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "bảo vệ bằng mật khẩu")


def test_a_corrupt_file_is_refused(editor):
    _refused(editor, _template(editor)[:1500], "bị hỏng")


def test_a_macro_workbook_is_refused(editor):
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_template(editor))) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/vbaProject.bin", b"\x00macro")
    _refused(editor, buffer.getvalue(), "có chứa macro")


def test_a_workbook_that_is_not_our_template_is_refused(editor):
    wb = Workbook()
    wb.active["A1"] = "Số liệu"
    out = io.BytesIO()
    wb.save(out)
    _refused(editor, out.getvalue(), "không phải biểu mẫu nhập liệu của DTI Portal")


def test_another_departments_template_is_refused(editor, hai_phong_finance_editor, finance_assignments):
    from targets.models import Assignment, Indicator, Membership

    other = Department.objects.create(locality=editor.dept.locality, code="so-y-te", name="Sở Y tế")
    Membership.objects.create(user=hai_phong_finance_editor, department=other, role="editor")
    Assignment.objects.create(
        department=other, indicator=Indicator.objects.get(code="inspections_online"), level=""
    )
    theirs = editor.get(f"/entry/{PERIOD}/template.xlsx", {"department": other.pk}).content
    _refused(editor, theirs, "là của đơn vị khác")


def test_a_template_of_another_quarter_is_refused(editor):
    q3 = editor.get("/entry/2026-Q3/template.xlsx", {"department": editor.dept.pk}).content
    _refused(editor, q3, "là của kỳ 2026-Q3, không phải kỳ 2026-Q4")


def test_a_locked_quarter_refuses_the_import(editor, hai_phong_reviewer):
    filled = _fill(_template(editor), {"Tỷ lệ dân số có tài khoản": 61})
    period_lock(
        user=hai_phong_reviewer,
        locality=editor.dept.locality,
        period=period_get_or_create(code=PERIOD),
    )
    response = _refused(editor, filled, "đã khoá")
    assert response.context["can_confirm"] is False


def test_a_file_over_5_mb_is_refused(editor):
    _refused(editor, b"PK\x03\x04" + b"0" * (5 * 1024 * 1024 + 1), "lớn hơn 5 MB")


def test_a_file_with_a_cell_below_the_templates_2000_rows_is_refused(editor):
    wb = load_workbook(io.BytesIO(_template(editor)))
    ws = wb["Biểu nhập"]
    for r in range(HEADER_ROW + 4, HEADER_ROW + 2010):
        ws.cell(row=r, column=2, value="thêm")
    out = io.BytesIO()
    wb.save(out)
    _refused(
        editor, out.getvalue(), "Tệp có ô ở dòng 2.015, ngoài phạm vi biểu mẫu (tối đa 2.000 dòng số liệu"
    )


def test_a_zip_bomb_is_refused_before_it_is_inflated(editor):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", b"<x/>")
        z.writestr("xl/worksheets/huge.xml", b"\x00" * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    _refused(editor, buffer.getvalue(), "giải nén quá lớn")


def _with_value_xml(data: bytes, xml_cell: str) -> bytes:
    """Replace the first value cell (G7) of the sheet with raw XML, e.g. a formula with or without its result."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                text = re.sub(r'<c r="G7"[^>]*?(/>|>.*?</c>)', xml_cell, text, count=1)
                if 'r="G7"' not in text:
                    text = text.replace('<c r="H7"', xml_cell + '<c r="H7"', 1)
                body = text.encode()
            dst.writestr(item, body)
    return buffer.getvalue()


def test_a_formula_with_its_computed_value_uses_that_value(editor):
    data = _with_value_xml(_template(editor), '<c r="G7"><f>30+15</f><v>45</v></c>')
    response = _upload(editor, data)
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r.excel_row == 7)
    assert (row.state, row.new) == ("new", "45")


def test_a_formula_without_a_computed_value_is_refused_with_its_cell(editor):
    data = _with_value_xml(_template(editor), '<c r="G7"><f>30+15</f></c>')
    response = _refused(editor, data, "dòng 7, cột G: ô chứa công thức nhưng không có giá trị đã tính")
    assert response.context["can_confirm"] is False


def test_text_in_a_number_cell_is_refused_with_its_row_and_column(editor):
    response = _refused(editor, _fill(_template(editor), {"Tỷ lệ dân số có tài khoản": "khoảng 60"}), "cột G")
    row = next(r for r in response.context["rows"] if r.state == "error")
    assert "không phải là số" in " ".join(row.messages)
    assert response.context["can_confirm"] is False


def test_an_out_of_range_value_is_refused_like_on_the_web_form(editor):
    response = _refused(
        editor,
        _fill(_template(editor), {"Tỷ lệ dân số có tài khoản": 130}),
        "Tỷ lệ phần trăm phải từ 0 đến 100.",
    )
    assert response.context["can_confirm"] is False


def test_an_unknown_or_tampered_key_is_refused(editor):
    wb = load_workbook(io.BytesIO(_template(editor)))
    ws = wb["Biểu nhập"]
    key = ws.cell(row=HEADER_ROW + 1, column=KEY_COL).value
    ws.cell(row=HEADER_ROW + 1, column=KEY_COL).value = key.replace(
        "epayment_accounts", "open_datasets"
    ).replace("work_dossiers_online", "open_datasets")
    ws.cell(row=HEADER_ROW + 1, column=VALUE_COL).value = 5
    out = io.BytesIO()
    wb.save(out)
    response = _refused(editor, out.getvalue(), "khoá chỉ tiêu không hợp lệ")
    assert response.context["can_confirm"] is False


def test_an_expired_preview_cannot_be_confirmed(editor):
    response = editor.post(
        f"/entry/{PERIOD}/import/?department={editor.dept.pk}", {"action": "confirm", "token": "cu"}
    )
    assert response.status_code == 400
    assert "hết hạn" in response.content.decode()
    assert not _q4().exists()
