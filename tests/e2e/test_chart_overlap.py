"""Issue #17, item 13: nothing on a chart sits on anything else, at 1440 and at 390 px — the rank chart's
axis titles against their ticks and its rank labels against each other (ranks 1/3/5 were crushed), the
pillar chart's axis title against its ticks, and its row labels against each other."""

from __future__ import annotations

import datetime as dt

import pytest

from targets.devdata import demo_data_generate
from tests.conftest import PASSWORD
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The boxes of a chart's texts, by kind: axis titles, tick labels (x and y), point labels.
BOXES = """(el) => {
  const box = (n) => { const r = n.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const all = (sel) => Array.from(el.querySelectorAll(sel)).filter((n) => n.textContent.trim()).map(box);
  return {
    xtitle: all('.g-xtitle text'), ytitle: all('.g-ytitle text'),
    xticks: all('.xtick text'), yticks: all('.ytick text'), points: all('.textpoint text'),
  };
}"""


def _overlap(a, b, slack: float = 1.0) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


def _pairs(boxes):
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if _overlap(a, b)]


def _across(first, second):
    return [(a, b) for a in first for b in second if _overlap(a, b)]


@pytest.mark.parametrize("width", [1440, 390])
def test_the_rank_and_pillar_charts_have_nothing_on_top_of_each_other(
    page, live_server, ha_noi_viewer, width
):
    demo_data_generate(today=dt.date(2026, 11, 22))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", ha_noi_viewer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    for path, name in [
        ("/dashboard/?as_of=2026-Q3", "rank"),
        ("/dashboard/ha-noi/dti/?as_of=2026-Q3", "bullet"),
    ]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        chart = page.locator("[data-figure]").first
        chart.locator(".main-svg").first.wait_for()
        boxes = chart.evaluate(BOXES)
        ARTIFACTS.mkdir(exist_ok=True)
        chart.screenshot(path=str(ARTIFACTS / f"chart-{name}-{width}.png"))
        assert boxes["yticks"], name
        assert _across(boxes["xtitle"], boxes["xticks"]) == [], (name, width, "x title on the ticks")
        assert _across(boxes["ytitle"], boxes["yticks"]) == [], (name, width, "y title on the ticks")
        assert _pairs(boxes["yticks"]) == [], (name, width, "tick labels on each other")
        assert _pairs(boxes["xticks"]) == [], (name, width, "tick labels on each other")
        if name == "rank":
            assert len(boxes["points"]) >= 10  # "43/63", "1/34"…: every rank with its basis
            assert _pairs(boxes["points"]) == [], (width, "rank labels on each other")
