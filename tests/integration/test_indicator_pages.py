"""One indicator across cities, and one series: values by kind, targets, the straight line, the projection
and both progress measures — the engine's figures, as they stood at `?as_of=`."""

from __future__ import annotations

import pytest

from reports import pages
from targets import services
from targets.models import Target
from tests.unit import progress_oracle as oracle

from .dashboard_data import TODAY, approve, count_queries, multiply, submit

SERIES = "/indicators/epayment_accounts/ha-noi/"


@pytest.fixture
def epayments(catalogue):
    """Hà Nội e-payment accounts ("trên 50%" by 2025, "trên 80%" by 2030): four approved quarters and one
    submitted, not yet approved."""
    for code, value in [("2025-Q1", "40"), ("2025-Q3", "44"), ("2026-Q1", "49"), ("2026-Q3", "53")]:
        approve("epayment_accounts", "ha-noi", code, value)
    submit("epayment_accounts", "ha-noi", "2026-Q4", "60")


def _engine_2030(as_of: float = 2026.75) -> oracle.Assessment:
    return oracle.assess(
        comparator=">",
        target_value=80,
        target_time=2031.0,
        as_of=as_of,
        higher_is_better=True,
        observations=[(2025.25, 40), (2025.75, 44), (2026.25, 49), (2026.75, 53)],
    )


def test_the_series_shows_both_measures_with_the_engines_figures(client, ha_noi_viewer, epayments):
    client.force_login(ha_noi_viewer)
    response = client.get(SERIES, {"as_of": "2026-Q3"})
    assert response.status_code == 200
    (section,) = response.context["sections"]
    row = next(r for r in section["rows"] if r["year"] == 2030)
    expected = _engine_2030()
    assert row["status"] == expected.status
    assert row["latest"] == expected.latest == 53
    assert row["gap"] == pytest.approx(expected.gap)
    assert row["completion"] == pytest.approx(expected.completion)
    assert row["expected_completion"] == pytest.approx(expected.expected_completion)
    assert row["projected"] == pytest.approx(expected.projected)
    assert row["pace"] == pytest.approx(expected.required_pace_per_year)
    assert row["opensdg_status"] == expected.opensdg_status
    assert row["opensdg_value"] == pytest.approx(expected.opensdg_value)
    html = response.content.decode()
    for text in (row["status_label"], row["opensdg_label"], row["projected_text"], row["pace_text"]):
        assert text in html
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
    assert projection["y"][-1] == pytest.approx(_engine_2030(2027.0).projected)
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
    assert "1 / 34" in html or "hạng 1 / 34" in html
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
    services.demo_data_generate(today=TODAY)
    client.force_login(ha_noi_viewer)
    response = client.get(SERIES, {"as_of": "2026-Q3"})
    (section,) = response.context["sections"]
    assert any(t["name"] == "Minh hoạ (demo)" for t in section["figure"]["data"])
    assert "◆ Có dữ liệu minh hoạ (demo), không phải số liệu thật" in str(section["figure"]["layout"])
    assert "Trang này có DỮ LIỆU MINH HOẠ" in response.content.decode()


def test_the_comparison_has_a_line_per_city_and_the_engines_statuses(client, superuser, catalogue):
    services.demo_data_generate(today=TODAY)
    client.force_login(superuser)
    response = client.get("/indicators/digital_economy_grdp_share/", {"as_of": "2026-Q3"})
    assert response.status_code == 200
    lines = [t["name"] for t in response.context["figure"]["data"] if t.get("showlegend", True)]
    assert lines == ["Đà Nẵng", "Hà Nội", "Hải Phòng"]
    engine = pages.progress_table(as_of=2026.75)
    rows = response.context["rows"]
    expected = Target.objects.filter(indicator__code="digital_economy_grdp_share")
    assert {r["id"] for r in rows} == set(expected.values_list("pk", flat=True))
    for row in rows:
        assert row["status"] == engine.loc[row["id"], "status"]
        assert row["latest"] == pytest.approx(engine.loc[row["id"], "latest"])


# Method v2 reads the history of the entered figures (what was known when): one more query per read of
# the figures — the series page reads them twice (the engine's approved ones, the table's with submitted).
@pytest.mark.parametrize(("url", "limit"), [(SERIES, 11), ("/indicators/epayment_accounts/", 8)])
def test_indicator_pages_make_the_same_number_of_queries_at_ten_times_the_data(
    client, superuser, catalogue, django_assert_max_num_queries, url, limit
):
    services.demo_data_generate(today=TODAY)
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
