"""The city dashboard: a card per pillar, the 2025 outcome, the road to 2030 — figures worked out by hand."""

from __future__ import annotations

from collections import Counter

import pytest

from targets.devdata import demo_data_generate
from tests.integration.dashboard_data import TODAY, approve, count_queries, ha_noi_figures, multiply

URL = "/dashboard/ha-noi/"


@pytest.fixture
def demo(catalogue):
    demo_data_generate(today=TODAY)


@pytest.fixture
def figures(catalogue):
    """Hà Nội's hand-computed figures (dashboard_data.HA_NOI_FIGURES: each target's verdict is worked out
    there)."""
    ha_noi_figures()


def test_each_pillar_card_counts_its_targets_statuses(client, ha_noi_viewer, figures):
    client.force_login(ha_noi_viewer)
    response = client.get(URL, {"as_of": "2026-Q3"})
    assert response.status_code == 200
    cards = {c["slug"]: c for c in response.context["cards"]}
    # (total, counts, share achieved or on track of the assessable ones), from dashboard_data.HA_NOI_FIGURES.
    expected = {
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
            "0%",  # 0 of 3 assessable (9 − 2 awaiting − 2 insufficient − 2 not applicable)
        ),
        "dti": (11, {"achieved": 1, "awaiting_final": 1, "insufficient_data": 9}, "100%"),  # 1 of 1
        "kinh-te-so": (6, {"awaiting_final": 1, "insufficient_data": 5}, "—"),  # none assessable
        "xa-hoi-so": (
            9,
            {"achieved": 1, "on_track": 1, "missed": 1, "awaiting_final": 1, "insufficient_data": 5},
            "67%",  # 2 of 3 assessable
        ),
    }
    assert set(cards) == set(expected)
    for slug, (total, counts, share) in expected.items():
        card = cards[slug]
        assert card["total"] == total, slug
        assert {c["status"]: c["count"] for c in card["chips"]} == counts, slug
        # The small chart draws the same counts.
        drawn = {t["name"].split(" ", 1)[1]: t["x"][0] for t in card["figure"]["data"]}
        assert sorted(drawn.values()) == sorted(counts.values()), slug
        assert card["share_text"] == share, slug


def test_the_three_targets_most_behind_are_those_whose_trajectory_falls_furthest_short_among_those_still_ahead(
    client, ha_noi_viewer, figures
):
    client.force_login(ha_noi_viewer)
    cards = client.get(URL, {"as_of": "2026-Q3"}).context["cards"]
    behind = {c["slug"]: [(r["indicator_code"], r["level"], r["year"]) for r in c["behind"]] for c in cards}
    # Shortfall = expected completion − projected completion, for the 2030 targets (due 2031.0) with both.
    # Expected completion since 2025-Q3 (2025.75): (2026.75 − 2025.75)/(2031 − 2025.75) = 1/5.25 ≈ 0.19.
    #   dossiers city:    projected 55 − 5 × 4.25 = 33.75; (33.75 − 60)/(100 − 60) ≈ −0.66 → shortfall ≈ 0.85
    #   inspections:      projected completion 0.21                                   → shortfall ≈ −0.02
    #   dossiers commune: projected completion 0.7                                    → shortfall ≈ −0.51
    # e-payment accounts (since 2025-Q1): 1.5/5.75 ≈ 0.26 − 1.2625                    → shortfall ≈ −1.0
    # The 2030 DTI rank is achieved (left out); the 2030 digital economy share has one point (no projection).
    assert behind == {
        "chinh-quyen-so": [
            ("work_dossiers_online", "city", 2030),
            ("inspections_online", "", 2030),
            ("work_dossiers_online", "commune", 2030),
        ],
        "dti": [],
        "kinh-te-so": [],
        "xa-hoi-so": [("epayment_accounts", "", 2030)],
    }


def test_the_2025_outcome_is_achieved_missed_or_awaiting_its_final_figure_once_the_deadline_has_passed(
    client, ha_noi_viewer, figures
):
    client.force_login(ha_noi_viewer)
    response = client.get(URL, {"as_of": "2026-Q3"})
    outcome = response.context["outcome"]
    assert response.context["outcome_due"] is True
    # Hà Nội's 19 targets for 2025 (dashboard_data.HA_NOI_FIGURES): broadband households 85 > 80 and
    # broadband communes 95 < 100, both on their 2025-Q4 figure; five without their final figure yet, within a
    # year of the deadline (dossiers city and commune, DTI rank, digital economy share, e-payment accounts);
    # the district level ended in 2025; eleven with no figure at all.
    assert (outcome["total"], outcome["achieved"], outcome["missed"], outcome["awaiting"]) == (19, 1, 1, 5)
    statuses = Counter(r["status"] for r in outcome["rows"])
    # Method v2: past the deadline, no target is on track or behind any more: it is judged, or waits.
    assert statuses == {
        "achieved": 1,
        "missed": 1,
        "awaiting_final": 5,
        "insufficient_data": 11,
        "not_applicable": 1,
    }
    html = response.content.decode()
    assert "Đã hết hạn: đạt 1/19 mục tiêu, không đạt 1." in html
    assert "Chờ số liệu cuối kỳ: 5" in html


def test_the_road_to_2030_lists_what_it_would_take(client, ha_noi_viewer, catalogue):
    # Hà Nội e-payment accounts: "trên 80%" by 2030.
    for code, value in [("2025-Q1", "40"), ("2025-Q3", "44"), ("2026-Q1", "49"), ("2026-Q3", "53")]:
        approve("epayment_accounts", "ha-noi", code, value)
    client.force_login(ha_noi_viewer)
    response = client.get(URL, {"as_of": "2026-Q3"})
    road = response.context["road"]
    row = next(r for r in road["open_rows"] if r["indicator_code"] == "epayment_accounts")
    # Weights 1–4 on 2025.25, 2025.75, 2026.25, 2026.75: mean time 2026.25, mean value 487/10 = 48.7;
    # slope = Σw·dt·dv / Σw·dt² = 22/2.5 = 8.8 a year; projected 48.7 + 8.8 × (2031 − 2026.25) = 90.5;
    # (90.5 − 40)/(80 − 40) = 1.2625 ≥ 0.95: on track. Pace needed: (80 − 53)/(2031 − 2026.75) = 27/4.25.
    assert row["status"] == "on_track"
    assert row["slope"] == pytest.approx(8.8)
    assert row["pace"] == pytest.approx(27 / 4.25)
    html = response.content.decode()
    assert row["pace_text"] == "+6,35 điểm %/năm" and row["pace_text"] in html


def test_as_of_changes_the_cards_and_a_figure_after_the_deadline_does_not_undo_an_achieved_target(
    client, ha_noi_viewer
):
    # "trên 50%" by 2025: met at the deadline (2025-Q4: 55), fallen to 45 since.
    for code, value in [("2024-Q4", "30"), ("2025-Q4", "55"), ("2026-Q3", "45")]:
        approve("epayment_accounts", "ha-noi", code, value)
    client.force_login(ha_noi_viewer)

    def society(as_of: str) -> dict:
        cards = client.get(URL, {"as_of": as_of}).context["cards"]
        return {c["status"]: c["count"] for c in next(c for c in cards if c["slug"] == "xa-hoi-so")["chips"]}

    assert society("2026-Q3").get("achieved") == 1
    assert society("2025-Q3").get("achieved") is None
    assert client.get(URL, {"as_of": "2025-Q3"}).context["outcome_due"] is False


def test_the_city_page_makes_the_same_number_of_queries_at_ten_times_the_data(
    client, ha_noi_viewer, demo, django_assert_max_num_queries
):
    client.force_login(ha_noi_viewer)
    # One more than before method v2: the history of the entered figures (what was known when).
    with django_assert_max_num_queries(8):
        small, response = count_queries(client, URL, as_of="2026-Q3")
    total = sum(c["total"] for c in response.context["cards"])
    multiply(10)
    with django_assert_max_num_queries(8):
        large, response = count_queries(client, URL, as_of="2026-Q3")
    assert sum(c["total"] for c in response.context["cards"]) == 10 * total
    assert large == small


def test_a_bad_as_of_on_the_city_page_is_a_400_with_the_reason(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    response = client.get(URL, {"as_of": "quý 3"})
    assert response.status_code == 400
    assert "Mã kỳ báo cáo “quý 3” không hợp lệ" in response.content.decode()
