"""One indicator across cities, and one series: values by kind, targets, the straight line, the projection
and both progress measures — figures worked out by hand, as they stood at `?as_of=`."""

from __future__ import annotations

import pytest

from targets.devdata import demo_data_generate
from targets.models import Target
from tests.integration.dashboard_data import TODAY, approve, count_queries, multiply, submit

SERIES = "/indicators/epayment_accounts/ha-noi/"


@pytest.fixture
def epayments(catalogue):
    """Hà Nội e-payment accounts ("trên 50%" by 2025, "trên 80%" by 2030): four approved quarters and one
    submitted, not yet approved."""
    for code, value in [("2025-Q1", "40"), ("2025-Q3", "44"), ("2026-Q1", "49"), ("2026-Q3", "53")]:
        approve("epayment_accounts", "ha-noi", code, value)
    submit("epayment_accounts", "ha-noi", "2026-Q4", "60")


# Hà Nội e-payment accounts "trên 80%" by 2030 (due 2031.0), worked out by hand (docs/progress-method.md):
# the approved 40, 44, 49, 53 at 2025.25, 2025.75, 2026.25, 2026.75 (the submitted 60 does not count), no
# document baseline, so the baseline is the first figure, 40 at 2025.25. Weights 1–4: mean time 2026.25, mean
# value 487/10 = 48.7, slope Σw·dt·dv / Σw·dt² = 22/2.5 = 8.8 a year; projected 48.7 + 8.8 × 4.75 = 90.5.
PROJECTED_2030 = 90.5


def test_the_series_shows_both_measures_with_their_figures(client, ha_noi_viewer, epayments):
    client.force_login(ha_noi_viewer)
    response = client.get(SERIES, {"as_of": "2026-Q3"})
    assert response.status_code == 200
    (section,) = response.context["sections"]
    row = next(r for r in section["rows"] if r["year"] == 2030)
    # (90.5 − 40)/(80 − 40) = 1.2625 ≥ 0.95: on track.
    assert row["status"] == "on_track"
    assert row["latest"] == 53
    assert row["gap"] == pytest.approx(27)  # 80 − 53
    assert row["completion"] == pytest.approx(0.325)  # (53 − 40)/(80 − 40)
    assert row["expected_completion"] == pytest.approx(1.5 / 5.75)  # (2026.75 − 2025.25)/(2031 − 2025.25)
    assert row["projected"] == pytest.approx(PROJECTED_2030)
    assert row["pace"] == pytest.approx(27 / 4.25)  # (80 − 53)/(2031 − 2026.75)
    # Open SDG: CAGR (53/40)^(1/1.5) − 1 ≈ 0.2064 against the needed (80/40)^(1/5.75) − 1 ≈ 0.1281:
    # ratio ≈ 1.611 ≥ 0.95, substantial progress.
    assert row["opensdg_status"] == "substantial_progress"
    assert row["opensdg_value"] == pytest.approx(1.611, abs=5e-4)
    html = response.content.decode()
    for text in (row["status_label"], row["opensdg_label"], row["projected_text"], row["pace_text"]):
        assert text in html
    assert (row["projected_text"], row["pace_text"]) == ("90,5%", "+6,35 điểm %/năm")
    assert "Phương pháp Open SDG (CAGR)" in html


def test_the_series_chart_draws_values_by_kind_targets_line_and_projection(client, ha_noi_viewer, epayments):
    client.force_login(ha_noi_viewer)
    (section,) = client.get(SERIES, {"as_of": "2026-Q4"}).context["sections"]
    traces = {t["name"]: t for t in section["figure"]["data"]}
    assert traces["Đã duyệt"]["y"] == [40, 44, 49, 53]
    assert (
        traces["Đã gửi, chờ duyệt"]["y"] == [60]
        and traces["Đã gửi, chờ duyệt"]["marker"]["symbol"] == "circle-open"
    )
    assert traces["Mục tiêu"]["x"] == ["2025-12-31", "2030-12-31"] and traces["Mục tiêu"]["y"] == [50, 80]
    assert traces["Đường thẳng từ gốc đến mục tiêu 2030"]["y"] == [40, 80]  # from the earliest value
    projection = traces["Dự báo đến hạn 2030"]
    assert projection["line"]["dash"] == "dash"
    # As of 2026-Q4 the approved figures are the same four: the same line, 90.5 at the deadline.
    assert projection["y"][-1] == pytest.approx(PROJECTED_2030)
    shapes = [s["x0"] for s in section["figure"]["layout"]["shapes"]]
    assert "2025-06-30" in shapes  # the 2025-07-01 reform
    # Submitted values are shown but not counted: the status is the approved values' one.
    assert next(r for r in section["rows"] if r["year"] == 2030)["latest"] == 53


def test_published_values_carry_their_source_in_the_chart_and_the_table(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    response = client.get("/indicators/dti_rank/ha-noi/", {"as_of": "2026-Q3"})
    (section,) = response.context["sections"]
    published = next(t for t in section["figure"]["data"] if t["name"] == "Số liệu công bố (có nguồn)")
    assert published["y"] == [43, 40, 24, 6, 1]
    assert "dantri.com.vn" in published["customdata"][-1][1]
    assert section["figure"]["layout"]["yaxis"]["autorange"] == "reversed"  # rank: 1st at the top
    html = response.content.decode()
    assert "hạng 1/34" in html  # every rank with its basis (issue #16)
    assert 'href="https://dti.gov.vn/xep-hang-2022"' in html
    assert response.context["has_demo"] is False


def test_as_of_travels_back_on_the_series_and_the_2025_target_awaits_its_final_figure(
    client, ha_noi_viewer, epayments
):
    client.force_login(ha_noi_viewer)
    (then,) = client.get(SERIES, {"as_of": "2025-Q4"}).context["sections"]
    (now,) = client.get(SERIES, {"as_of": "2026-Q3"}).context["sections"]
    then_2025 = next(r for r in then["rows"] if r["year"] == 2025)
    now_2025 = next(r for r in now["rows"] if r["year"] == 2025)
    # No 2025-Q4 figure: from the deadline (end of 2025) until a year after it the target awaits its final
    # figure, provisionally missed on 2025-Q3's 44; 2026's figures come after the deadline.
    assert (then_2025["latest"], then_2025["latest_period"], then_2025["status"]) == (
        44.0,
        "2025-Q3",
        "awaiting_final",
    )
    assert then_2025["provisional_status"] == "missed" and then_2025["after"] is None
    assert (now_2025["latest"], now_2025["latest_period"], now_2025["status"]) == (
        44.0,
        "2025-Q3",
        "awaiting_final",
    )
    assert (now_2025["after"], now_2025["after_period"]) == (53.0, "2026-Q3")
    assert [v["period"] for v in then["values"]] == ["2025-Q3", "2025-Q1"]  # later values hidden


def test_demo_values_are_labelled_on_the_series(client, ha_noi_viewer, catalogue):
    demo_data_generate(today=TODAY)
    client.force_login(ha_noi_viewer)
    response = client.get(SERIES, {"as_of": "2026-Q3"})
    (section,) = response.context["sections"]
    assert any(t["name"] == "Minh hoạ (demo)" for t in section["figure"]["data"])
    assert "◆ Có dữ liệu minh hoạ (demo), không phải số liệu thật" in str(section["figure"]["layout"])
    assert "Trang này có DỮ LIỆU MINH HOẠ" in response.content.decode()


def test_the_comparison_has_a_line_per_city_and_each_targets_status(client, superuser, catalogue):
    client.force_login(superuser)
    response = client.get("/indicators/digital_economy_grdp_share/", {"as_of": "2026-Q3"})
    assert response.status_code == 200
    lines = [t["name"] for t in response.context["figure"]["data"] if t.get("showlegend", True)]
    assert lines == ["Đà Nẵng", "Hà Nội", "Hải Phòng"]
    rows = response.context["rows"]
    expected = Target.objects.filter(indicator__code="digital_economy_grdp_share", locality__is_country=False)
    assert {r["id"] for r in rows} == set(expected.values_list("pk", flat=True))
    # The published 2022 shares (fixtures/published_figures.csv), at 2023.0, as of 2026-Q3 (2026.75):
    # Hải Phòng 29.48 — "= 15 by 2023" (due 2024.0) no 2023 figure and more than a year past: 29.48 ≥ 15,
    # achieved; "= 25 by 2025" (due 2026.0) within a year of its deadline without its 2025 figure, awaiting;
    # "= 35 by 2030" one point, no line: insufficient data. Đà Nẵng 19.76 and Hà Nội 17.15 alike for 2025
    # and 2030.
    assert {(r["locality"], r["year"]): (r["status"], r["latest"]) for r in rows} == {
        ("hai-phong", 2023): ("achieved", 29.48),
        ("hai-phong", 2025): ("awaiting_final", 29.48),
        ("hai-phong", 2030): ("insufficient_data", 29.48),
        ("da-nang", 2025): ("awaiting_final", 19.76),
        ("da-nang", 2030): ("insufficient_data", 19.76),
        ("ha-noi", 2025): ("awaiting_final", 17.15),
        ("ha-noi", 2030): ("insufficient_data", 17.15),
    }


# Method v2 reads the history of the entered figures (what was known when): one more query per read of
# the figures — the series page reads them twice (the engine's approved ones, the table's with submitted).
# The indicator page reads the national floors of its rows and the national targets (issue #21): two more;
# and one more for the menu's count of values waiting for review (issue #17: the superuser reviews).
@pytest.mark.parametrize(("url", "limit"), [(SERIES, 13), ("/indicators/epayment_accounts/", 11)])
def test_indicator_pages_make_the_same_number_of_queries_at_ten_times_the_data(
    client, superuser, catalogue, django_assert_max_num_queries, url, limit
):
    demo_data_generate(today=TODAY)
    client.force_login(superuser)
    with django_assert_max_num_queries(limit):
        small, response = count_queries(client, url, as_of="2026-Q3")
    targets = _targets_shown(response)
    multiply(10)
    with django_assert_max_num_queries(limit):
        large, response = count_queries(client, url, as_of="2026-Q3")
    assert _targets_shown(response) >= 10 * targets
    assert large == small


def _targets_shown(response) -> int:
    if "sections" in response.context:
        return sum(len(s["rows"]) for s in response.context["sections"])
    return len(response.context["rows"])


@pytest.mark.parametrize("url", [SERIES, "/indicators/epayment_accounts/"])
def test_a_bad_as_of_on_indicator_pages_is_a_400_with_the_reason(client, ha_noi_viewer, url):
    client.force_login(ha_noi_viewer)
    response = client.get(url, {"as_of": "2026-Q7"})
    assert response.status_code == 400
    assert "Mã kỳ báo cáo “2026-Q7” không hợp lệ" in response.content.decode()
