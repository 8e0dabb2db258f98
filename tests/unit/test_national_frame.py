"""The national frame (issue #21) in the files: national targets read as the reference file gives them, city →
national links, the DTI frameworks as data, and "below the national floor". No database."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest

from targets.catalogue import CatalogueError, read_catalogue
from targets.frameworks import framework_for_year, grid_index, read_frameworks
from targets.national import below_floor, parse_value, portal_unit

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EXTRA = Path(__file__).resolve().parents[1] / "fixtures" / "national_frame"
NATIONAL_CSV = FIXTURES / "catalogue" / "national" / "national_targets.csv"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference"


@pytest.fixture(scope="module")
def cat():
    return read_catalogue(FIXTURES)


def _file_rows() -> list[dict[str, str]]:
    with NATIONAL_CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _national(cat) -> list[dict]:
    return [t for t in cat.targets if t["locality"] == "viet-nam"]


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root)
    return root


# --- national targets ---------------------------------------------------------------------------------------


def test_the_national_file_is_the_reference_file_unchanged():
    if not SHARED.is_dir():
        pytest.skip("../shared/reference is not beside this checkout")
    assert NATIONAL_CSV.read_bytes() == (SHARED / "national_targets.csv").read_bytes()
    dti = FIXTURES / "catalogue" / "dti" / "dti_frameworks.csv"
    assert dti.read_bytes() == (SHARED / "dti_frameworks.csv").read_bytes()


def test_every_national_target_keeps_its_quote_source_and_provenance_exactly_as_the_file_gives_them(cat):
    rows = _file_rows()
    national = _national(cat)
    assert len(rows) == len(national) == 129
    # The reader keeps the file's order: row i is target i.
    for row, target in zip(rows, national, strict=True):
        assert target["quote"] == row["quote"]  # byte for byte: no white-space folding, no NFC change
        assert target["provenance"] == row["provenance"]
        assert target["quote_source"] == row["source"]
        assert target["clause"] == row["clause"]
    assert Counter(t["provenance"] for t in national) == Counter(r["provenance"] for r in rows)


def test_national_rows_are_read_with_the_catalogue_comparators_and_units(cat):
    national = {(t["document"], t["indicator"], t["level"], t["year"]): t for t in _national(cat)}
    # "90% hồ sơ công việc tại cấp bộ, tỉnh; 80% … cấp huyện và 60% … cấp xã" (749/QĐ-TTg, 2025).
    assert national[("vn-qd-749-2020", "work_dossiers_online", "city", 2025)]["value"] == 90
    assert national[("vn-qd-749-2020", "work_dossiers_online", "commune", 2025)]["value"] == 60
    district = national[("vn-qd-749-2020", "work_dossiers_online", "district", 2025)]
    assert str(district["applies_until"]) == "2025-06-30"  # the catalogue's own rule for the district level
    # "trên 80% hộ gia đình" → ">"; "Phổ cập …" → a milestone "= 1"; "40 - 50" → a range; "0,7" → 0.7.
    assert national[("vn-qd-749-2020", "fibre_household_coverage", "", 2025)]["comparator"] == ">"
    universal = national[("vn-qd-749-2020", "mobile_4g5g_universal", "", 2025)]
    assert (universal["comparator"], universal["value"], universal["unit"]) == ("=", 1.0, "milestone")
    ranked = national[("vn-nq-03-2025", "ranked_science_organisations", "", 2030)]
    assert (ranked["comparator"], ranked["value"], ranked["value_max"]) == ("range", 40.0, 50.0)
    assert national[("vn-nq-03-2025", "human_development_index", "", 2030)]["value"] == 0.7
    egdi = national[("vn-qd-749-2020", "egdi_rank_world", "", 2025)]
    assert (egdi["comparator"], egdi["value"], egdi["unit"]) == ("<=", 70.0, "rank")
    # 57-NQ/TW's vision reaches 2045; the year the 942 file leaves empty comes from the map, with its note.
    assert national[("vn-nq-57-2024", "digital_economy_grdp_share", "", 2045)]["value"] == 50
    assumed = national[("vn-qd-942-2021", "egdi_rank_world", "", 2030)]
    assert "giả định" in assumed["note"]


def test_the_file_units_and_values_are_read_by_a_fixed_table():
    assert [portal_unit(u) for u in ("% GDP", "%/năm", "thứ hạng Đông Nam Á", "HDI", "Tbps", "lít")] == [
        "percent",
        "growth_rate",
        "rank",
        "score",
        "count",
        None,
    ]
    assert parse_value("range", "16-18")[1:] == (16, 18)
    with pytest.raises(ValueError):
        parse_value(">", "phổ cập")
    with pytest.raises(ValueError):
        parse_value("=", "nhiều")


def _break_national(root: Path, line: int, column: str, value: str) -> None:
    path = root / "catalogue" / "national" / "national_targets.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns, rows = reader.fieldnames, list(reader)
    rows[line - 2][column] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize(
    ("line", "column", "value", "message"),
    [
        (
            2,
            "provenance",
            "blog",
            "line 2: provenance must be one of official, press, english-source, transcription",
        ),
        (3, "comparator", "about", "unknown comparator 'about'"),
        (4, "unit", "lít", "no reading in indicator_map.toml"),
        (5, "source", "", "line 5: a national target needs the source its quote was read on"),
        (6, "quote", "  ", "empty quote"),
        (7, "year", "2050", "year 2050 outside 2020–2045"),
        (8, "document", "1/QĐ-TTg (01/01/2020) Không có", "is not a national document of country.toml"),
        (9, "value", "nhiều", "value 'nhiều' is not a number"),
    ],
)
def test_a_broken_national_row_refuses_the_whole_catalogue_naming_file_and_line(
    tmp_path, line, column, value, message
):
    root = _copy(tmp_path)
    _break_national(root, line, column, value)
    with pytest.raises(CatalogueError) as exc:
        read_catalogue(root)
    assert message in str(exc.value)
    assert "national_targets.csv" in str(exc.value)


def test_a_national_file_with_other_columns_is_refused(tmp_path):
    root = _copy(tmp_path)
    path = root / "catalogue" / "national" / "national_targets.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("provenance", "nguon", 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match="columns must be document, clause"):
        read_catalogue(root)


def test_a_reading_that_names_an_indicator_of_another_unit_is_refused(tmp_path):
    root = _copy(tmp_path)
    path = root / "catalogue" / "national" / "indicator_map.toml"
    text = path.read_text(encoding="utf-8")
    # TFP's contribution (a percentage) read as the labour-productivity growth rate: a different unit.
    path.write_text(
        text.replace('indicator = "tfp_contribution"', 'indicator = "labour_productivity_growth"', 1)
    )
    with pytest.raises(CatalogueError, match="reads as 'percent' but indicator 'labour_productivity_growth'"):
        read_catalogue(root)


def test_replacing_a_rows_quote_and_provenance_is_a_data_change(tmp_path):
    """When the signed text is at hand, the row's quote and provenance change in the file; nothing else."""
    root = _copy(tmp_path)
    signed = "Kinh tế số chiếm 20% GDP (nguyên văn văn bản đã ký, giả định cho kiểm thử)."
    _break_national(root, 10, "quote", signed)  # 749/QĐ-TTg 2025 "Kinh tế số chiếm 20% GDP;" (press)
    _break_national(root, 10, "provenance", "official")
    target = [t for t in read_catalogue(root).targets if t["locality"] == "viet-nam"][8]
    assert (target["indicator"], target["quote"], target["provenance"]) == (
        "digital_economy_grdp_share",
        signed,
        "official",
    )


def test_a_next_programme_is_a_data_change(tmp_path):
    """A new programme (e.g. a 2025–2030 resolution the cities adopt): a document and rows, no code."""
    root = _copy(tmp_path)
    national = root / "catalogue" / "national"
    with (national / "country.toml").open("a", encoding="utf-8") as fh:
        fh.write((EXTRA / "national_extra.toml").read_text(encoding="utf-8"))
    with (national / "national_targets.csv").open("a", encoding="utf-8") as fh:
        fh.write((EXTRA / "national_targets_extra.csv").read_text(encoding="utf-8"))
    added = [t for t in read_catalogue(root).targets if t["document"] == "vn-nq-thu-2026"]
    assert [(t["indicator"], t["year"], t["comparator"], t["value"], t["provenance"]) for t in added] == [
        ("digital_economy_grdp_share", 2030, ">=", 40.0, "press")
    ]


# --- links from the city targets -----------------------------------------------------------------------------


def test_each_link_names_a_city_target_a_national_target_and_a_note(cat):
    links = {
        (c[1], c[0], c[2], c[3]): (n, note)
        for c, n, note in ((x["city"], x["national"], x["note"]) for x in cat.national_links)
    }
    # Hải Phòng's 2030 e-payment accounts derive from 749/QĐ-TTg's 2030 "more than 80%".
    national, note = links[("hai-phong", "epayment_accounts", "", 2030)]
    assert national == ("epayment_accounts", "viet-nam", "", 2030, "vn-qd-749-2020")
    assert note
    # A 2030 digital-economy share follows 57-NQ/TW, which raised the bar.
    assert links[("da-nang", "digital_economy_grdp_share", "", 2030)][0][4] == "vn-nq-57-2024"
    assert all(x["note"].strip() for x in cat.national_links)
    assert len(cat.national_links) == 38


def test_a_link_to_a_missing_national_target_refuses_the_catalogue(tmp_path):
    root = _copy(tmp_path)
    path = root / "catalogue" / "national_links.toml"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(
            '\n[[link]]\nlocality = "hai-phong"\nindicator = "epayment_accounts"\nyear = 2023\n'
            'national_document = "vn-qd-749-2020"\nnote = "thử"\n'
        )
    with pytest.raises(
        CatalogueError, match=r"no national target \('vn-qd-749-2020', 'epayment_accounts', '', 2023\)"
    ):
        read_catalogue(root)


def test_a_link_without_its_note_is_refused(tmp_path):
    root = _copy(tmp_path)
    path = root / "catalogue" / "national_links.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("note = ", text.index("[[link]]"))
    end = text.index("\n", start)
    path.write_text(text[:start] + 'note = " "' + text[end:], encoding="utf-8")
    with pytest.raises(CatalogueError, match="a link needs its note"):
        read_catalogue(root)


# --- below the national floor (pure) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("city", "national", "higher", "expected"),
    [
        # Higher is better: the bar is the least result that meets the target.
        ((">=", 70, None), (">=", 80, None), True, True),
        ((">=", 80, None), (">=", 80, None), True, False),
        (("=", 90, None), (">", 80, None), True, False),
        ((">=", 80, None), (">", 80, None), True, True),  # ≥ 80 allows exactly 80; > 80 does not
        ((">", 80, None), (">=", 80, None), True, False),
        (("range", 7, 7.5), (">=", 7, None), True, False),  # 7–7,5 starts at the floor
        (("range", 6, 8), (">=", 7, None), True, True),
        (("~", 30, None), ("=", 20, None), True, None),  # "khoảng" is no bar
        (("<=", 50, None), (">=", 20, None), True, None),  # a ceiling is no floor
        # Lower is better (ranks, "remaining" shares): the bar is the loosest result allowed.
        (("<=", 10, None), ("<=", 5, None), False, True),
        (("<=", 5, None), ("<=", 10, None), False, False),
        (("<", 10, None), ("<=", 10, None), False, False),
        (("<=", 10, None), ("<", 10, None), False, True),
        (("range", 3, 8), ("<=", 5, None), False, True),
        ((">=", 3, None), ("<=", 5, None), False, None),
    ],
)
def test_below_floor_per_comparator(city, national, higher, expected):
    assert below_floor(city, national, higher_is_better=higher) is expected


def test_no_city_target_of_the_fixtures_is_below_its_national_floor(cat):
    """A finding, computed by hand from the files: every linked city target meets or exceeds its floor."""
    targets = {(t["indicator"], t["locality"], t["level"], t["year"], t["document"]): t for t in cat.targets}
    higher = {i["code"]: i.get("higher_is_better", True) for i in cat.indicators}
    for link in cat.national_links:
        c, n = targets[link["city"]], targets[link["national"]]
        bars = ((t["comparator"], float(t["value"]), t["value_max"]) for t in (c, n))
        assert below_floor(*bars, higher_is_better=higher[c["indicator"]]) in (False, None), link["_where"]


# --- DTI frameworks as data ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def frameworks(cat):
    return read_frameworks(
        FIXTURES,
        indicators={i["code"] for i in cat.indicators},
        localities={loc["slug"] for loc in cat.localities},
    )


def test_each_framework_is_loaded_with_its_indices(frameworks):
    assert [f["code"] for f in frameworks.frameworks] == [
        "dti-tinh-1726",
        "dti-tinh-922",
        "dti-tinh-405",
        "dti-quoc-gia-405",
    ]
    mains = Counter(i["framework"] for i in frameworks.indices if i["level"] == "main")
    # 1726: 7 main indices repeated under each of 3 pillars; 922: 9; 405: 8 (NATIONAL_NOTES.md).
    assert mains == {"dti-tinh-1726": 21, "dti-tinh-922": 9, "dti-tinh-405": 8}
    by_key = {(i["framework"], i["key"]): i for i in frameworks.indices}
    assert by_key[("dti-tinh-922", "7")]["name"] == "Hoạt động chính quyền số"
    assert (by_key[("dti-tinh-922", "7")]["parent"], by_key[("dti-tinh-922", "7")]["points"]) == ("II", "200")
    repeated = by_key[("dti-tinh-1726", "Kinh tế số › Chỉ số đánh giá về Kiến tạo thể chế")]
    assert repeated["parent"] == "Kinh tế số"
    assert by_key[("dti-tinh-405", "Nhận thức số")]["parent"] == "Nhóm chỉ số nền tảng chung"


def test_a_score_belongs_to_the_framework_of_its_year(frameworks):
    decision = {y: framework_for_year(frameworks.frameworks, y)["decision"] for y in (2020, 2021, 2022, 2024)}
    assert decision == {
        2020: "1726/QĐ-BTTTT",
        2021: "922/QĐ-BTTTT",
        2022: "922/QĐ-BTTTT",  # "a 2022 score is a 922 score"
        2024: "405/QĐ-BKHCN",
    }
    assert framework_for_year(frameworks.frameworks, 2019) is None


def test_every_city_indicator_is_linked_under_each_provincial_framework_or_says_why_not(cat, frameworks):
    city_indicators = {t["indicator"] for t in cat.targets if t["locality"] != "viet-nam"}
    linked = Counter(link["indicator"] for link in frameworks.indicator_links)
    for code in city_indicators:
        assert linked[code] == 3 or code in frameworks.unlinked, code
    assert all(link["note"].strip() for link in frameworks.indicator_links)


def test_a_plan_task_follows_its_pillars_cell_then_the_common_one(frameworks):
    cell = grid_index(frameworks.grid, framework="dti-tinh-922", pillar="kinh-te-so", component="hoat-dong")
    assert cell["index"] == "8"  # the digital-economy activity index
    common = grid_index(frameworks.grid, framework="dti-tinh-922", pillar="kinh-te-so", component="nhan-thuc")
    assert (common["pillar"], common["index"]) == ("", "1")
    assert grid_index(frameworks.grid, framework="dti-tinh-922", pillar="dti", component="") is None


def _with_extra_framework(root: Path) -> None:
    dti = root / "catalogue" / "dti"
    for name, extra in (
        ("frameworks.toml", "frameworks_extra.toml"),
        ("dti_frameworks.csv", "dti_frameworks_extra.csv"),
        ("indicator_links.toml", "indicator_links_extra.toml"),
    ):
        with (dti / name).open("a", encoding="utf-8") as fh:
            fh.write((EXTRA / extra).read_text(encoding="utf-8"))


def test_a_next_framework_is_a_data_change(tmp_path, cat):
    root = _copy(tmp_path)
    _with_extra_framework(root)
    data = read_frameworks(
        root,
        indicators={i["code"] for i in cat.indicators},
        localities={loc["slug"] for loc in cat.localities},
    )
    assert data.frameworks[-1]["code"] == "dti-tinh-thu-2026"
    added = [
        (i["level"], i["key"], i["parent"]) for i in data.indices if i["framework"] == "dti-tinh-thu-2026"
    ]
    assert added == [("group", "A", ""), ("main", "A1", "A"), ("component", "A1.1", "A1")]
    assert framework_for_year(data.frameworks, 2026)["decision"] == "999/QĐ-THU"
    link = next(x for x in data.indicator_links if x["framework"] == "dti-tinh-thu-2026")
    assert (link["indicator"], link["index"]) == (
        "agencies_open_data",
        "A1.1",
    )  # a component, where one exists


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("indicator_links.toml", 'index = "7"', 'index = "77"', "has no index '77'"),
        ("indicator_links.toml", 'framework = "dti-tinh-922"', 'framework = "dti-khac"', "unknown framework"),
        ("dti_frameworks.csv", ",main,1,I,", ",chinh,1,I,", "level must be one of"),
        ("dti_frameworks.csv", ",main,2,I,", ",main,2,IX,", "unknown parent code 'IX'"),
        (
            "frameworks.toml",
            "last_year = 2023",
            "last_year = 2019",
            "last_year 2019 is before first_year 2021",
        ),
    ],
)
def test_a_broken_framework_file_is_refused_whole(tmp_path, cat, file, old, new, message):
    root = _copy(tmp_path)
    path = root / "catalogue" / "dti" / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        read_frameworks(
            root,
            indicators={i["code"] for i in cat.indicators},
            localities={loc["slug"] for loc in cat.localities},
        )
