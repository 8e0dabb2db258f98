"""The pillar dashboard: every target's figures (worked out by hand), a heatmap of eight quarters, a sortable
table, a fixed number of queries, and the page as it stood at `?as_of=`."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db.models import Q

from targets.devdata import demo_data_generate
from targets.models import Target
from tests.integration.dashboard_data import TODAY, approve, count_queries, multiply

URL = "/dashboard/hai-phong/chinh-quyen-so/"


@pytest.fixture
def demo(catalogue):
    demo_data_generate(today=TODAY)


def _open_data(client, as_of: str) -> dict[tuple, dict]:
    body = client.get("/open-data/progress.json", {"as_of": as_of}).json()
    return {(r["locality"], r["indicator_code"], r["level"], r["year"]): r for r in body["data"]}


@pytest.fixture
def dossiers(catalogue):
    """Hải Phòng's work dossiers handled online, approved on the web: at commune level 50 (2024-Q4), 58
    (2025-Q4), 66 (2026-Q3); at city level 70 (2025-Q2), 75 (2026-Q2)."""
    for code, value in [("2024-Q4", "50"), ("2025-Q4", "58"), ("2026-Q3", "66")]:
        approve("work_dossiers_online", "hai-phong", code, value, level="commune")
    for code, value in [("2025-Q2", "70"), ("2026-Q2", "75")]:
        approve("work_dossiers_online", "hai-phong", code, value, level="city")


# Hải Phòng's 28 targets of the pillar as of 2026-Q3 (2026.75), worked out by hand (docs/progress-method.md;
# a quarter's figure stands at its quarter's end, a target "by Y" is due at Y + 1):
#   dossiers commune 2030 (= 70): 50, 58, 66 at 2025.0, 2026.0, 2026.75, weights 1, 2, 3: mean time 2026 + 5/24,
#     mean value 182/3, slope (68/3)/(233/96) ≈ 9.34 a year; projected ≈ 105.4, clipped to 100 (a percentage);
#     (100 − 50)/(70 − 50) = 2.5 ≥ 0.95 → on_track; pace (70 − 66)/(2031 − 2026.75) = 4/4.25 a year;
#     Open SDG: CAGR (66/50)^(1/1.75) − 1 ≈ 0.172 against (70/50)^(1/6) − 1 ≈ 0.058: ≈ 2.98 → substantial.
#   dossiers commune 2025 (= 60): 50 and 58 by the deadline 2026.0, 58 its own (2025-Q4) → missed;
#     the line through the two points at 2026.0 is 58; Open SDG: 0.16/0.2 = 0.8 → moderate progress.
#   dossiers commune 2023 (= 40): no figure by 2024.0 (the first is 2024-Q4, at 2025.0) → insufficient_data.
#   dossiers city 2030 (= 100): 70 → 75 a year later, slope 5; projected 75 + 5 × 4.5 = 97.5;
#     (97.5 − 70)/(100 − 70) ≈ 0.92, within [0.6, 0.95) → needs_acceleration; pace (100 − 75)/4.25 a year;
#     Open SDG: 75/70 − 1 ≈ 0.071 against (100/70)^(1/5.5) − 1 ≈ 0.067: ≈ 1.07 → substantial.
#   dossiers city 2025 (= 90): 70 (2025-Q2) by the deadline, no 2025-Q4, within a year → awaiting_final;
#     one point: no projection; Open SDG: base and current are the same figure → not available.
#   dossiers city 2023 (= 70): no figure by 2024.0 → insufficient_data.
#   the district level (2023, 2025, 2030) ended on 2025-06-30 → not_applicable ×3.
#   the 19 other targets have no figure → insufficient_data.
PILLAR_AT_2026_Q3 = {
    # (indicator, level, year): (status, latest, projected, pace, Open SDG status)
    ("work_dossiers_online", "commune", 2030): ("on_track", 66.0, 100.0, 4 / 4.25, "substantial_progress"),
    ("work_dossiers_online", "commune", 2025): ("missed", 58.0, 58.0, None, "moderate_progress"),
    ("work_dossiers_online", "commune", 2023): ("insufficient_data", None, None, None, "not_available"),
    ("work_dossiers_online", "city", 2030): (
        "needs_acceleration",
        75.0,
        97.5,
        25 / 4.25,
        "substantial_progress",
    ),
    ("work_dossiers_online", "city", 2025): ("awaiting_final", 70.0, None, None, "not_available"),
    ("work_dossiers_online", "city", 2023): ("insufficient_data", None, None, None, "not_available"),
    ("work_dossiers_online", "district", 2023): ("not_applicable", None, None, None, "not_available"),
    ("work_dossiers_online", "district", 2025): ("not_applicable", None, None, None, "not_available"),
    ("work_dossiers_online", "district", 2030): ("not_applicable", None, None, None, "not_available"),
}


def test_every_target_of_the_pillar_has_its_figures_and_the_open_data_says_the_same(
    client, hai_phong_reviewer, dossiers
):
    client.force_login(hai_phong_reviewer)
    response = client.get(URL, {"as_of": "2026-Q3"})
    assert response.status_code == 200
    rows = response.context["rows"]
    # A target's pillar is its document's, the indicator's by default (issue #16): Hải Phòng's 2030 mobile
    # identity target (indicator: Xã hội số) is listed under Chính quyền số in Nghị quyết 03-NQ/TU.
    expected_ids = set(
        Target.objects.filter(
            Q(pillar__slug="chinh-quyen-so")
            | Q(pillar__isnull=True, indicator__pillar__slug="chinh-quyen-so"),
            locality__slug="hai-phong",
        ).values_list("pk", flat=True)
    )
    assert {r["id"] for r in rows} == expected_ids and len(rows) == 28
    public = _open_data(client, "2026-Q3")
    for row in rows:
        key = (row["indicator_code"], row["level"], row["year"])
        status, latest, projected, pace, sdg = PILLAR_AT_2026_Q3.get(
            key, ("insufficient_data", None, None, None, "not_available")
        )
        assert row["status"] == status, key
        assert row["latest"] == pytest.approx(latest), key
        assert row["projected"] == pytest.approx(projected), key
        assert row["pace"] == pytest.approx(pace), key
        assert row["opensdg_status"] == sdg, key
        same = public[("hai-phong", *key)]
        assert (row["status"], row["latest_period"], row["latest_origin"]) == (
            same["status"],
            same["latest_period"],
            same["latest_origin"],
        )
    assert Counter(r["status"] for r in rows) == {
        "insufficient_data": 21,
        "not_applicable": 3,
        "on_track": 1,
        "needs_acceleration": 1,
        "missed": 1,
        "awaiting_final": 1,
    }
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


def test_the_heatmap_shows_eight_quarters_of_statuses(client, hai_phong_reviewer, dossiers):
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
    # The last column is today's status of the target in force (here the 2030 one of each series): the
    # city's 70 → 75 projects to 97.5 of 100, (97.5 − 70)/(100 − 70) ≈ 0.92 (see PILLAR_AT_2026_Q3).
    city = next(r for r in context["heatmap_rows"] if r["label"].endswith("cấp tỉnh/thành phố"))
    assert (city["cells"][-1]["status"], city["cells"][-1]["year"]) == ("needs_acceleration", 2030)


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
    # 8; the national floors of the rows and the DTI frameworks (issue #21): two more; and one for the menu's
    # count of values waiting for review (issue #17, item 6).
    with django_assert_max_num_queries(11):
        small, response = count_queries(client, URL, as_of="2026-Q3")
    rows = len(response.context["rows"])
    multiply(10)
    with django_assert_max_num_queries(11):
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


@pytest.mark.parametrize("sort", ["", "-gap", "latest", "status", "-projected", "indicator"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_tables_quick_rows_render_what_django_tables2s_own_rows_render(dossiers, demo, sort, language):
    """The pillar table renders its cells without django-tables2's per-cell machinery (issue #20: the first
    rendering after a write at national scale): every cell, attribute and row must come out the same."""
    import django_tables2
    from django.template import engines
    from django.test import RequestFactory
    from django.utils import translation

    from reports import pages
    from reports.display import AsOf
    from reports.tables import PillarTargetTable
    from targets.models import Locality

    class OwnRows(PillarTargetTable):
        class Meta(PillarTargetTable.Meta):
            template_name = "django_tables2/semantic.html"  # django-tables2's own template

        def __init__(self, *args, **kwargs):
            django_tables2.Table.__init__(self, *args, **kwargs)  # django-tables2's own BoundRows

    locality = Locality.objects.values("id", "slug", "name").get(slug="hai-phong")
    template = engines["django"].from_string("{% load django_tables2 %}{% render_table table %}")
    with translation.override(language):
        rows = pages.pillar(
            locality=locality, pillar="chinh-quyen-so", as_of=AsOf("2026-Q3", 2026.75, explicit=True)
        )["rows"]
        html = {}
        for table_class in (OwnRows, PillarTargetTable):
            request = RequestFactory().get("/", {"sort": sort} if sort else {})
            table = table_class(rows)
            django_tables2.RequestConfig(request, paginate=False).configure(table)
            html[table_class] = template.render({"table": table}, request)

    assert len(rows) == 28
    assert html[OwnRows].count("<tr ") == 28  # a row per target (the header's is a bare <tr>)
    assert html[PillarTargetTable] == html[OwnRows]
    empty = {}
    for table_class in (OwnRows, PillarTargetTable):  # no target: the empty text, as before
        request = RequestFactory().get("/")
        empty[table_class] = template.render({"table": table_class([])}, request)
    assert "Trụ cột này chưa có mục tiêu nào." in empty[OwnRows]
    assert empty[PillarTargetTable] == empty[OwnRows]
