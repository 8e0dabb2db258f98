"""An anonymous visitor (issue #19) goes from the home page to a city, a pillar and a series, then downloads
the series' figures — no login, nothing leaving 127.0.0.1, approved and published figures only."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from targets.devdata import demo_data_generate
from tests.e2e.conftest import screenshot

from .test_dashboard_journey import _charts_drawn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_anonymous_visitor_goes_home_city_pillar_series_and_downloads(page, live_server, catalogue):
    demo_data_generate(today=dt.date(2026, 11, 22))
    page.goto(f"{live_server.url}/?as_of=2026-Q3")
    assert "/accounts/login/" not in page.url
    assert page.locator("h1").inner_text() == "Bảng điều hành chuyển đổi số"
    cities = page.locator(".matrix th.locality").all_inner_texts()
    assert [c.split("\n")[0].strip() for c in cities] == ["Đà Nẵng", "Hà Nội", "Hải Phòng"]
    assert _charts_drawn(page) == 1  # the DTI rank history
    assert page.locator("#rank-table tbody tr").count() >= 3
    screenshot(page, "public-home")

    page.locator(".matrix th.locality a", has_text="Hải Phòng").click()
    page.wait_for_url("**/dashboard/hai-phong/?as_of=2026-Q3")
    assert _charts_drawn(page) >= 4
    screenshot(page, "public-city")

    page.locator(".pillar-card h2 a", has_text="Xã hội số").click()
    page.wait_for_url("**/dashboard/hai-phong/xa-hoi-so/?as_of=2026-Q3")
    assert _charts_drawn(page) == 2
    screenshot(page, "public-pillar")

    page.locator("#pillar-table tbody tr td a", has_text="tài khoản thanh toán điện tử").first.click()
    page.wait_for_url("**/indicators/epayment_accounts/hai-phong/?as_of=2026-Q3")
    assert _charts_drawn(page) == 1
    assert "Số liệu công khai" in page.locator("main").inner_text()
    screenshot(page, "public-series")

    with page.expect_download() as info:
        page.locator("a.download").click(modifiers=["Alt"])
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {(r["locality"], r["indicator_code"]) for r in rows} == {
        ("hai-phong", "epayment_accounts")
    }
    assert {r["locality_code"] for r in rows} == {"31"}
    assert page.outside_requests == []
    assert page.console_errors == []
