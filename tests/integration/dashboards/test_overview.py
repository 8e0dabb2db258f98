"""The overview: localities × pillars with their status counts (worked out by hand), and the DTI rank history
with sources."""

from __future__ import annotations

import pytest

from targets.devdata import demo_data_generate
from targets.models import Locality
from tests.integration.dashboard_data import TODAY, approve, count_queries, ha_noi_figures, multiply


@pytest.fixture
def demo(catalogue):
    demo_data_generate(today=TODAY)


def test_each_cell_counts_the_statuses_of_its_localitys_targets_in_its_pillar(client, superuser, catalogue):
    ha_noi_figures()
    client.force_login(superuser)
    response = client.get("/dashboard/", {"as_of": "2026-Q3"})
    assert response.status_code == 200
    # Per locality and pillar: (total, counts, share achieved or on track of the assessable targets), as of
    # 2026-Q3 (2026.75). Hà Nội: dashboard_data.HA_NOI_FIGURES, where each verdict is worked out.
    # Hải Phòng and Đà Nẵng have only the published figures (fixtures/published_figures.csv):
    # - Hải Phòng DTI rank ≤ 10 by 2022 (due 2023.0): 14th in 2022 (at 2023.0)          → missed
    #   rank ≤ 5 by 2025 (due 2026.0): 3rd in 2024 (at 2025.0), 2025 ranking not out     → awaiting_final
    # - Hải Phòng digital economy share = 15 by 2023 (due 2024.0): 29.48 for 2022 (at 2023.0), no 2023
    #   figure, more than a year past the deadline (2026.75 ≥ 2025.0), 29.48 ≥ 15          → achieved
    #   = 25 by 2025: the same 29.48, within a year of the deadline                       → awaiting_final
    #   = 35 by 2030: one point, no line                                                  → insufficient_data
    # - Đà Nẵng DTI rank ≤ 3 by 2025: 17th of 34 in 2024, 2025 ranking not out             → awaiting_final
    #   ≤ 3 by 2030: 1, 1, 1, 1 (2020–2023) then 17 (2024): the line rises, ranks get worse → regressing
    # - Đà Nẵng digital economy share ≥ 20 by 2025: 19.76 for 2022                          → awaiting_final
    # - the district-level targets ended on 2025-06-30                                    → not_applicable
    # - every other target has no figure                                                  → insufficient_data
    expected = {
        "hai-phong": {
            # issue #16: the 2030 mobile-identity target is on the mobile_digital_identity series, listed by the
            # document under Chính quyền số (its own pillar, not the indicator's)
            "chinh-quyen-so": (28, {"insufficient_data": 25, "not_applicable": 3}, "—"),
            "dti": (2, {"missed": 1, "awaiting_final": 1}, "0%"),  # 0 of 1 assessable
            "kinh-te-so": (9, {"achieved": 1, "awaiting_final": 1, "insufficient_data": 7}, "100%"),  # 1 of 1
            "xa-hoi-so": (17, {"insufficient_data": 17}, "—"),
        },
        "ha-noi": {
            "chinh-quyen-so": (
                9,
                {
                    "needs_acceleration": 1,
                    "off_track": 1,
                    "regressing": 1,
                    "awaiting_final": 2,
                    "insufficient_data": 2,
                    "not_applicable": 2,
                },
                "0%",  # 0 of 3
            ),
            "dti": (11, {"achieved": 1, "awaiting_final": 1, "insufficient_data": 9}, "100%"),  # 1 of 1
            "kinh-te-so": (6, {"awaiting_final": 1, "insufficient_data": 5}, "—"),
            "xa-hoi-so": (
                9,
                {"achieved": 1, "on_track": 1, "missed": 1, "awaiting_final": 1, "insufficient_data": 5},
                "67%",  # 2 of 3
            ),
        },
        "da-nang": {
            # issue #16: smart_city is not a ranking (dti → chinh-quyen-so); e-identity and digital skills
            # are split into citizens and businesses (+1 each in 2025, +1 digital skills 2030); the 2025
            # targets of 100 % are maintained to 2030 (+5 chinh-quyen-so, +5 xa-hoi-so); the 2030 e-commerce
            # accounts are Xã hội số as the resolution lists them (−2 kinh-te-so, +2 xa-hoi-so)
            "chinh-quyen-so": (19, {"insufficient_data": 18, "not_applicable": 1}, "—"),
            "dti": (6, {"regressing": 1, "awaiting_final": 1, "insufficient_data": 4}, "0%"),  # 0 of 1
            "kinh-te-so": (14, {"awaiting_final": 1, "insufficient_data": 13}, "—"),
            "xa-hoi-so": (19, {"insufficient_data": 19}, "—"),
        },
    }
    matrix = {row["slug"]: row for row in response.context["matrix"]}
    assert set(matrix) == set(expected)
    for locality, pillars in expected.items():
        cells = {c["pillar"]: c for c in matrix[locality]["cells"]}
        assert set(cells) == set(pillars), locality
        for pillar, (total, counts, share) in pillars.items():
            cell = cells[pillar]
            assert cell["total"] == total, (locality, pillar)
            assert {chip["status"]: chip["count"] for chip in cell["chips"]} == counts, (locality, pillar)
            assert cell["share_text"] == share, (locality, pillar)
    # Per locality: Hải Phòng 1 achieved of 2 assessable (the missed rank), Hà Nội 3 of 7, Đà Nẵng 0 of 1.
    assert {slug: (row["total"], row["share_text"]) for slug, row in matrix.items()} == {
        "hai-phong": (56, "50%"),
        "ha-noi": (35, "43%"),
        "da-nang": (58, "0%"),
    }
    html = response.content.decode()
    assert matrix["hai-phong"]["share_text"] in html and "đạt/đúng tiến độ" in html
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


def test_da_nangs_2024_rank_is_17_of_34_with_the_former_citys_2_of_63_labelled_as_its_predecessor(
    client, superuser, catalogue
):
    """Issue #16: the 2024 ranking is of the 34 merged units; the merged Đà Nẵng (with Quảng Nam) ranked 17th.
    The former city's 2nd place (among the 63 former provinces) is its predecessor's history, labelled."""
    client.force_login(superuser)
    response = client.get("/dashboard/", {"as_of": "2026-Q3"})
    rows = [r for r in response.context["rank_rows"] if r["locality_name"] == "Đà Nẵng" and r["year"] == 2024]
    assert [(r["rank_text"], bool(r.get("former"))) for r in rows] == [
        ("hạng 17/34", False),
        ("hạng 2/63 — Đà Nẵng cũ", True),
    ]
    # The chart's series is the merged city's: 1, 1, 1, 1 then 17 of 34.
    da_nang = next(t for t in response.context["rank_figure"]["data"] if t["name"] == "Đà Nẵng")
    assert list(zip(da_nang["x"], da_nang["y"], strict=True))[-1] == (2024, 17.0)
    html = response.content.decode()
    assert "hạng 17/34" in html and "hạng 2/63 — Đà Nẵng cũ" in html
    assert "hạng 6/63" in html and "hạng 3/34" in html  # every rank with its basis
    # Before the 2024 ranking was published (21/10/2025) neither figure is shown.
    earlier = client.get("/dashboard/", {"as_of": "2025-Q3"}).context["rank_rows"]
    assert not [r for r in earlier if r["year"] == 2024]


def test_published_notes_are_in_the_pages_language(client, superuser, catalogue):
    """Issue #17 item 4: a published figure's note is Vietnamese on a Vietnamese page, English on an English one."""
    client.force_login(superuser)
    vi = client.get("/dashboard/", {"as_of": "2026-Q3"}).content.decode()
    assert "tăng 18 bậc so với năm 2022" in vi and "up 18 places" not in vi
    assert "34 đơn vị hành chính cấp tỉnh sau sáp nhập; điểm DTI 0,8241" in vi
    assert "post-merger" not in vi
    client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    en = client.get("/dashboard/", {"as_of": "2026-Q3"}).content.decode()
    assert "up 18 places on 2022" in en and "tăng 18 bậc" not in en
    assert "rank 2 of 63 — former Đà Nẵng" in en


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
    # history, the ranks (their versions, their history, their sources), the former units' ranks, the DTI
    # frameworks (issue #21); the menu's values waiting for review.
    with django_assert_max_num_queries(14):
        small, response = count_queries(client, "/dashboard/", as_of="2026-Q3")
    localities = len(response.context["matrix"])
    multiply(10)
    assert Locality.objects.filter(is_country=False).count() == 50
    with django_assert_max_num_queries(14):
        large, response = count_queries(client, "/dashboard/", as_of="2026-Q3")
    assert len(response.context["matrix"]) > 9 * localities
    assert large == small


def test_a_bad_as_of_on_the_overview_is_a_400_with_the_reason(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    response = client.get("/dashboard/", {"as_of": "2040-Q1"})
    assert response.status_code == 400
    assert "Năm 2040 nằm ngoài khoảng 2015–2035." in response.content.decode()
