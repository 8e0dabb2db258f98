"""Two officers of one department in two browsers (issue #14, item 6): a colleague's change to a row the other
left alone survives; a row both changed asks which value to keep."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from targets.models import Actual, Membership
from targets.periods import quarter_of
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _open_form(browser, base: str, username: str, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    page.goto(f"{base}{url}")
    return page


def test_two_officers_editing_one_form_lose_nothing(
    browser, live_server, hai_phong_finance_editor, finance_assignments
):
    year, quarter = quarter_of(dt.date.today())
    url = f"/entry/{year}-Q{quarter}/"
    x, y, _commune = finance_assignments
    hoa = get_user_model().objects.create_user("hoa.hp.taichinh", password=PASSWORD)
    Membership.objects.create(user=hoa, department=x.department, role="editor")
    lan = _open_form(browser, live_server.url, hai_phong_finance_editor.username, url)
    lan.fill(f"[name=value-{x.pk}]", "73")
    lan.fill(f"[name=value-{y.pk}]", "80")
    lan.click("button[value=draft]")
    lan.wait_for_load_state()

    # Both open the form; Hoa sets X to 75; Lan, on her open page, changes only Y and saves.
    hoa_page = _open_form(browser, live_server.url, hoa.username, url)
    hoa_page.fill(f"[name=value-{x.pk}]", "75")
    hoa_page.click("button[value=draft]")
    hoa_page.wait_for_load_state()
    lan.fill(f"[name=value-{y.pk}]", "85")
    lan.click("button[value=draft]")
    lan.wait_for_load_state()
    assert "người khác thay đổi trong lúc bạn nhập" in lan.locator(".messages").inner_text()
    assert lan.input_value(f"[name=value-{x.pk}]") == "75"
    stored = {
        (a.indicator_id, a.level): a.value for a in Actual.objects.filter(period__code=f"{year}-Q{quarter}")
    }
    assert stored[(x.indicator_id, x.level)] == Decimal("75")
    assert stored[(y.indicator_id, y.level)] == Decimal("85")

    # Now both change X: Lan is asked which value to keep, and takes Hoa's.
    hoa_page.reload()
    hoa_page.fill(f"[name=value-{x.pk}]", "76")
    hoa_page.click("button[value=draft]")
    hoa_page.wait_for_load_state()
    lan.fill(f"[name=value-{x.pk}]", "80")
    lan.click("button[value=draft]")
    lan.wait_for_load_state()
    choice = lan.locator(f"#choice-{x.pk}")
    assert "Giữ giá trị của tôi: 80" in choice.inner_text() and "Lấy giá trị mới: 76" in choice.inner_text()
    screenshot(lan, "entry-conflict-choice")
    lan.check(f"[name=choice-{x.pk}][value=theirs]")
    lan.click("button[value=draft]")
    lan.wait_for_load_state()
    assert "Đã lưu nháp" in lan.locator(".messages").inner_text()
    x_row = Actual.objects.get(indicator_id=x.indicator_id, level=x.level, period__code=f"{year}-Q{quarter}")
    assert x_row.value == Decimal("76")
    lan.context.close()
    hoa_page.context.close()
