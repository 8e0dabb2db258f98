"""The overview: localities × pillars with the engine's roll-up, and the DTI rank history with sources."""

from __future__ import annotations

import pytest

from reports import pages, selectors
from targets import progress, services
from targets.models import Locality

from .dashboard_data import TODAY, approve, count_queries, multiply


@pytest.fixture
def demo(catalogue):
    services.demo_data_generate(today=TODAY)


def test_each_cell_counts_the_statuses_the_engine_gives(client, superuser, demo):
    client.force_login(superuser)
    response = client.get("/dashboard/", {"as_of": "2026-Q3"})
    assert response.status_code == 200
    assessed = pages.assess(selectors.progress_inputs(labels="slugs"), 2026.75)
    expected = progress.rollup(assessed, by=["locality", "pillar"])
    matrix = {row["slug"]: row for row in response.context["matrix"]}
    for (locality, pillar), counts in expected.iterrows():
        cell = next(c for c in matrix[locality]["cells"] if c["pillar"] == pillar)
        assert cell["total"] == counts["total"]
        assert {chip["status"]: chip["count"] for chip in cell["chips"]} == {
            s: counts[s] for s in progress.STATUSES if counts[s]
        }
        assert cell["share"] == pytest.approx(counts["share_on_track"], nan_ok=True)
    hai_phong = matrix["hai-phong"]
    assert hai_phong["total"] == 56
    html = response.content.decode()
    assert hai_phong["share_text"] in html and "đạt/đúng tiến độ" in html
    assert 'href="/dashboard/hai-phong/chinh-quyen-so/?as_of=2026-Q3"' in html  # links keep the as-of


def test_the_rank_history_shows_published_ranks_with_how_many_were_ranked_and_the_source(
    client, superuser, catalogue
):
    client.force_login(superuser)
    response = client.get("/dashboard/", {"as_of": "2026-Q3"})
    figure = response.context["rank_figure"]
    ha_noi = next(t for t in figure["data"] if t["name"] == "Hà Nội")
    assert list(zip(ha_noi["x"], ha_noi["y"], ha_noi["text"], strict=True)) == [
        (2020, 43.0, "43/63"),
        (2021, 40.0, "40/63"),
        (2022, 24.0, "24/63"),
        (2023, 6.0, "6/63"),
        (2024, 1.0, "1/34"),
    ]
    low, high = figure["layout"]["yaxis"]["range"]
    assert low > high  # rank axis inverted
    html = response.content.decode()
    assert (
        "https://dantri.com.vn/khoa-hoc/ha-noi-dan-dau-ca-nuoc-ve-chi-so-chuyen-doi-so-20251021181803153.htm"
        in html
    )
    assert "Có dữ liệu minh hoạ" not in str(figure["layout"])  # published only: no demo note
    assert response.context["has_demo"] is False


def test_the_rank_chart_shows_only_published_ranks_while_demo_values_are_labelled(client, superuser, demo):
    client.force_login(superuser)
    response = client.get("/dashboard/", {"as_of": "2026-Q3"})
    assert response.context["has_demo"] is True  # the matrix counts demo values
    assert "Trang này có DỮ LIỆU MINH HOẠ" in response.content.decode()
    # Every city has published DTI ranks, so the demo generator gives the rank series no demo points.
    ranks = response.context["rank_rows"]
    assert ranks and {r["origin"] for r in ranks} == {"published"} and all(r["source"] for r in ranks)
    assert "◆ Có dữ liệu minh hoạ (demo), không phải số liệu thật" not in str(response.context["rank_figure"])


def _hanoi_years(client, as_of: str) -> list[int]:
    rows = client.get("/dashboard/", {"as_of": as_of}).context["rank_rows"]
    return [r["year"] for r in rows if r["locality_name"] == "Hà Nội"]


def test_as_of_turns_back_the_matrix_and_a_rank_counts_from_its_publication_date(client, ha_noi_viewer):
    # Hà Nội e-payment accounts: "trên 50%" by 2025 — met at the deadline (55), lost afterwards (45).
    for code, value in [("2024-Q4", "30"), ("2025-Q4", "55"), ("2026-Q3", "45")]:
        approve("epayment_accounts", "ha-noi", code, value)
    client.force_login(ha_noi_viewer)

    def society(as_of: str) -> dict:
        # The viewer compares with every publishing city (issue #19): Hà Nội's own row.
        matrix = client.get("/dashboard/", {"as_of": as_of}).context["matrix"]
        row = next(r for r in matrix if r["slug"] == "ha-noi")
        return next(c for c in row["cells"] if c["pillar"] == "xa-hoi-so")

    then, now = society("2025-Q3"), society("2026-Q3")
    # Judged on its deadline figure (2025-Q4: 55): the later 45 does not undo it.
    assert {c["status"]: c["count"] for c in now["chips"]}["achieved"] == 1
    assert "achieved" not in {c["status"] for c in then["chips"]}
    # A published rank counts from the day it was published: the 2022 rank from 12/7/2023 (2023-Q3), the
    # 2023 rank only from 6/2/2025 (2025-Q1) — not from the end of its year.
    years = _hanoi_years(client, "2023-Q2")
    assert years == [2020, 2021]
    years = _hanoi_years(client, "2023-Q3")
    assert years == [2020, 2021, 2022]
    years = _hanoi_years(client, "2024-Q4")
    assert years == [2020, 2021, 2022]
    years = _hanoi_years(client, "2025-Q1")
    assert years == [2020, 2021, 2022, 2023]


def test_the_overview_makes_the_same_number_of_queries_at_ten_times_the_data(
    client, superuser, demo, django_assert_max_num_queries
):
    client.force_login(superuser)
    # Session, user, memberships…, the localities, the pillars, the targets, the figures and their
    # history, the ranks (their versions, their history, their sources).
    with django_assert_max_num_queries(11):
        small, response = count_queries(client, "/dashboard/", as_of="2026-Q3")
    localities = len(response.context["matrix"])
    multiply(10)
    assert Locality.objects.count() == 50
    with django_assert_max_num_queries(11):
        large, response = count_queries(client, "/dashboard/", as_of="2026-Q3")
    assert len(response.context["matrix"]) > 9 * localities
    assert large == small


def test_a_bad_as_of_on_the_overview_is_a_400_with_the_reason(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    response = client.get("/dashboard/", {"as_of": "2040-Q1"})
    assert response.status_code == 400
    assert "Năm 2040 nằm ngoài khoảng 2015–2035." in response.content.decode()
