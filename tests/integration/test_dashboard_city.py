"""The city dashboard: a card per pillar, the 2025 outcome, the road to 2030 — the engine's figures."""

from __future__ import annotations

import pytest

from reports import pages
from targets import progress, services
from targets.models import Target
from tests.unit import progress_oracle as oracle

from .dashboard_data import TODAY, approve, count_queries, multiply

URL = "/dashboard/ha-noi/"


@pytest.fixture
def demo(catalogue):
    services.demo_data_generate(today=TODAY)


def _engine(as_of: float, locality: str = "ha-noi"):
    table = pages.progress_table(as_of=as_of)
    ids = dict(Target.objects.filter(locality__slug=locality).values_list("pk", "indicator__pillar__slug"))
    mine = table.loc[sorted(ids)].copy()
    mine["pillar"] = [ids[i] for i in mine.index]
    return mine


def test_each_pillar_card_counts_the_engines_statuses(client, ha_noi_viewer, demo):
    client.force_login(ha_noi_viewer)
    response = client.get(URL, {"as_of": "2026-Q3"})
    assert response.status_code == 200
    engine = _engine(2026.75)
    cards = {c["slug"]: c for c in response.context["cards"]}
    assert set(cards) == set(engine["pillar"])
    for slug, card in cards.items():
        mine = engine[engine["pillar"] == slug]
        assert card["total"] == len(mine)
        assert {c["status"]: c["count"] for c in card["chips"]} == mine["status"].value_counts().to_dict()
        # The small chart draws the same counts.
        drawn = {t["name"].split(" ", 1)[1]: t["x"][0] for t in card["figure"]["data"]}
        assert sorted(drawn.values()) == sorted(mine["status"].value_counts().tolist())
        share = progress.rollup(mine, by=[])["share_on_track"].iloc[0]
        assert card["share_text"] == f"{round(share * 100)}%"


def test_the_three_targets_most_behind_are_the_engines_among_those_still_ahead(client, ha_noi_viewer, demo):
    client.force_login(ha_noi_viewer)
    cards = client.get(URL, {"as_of": "2026-Q3"}).context["cards"]
    engine = _engine(2026.75)
    ahead = engine[engine.index.map(lambda i: Target.objects.get(pk=i).year + 1.0 > 2026.75)]
    expected = progress.most_behind(ahead, n=3, by=["pillar"])
    for card in cards:
        ids = [r["id"] for r in card["behind"]]
        assert ids == list(expected.index[expected["pillar"] == card["slug"]])
        assert len(ids) <= 3


def test_the_2025_outcome_is_achieved_missed_or_awaiting_its_final_figure_once_the_deadline_has_passed(
    client, ha_noi_viewer, demo
):
    client.force_login(ha_noi_viewer)
    response = client.get(URL, {"as_of": "2026-Q3"})
    outcome = response.context["outcome"]
    assert response.context["outcome_due"] is True
    engine = _engine(2026.75)
    years = dict(Target.objects.filter(locality__slug="ha-noi").values_list("pk", "year"))
    statuses = engine.loc[[i for i in engine.index if years[i] == 2025], "status"]
    assert outcome["total"] == len(statuses)
    assert (outcome["achieved"], outcome["missed"], outcome["awaiting"]) == (
        int((statuses == "achieved").sum()),
        int((statuses == "missed").sum()),
        int((statuses == "awaiting_final").sum()),
    )
    # Method v2: within a year of the deadline, a target whose 2025 figure is not in yet awaits it.
    assert set(statuses) <= {"achieved", "missed", "awaiting_final", "not_applicable"}
    html = response.content.decode()
    assert (
        f"Đã hết hạn: đạt {outcome['achieved']}/{outcome['total']} mục tiêu, không đạt {outcome['missed']}."
        in html
    )
    if outcome["awaiting"]:
        assert f"Chờ số liệu cuối kỳ: {outcome['awaiting']}" in html


def test_the_road_to_2030_lists_what_it_would_take(client, ha_noi_viewer, catalogue):
    # Hà Nội e-payment accounts: "trên 80%" by 2030.
    for code, value in [("2025-Q1", "40"), ("2025-Q3", "44"), ("2026-Q1", "49"), ("2026-Q3", "53")]:
        approve("epayment_accounts", "ha-noi", code, value)
    client.force_login(ha_noi_viewer)
    response = client.get(URL, {"as_of": "2026-Q3"})
    road = response.context["road"]
    row = next(r for r in road["open_rows"] if r["indicator_code"] == "epayment_accounts")
    expected = oracle.assess(
        comparator=">",
        target_value=80,
        target_time=2031.0,
        as_of=2026.75,
        higher_is_better=True,
        observations=[(2025.25, 40), (2025.75, 44), (2026.25, 49), (2026.75, 53)],
    )
    assert row["status"] == expected.status
    assert row["pace"] == pytest.approx(expected.required_pace_per_year)
    assert row["slope"] == pytest.approx(expected.slope)
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
