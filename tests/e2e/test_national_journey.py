"""A viewer reads a city target beside its national floor, follows it to the national target and sees that
its quote comes from an English-language report — in a real browser (issue #21)."""

from __future__ import annotations

import pytest

from targets.models import Target
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_viewer_follows_a_city_target_to_its_national_floor(page, live_server, ha_noi_viewer):
    target = Target.objects.get(locality__slug="ha-noi", indicator__code="epayment_accounts", year=2030)
    page.goto(f"{live_server.url}/accounts/login/?next={target.get_absolute_url()}")
    page.fill("#id_username", ha_noi_viewer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"**{target.get_absolute_url()}")
    floor = page.locator(".national-floor")
    assert "> 80%" in floor.inner_text() and "749/QĐ-TTg" in floor.inner_text()
    assert "nguồn tiếng Anh" in floor.inner_text()
    assert page.locator(".badge.below-floor").count() == 0
    screenshot(page, "target-national-floor")

    floor.get_by_role("link").click()
    page.wait_for_load_state()
    assert page.locator(".badge.provenance").inner_text() == "nguồn tiếng Anh"
    assert "more than 80% of the population" in page.locator("blockquote").inner_text()
    assert "Hà Nội 2030" in page.locator("main").inner_text()
    screenshot(page, "national-target")
    assert page.outside_requests == []
    assert page.console_errors == []
