"""Excel in a browser: the reviewer downloads the report; the editor fills the template and imports it."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from targets.models import Actual, Origin, Status
from targets.periods import quarter_of
from targets.workbook import HEADER_ROW, VALUE_COL
from tests.conftest import PASSWORD
from tests.e2e.conftest import ARTIFACTS, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def test_report_download_and_template_round_trip(
    page, live_server, hai_phong_reviewer, hai_phong_finance_editor, finance_assignments
):
    base = live_server.url
    _login(page, base, hai_phong_reviewer)
    page.goto(f"{base}/reports/")
    screenshot(page, "report-form")
    with page.expect_download() as info:
        page.click(".report-form button[type=submit]")
    report = info.value
    assert report.suggested_filename.startswith(
        "bao-cao-cds-hai-phong-"
    ) and report.suggested_filename.endswith(".xlsx")
    ARTIFACTS.mkdir(exist_ok=True)
    report.save_as(ARTIFACTS / report.suggested_filename)
    wb = load_workbook(ARTIFACTS / report.suggested_filename)
    assert wb.sheetnames[0] == "Tổng hợp" and "Nguồn" in wb.sheetnames

    year, quarter = quarter_of(dt.date.today())
    code = f"{year}-Q{quarter}"
    dept = finance_assignments[0].department
    _login(page, base, hai_phong_finance_editor)
    page.goto(f"{base}/entry/{code}/import/?department={dept.pk}")
    with page.expect_download() as info:
        page.click(f"a[href='/entry/{code}/template.xlsx?department={dept.pk}']")
    info.value.save_as(ARTIFACTS / "bieu-nhap.xlsx")
    template = load_workbook(ARTIFACTS / "bieu-nhap.xlsx")
    ws = template["Biểu nhập"]
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        row[VALUE_COL - 1].value = 64.5 if row[1].value.startswith("Tỷ lệ dân số") else 75
    filled = ARTIFACTS / "bieu-nhap-filled.xlsx"
    template.save(filled)

    page.set_input_files("#id_file", str(filled))
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    assert "3 mới · 0 thay đổi · 0 không đổi · 0 lỗi" in page.locator(".lead").inner_text()
    screenshot(page, "import-preview")
    assert not Actual.objects.filter(period__code=code).exists()
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert "Đã nhập từ Excel 3 giá trị" in page.locator(".messages").inner_text()
    saved = Actual.objects.filter(period__code=code)
    assert saved.count() == 3
    assert set(saved.values_list("origin", "status")) == {(Origin.IMPORTED, Status.DRAFT)}
    assert str(saved.get(indicator__code="epayment_accounts").value.normalize()) == "64.5"
    assert page.outside_requests == []
