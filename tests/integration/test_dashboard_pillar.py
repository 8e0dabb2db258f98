"""The pillar dashboard: every target's figures from the engine, a heatmap of eight quarters, a sortable
table, a fixed number of queries, and the page as it stood at `?as_of=`."""

from __future__ import annotations

import pytest

from reports import pages
from targets import services
from targets.models import Target

from .dashboard_data import TODAY, approve, count_queries, multiply

URL = "/dashboard/hai-phong/chinh-quyen-so/"


@pytest.fixture
def demo(catalogue):
    services.demo_data_generate(today=TODAY)


def _open_data(client, as_of: str) -> dict[tuple, dict]:
    body = client.get("/open-data/progress.json", {"as_of": as_of}).json()
    return {(r["locality"], r["indicator_code"], r["level"], r["year"]): r for r in body["data"]}


def test_every_target_of_the_pillar_has_the_engines_figures(client, hai_phong_reviewer, demo):
    client.force_login(hai_phong_reviewer)
    response = client.get(URL, {"as_of": "2026-Q3"})
    assert response.status_code == 200
    rows = response.context["rows"]
    expected_ids = set(
        Target.objects.filter(
            locality__slug="hai-phong", indicator__pillar__slug="chinh-quyen-so"
        ).values_list("pk", flat=True)
    )
    assert {r["id"] for r in rows} == expected_ids
    engine = pages.progress_table(as_of=2026.75)  # the open-data path, all localities
    public = _open_data(client, "2026-Q3")
    for row in rows:
        figures = engine.loc[row["id"]]
        assert row["status"] == figures["status"]
        assert row["latest"] == pytest.approx(figures["latest"], nan_ok=True)
        assert (
            row["projected"] == pytest.approx(figures["projected"], nan_ok=True) or row["projected"] is None
        )
        assert row["pace"] == pytest.approx(figures["required_pace_per_year"]) or row["pace"] is None
        assert row["opensdg_status"] == figures["opensdg_status"]
        same = public[("hai-phong", row["indicator_code"], row["level"], row["year"])]
        assert (row["status"], row["latest_period"], row["latest_origin"]) == (
            same["status"],
            same["latest_period"],
            same["latest_origin"],
        )
    html = response.content.decode()
    assert all(r["latest_text"] in html and r["status_label"] in html for r in rows)


def test_the_bullet_chart_has_a_bar_per_target_at_its_completion(client, hai_phong_reviewer, demo):
    client.force_login(hai_phong_reviewer)
    context = client.get(URL, {"as_of": "2026-Q3"}).context
    rows = {f"t{r['id']}": r for r in context["rows"]}
    bars = [t for t in context["bullet_figure"]["data"] if t["type"] == "bar"]
    drawn = {key: x for trace in bars for key, x in zip(trace["y"], trace["x"], strict=True)}
    assert set(drawn) == set(rows)
    for key, x in drawn.items():
        completion = rows[key]["completion"]
        if completion is not None:
            assert x == pytest.approx(min(1.25, max(-0.2, completion)))
    assert "◆ Có dữ liệu minh hoạ (demo), không phải số liệu thật" in str(context["bullet_figure"]["layout"])


def test_the_heatmap_shows_eight_quarters_of_statuses(client, hai_phong_reviewer, demo):
    client.force_login(hai_phong_reviewer)
    context = client.get(URL, {"as_of": "2026-Q3"}).context
    assert context["quarters"] == [
        "2024-Q4",
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
    ]
    # The district level ended on 2025-06-30: its series is "not applicable" from 2025-Q3.
    district = next(r for r in context["heatmap_rows"] if r["label"].endswith("cấp huyện"))
    statuses = [c["status"] for c in district["cells"]]
    assert statuses[3:] == ["not_applicable"] * 5
    # The last column is today's status of the target in force (here the 2030 one of each series).
    engine = pages.progress_table(as_of=2026.75)
    city = next(r for r in context["heatmap_rows"] if r["label"].endswith("cấp tỉnh/thành phố"))
    target_2030 = Target.objects.get(
        locality__slug="hai-phong", indicator__code="work_dossiers_online", level="city", year=2030
    )
    assert city["cells"][-1]["status"] == engine.loc[target_2030.pk, "status"]
    assert city["cells"][-1]["year"] == 2030


def test_the_table_sorts_by_the_figures_not_their_text(client, hai_phong_reviewer, demo):
    client.force_login(hai_phong_reviewer)
    response = client.get(URL, {"as_of": "2026-Q3", "sort": "-gap"})
    gaps = [row.record["gap"] for row in response.context["table"].rows]
    known = [g for g in gaps if g is not None]
    assert known == sorted(known, reverse=True)
    assert 'id="pillar-table"' in response.content.decode()
    by_status = [
        row.record["status_rank"] for row in client.get(URL, {"sort": "status"}).context["table"].rows
    ]
    assert by_status == sorted(by_status)


def test_as_of_shows_the_pillar_as_it_stood_then_and_a_later_figure_never_changes_a_past_deadline_verdict(
    client, hai_phong_reviewer
):
    # Hải Phòng, work dossiers online at commune level: 2025 target 60 %, 2030 target 70 %.
    for code, value in [("2024-Q4", "50"), ("2025-Q4", "58"), ("2026-Q3", "66")]:
        approve("work_dossiers_online", "hai-phong", code, value, level="commune")
    client.force_login(hai_phong_reviewer)
    then = client.get(URL, {"as_of": "2025-Q4"}).context["rows"]
    now = client.get(URL, {"as_of": "2026-Q3"}).context["rows"]
    key = next(
        r["id"]
        for r in now
        if (r["indicator_code"], r["level"], r["year"]) == ("work_dossiers_online", "commune", 2025)
    )
    then_row = next(r for r in then if r["id"] == key)
    now_row = next(r for r in now if r["id"] == key)
    assert (then_row["latest"], then_row["latest_period"], then_row["status"]) == (58.0, "2025-Q4", "missed")
    assert then_row["after"] is None
    # Method v2: the 2025 target is judged on its deadline figure (2025-Q4: 58 < 60) — 2026's 66 is shown
    # after the deadline, as information.
    assert (now_row["latest"], now_row["latest_period"], now_row["status"]) == (58.0, "2025-Q4", "missed")
    assert (now_row["after"], now_row["after_period"]) == (66.0, "2026-Q3")
    assert now_row["after_text"] == "sau hạn: 66% (2026-Q3)"


def test_the_pillar_page_makes_the_same_number_of_queries_at_ten_times_the_data(
    client, hai_phong_reviewer, demo, django_assert_max_num_queries
):
    client.force_login(hai_phong_reviewer)
    with django_assert_max_num_queries(8):
        small, response = count_queries(client, URL, as_of="2026-Q3")
    rows = len(response.context["rows"])
    multiply(10)
    with django_assert_max_num_queries(8):
        large, response = count_queries(client, URL, as_of="2026-Q3")
    assert len(response.context["rows"]) == 10 * rows
    assert large == small


@pytest.mark.parametrize("bad", ["2026-Q5", "hôm qua", "1999", "2026Q3"])
def test_a_bad_as_of_gets_a_clear_vietnamese_message(client, hai_phong_reviewer, bad):
    client.force_login(hai_phong_reviewer)
    response = client.get(URL, {"as_of": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Thời điểm không hợp lệ" in html
    assert "không hợp lệ (ví dụ: 2026-Q3 hoặc 2024)" in html or "nằm ngoài khoảng" in html
    assert 'name="as_of"' in html  # the form to choose again
