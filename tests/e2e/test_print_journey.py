"""Issue #17, item 15: the dashboards print. A Hà Nội leader prints the city page and the one-page brief to
PDF (A4 landscape): the menu and the as-of form are gone, the city and the quarter are in the header, the
status colours are kept, every chart fits within the page width, and the brief is exactly one page. At 1440
and 390 px the pages are also shot on screen (test-artifacts/)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from targets.devdata import demo_data_generate
from tests.conftest import PASSWORD
from tests.e2e.conftest import ARTIFACTS, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

A4_LANDSCAPE_PT = (841.89, 595.28)
PRINTED_WIDTH_PX = 277 / 25.4 * 96  # 297 mm less two 10 mm margins, in CSS pixels (≈ 1047)


def _charts_drawn(page) -> int:
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-figure]').length === "
        "document.querySelectorAll('[data-figure] .main-svg:first-of-type').length"
    )
    return page.locator("[data-figure]").count()


def _log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")


# Every chart's drawing (its SVG) against its box and the printed page: [name, left, right, width] and the
# main column's width. Measured after the charts were redrawn for print (static/js/charts.js).
MEASURE = """() => {
  const main = document.querySelector('main').getBoundingClientRect();
  const out = [];
  document.querySelectorAll('[data-figure]').forEach((el) => {
    const svg = el.querySelector('.main-svg').getBoundingClientRect();
    out.push([el.getAttribute('data-figure'), svg.left - main.left, svg.right - main.left, svg.width]);
  });
  return {main: main.width, charts: out};
}"""


def _fit_for_print(page) -> dict:
    page.emulate_media(media="print")
    # The redraw is asynchronous: wait until every chart is no wider than its box.
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-figure]')).every((el) =>"
        " el.querySelector('.main-svg').getBoundingClientRect().width <= el.getBoundingClientRect().width + 1)"
    )
    return page.evaluate(MEASURE)


def _pdf(page, name: str) -> PdfReader:
    data = page.pdf(format="A4", landscape=True, print_background=True, prefer_css_page_size=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(data)
    return PdfReader(io.BytesIO(data))


def _landscape_a4(reader: PdfReader) -> bool:
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    return sizes == {(round(A4_LANDSCAPE_PT[0]), round(A4_LANDSCAPE_PT[1]))}


@pytest.mark.parametrize("width", [1440, 390])
def test_the_city_page_and_the_brief_read_on_screen(page, live_server, ha_noi_viewer, width):
    demo_data_generate(today=dt.date(2026, 11, 22))
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, live_server, ha_noi_viewer)
    assert page.url.endswith("/dashboard/ha-noi/")  # a leader lands on the city (issue #17, item 6)
    for path, name in [
        ("/dashboard/ha-noi/?as_of=2026-Q3", "city"),
        ("/dashboard/ha-noi/brief/?as_of=2026-Q3", "brief"),
    ]:
        page.goto(live_server.url + path)
        _charts_drawn(page)
        # No page scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (path, width)
        screenshot(page, f"print-journey-{name}-{width}")
    assert page.outside_requests == []


def test_printing_the_city_page_keeps_every_chart_inside_the_page(page, live_server, ha_noi_viewer):
    demo_data_generate(today=dt.date(2026, 11, 22))
    page.set_viewport_size({"width": 1440, "height": 900})
    _log_in(page, live_server, ha_noi_viewer)
    page.goto(f"{live_server.url}/dashboard/ha-noi/?as_of=2026-Q3")
    n = _charts_drawn(page)
    assert n >= 4
    on_screen = page.evaluate(MEASURE)
    assert max(c[3] for c in on_screen["charts"]) > PRINTED_WIDTH_PX  # drawn wider than paper on screen

    printed = _fit_for_print(page)

    assert abs(printed["main"] - PRINTED_WIDTH_PX) < 2
    for name, left, right, chart_width in printed["charts"]:
        assert left >= -1 and right <= printed["main"] + 1, (name, left, right)
        assert chart_width <= PRINTED_WIDTH_PX + 1, name
    # The menu and the as-of form are hidden; the header says the city, the quarter and the as-of date.
    assert not page.locator(".site-header").is_visible()
    assert not page.locator("form.as-of").is_visible()
    header = page.locator(".print-header").inner_text()
    assert "Hà Nội" in header and "2026-Q3" in header and "30/09/2026" in header
    # Status colours print as shown, with their text.
    chip = page.locator(".chip .swatch").first
    assert chip.evaluate("(el) => getComputedStyle(el).printColorAdjust") == "exact"
    assert chip.evaluate("(el) => getComputedStyle(el).backgroundColor") not in (
        "rgba(0, 0, 0, 0)",
        "transparent",
    )
    assert page.locator(".chip").first.inner_text().strip()
    screenshot(page, "print-journey-city-print-media")

    reader = _pdf(page, "city-a4-landscape")
    assert _landscape_a4(reader) and len(reader.pages) >= 1
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Hà Nội" in text and "2026-Q3" in text
    assert "Đăng xuất" not in text  # the menu did not print


def test_the_brief_prints_on_exactly_one_a4_page(page, live_server, ha_noi_viewer):
    demo_data_generate(today=dt.date(2026, 11, 22))
    page.set_viewport_size({"width": 1440, "height": 900})
    _log_in(page, live_server, ha_noi_viewer)
    page.goto(f"{live_server.url}/dashboard/ha-noi/brief/?as_of=2026-Q3")
    page.wait_for_load_state("networkidle")
    page.emulate_media(media="print")
    bars = page.evaluate(
        "() => Array.from(document.querySelectorAll('.status-bar')).map((el) => el.getBoundingClientRect().right"
        " - document.querySelector('main').getBoundingClientRect().left)"
    )
    assert bars and max(bars) <= PRINTED_WIDTH_PX + 1
    screenshot(page, "print-journey-brief-print-media")

    reader = _pdf(page, "brief-a4-landscape")

    assert _landscape_a4(reader)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for words in ("Hà Nội", "2026-Q3", "hạng 1/34 (2024)", "chậm nhất", "Thay đổi từ quý 2026-Q2"):
        assert words in text, words


@pytest.mark.parametrize("width", [1440, 390])
def test_the_target_page_draws_its_small_chart_and_links_on(page, live_server, ha_noi_viewer, width):
    """Issue #17, item 9: the target page shows its status and a small chart, with no sideways scroll."""
    from targets.models import Target

    demo_data_generate(today=dt.date(2026, 11, 22))
    target = Target.objects.filter(
        indicator__code="epayment_accounts", locality__slug="ha-noi", year=2030
    ).first()
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, live_server, ha_noi_viewer)
    page.goto(live_server.url + target.get_absolute_url())
    assert _charts_drawn(page) == 1
    assert page.locator(".target-progress .status").count() == 1
    assert page.locator(".target-progress a", has_text="Xem chuỗi số liệu").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, f"target-page-{width}")


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/?as_of=2026-Q3",
        "/dashboard/ha-noi/dti/?as_of=2026-Q3",
        "/indicators/epayment_accounts/?as_of=2026-Q3",
        "/indicators/dti_rank/ha-noi/?as_of=2026-Q3",
    ],
)
def test_every_other_dashboard_prints_its_charts_inside_the_page(page, live_server, ha_noi_viewer, path):
    demo_data_generate(today=dt.date(2026, 11, 22))
    page.set_viewport_size({"width": 1440, "height": 900})
    _log_in(page, live_server, ha_noi_viewer)
    page.goto(live_server.url + path)
    assert _charts_drawn(page) >= 1

    printed = _fit_for_print(page)

    for name, left, right, chart_width in printed["charts"]:
        assert left >= -1 and right <= printed["main"] + 1 and chart_width <= PRINTED_WIDTH_PX + 1, (
            path,
            name,
        )
    assert not page.locator(".site-header").is_visible() and not page.locator("form.as-of").is_visible()
    assert "2026-Q3" in page.locator(".print-header").inner_text()
    reader = _pdf(page, "print-" + path.split("?")[0].strip("/").replace("/", "-"))
    assert _landscape_a4(reader)
