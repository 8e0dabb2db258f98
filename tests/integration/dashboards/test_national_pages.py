"""The national frame on the pages (issue #21): the national floor beside a city's target and the flag when the
city's is below it; every DTI score and rank with its framework; a national target quoted from a secondary
source labelled on every page that shows it; fixed query counts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.cache import cache

from targets.devdata import demo_data_generate
from targets.models import Target
from tests.integration.dashboard_data import count_queries, multiply

AS_OF = "2026-Q3"
BELOW = "thấp hơn mục tiêu quốc gia"


def _text(response) -> str:
    """The page as it reads: tags removed, entities decoded, white space folded."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def _hp_payment_2030() -> Target:
    return Target.objects.get(locality__slug="hai-phong", indicator__code="epayment_accounts", year=2030)


def _lower_to(target: Target, value: str) -> None:
    """The city asks for less than the nation: "> 70 %" against 749/QĐ-TTg's "> 80 %"."""
    Target.objects.filter(pk=target.pk).update(value=Decimal(value))
    cache.clear()


# --- the target page -------------------------------------------------------------------------------------------


def test_the_target_page_shows_the_national_floor_and_no_flag_when_the_city_meets_it(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    html = _text(client.get(_hp_payment_2030().get_absolute_url()))
    # Hải Phòng 2030 "> 80%", derived from 749/QĐ-TTg 2030 "> 80%" (an English report: labelled).
    assert "Sàn quốc gia" in html
    assert "> 80% (2030, 749/QĐ-TTg)" in html
    assert "nguồn tiếng Anh" in html
    assert BELOW not in html


def test_the_target_page_flags_a_city_target_below_its_national_floor(client, ha_noi_viewer):
    target = _hp_payment_2030()
    _lower_to(target, "70")
    client.force_login(ha_noi_viewer)
    html = _text(client.get(target.get_absolute_url()))
    assert "> 70%" in html and "> 80% (2030, 749/QĐ-TTg)" in html
    assert BELOW in html
    assert Target.objects.get(pk=target.pk).value == Decimal("70")  # the page changed nothing


def test_a_national_target_page_labels_its_quote_and_lists_the_city_targets_that_derive_from_it(
    client, ha_noi_viewer, django_assert_max_num_queries
):
    national = Target.objects.get(locality__slug="viet-nam", indicator__code="epayment_accounts", year=2030)
    client.force_login(ha_noi_viewer)
    # Session, user, memberships, the target, its figures, the DTI indices, the derived targets.
    with django_assert_max_num_queries(9):  # + the menu's count (issue #17), the former units (issue #16)
        response = client.get(national.get_absolute_url())
    html = _text(response)
    assert "nguồn tiếng Anh" in html
    assert "more than 80% of the population will have e-payment accounts by 2030" in html
    assert "hanoitimes.vn" in html  # the page the quote was read on
    assert "Hải Phòng 2030" in html and "Hà Nội 2030" in html


def test_the_target_page_lists_the_dti_index_the_indicator_feeds_under_each_framework(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    target = Target.objects.get(
        locality__slug="ha-noi", indicator__code="work_dossiers_online", year=2025, level="city"
    )
    html = _text(client.get(target.get_absolute_url()))
    assert "1726/QĐ-BTTTT" in html and "922/QĐ-BTTTT" in html and "405/QĐ-BKHCN" in html
    assert "7. Hoạt động chính quyền số" in html


# --- the pillar table and the indicator page ---------------------------------------------------------------------


def test_the_pillar_table_has_a_national_floor_column_and_flags_a_target_below_it(client, superuser):
    client.force_login(superuser)
    url = "/dashboard/hai-phong/xa-hoi-so/"
    response = client.get(url, {"as_of": AS_OF})
    row = next(r for r in response.context["rows"] if r["id"] == _hp_payment_2030().pk)
    assert (row["national"]["text"], row["national"]["below"]) == ("> 80%", False)
    page = _text(response)
    assert "Sàn quốc gia" in page and BELOW not in page
    _lower_to(_hp_payment_2030(), "70")
    response = client.get(url, {"as_of": AS_OF})
    row = next(r for r in response.context["rows"] if r["id"] == _hp_payment_2030().pk)
    assert row["national"]["below"] is True
    assert BELOW in _text(response)
    # A target without a national one shows none: the interim 2023 target.
    interim = next(
        r for r in response.context["rows"] if (r["indicator_code"], r["year"]) == ("epayment_accounts", 2023)
    )
    assert interim["national"] is None


def test_the_indicator_page_shows_the_national_targets_and_each_citys_floor(client, superuser):
    client.force_login(superuser)
    response = client.get("/indicators/epayment_accounts/", {"as_of": AS_OF})
    html = _text(response)
    assert "Mục tiêu quốc gia" in html
    # Both national e-payment targets come from English reports: labelled in the national table.
    assert [n["provenance_label"] for n in response.context["national_targets"]] == [
        "nguồn tiếng Anh",
        "nguồn tiếng Anh",
    ]
    floors = {(r["locality"], r["year"]): r["national"] for r in response.context["rows"]}
    assert floors[("hai-phong", 2030)]["text"] == "> 80%" and floors[("ha-noi", 2025)]["text"] == "> 50%"
    assert floors[("hai-phong", 2023)] is None  # an interim target has no floor of its own
    assert BELOW not in html
    _lower_to(_hp_payment_2030(), "70")
    assert BELOW in _text(client.get("/indicators/epayment_accounts/", {"as_of": AS_OF}))


# --- DTI scores and ranks keep their framework ------------------------------------------------------------------


def test_every_dti_rank_on_the_overview_shows_the_framework_of_its_year(client, superuser):
    client.force_login(superuser)
    response = client.get("/dashboard/", {"as_of": AS_OF})
    frameworks = {(r["locality_name"], r["year"]): r["framework"] for r in response.context["rank_rows"]}
    assert frameworks[("Đà Nẵng", 2020)] == "1726/QĐ-BTTTT"
    assert frameworks[("Hải Phòng", 2022)] == "922/QĐ-BTTTT"  # a 2022 rank is a 922 rank
    assert frameworks[("Hà Nội", 2024)] == "405/QĐ-BKHCN"
    assert '<td class="framework">922/QĐ-BTTTT</td>' in response.content.decode()


def test_the_dti_pillar_shows_each_score_with_its_framework_and_which_targets_feed_which_index(
    client, superuser
):
    client.force_login(superuser)
    response = client.get("/dashboard/hai-phong/dti/", {"as_of": AS_OF})
    html = _text(response)
    # Hải Phòng's DTI rank targets are judged on ranks of 2022 (922) and 2024 (405); the latest shown is
    # the 2024 rank 3/34, a 405 rank.
    rank_2025 = next(
        r for r in response.context["rows"] if (r["indicator_code"], r["year"]) == ("dti_rank", 2025)
    )
    assert rank_2025["framework"] == "405/QĐ-BKHCN"
    assert "khung 405/QĐ-BKHCN" in html
    assert "Điểm các chỉ số chính đã công bố" in html
    assert "Chưa có điểm chỉ số chính nào" in html  # none is in the reference data
    assert "Mục tiêu đóng góp vào từng chỉ số chính" in html
    assert "7. Hoạt động chính quyền số" in html


# --- a secondary source is labelled wherever a national target is shown -------------------------------------------


def test_a_press_quoted_national_target_is_labelled_on_the_catalogue_and_its_page(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    press = Target.objects.get(
        locality__slug="viet-nam",
        indicator__code="digital_economy_grdp_share",
        year=2025,
        document__code="vn-qd-749-2020",
    )
    assert press.provenance == "press"
    html = _text(client.get("/catalogue/", {"locality": "viet-nam", "pillar": "kinh-te-so", "year": "2025"}))
    assert "trích từ báo chí" in html
    assert "trích từ báo chí" in _text(client.get(press.get_absolute_url()))
    transcription = Target.objects.filter(locality__slug="viet-nam", provenance="transcription").first()
    assert "bản chép chưa đối chiếu" in _text(client.get(transcription.get_absolute_url()))
    official = Target.objects.filter(locality__slug="viet-nam", provenance="official").first()
    html = _text(client.get(official.get_absolute_url()))
    assert not any(
        label in html for label in ("trích từ báo chí", "nguồn tiếng Anh", "bản chép chưa đối chiếu")
    )


def test_a_floor_quoted_from_the_press_is_labelled_beside_the_city_target(client, superuser):
    client.force_login(superuser)
    # Đà Nẵng 2025 digital economy ≥ 20% GRDP derives from 749/QĐ-TTg "Kinh tế số chiếm 20% GDP" (press).
    response = client.get("/dashboard/da-nang/kinh-te-so/", {"as_of": AS_OF})
    row = next(
        r
        for r in response.context["rows"]
        if (r["indicator_code"], r["year"]) == ("digital_economy_grdp_share", 2025)
    )
    assert row["national"]["provenance_label"] == "trích từ báo chí"
    assert "trích từ báo chí" in _text(response)
    indicator = _text(client.get("/indicators/digital_economy_grdp_share/", {"as_of": AS_OF}))
    assert "trích từ báo chí" in indicator and "bản chép chưa đối chiếu" in indicator


def test_the_national_targets_open_data_carries_each_provenance(client, catalogue):
    import csv
    import io

    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/open-data/national_targets.csv").getvalue().decode("utf-8-sig"))
        )
    )
    assert len(rows) == 129
    assert {r["provenance"] for r in rows} == {"official", "press", "english-source", "transcription"}
    targets = list(
        csv.DictReader(io.StringIO(client.get("/open-data/targets.csv").getvalue().decode("utf-8-sig")))
    )
    row = next(r for r in targets if int(r["target_id"]) == _hp_payment_2030().pk)
    national = next(r for r in rows if r["national_target_id"] == row["national_target_id"])
    assert (national["year"], national["comparator"], national["value"]) == ("2030", ">", "80")
    assert "dti-tinh-922=9" in row["dti_indices"]


# --- fixed query counts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/dashboard/hai-phong/dti/", "/indicators/digital_economy_grdp_share/"])
def test_the_national_frame_pages_make_the_same_number_of_queries_at_ten_times_the_data(
    client, superuser, catalogue, django_assert_max_num_queries, url
):
    demo_data_generate(today=dt.date(2026, 11, 22))
    client.force_login(superuser)
    # DTI pillar: session, user, the pillar's eight, the national floors, the frameworks, the scores, the
    # city's targets and the index links, and the menu's count of values waiting (issue #17). Indicator page:
    # eleven (test_indicator.py).
    limit = 14 if "dti" in url else 11
    with django_assert_max_num_queries(limit):
        small, _ = count_queries(client, url, as_of=AS_OF)
    multiply(10)
    cache.clear()
    with django_assert_max_num_queries(limit):
        large, _ = count_queries(client, url, as_of=AS_OF)
    assert large == small


def test_each_dti_score_on_its_series_page_shows_its_framework(
    client, superuser, django_assert_max_num_queries
):
    client.force_login(superuser)
    # The series page's eleven (test_indicator.py) and the frameworks.
    with django_assert_max_num_queries(12):
        response = client.get("/indicators/dti_score/da-nang/", {"as_of": AS_OF})
    values = {v["period"]: v["framework"] for s in response.context["sections"] for v in s["values"]}
    # Đà Nẵng's published scores: 2020 0.4874, 2021 0.6419, 2022 0.8002, 2023 0.8340, 2024 0.7069 (merged).
    assert values == {
        "2020": "1726/QĐ-BTTTT",
        "2021": "922/QĐ-BTTTT",
        "2022": "922/QĐ-BTTTT",
        "2023": "922/QĐ-BTTTT",
        "2024": "405/QĐ-BKHCN",
    }
    assert "khung 922/QĐ-BTTTT" in _text(response)


def test_the_dti_pillar_shows_a_published_main_index_score_with_its_framework_year_and_source(
    client, superuser
):
    from targets.models import FrameworkIndex, IndexScore, Locality

    IndexScore.objects.create(  # a test value: the reference data has no main-index score yet
        locality=Locality.objects.get(slug="hai-phong"),
        index=FrameworkIndex.objects.get(framework__code="dti-tinh-922", key="7"),
        year=2022,
        value=Decimal("0.5123"),
        source="nguồn thử",
    )
    cache.clear()
    client.force_login(superuser)
    page = _text(client.get("/dashboard/hai-phong/dti/", {"as_of": AS_OF}))
    assert "922/QĐ-BTTTT 2022 7. Hoạt động chính quyền số 0,5123 nguồn thử" in page
    assert "Chưa có điểm chỉ số chính nào" not in page
