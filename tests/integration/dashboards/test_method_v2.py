"""Method v2 on the real catalogue and the published figures: what every page, file and report says must
be true (issue #13). Today is pinned to 2026-11-22 (2026-Q4, the current quarter)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from reports import pages, selectors
from targets.devdata import demo_data_generate
from targets.models import Actual, Indicator, Locality, Pillar, Status
from targets.services.catalogue import period_get_or_create
from targets.services.review import actual_reopen, actuals_approve
from tests.integration.dashboard_data import TODAY

HP_TOP_10_2022 = ("hai-phong", "dti_rank", "2022")


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    return list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def _row(rows: list[dict], key: tuple[str, str, str]) -> dict:
    return next(r for r in rows if (r["locality"], r["indicator_code"], r["year"]) == key)


@pytest.fixture
def demo(catalogue, fixed_today):
    demo_data_generate(today=TODAY)


# --- rule 1: Hải Phòng's "top 10 in 2022" is judged on its 2022 rank ------------------------------------------------


def test_hai_phong_top_10_in_2022_is_missed_on_its_2022_rank_and_shows_2024_after_the_deadline(
    client, catalogue, fixed_today
):
    row = _row(_csv(client.get("/open-data/progress.csv", {"as_of": "2026-Q3"})), HP_TOP_10_2022)
    # 14th in 2022 (> 10): missed — not achieved on 2024's 3rd place.
    assert (row["status"], row["latest"], row["latest_period"]) == ("missed", "14.0", "2022")
    assert (row["latest_known_on"], row["latest_known_basis"]) == ("2023-07-12", "published_on")
    assert row["gap"] == "4.0"  # 14 − 10 places to go
    assert (row["latest_after_deadline"], row["latest_after_deadline_period"]) == ("3.0", "2024")


def test_hai_phong_top_10_reads_missed_with_the_later_rank_and_each_ranks_basis_on_the_pages(
    client, hai_phong_reviewer, catalogue, fixed_today
):
    client.force_login(hai_phong_reviewer)
    response = client.get("/dashboard/hai-phong/dti/", {"as_of": "2026-Q3"})
    row = next(r for r in response.context["rows"] if r["indicator_code"] == "dti_rank" and r["year"] == 2022)
    # Every rank with its basis (issue #17): 14th of the 63 provinces in 2022, 3rd of the 34 units in 2024.
    assert row["verdict_text"] == "Không đạt (đã quá hạn) — hạng 14/63 (2022); sau hạn: hạng 3/34 (2024)"
    html = response.content.decode()
    assert "sau hạn: hạng 3/34 (2024)" in html
    assert "Không đạt (đã quá hạn) — hạng 14/63 (2022); sau hạn: hạng 3/34 (2024)" in html  # the title
    series = client.get("/indicators/dti_rank/hai-phong/", {"as_of": "2026-Q3"}).content.decode()
    assert "sau hạn: hạng 3/34 (2024)" in series


def test_hai_phong_top_10_is_missed_in_the_excel_report_with_the_2024_rank_as_a_note_in_vietnamese_periods(
    client, hai_phong_reviewer, catalogue, fixed_today
):
    client.force_login(hai_phong_reviewer)
    response = client.get("/reports/download/", {"locality": "hai-phong", "as_of": "2026-Q3"})
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb["Chỉ số DTI và xếp hạng"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    line = next(r for r in rows if r["Năm"] == 2022 and r["Chỉ tiêu"].startswith("Xếp hạng"))
    assert (line["Trạng thái"], line["Giá trị mới nhất"], line["Kỳ"]) == (
        "Không đạt (đã quá hạn)",
        14,
        "Năm 2022",  # periods read in Vietnamese in the workbook (issue #18)
    )
    assert line["Số liệu sau hạn"] == "hạng 3/34 (Năm 2024)"  # with its basis (issue #17)


# --- rule 4: time travel shows what was known ----------------------------------------------------------------------


def test_as_of_2025_q2_does_not_know_ha_nois_2024_rank_published_on_21_october_2025(
    client, superuser, catalogue, fixed_today
):
    rows = _csv(client.get("/open-data/progress.csv", {"as_of": "2025-Q2"}))
    row = _row(rows, ("ha-noi", "dti_rank", "2025"))
    # Known then: the 2023 rank (6th), published on 6/2/2025 — not the 2024 rank (1st).
    assert (row["latest"], row["latest_period"], row["latest_known_on"]) == ("6.0", "2023", "2025-02-06")
    client.force_login(superuser)
    series = client.get("/indicators/dti_rank/ha-noi/", {"as_of": "2025-Q2"}).context["sections"][0]
    assert [v["period"] for v in series["values"]] == ["2023", "2022", "2021", "2020"]
    ranks = client.get("/dashboard/", {"as_of": "2025-Q2"}).context["rank_rows"]
    assert [r["year"] for r in ranks if r["locality_name"] == "Hà Nội"] == [2020, 2021, 2022, 2023]
    actuals = _csv(client.get("/open-data/actuals.csv", {"as_of": "2025-Q2"}))
    assert not [
        a
        for a in actuals
        if (a["locality"], a["indicator_code"], a["period"]) == ("ha-noi", "dti_rank", "2024")
    ]
    # From 2025-Q4 on it is known, with its publication day.
    now = _row(
        _csv(client.get("/open-data/progress.csv", {"as_of": "2025-Q4"})), ("ha-noi", "dti_rank", "2025")
    )
    assert (now["latest"], now["latest_period"], now["latest_known_on"]) == ("1.0", "2024", "2025-10-21")


def test_open_data_gives_the_period_of_each_figure_and_the_day_it_became_known(client, catalogue):
    rows = _csv(client.get("/open-data/actuals.csv"))
    by_key = {(r["locality"], r["indicator_code"], r["period"]): r for r in rows}
    rank = by_key[("hai-phong", "dti_rank", "2022")]
    assert (rank["known_on"], rank["known_basis"]) == ("2023-07-12", "published_on")
    # No publication date in the source: it counts from the end of its period, and says so.
    unknown = by_key[("hai-phong", "documents_sent_online_share", "2022")]
    assert (unknown["known_on"], unknown["known_basis"]) == ("2022-12-31", "period_end")


def test_a_published_figure_without_a_date_says_the_publication_date_is_unknown(
    client, hai_phong_reviewer, catalogue, fixed_today
):
    client.force_login(hai_phong_reviewer)
    html = client.get(
        "/indicators/documents_sent_online_share/hai-phong/", {"as_of": "2026-Q3"}
    ).content.decode()
    assert "chưa rõ ngày công bố" in html
    html = client.get("/indicators/dti_rank/hai-phong/", {"as_of": "2026-Q3"}).content.decode()
    assert "công bố 12/07/2023" in html


def test_an_entered_figure_counts_from_its_approval_and_a_corrected_one_shows_the_value_it_had_then(
    client, catalogue, hai_phong_reviewer, monkeypatch
):
    # Hải Phòng's share of work dossiers online at commune level, 2026-Q2, approved on 20/5/2026 as 52,
    # reopened on 5/8/2026 and approved again as 57 on 10/8/2026.
    from django.utils import timezone as tz

    actual = Actual.objects.create(
        indicator=Indicator.objects.get(code="work_dossiers_online"),
        locality=Locality.objects.get(slug="hai-phong"),
        level="commune",
        period=period_get_or_create(code="2026-Q2"),
        value=52,
        status=Status.SUBMITTED,
    )

    def at(day: str):
        moment = dt.datetime.fromisoformat(f"{day}T03:00:00+00:00")
        monkeypatch.setattr(tz, "now", lambda: moment)

    at("2026-05-20")
    actual.refresh_from_db()
    actuals_approve(user=hai_phong_reviewer, seen={actual.pk: actual.version})
    at("2026-08-05")
    actual_reopen(user=hai_phong_reviewer, actual_id=actual.pk, reason="Sai số liệu")
    actual.refresh_from_db()
    actual.value, actual.status = 57, Status.SUBMITTED
    actual.save()
    at("2026-08-10")
    actuals_approve(user=hai_phong_reviewer, seen={actual.pk: actual.version})
    monkeypatch.undo()

    def figure(as_of: float):
        versions = selectors.observations_frame(
            locality_ids=[actual.locality_id], indicator_code="work_dossiers_online"
        )
        from targets import known

        shown = known.known_at(versions, as_of)
        return shown.loc[shown["actual_id"] == actual.pk, ["obs_value", "known_on"]].values.tolist()

    assert figure(2026.5) == [[52.0, "2026-05-20"]]  # the end of 2026-Q2: as approved in May
    assert figure(2026.75) == [[57.0, "2026-08-10"]]  # the end of 2026-Q3: the correction


# --- rule 5: no future; the current quarter is provisional --------------------------------------------------------

FUTURE = "2027-Q1"


def test_a_future_as_of_gets_a_clear_400_on_every_page_and_open_data_file(
    client, superuser, catalogue, fixed_today
):
    client.force_login(superuser)
    for url in (
        "/dashboard/",
        "/dashboard/hai-phong/",
        "/dashboard/hai-phong/dti/",
        "/indicators/dti_rank/",
        "/indicators/dti_rank/hai-phong/",
        "/open-data/progress.csv",
        "/open-data/progress.json",
        "/open-data/actuals.csv",
        "/open-data/actuals.json",
        "/reports/download/",
    ):
        for as_of in (FUTURE, "2030-Q1", "2027"):
            response = client.get(url, {"as_of": as_of, "locality": "hai-phong"})
            assert response.status_code == 400, (url, as_of)
            html = response.content.decode()
            assert f"Thời điểm {as_of} chưa đến" in html and "2026-Q4, tạm tính" in html, (url, as_of)


def test_export_report_refuses_a_future_as_of_and_writes_nothing(catalogue, tmp_path, fixed_today):
    out = tmp_path / "report.xlsx"
    with pytest.raises(CommandError, match="chưa đến"):
        call_command("export_report", "--locality", "hai-phong", "--period", FUTURE, "--out", str(out))
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_the_current_quarter_is_allowed_and_labelled_provisional_everywhere(
    client, hai_phong_reviewer, catalogue, fixed_today, tmp_path
):
    client.force_login(hai_phong_reviewer)
    for url in (
        "/dashboard/",
        "/dashboard/hai-phong/",
        "/dashboard/hai-phong/dti/",
        "/indicators/dti_rank/hai-phong/",
    ):
        response = client.get(url, {"as_of": "2026-Q4"})
        assert response.status_code == 200, url
        assert "2026-Q4 (tạm tính)" in response.content.decode(), url
    rows = _csv(client.get("/open-data/progress.csv", {"as_of": "2026-Q4"}))
    assert {r["provisional"] for r in rows} == {"true"}
    body = client.get("/open-data/progress.json", {"as_of": "2026-Q4"}).json()
    assert body["meta"]["provisional"] is True
    response = client.get("/reports/download/", {"locality": "hai-phong", "as_of": "2026-Q4"})
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb["Tổng hợp"]["B3"].value == "Quý IV/2026 (tạm tính)"
    out = tmp_path / "now.xlsx"
    call_command("export_report", "--locality", "hai-phong", "--period", "2026-Q4", "--out", str(out))
    assert load_workbook(out)["Tổng hợp"]["B3"].value == "Quý IV/2026 (tạm tính)"
    # A closed quarter is not provisional.
    assert {r["provisional"] for r in _csv(client.get("/open-data/progress.csv", {"as_of": "2026-Q3"}))} == {
        "false"
    }


def test_the_as_of_picker_offers_the_current_quarter_as_provisional_and_nothing_later(
    client, superuser, catalogue, fixed_today
):
    client.force_login(superuser)
    choices = client.get("/dashboard/").context["as_of_choices"]
    assert choices[0] == ("2026-Q4", "2026-Q4 (tạm tính)")
    assert choices[1] == ("2026-Q3", "2026-Q3")
    assert all(code <= "2026-Q4" for code, _ in choices)


# --- rule 3: no forecast outside the domain, anywhere ------------------------------------------------------------

# A number followed by "%" (not "điểm %", a difference in percentage points), and a rank.
PERCENT = re.compile(r"(?<![\w.,])([-−]?\d+(?:[.,]\d+)*)%")
RANK = re.compile(r"hạng\s+([-−]?\d+(?:[.,]\d+)?)")


def _number(text: str) -> float:
    """'1.234,5' (Vietnamese), '12,5', '12.67' (a source note in English) → a float."""
    text = text.replace("−", "-")
    if "," in text or re.search(r"\.\d{3}$", text):
        text = text.replace(".", "").replace(",", ".")
    return float(text)


def _check_rows(rows: list[dict], where: str) -> None:
    for r in rows:
        if r["projected"] is not None and r["unit"] == "rank":
            assert 1 <= r["projected"] <= 63, (where, r["label"], r["projected"])
        if r["projected"] is not None and r["unit"] == "percent":
            assert 0 <= r["projected"] <= 100, (where, r["label"], r["projected"])
        for text in (r["completion_text"], r["projected_completion_text"], r["expected_text"]):
            for m in PERCENT.findall(text):
                assert 0 <= _number(m) <= 100, (where, r["label"], text)


def test_no_page_shows_a_rank_forecast_below_first_or_a_percentage_outside_0_to_100(client, superuser, demo):
    client.force_login(superuser)
    localities = ["hai-phong", "ha-noi", "da-nang"]
    pillars = list(Pillar.objects.values_list("slug", flat=True))
    pages = ["/dashboard/", *(f"/dashboard/{loc}/" for loc in localities)]
    pages += [f"/dashboard/{loc}/{p}/" for loc in localities for p in pillars]
    rank_and_percent = list(
        Indicator.objects.filter(unit__in=["rank", "percent"]).values_list("code", flat=True)
    )
    pages += [f"/indicators/{code}/" for code in rank_and_percent]
    pages += [f"/indicators/{code}/{loc}/" for code in rank_and_percent for loc in localities]
    checked = 0
    for url in pages:
        for as_of in ("2026-Q3", "2024-Q4"):
            response = client.get(url, {"as_of": as_of})
            assert response.status_code == 200, url
            context = response.context
            for rows in (
                context.get("rows") or [],
                *(s["rows"] for s in context.get("sections") or []),
                *(c["behind"] for c in context.get("cards") or []),
            ):
                _check_rows(rows, url)
                checked += len(rows)
            # What a reader sees: the text and the figures' JSON, not the CSS widths of the status bars.
            html = re.sub(r'style="[^"]*"', "", response.content.decode())
            for m in RANK.findall(html):
                assert _number(m) >= 1, (url, as_of, m)
            percents = [_number(m) for m in PERCENT.findall(html)]
            # Growth rates (% a year) may be negative; every other percentage is a share within 0–100.
            if "growth" not in url:
                assert all(0 <= p <= 100 for p in percents), (
                    url,
                    as_of,
                    [p for p in percents if not 0 <= p <= 100],
                )
    assert checked > 500


def test_progress_csv_of_the_real_catalogue_and_demo_data_keeps_every_figure_in_its_domain(client, demo):
    for as_of in ("2026-Q3", "2025-Q2", "2023-Q4", "2026-Q4"):
        rows = _csv(client.get("/open-data/progress.csv", {"as_of": as_of}))
        for r in rows:
            for column in ("latest", "projected", "latest_after_deadline"):
                if not r[column]:
                    continue
                value = float(r[column])
                if r["unit"] == "rank":
                    assert 1 <= value <= 63, (as_of, r["locality"], r["indicator_code"], column, value)
                if r["unit"] == "percent":
                    assert 0 <= value <= 100, (as_of, r["locality"], r["indicator_code"], column, value)
            if r["expected_completion"]:
                assert 0 <= float(r["expected_completion"]) <= 1
    ranks = [r for r in rows if r["unit"] == "rank" and r["projected"]]
    assert ranks  # rank forecasts exist and were checked


def test_the_engine_and_the_pages_agree_for_past_deadline_targets(client, superuser, demo):
    # Every past-deadline verdict on the pages is the engine's, and every figure after a deadline is kept
    # out of the verdict: its period ends after the target's deadline.
    client.force_login(superuser)
    table = pages.assess(selectors.progress_inputs(labels=True), 2026.75)
    past = table[table["target_time"] <= 2026.75]
    assert not past.empty
    assert set(past["status"]) <= {
        "achieved",
        "missed",
        "awaiting_final",
        "insufficient_data",
        "not_applicable",
    }
    after = past[past["latest_after_deadline_time"].notna()]
    assert (after["latest_after_deadline_time"] > after["target_time"]).all()
    assert (past["latest_time"].dropna() <= past.loc[past["latest_time"].notna(), "target_time"]).all()
    assert timezone.localdate() == TODAY
