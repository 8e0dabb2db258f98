"""A viewer logs in, opens the catalogue, filters it and reads a target's quote — in a real browser."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_viewer_logs_in_and_opens_the_catalogue(page, live_server, ha_noi_viewer):
    page.goto(f"{live_server.url}/catalogue/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", ha_noi_viewer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/catalogue/")
    assert page.locator("h1").inner_text() == "Danh mục chỉ tiêu và mục tiêu"
    assert (
        page.locator("#catalogue-table tbody tr").count() == 50
    )  # first page of 265 (136 city and 129 national targets)
    screenshot(page, "catalogue-desktop")

    page.select_option("select[name=locality]", "ha-noi")
    page.select_option("select[name=year]", "2025")
    page.click(".filters button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator("#catalogue-table tbody tr")
    assert rows.count() == 19
    assert "Hà Nội" in rows.first.inner_text()

    page.get_by_role("link", name="Xếp hạng Chỉ số chuyển đổi số cấp tỉnh (DTI)").first.click()
    page.wait_for_load_state()
    assert "nhóm 5 địa phương dẫn đầu cả nước về chuyển đổi số" in page.locator("blockquote").inner_text()
    assert page.locator(".target-value").inner_text() == "hạng ≤ 5"
    screenshot(page, "target-detail")
    assert page.outside_requests == []
    assert page.console_errors == []


def test_a_wrong_password_is_explained_and_keeps_the_user_out(page, live_server, ha_noi_viewer):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", ha_noi_viewer.username)
    page.fill("#id_password", "mat-khau-sai")
    page.click("button[type=submit].primary")
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in page.locator("[role=alert]").inner_text()
    page.goto(f"{live_server.url}/catalogue/")
    assert "/accounts/login/" in page.url
