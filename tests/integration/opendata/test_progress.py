"""Open data on progress: public, one row per target, the figures of the method (worked out by hand) for the
same data."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db.models import Q

from targets import progress
from targets.devdata import demo_data_generate
from targets.models import Actual, Indicator, Locality, Origin, Status, Target
from targets.services.catalogue import period_get_or_create
from tests.integration.opendata.test_open_data import COLUMNS as TARGET_COLUMNS


def _rows(response):
    return list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def _approve(indicator: str, locality: str, code: str, value: str, level: str = "") -> None:
    Actual.objects.create(
        indicator=Indicator.objects.get(code=indicator),
        locality=Locality.objects.get(slug=locality),
        level=level,
        period=period_get_or_create(code=code),
        value=Decimal(value),
        status=Status.APPROVED,
        origin=Origin.ENTERED,
    )


def test_progress_csv_lists_every_target_with_its_assessment(client, catalogue):
    response = client.get("/open-data/progress.csv", {"as_of": "2026-Q3"})
    assert response.status_code == 200
    rows = _rows(response)
    assert len(rows) == Target.objects.filter(locality__is_country=False).count()
    assert list(rows[0])[: len(TARGET_COLUMNS)] == TARGET_COLUMNS  # the targets file's columns first
    assert list(rows[0])[len(TARGET_COLUMNS) :] == [
        "as_of",
        "provisional",
        "status",
        "provisional_status",
        "latest",
        "latest_period",
        "latest_known_on",
        "latest_known_basis",
        "gap",
        "completion",
        "expected_completion",
        "projected",
        "required_pace_per_year",
        "opensdg_status",
        "latest_origin",
        "latest_after_deadline",
        "latest_after_deadline_period",
    ]
    assert {r["as_of"] for r in rows} == {"2026-Q3"}
    assert {r["provisional"] for r in rows} == {"false"}  # 2026-Q3 has ended
    assert {r["status"] for r in rows} <= set(progress.STATUSES)


def test_progress_figures_are_the_methods_and_the_2025_target_awaits_its_final_figure(client, catalogue):
    # Hà Nội e-payment accounts, "trên 50%" by 2025 and "trên 80%" by 2030; approved quarterly values.
    for code, value in [("2025-Q1", "40"), ("2025-Q3", "44"), ("2026-Q1", "49"), ("2026-Q3", "53")]:
        _approve("epayment_accounts", "ha-noi", code, value)
    rows = _rows(client.get("/open-data/progress.csv", {"as_of": "2026-Q3"}))
    row = next(
        r
        for r in rows
        if (r["locality"], r["indicator_code"], r["year"]) == ("ha-noi", "epayment_accounts", "2030")
    )
    # By hand (docs/progress-method.md), due 2031.0: weights 1–4 on 2025.25 … 2026.75, mean time 2026.25,
    # mean value 48.7, slope 22/2.5 = 8.8; projected 48.7 + 8.8 × 4.75 = 90.5; (90.5 − 40)/(80 − 40) = 1.2625
    # ≥ 0.95: on track. Gap 80 − 53 = 27; pace 27/(2031 − 2026.75) = 27/4.25 ≈ 6.3529 a year.
    assert row["status"] == "on_track"
    assert float(row["latest"]) == pytest.approx(53)
    assert row["latest_period"] == "2026-Q3" and row["latest_origin"] == "entered"
    assert float(row["gap"]) == pytest.approx(27, abs=1e-4)
    assert float(row["projected"]) == pytest.approx(90.5, abs=1e-4)
    assert float(row["required_pace_per_year"]) == pytest.approx(27 / 4.25, abs=1e-4)
    # The 2025 target "trên 50%" (due at the end of 2025): its 2025-Q4 figure is not in, and 2026-Q3 is
    # within a year of the deadline — awaiting the final figure, provisionally missed on 2025-Q3's 44.
    # 2026-Q3's 53 would meet it, but it comes after the deadline: information only.
    row_2025 = next(
        r
        for r in rows
        if (r["locality"], r["indicator_code"], r["year"]) == ("ha-noi", "epayment_accounts", "2025")
    )
    assert (row_2025["status"], row_2025["provisional_status"]) == ("awaiting_final", "missed")
    assert (row_2025["latest"], row_2025["latest_period"]) == ("44.0", "2025-Q3")
    assert (row_2025["latest_after_deadline"], row_2025["latest_after_deadline_period"]) == (
        "53.0",
        "2026-Q3",
    )


def test_as_of_travels_back_in_time_and_a_figure_after_the_deadline_never_changes_the_verdict(
    client, catalogue
):
    for code, value in [("2024-Q4", "30"), ("2025-Q4", "45"), ("2026-Q3", "55")]:
        _approve("epayment_accounts", "ha-noi", code, value)
    then = _rows(client.get("/open-data/progress.csv", {"as_of": "2025-Q4"}))
    now = _rows(client.get("/open-data/progress.csv", {"as_of": "2026-Q3"}))
    key = ("ha-noi", "epayment_accounts", "2025")
    then_row = next(r for r in then if (r["locality"], r["indicator_code"], r["year"]) == key)
    now_row = next(r for r in now if (r["locality"], r["indicator_code"], r["year"]) == key)
    assert (then_row["latest"], then_row["latest_period"], then_row["status"]) == (
        "45.0",
        "2025-Q4",
        "missed",
    )
    assert then_row["latest_after_deadline"] == ""
    # Judged on its deadline figure (2025-Q4: 45 < 50) whatever came after: 2026-Q3's 55 is information.
    assert (now_row["latest"], now_row["latest_period"], now_row["status"]) == ("45.0", "2025-Q4", "missed")
    assert (now_row["latest_after_deadline"], now_row["latest_after_deadline_period"]) == ("55.0", "2026-Q3")


def test_district_targets_are_not_applicable_after_june_2025(client, catalogue):
    rows = _rows(client.get("/open-data/progress.csv", {"as_of": "2026-Q3"}))
    district = [r for r in rows if r["level"] == "district"]
    assert len(district) == 6 and {r["status"] for r in district} == {"not_applicable"}


def test_a_target_without_data_has_no_made_up_figures(client, catalogue):
    rows = _rows(client.get("/open-data/progress.csv", {"as_of": "2026-Q3"}))
    row = next(
        r
        for r in rows
        if (r["locality"], r["indicator_code"], r["year"]) == ("da-nang", "open_datasets", "2030")
    )
    assert row["status"] == "insufficient_data"
    assert (row["latest"], row["projected"], row["completion"], row["latest_period"]) == ("", "", "", "")


def test_published_ranks_feed_the_rank_targets_which_await_the_2025_ranking(client, catalogue):
    rows = _rows(client.get("/open-data/progress.csv", {"as_of": "2026-Q3"}))
    row = next(
        r for r in rows if (r["locality"], r["indicator_code"], r["year"]) == ("ha-noi", "dti_rank", "2025")
    )
    # Hà Nội ranked 1st of 34 in the 2024 ranking (published 21/10/2025); the 2025 ranking, which decides
    # "nhóm 5 dẫn đầu" by 2025, is not out: awaiting it, provisionally achieved.
    assert (row["status"], row["provisional_status"], row["latest"], row["latest_period"]) == (
        "awaiting_final",
        "achieved",
        "1.0",
        "2024",
    )
    assert (row["latest_origin"], row["latest_known_on"], row["latest_known_basis"]) == (
        "published",
        "2025-10-21",
        "published_on",
    )


def test_demo_values_are_labelled_in_the_json(client, catalogue):
    demo_data_generate(today=dt.date(2026, 11, 22))
    body = client.get("/open-data/progress.json", {"as_of": "2026-Q3"}).json()
    assert body["meta"]["contains_demo_values"] is True
    assert any(r["latest_origin"] == "demo" for r in body["data"])


@pytest.mark.parametrize("bad", ["2026-Q5", "hôm qua", "1999", "2026Q3"])
def test_a_bad_as_of_gets_a_clear_message(client, catalogue, bad):
    response = client.get("/open-data/progress.csv", {"as_of": bad})
    assert response.status_code == 400
    assert "không hợp lệ" in response.content.decode() or "nằm ngoài" in response.content.decode()


def test_progress_open_data_makes_five_queries_whatever_the_data_size(
    client, catalogue, django_assert_num_queries
):
    # The target rows, the indicators' DTI indices (issue #21), the targets, the figures and the history of
    # the entered ones (what was known when).
    with django_assert_num_queries(5):
        client.get("/open-data/progress.json")
    demo_data_generate(today=dt.date(2026, 11, 22))
    with django_assert_num_queries(5):
        client.get("/open-data/progress.json")


def test_rollups_count_statuses_per_locality_and_pillar(catalogue):
    from reports import pages, selectors

    demo_data_generate(today=dt.date(2026, 11, 22))
    assessed = pages.assess(selectors.progress_inputs(labels=True), 2026.75)
    by_pillar = progress.rollup(assessed, by=["locality", "pillar"]).reset_index()
    hp_gov = by_pillar[
        (by_pillar["locality"] == "hai-phong") & (by_pillar["pillar"] == "chinh-quyen-so")
    ].iloc[0]
    # A target's pillar is its document's, the indicator's by default (issue #16).
    expected_total = Target.objects.filter(
        Q(pillar__slug="chinh-quyen-so") | Q(pillar__isnull=True, indicator__pillar__slug="chinh-quyen-so"),
        locality__slug="hai-phong",
    ).count()
    assert hp_gov["total"] == expected_total
    assert sum(hp_gov[s] for s in progress.STATUSES) == expected_total
    assert hp_gov["not_applicable"] == 3  # the district-level dossier targets of 2023, 2025 and 2030
    by_locality = progress.rollup(assessed, by=["locality"])
    assert by_locality["total"].sum() == Target.objects.filter(locality__is_country=False).count()
    behind = progress.most_behind(assessed, n=3, by=["locality", "pillar"]).reset_index()
    assert (behind.groupby(["locality", "pillar"]).size() <= 3).all()
    assert not behind["status"].isin(["achieved", "not_applicable"]).any()
