"""The Hà Nội viewer opens the dashboards in a real browser, on a laptop and on a phone: the overview,
the city, a pillar and a series. Every chart is drawn by the local plotly.js; nothing leaves 127.0.0.1."""

from __future__ import annotations

import datetime as dt

import pytest

from targets.devdata import demo_data_generate
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _charts_drawn(page) -> int:
    """Wait until every chart placeholder holds Plotly's SVG; return how many charts the page has."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-figure]').length > 0 && "
        "document.querySelectorAll('[data-figure]').length === "
        "document.querySelectorAll('[data-figure] .main-svg:first-of-type').length"
    )
    charts = page.locator("[data-figure]").count()
    assert page.locator(".main-svg").count() >= charts
    return charts


def test_the_ha_noi_viewer_reads_the_dashboards_on_a_laptop_and_a_phone(page, live_server, ha_noi_viewer):
    demo_data_generate(today=dt.date(2026, 11, 22))
    page.goto(f"{live_server.url}/accounts/login/?next=/dashboard/%3Fas_of%3D2026-Q3")
    page.fill("#id_username", ha_noi_viewer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/dashboard/?as_of=2026-Q3")

    # The overview: Hà Nội with the other publishing cities (issue #19), and the DTI rank history.
    assert page.locator("h1").inner_text() == "Bảng điều hành chuyển đổi số"
    assert any(t.startswith("Hà Nội") for t in page.locator(".matrix th.locality").all_inner_texts())
    assert _charts_drawn(page) == 1
    assert "DỮ LIỆU MINH HOẠ" in page.locator(".demo-banner").inner_text()
    screenshot(page, "dashboard-overview-desktop")

    # The city.
    page.locator(".matrix th.locality a", has_text="Hà Nội").click()
    page.wait_for_url("**/dashboard/ha-noi/?as_of=2026-Q3")
    assert page.locator("h1").inner_text() == "Hà Nội: chuyển đổi số theo trụ cột"
    assert _charts_drawn(page) >= 4  # a card per pillar, the 2025 outcome, the road to 2030
    screenshot(page, "dashboard-city-desktop")

    # A pillar: the bullet chart, the heatmap and the sortable table.
    page.locator(".pillar-card h2 a", has_text="Xã hội số").click()
    page.wait_for_url("**/dashboard/ha-noi/xa-hoi-so/?as_of=2026-Q3")
    assert _charts_drawn(page) == 2
    assert page.locator("#pillar-table tbody tr").count() >= 1
    screenshot(page, "dashboard-pillar-desktop")

    # A series, from the table.
    page.locator("#pillar-table tbody tr td a", has_text="tài khoản thanh toán điện tử").first.click()
    page.wait_for_url("**/indicators/epayment_accounts/ha-noi/?as_of=2026-Q3")
    assert _charts_drawn(page) == 1
    assert "Phương pháp Open SDG" in page.locator("table.measures").inner_text()
    screenshot(page, "dashboard-series-desktop")

    # The same pages on a phone: the charts fit the screen width.
    page.set_viewport_size({"width": 390, "height": 844})
    for url, name in [
        ("/dashboard/", "overview"),
        ("/dashboard/ha-noi/", "city"),
        ("/dashboard/ha-noi/xa-hoi-so/", "pillar"),
        ("/indicators/epayment_accounts/ha-noi/", "series"),
    ]:
        page.goto(f"{live_server.url}{url}?as_of=2026-Q3")
        _charts_drawn(page)
        widths = page.eval_on_selector_all(
            "[data-figure] .main-svg:first-of-type", "els => els.map(e => e.getBoundingClientRect().right)"
        )
        assert max(widths) <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{url} scrolls sideways"
        screenshot(page, f"dashboard-{name}-phone")

    assert page.outside_requests == []
    assert page.console_errors == []
