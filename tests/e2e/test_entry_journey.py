"""The quarter, end to end in a browser: enter, make a mistake, fix it, submit; return; resubmit; approve; lock."""

from __future__ import annotations

import datetime as dt

import pytest

from targets.models import Actual, LocalityPeriod, Status
from targets.periods import quarter_of
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, base: str, user) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def test_a_quarter_from_entry_to_lock(
    page, live_server, hai_phong_finance_editor, hai_phong_reviewer, finance_assignments
):
    year, quarter = quarter_of(dt.date.today())
    code = f"{year}-Q{quarter}"
    epay, city, commune = finance_assignments
    base = live_server.url

    # The editor fills the quarter and mistypes one value.
    _login(page, base, hai_phong_finance_editor)
    assert page.url.endswith("/entry/")
    page.click(f"a[href='/entry/{code}/?department={epay.department_id}']")
    page.fill(f"[name=value-{epay.pk}]", "62,5")
    page.fill(f"[name=value-{city.pk}]", "8O")  # a letter O instead of a zero
    page.fill(f"[name=value-{commune.pk}]", "41")
    page.fill(f"[name=note-{epay.pk}]", "Số liệu NHNN chi nhánh Hải Phòng")
    page.click("button[value=submit]")
    page.wait_for_load_state()
    assert "Chưa lưu gì" in page.locator("#form-errors").inner_text()
    assert "không phải là số" in page.locator(f"#row-{city.pk}").inner_text()
    assert page.input_value(f"[name=value-{epay.pk}]") == "62,5"
    assert page.input_value(f"[name=value-{commune.pk}]") == "41"
    assert page.input_value(f"[name=note-{epay.pk}]") == "Số liệu NHNN chi nhánh Hải Phòng"
    screenshot(page, "entry-error-kept")
    assert Actual.objects.filter(period__code=code).count() == 0

    page.fill(f"[name=value-{city.pk}]", "80")
    page.click("button[value=submit]")
    page.wait_for_load_state()
    # "Gửi duyệt" asks first, with the counts; nothing is written before the confirmation.
    assert "Gửi duyệt 3 giá trị" in page.locator("#submit-confirm").inner_text()
    assert Actual.objects.filter(period__code=code).count() == 0
    page.click("button[value=submit-confirmed]")
    page.wait_for_load_state()
    assert "Đã gửi duyệt 3 giá trị." in page.locator(".messages").inner_text()
    assert set(Actual.objects.filter(period__code=code).values_list("status", flat=True)) == {
        Status.SUBMITTED
    }

    # The reviewer returns the commune rate with a comment.
    _login(page, base, hai_phong_reviewer)
    page.goto(f"{base}/review/{code}/?locality=hai-phong")
    commune_actual = Actual.objects.get(indicator=commune.indicator, level="commune", period__code=code)
    row = page.locator(f"#actual-{commune_actual.pk}")
    row.locator("input[name=comment]").fill("Tỷ lệ cấp xã thấp bất thường, đề nghị kiểm tra")
    row.locator("button[value=return]").click()
    page.wait_for_load_state()
    screenshot(page, "review-returned")
    commune_actual.refresh_from_db()
    assert commune_actual.status == Status.RETURNED

    # The editor sees the comment, fixes and resubmits.
    _login(page, base, hai_phong_finance_editor)
    page.goto(f"{base}/entry/{code}/?department={epay.department_id}")
    assert "đề nghị kiểm tra" in page.locator(f"#row-{commune.pk}").inner_text()
    page.fill(f"[name=value-{commune.pk}]", "46")
    page.click("button[value=submit]")
    page.wait_for_load_state()
    page.click("button[value=submit-confirmed]")
    page.wait_for_load_state()
    commune_actual.refresh_from_db()
    assert (str(commune_actual.value.normalize()), commune_actual.status) == ("46", Status.SUBMITTED)

    # The reviewer approves the department and locks the quarter.
    _login(page, base, hai_phong_reviewer)
    page.goto(f"{base}/review/{code}/?locality=hai-phong")
    page.click(".decide-all button[value=approve]")
    page.wait_for_load_state()
    page.click("button[value=lock]")
    page.wait_for_load_state()
    page.click("#lock-confirm button[value=lock]")  # the confirmation page: nothing left open
    page.wait_for_load_state()
    assert set(Actual.objects.filter(period__code=code).values_list("status", flat=True)) == {Status.APPROVED}
    assert LocalityPeriod.objects.get(period__code=code).is_locked
    screenshot(page, "review-approved-locked")

    # The editor can no longer change anything.
    _login(page, base, hai_phong_finance_editor)
    page.goto(f"{base}/entry/{code}/?department={epay.department_id}")
    assert page.locator("input[name^=value-]").count() == 0
    assert "Kỳ đã khoá" in page.locator(".period-state").inner_text()
    assert page.locator("button[value=submit]").count() == 0
    screenshot(page, "entry-locked")
    assert page.outside_requests == []
    # The refused save answers 400 (the form comes back with its errors); the browser logs that, nothing else.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
