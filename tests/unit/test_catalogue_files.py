"""The catalogue files themselves: complete, faithful to the documents, consistent. No database."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from targets.catalogue import CatalogueError, normalise_ws, read_catalogue, read_published

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SHARED_SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@pytest.fixture(scope="module")
def cat():
    """The cities' catalogue: the national targets (issue #21) are tested in test_national_frame.py."""
    full = read_catalogue(FIXTURES)
    full.targets = [t for t in full.targets if t["locality"] != "viet-nam"]
    return full


def test_catalogue_holds_every_target_of_the_five_documents(cat):
    per_document = Counter(t["document"] for t in cat.targets)
    assert (
        per_document
        == {
            "hp-nq-03-2021": 32,
            "hn-ct-cds-2025-du-thao": 35,
            "hp-kh-86-2022": 7,
            "hp-kq-2022-mt-2023": 17,
            "dn-nq-cds-2025": 58,  # issue #16: e-identity and skills split (+3); 2025 targets of 100 % maintained to 2030 (+10)
        }
    )
    assert len(cat.targets) == 149


def test_every_quote_appears_verbatim_in_its_document(cat):
    texts = {d["code"]: normalise_ws(d["text"]) for d in cat.documents}
    for t in cat.targets:
        assert normalise_ws(t["quote"]) in texts[t["document"]], t["_where"]


def test_no_target_is_listed_twice(cat):
    keys = Counter((t["indicator"], t["locality"], t["level"], t["year"], t["document"]) for t in cat.targets)
    assert [k for k, n in keys.items() if n > 1] == []


def test_each_city_has_targets_for_2025_and_2030(cat):
    years = {(t["locality"], t["year"]) for t in cat.targets}
    for city in ("hai-phong", "ha-noi", "da-nang"):
        assert (city, 2025) in years and (city, 2030) in years
    assert ("hai-phong", 2022) in years and ("hai-phong", 2023) in years


def test_units_are_consistent(cat):
    indicators = {i["code"]: i for i in cat.indicators}
    for t in cat.targets:
        unit = indicators[t["indicator"]]["unit"]
        assert t["unit"] == unit
        if unit == "percent":
            assert 0 <= t["value"] <= 100, t["_where"]
        if unit == "rank":
            assert indicators[t["indicator"]].get("higher_is_better") is False, t["_where"]
            assert t["comparator"] == "<=", t["_where"]
        if unit == "milestone":
            assert (t["comparator"], t["value"]) == ("=", 1), t["_where"]


def test_the_same_concept_in_two_cities_is_one_indicator(cat):
    cities_per_indicator = {}
    for t in cat.targets:
        cities_per_indicator.setdefault(t["indicator"], set()).add(t["locality"])
    # The dossier rate by level, the DTI rank, the digital-economy share and e-payment accounts are shared.
    assert cities_per_indicator["work_dossiers_online"] == {"hai-phong", "ha-noi"}
    assert cities_per_indicator["dti_rank"] == {"hai-phong", "ha-noi", "da-nang"}
    assert cities_per_indicator["digital_economy_grdp_share"] == {"hai-phong", "ha-noi", "da-nang"}
    assert cities_per_indicator["epayment_accounts"] == {"hai-phong", "ha-noi"}


def _target(cat, indicator, locality, year, level=""):
    found = [
        t
        for t in cat.targets
        if (t["indicator"], t["locality"], t["year"], t["level"]) == (indicator, locality, year, level)
    ]
    assert found, (indicator, locality, year, level)
    return found[0]


def test_comparators_follow_the_wording_of_the_documents(cat):
    # "tối thiểu" → >=, "trên" → >, "khoảng" → ~, "7 - 7,5%" → range, "nhóm 5"/"tốp 10" → rank <= N.
    assert _target(cat, "inspections_online", "hai-phong", 2025)["comparator"] == ">="
    assert _target(cat, "epayment_accounts", "hai-phong", 2025)["comparator"] == ">"
    assert _target(cat, "digital_economy_grdp_share", "ha-noi", 2025)["comparator"] == "~"
    productivity = _target(cat, "labour_productivity_growth", "ha-noi", 2025)
    assert (productivity["comparator"], productivity["value"], productivity["value_max"]) == ("range", 7, 7.5)
    assert _target(cat, "dti_rank", "ha-noi", 2025)["value"] == 5
    assert _target(cat, "dti_rank", "hai-phong", 2022)["value"] == 10
    reduction = _target(cat, "admin_procedures_remaining", "da-nang", 2025)
    assert (reduction["comparator"], reduction["value"], reduction["baseline_value"]) == ("<=", 80, 100)


def test_comparator_matches_qualifier_in_every_quote(cat):
    """A clause's own qualifier decides: a target whose figure is preceded by 'tối thiểu'/'ít nhất' is >=."""
    for t in cat.targets:
        quote = normalise_ws(t["quote"])
        figure = f"{t['value']:g}".replace(".", ",")
        if re.search(rf"(tối thiểu|ít nhất) {re.escape(figure)}\b", quote, re.IGNORECASE):
            assert t["comparator"] == ">=", t["_where"]
        if re.search(rf"\btrên {re.escape(figure)}%", quote):
            assert t["comparator"] == ">", t["_where"]


def test_district_targets_stop_applying_when_the_district_level_ended(cat):
    district = [t for t in cat.targets if t["level"] == "district"]
    # Hải Phòng 2023, 2025, 2030; Hà Nội 2025, 2030 (dossier rates); Đà Nẵng 2030 (digital government units).
    assert len(district) == 6
    assert {str(t["applies_until"]) for t in district} == {"2025-06-30"}
    assert all(t["applies_until"] is None for t in cat.targets if t["level"] != "district")


def test_qualitative_targets_are_kept_as_milestones(cat):
    milestones = {(t["indicator"], t["locality"], t["year"]) for t in cat.targets if t["unit"] == "milestone"}
    assert ("mobile_5g_universal", "hai-phong", 2030) in milestones
    assert ("smart_city", "da-nang", 2030) in milestones


def test_mobile_identity_completion_is_100_percent_on_the_same_series(cat):
    """Issue #16: "hoàn thành cung cấp định danh số … trên nền tảng di động" (Hải Phòng 2030) is 100 % of the
    series whose 2023 and 2025 targets are 30 % and 40 %, not a separate milestone."""
    series = sorted(
        (t["year"], t["comparator"], t["value"])
        for t in cat.targets
        if t["indicator"] == "mobile_digital_identity" and t["locality"] == "hai-phong"
    )
    assert series == [(2023, ">=", 30), (2025, ">=", 40), (2030, "=", 100)]
    assert "mobile_digital_identity_complete" not in {i["code"] for i in cat.indicators}


def test_source_texts_are_the_shared_seeds():
    if not SHARED_SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for seed in SHARED_SEEDS.glob("*.txt"):
        assert (FIXTURES / "sources" / seed.name).read_bytes() == seed.read_bytes()


def test_published_figures_name_known_localities_and_indicators_and_a_source(cat):
    rows = read_published(
        FIXTURES / "published_figures.csv",
        localities={loc["slug"] for loc in cat.localities},
        indicators={i["code"] for i in cat.indicators},
    )
    # The reference file's 31 rows (the former and the merged Đà Nẵng's 2024 rank and score both listed) and
    # Hải Phòng's three 2022 results of seed 003 added for issue #16.
    assert len(rows) == 34
    assert all(r.source for r in rows)
    tracked_only = {r.indicator for r in rows} - {t["indicator"] for t in cat.targets}
    assert tracked_only == {
        "dti_score",
        "on_time_resolution_rate",
        "documents_sent_online_share",
        "e_customs_enterprise_share",
        "hospital_software_share",
        "agencies_specialised_digital_signature",
        "mobile_base_stations_growth",
        "mobile_speed_rank_gain",
    }


# ----------------------------------------------------------------- broken fixtures are refused with a location


@pytest.fixture
def broken(tmp_path):
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root)
    return root


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _errors(root: Path) -> str:
    with pytest.raises(CatalogueError) as exc:
        read_catalogue(root)
    return str(exc.value)


def test_a_quote_not_in_the_document_names_file_and_record(broken):
    _replace(
        broken / "catalogue/targets/hp-nq-03-2021.toml",
        "Phấn đấu kinh tế số chiếm 25%",
        "Phấn đấu kinh tế số chiếm 26%",
    )
    message = _errors(broken)
    assert "hp-nq-03-2021.toml: target #10 (digital_economy_grdp_share 2025)" in message
    assert "verbatim" in message


def test_an_unknown_comparator_is_refused(broken):
    _replace(
        broken / "catalogue/targets/hn-ct-cds-2025-du-thao.toml", 'comparator = "~"', 'comparator = "about"'
    )
    assert "unknown comparator 'about'" in _errors(broken)


def test_a_range_with_max_below_min_is_refused(broken):
    _replace(broken / "catalogue/targets/hn-ct-cds-2025-du-thao.toml", "value_max = 7.5", "value_max = 6.5")
    assert "value_max 6.5 is below value 7" in _errors(broken)


def test_a_percent_target_over_100_is_refused(broken):
    _replace(broken / "catalogue/targets/hp-kh-86-2022.toml", "value = 80\n", "value = 180\n")
    assert (
        "hp-kh-86-2022.toml: target #7 (fiber_household_subscriptions 2022): a percent target must lie within 0–100"
        in _errors(broken)
    )


def test_an_unknown_indicator_and_a_typo_key_are_both_reported(broken):
    path = broken / "catalogue/targets/hp-kh-86-2022.toml"
    _replace(path, 'indicator = "agencies_with_dt_plan"', 'indicator = "agencies_with_plan"')
    _replace(path, 'comparator = "<="', 'comparater = "<="')
    message = _errors(broken)
    assert "unknown indicator 'agencies_with_plan'" in message
    assert "unknown key 'comparater'" in message


def test_invalid_toml_names_the_file(broken):
    (broken / "catalogue/indicators.toml").write_text("[[indicator]\ncode = ", encoding="utf-8")
    assert "indicators.toml: not valid TOML" in _errors(broken)


def _published(root: Path):
    cat = read_catalogue(root)
    return read_published(
        root / "published_figures.csv",
        localities={loc["slug"] for loc in cat.localities},
        indicators={i["code"] for i in cat.indicators},
    )


def test_every_published_figure_has_a_vietnamese_and_an_english_note_and_its_qualifier(cat):
    rows = _published(FIXTURES)
    assert all(r.note_vi and r.note_en for r in rows)
    qualified = {(r.locality, r.indicator, r.year): r.qualifier for r in rows if r.qualifier}
    assert qualified == {
        ("hai-phong", "on_time_resolution_rate", 2022): ">",  # "trên 98%"
        ("hai-phong", "e_customs_enterprise_share", 2022): ">",  # "hơn 99,65%"
        ("hai-phong", "digital_economy_grdp_share", 2022): "preliminary",
        ("da-nang", "digital_economy_grdp_share", 2022): "preliminary",
        ("ha-noi", "digital_economy_grdp_share", 2022): "preliminary",
    }
    former = [r for r in rows if r.unit_scope == "former"]
    assert {(r.indicator, r.unit_name, r.unit_name_en) for r in former} == {
        ("dti_rank", "Đà Nẵng cũ", "former Đà Nẵng"),
        ("dti_score", "Đà Nẵng cũ", "former Đà Nẵng"),
        ("fully_online_dossier_rate", "Đà Nẵng cũ", "former Đà Nẵng"),
    }


def test_a_published_figure_without_its_english_note_is_refused(broken):
    _replace(
        broken / "published_notes.toml", 'note_en = "DTI 2020 ranking of the 63 provinces."', 'note_en = ""'
    )
    with pytest.raises(CatalogueError) as exc:
        _published(broken)
    assert "needs its note in Vietnamese and in English" in str(exc.value)


def test_a_published_figure_with_no_note_at_all_is_refused(broken):
    text = (broken / "published_notes.toml").read_text(encoding="utf-8")
    start = text.index('[[figure]]\nlocality = "ha-noi"\nindicator = "dti_rank"\nyear = 2020')
    end = text.index("[[figure]]", start + 1)
    (broken / "published_notes.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(CatalogueError) as exc:
        _published(broken)
    assert "no note for ('ha-noi', 'dti_rank', 2020, '')" in str(exc.value)


def test_an_unknown_qualifier_is_refused(broken):
    _replace(broken / "published_notes.toml", 'qualifier = "preliminary"', 'qualifier = "rough"')
    with pytest.raises(CatalogueError) as exc:
        _published(broken)
    assert "qualifier must be one of" in str(exc.value)


def test_a_rank_target_without_the_ranking_it_was_set_against_is_refused(broken):
    _replace(broken / "catalogue/targets/hp-kh-86-2022.toml", "ranked_among = 63\n", "")
    assert "names the ranking it was set against" in _errors(broken)


# ----------------------------------------------------------------- issue #16: the corrected modelling


def _targets(cat, locality: str, year: int | None = None, indicator: str | None = None) -> list[dict]:
    return [
        t
        for t in cat.targets
        if t["locality"] == locality
        and (year is None or t["year"] == year)
        and (indicator is None or t["indicator"] == indicator)
    ]


def test_da_nang_maintains_its_2025_targets_of_100_percent_to_2030(cat):
    """ "Đà Nẵng duy trì các mục tiêu đạt được trong giai đoạn trước": every 2025 target of 100 % without a new
    2030 figure is a 2030 target of 100 %, quoting that clause, with a note saying why."""
    hundred_2025 = {
        t["indicator"] for t in _targets(cat, "da-nang", 2025) if t["value"] == 100 and t["unit"] == "percent"
    }
    maintained = [t for t in _targets(cat, "da-nang", 2030) if "duy trì các mục tiêu" in t["quote"]]
    assert (
        {t["indicator"] for t in maintained}
        == hundred_2025
        == {
            "online_public_services_full",
            "agencies_open_data",
            "party_procedures_public",
            "e_identity_accounts_citizens",
            "e_identity_accounts_businesses",
            "households_digital_address",
            "broadband_household_access",
            "smartphone_users_working_age",
            "electronic_health_records",
            "health_facilities_ehr",
        }
    )
    assert all((t["comparator"], t["value"]) == ("=", 100) and t["note"] for t in maintained)


def test_a_target_carries_the_pillar_its_document_lists_it_under(cat):
    pillars = {(t["locality"], t["indicator"], t["year"]): t["pillar"] for t in cat.targets}
    # Đà Nẵng lists the e-commerce accounts in its 2030 digital-society paragraph; the indicator is Kinh tế số.
    assert pillars[("da-nang", "households_ecommerce_accounts", 2030)] == "xa-hoi-so"
    assert pillars[("da-nang", "enterprises_ecommerce_accounts", 2030)] == "xa-hoi-so"
    # Hải Phòng's 2030 mobile identity is under "Phát triển Chính quyền số", its 2025 one under Xã hội số.
    assert pillars[("hai-phong", "mobile_digital_identity", 2030)] == "chinh-quyen-so"
    assert pillars[("hai-phong", "mobile_digital_identity", 2025)] == "xa-hoi-so"
    # Elsewhere the indicator's pillar.
    assert pillars[("ha-noi", "epayment_accounts", 2025)] == "xa-hoi-so"


def test_labour_productivity_each_year_and_the_period_average_are_different_comparisons(cat):
    lp = {
        (t["locality"], t["year"]): (t["comparator"], t["value"], t["aggregation"], t["period_from"])
        for t in cat.targets
        if t["indicator"] == "labour_productivity_growth"
    }
    assert lp == {
        ("hai-phong", 2025): (">=", 15, "each_year", 2021),  # "hằng năm tăng tối thiểu 15%"
        ("hai-phong", 2030): (">=", 16, "each_year", 2026),
        ("hai-phong", 2023): (">=", 15, "", None),  # the 2023 report's target for that year
        ("da-nang", 2025): (">=", 7, "each_year", 2021),
        ("da-nang", 2030): (">=", 8, "each_year", 2026),
        ("ha-noi", 2025): ("range", 7, "", None),  # "từ 7 - 7,5%": neither each year nor on average
        ("ha-noi", 2030): (">", 7.5, "period_average", 2026),  # "tăng bình quân trên 7,5%/năm"
    }


def test_having_n_of_something_is_at_least_n(cat):
    by_key = {(t["locality"], t["indicator"], t["year"]): t for t in cat.targets}
    for key in (
        ("hai-phong", "government_ai_applications", 2023),  # "có 3 ứng dụng"
        ("da-nang", "open_datasets", 2025),  # "có 1.000 bộ"
        ("da-nang", "open_datasets", 2030),
        ("da-nang", "digital_tech_enterprises_per_1000", 2025),
    ):
        assert by_key[key]["comparator"] == ">=", key
        assert by_key[key]["note"], key


def test_an_increase_against_a_baseline_is_an_index_of_at_least_130(cat):
    (t,) = _targets(cat, "hai-phong", 2030, "data_driven_services_index")
    assert (t["comparator"], t["value"], t["baseline_year"], t["baseline_value"]) == (">=", 130, 2021, 100)
    assert t["unit"] == "index" and "tăng 30%" in t["quote"]


def test_every_indicator_says_what_to_count_and_where_the_figure_comes_from(cat):
    # Every indicator names the source of its figure. The ones a city department reports say what to count
    # (numerator and denominator); the national-only indicators (issue #21) are nobody's to report and are
    # defined by their national decision's wording.
    reported = {t["indicator"] for t in cat.targets}  # the cities' targets (the fixture drops viet-nam's)
    for ind in cat.indicators:
        definition = ind["definition"]
        assert "Nguồn" in definition, ind["code"]
        if ind["unit"] == "percent" and (ind["code"] in reported or "Chỉ tiêu quốc gia" not in definition):
            assert "Tử số" in definition and "Mẫu số" in definition, ind["code"]
        if ind["unit"] == "milestone":
            assert definition.startswith("Mốc: đạt (1) khi"), ind["code"]
    defs = {i["code"]: i["definition"] for i in cat.indicators}
    assert "LŨY KẾ" in defs["open_datasets"]  # cumulative
    # Per-population indicators name their population.
    assert "dân số từ đủ 15 tuổi" in defs["epayment_accounts"]
    assert "dân số trung bình" in defs["digital_tech_enterprises_per_1000"]
    assert "dân số từ đủ 14 tuổi" in defs["e_identity_accounts_citizens"]


def test_smart_city_is_not_in_the_ranking_pillar(cat):
    pillars = {i["code"]: i["pillar"] for i in cat.indicators}
    assert pillars["smart_city"] == "chinh-quyen-so"
    assert all(
        i["unit"] == "rank" or i["code"] in ("dti_score", "regional_data_ai_leadership")
        for i in cat.indicators
        if i["pillar"] == "dti"
    )


def test_the_documents_say_what_they_are(cat):
    docs = {d["code"]: d for d in cat.documents}
    da_nang = docs["dn-nq-cds-2025"]
    assert (da_nang["number"], str(da_nang["issued_on"])) == ("05-NQ/TU", "2021-06-17")
    assert da_nang["issuer"] == "Ban Chấp hành Đảng bộ thành phố Đà Nẵng"
    ha_noi = docs["hn-ct-cds-2025-du-thao"]
    assert "dự thảo" in ha_noi["status_note"] and "thay thế" in ha_noi["status_note"]
    assert "draft" in ha_noi["status_note_en"] and "superseded" in ha_noi["status_note_en"]


def test_the_health_booking_clause_is_recorded_as_not_a_target(cat):
    """Đà Nẵng: "sử dụng dịch vụ đặt lịch, tư vấn, khám, chữa bệnh qua mạng, thanh toán viện phí qua mạng…" has
    no subject and no figure: no target quotes it, and the file records why."""
    assert not [t for t in cat.targets if "đặt lịch" in t["quote"]]
    text = (FIXTURES / "catalogue/targets/dn-nq-cds-2025.toml").read_text(encoding="utf-8")
    assert "Not a target (issue #16, recorded here)" in text


def test_hai_phongs_2022_results_are_published_figures_and_55_percent_is_left_out_with_its_reason(cat):
    rows = {(r.indicator, r.year): r for r in _published(FIXTURES) if r.locality == "hai-phong"}
    assert rows[("agencies_specialised_digital_signature", 2022)].value == 100
    assert rows[("mobile_base_stations_growth", 2022)].value == 12
    assert rows[("mobile_speed_rank_gain", 2022)].value == 20
    notes = (FIXTURES / "published_notes.toml").read_text(encoding="utf-8")
    assert "trung bình 55%/năm" in notes and "Left out, on purpose" in notes
