"""Loading the catalogue, the published figures and the demo data: complete, idempotent, all-or-nothing."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from targets.catalogue import CatalogueError
from targets.devdata import demo_accounts_create, demo_data_generate
from targets.models import (
    Actual,
    Document,
    FormerUnitFigure,
    Indicator,
    Locality,
    Origin,
    Qualifier,
    Status,
    Target,
)
from targets.services.catalogue import catalogue_load, published_figures_load

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"


def _snapshot():
    return (
        sorted(
            Target.objects.values_list(
                "indicator__code", "locality__slug", "level", "year", "value", "comparator"
            )
        ),
        Indicator.objects.count(),
        Document.objects.count(),
    )


def test_loading_puts_every_city_and_national_target_in_the_database_with_its_quote_and_document(
    empty_database,
):
    report = catalogue_load()
    # 149 targets of the five city documents (issue #16), and the 129 national targets (issue #21) of five
    # national documents, with the national-only indicators.
    assert (report.targets, report.indicators, report.documents) == (149 + 129, 66 + 61, 5 + 5)
    assert Target.objects.exclude(locality__slug="viet-nam").count() == 149
    t = Target.objects.get(indicator__code="dti_rank", locality__slug="ha-noi", year=2025)
    assert (t.comparator, t.value, t.unit) == ("<=", Decimal("5"), "rank")
    assert "nhóm 5 địa phương dẫn đầu" in t.quote
    assert t.document.code == "hn-ct-cds-2025-du-thao"
    assert " ".join(t.quote.split()) in " ".join(t.document.text.split())


def test_loading_twice_changes_nothing(empty_database):
    catalogue_load()
    published_figures_load()
    before = _snapshot(), Actual.objects.count()
    again = catalogue_load()
    published = published_figures_load()
    assert (again.targets, again.targets_removed) == (149 + 129, 0)
    assert (published.created, published.updated, published.unchanged) == (0, 0, 31)
    # The former Đà Nẵng's 2024 rank, score and online-dossier rate, as predecessor history, every time.
    assert published.former == 3
    assert FormerUnitFigure.objects.count() == 3
    assert (_snapshot(), Actual.objects.count()) == before


def test_localities_record_the_2025_mergers(empty_database):
    catalogue_load()
    hai_phong = Locality.objects.get(slug="hai-phong")
    da_nang = Locality.objects.get(slug="da-nang")
    assert list(hai_phong.predecessors.values_list("slug", flat=True)) == ["hai-duong"]
    assert list(da_nang.predecessors.values_list("slug", flat=True)) == ["quang-nam"]
    assert Locality.objects.get(slug="hai-duong").valid_to == dt.date(2025, 6, 30)
    assert Locality.objects.get(slug="ha-noi").predecessors.count() == 0


def test_district_targets_are_marked_not_applicable_after_june_2025(empty_database):
    catalogue_load()
    district = Target.objects.filter(level="district")
    # Six city targets, and three national ones (749/QĐ-TTg 2025 and 2030, 942/QĐ-TTg 2025).
    assert district.count() == 6 + 3
    assert set(district.values_list("applies_until", flat=True)) == {dt.date(2025, 6, 30)}


def test_a_broken_fixture_loads_nothing_and_names_file_and_record(empty_database, tmp_path):
    catalogue_load()
    before = _snapshot()
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root)
    # A valid change in one file and a broken record in another: neither may land.
    path = root / "catalogue/targets/hp-nq-03-2021.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("value = 35\n", "value = 36\n"), encoding="utf-8"
    )
    path = root / "catalogue/targets/dn-nq-cds-2025.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("value = 5000", 'value = "nhiều"'), encoding="utf-8"
    )
    with pytest.raises(CatalogueError) as exc:
        catalogue_load(root=root)
    assert "dn-nq-cds-2025.toml: target #" in str(exc.value)
    assert "'value' has the wrong type" in str(exc.value)
    assert _snapshot() == before


def test_the_command_reports_a_broken_fixture_and_changes_nothing(empty_database, tmp_path):
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root)
    (root / "catalogue/pillars.toml").write_text("[[pillar]]\nslug = 'x'\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("load_catalogue", root=str(root))
    assert "nothing changed" in str(exc.value)
    assert "pillars.toml: pillar #1 (" not in str(exc.value)  # the record is incomplete: named by number
    assert "pillars.toml: pillar #1: missing required key 'name'" in str(exc.value)
    assert Target.objects.count() == 0 and Indicator.objects.count() == 0


def test_a_target_removed_from_its_file_is_removed_on_reload(empty_database, tmp_path):
    catalogue_load()
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root)
    path = root / "catalogue/targets/hp-kh-86-2022.toml"
    text = path.read_text(encoding="utf-8")
    cut = text.index('[[target]]\nindicator = "fiber_household_subscriptions"')
    path.write_text(text[:cut], encoding="utf-8")
    report = catalogue_load(root=root)
    assert (report.targets, report.targets_removed) == (148 + 129, 1)  # with the national targets
    assert not Target.objects.filter(indicator__code="fiber_household_subscriptions").exists()


def test_published_figures_are_approved_actuals_with_their_source(catalogue):
    rank = Actual.objects.get(indicator__code="dti_rank", locality__slug="hai-phong", period__code="2024")
    assert (rank.value, rank.ranked_among, rank.origin, rank.status) == (
        Decimal("3"),
        34,
        Origin.PUBLISHED,
        Status.APPROVED,
    )
    assert rank.source.startswith("https://dantri.com.vn/")
    assert rank.published_on == dt.date(2025, 10, 21)
    # 34 rows (the reference's 31 and Hải Phòng's three 2022 results of seed 003, issue #16), less the former
    # (pre-merger) Đà Nẵng's three 2024 figures: predecessor history, not series.
    assert Actual.objects.filter(origin=Origin.PUBLISHED).count() == 31
    assert not Actual.objects.filter(origin=Origin.PUBLISHED, source="").exists()


def test_the_merged_figure_is_the_series_and_the_former_units_is_kept_as_labelled_predecessor_history(
    catalogue,
):
    # Đà Nẵng 2024: the former city ranked 2/63 (score 0.8335), the merged one (with Quảng Nam) 17/34.
    rank = Actual.objects.get(indicator__code="dti_rank", locality__slug="da-nang", period__code="2024")
    score = Actual.objects.get(indicator__code="dti_score", locality__slug="da-nang", period__code="2024")
    assert (rank.value, rank.ranked_among, score.value) == (Decimal("17"), 34, Decimal("0.7069"))
    former = FormerUnitFigure.objects.get(indicator__code="dti_rank", locality__slug="da-nang", year=2024)
    assert (former.value, former.ranked_among, former.unit_name, former.unit_name_en) == (
        Decimal("2"),
        63,
        "Đà Nẵng cũ",
        "former Đà Nẵng",
    )
    assert former.published_on == dt.date(2025, 10, 21) and former.source.startswith("https://")
    # The former city's online-dossier rate (no merged figure) is history too, never in the series.
    assert not Actual.objects.filter(
        indicator__code="fully_online_dossier_rate", locality__slug="da-nang"
    ).exists()
    assert FormerUnitFigure.objects.filter(indicator__code="fully_online_dossier_rate", year=2024).exists()
    report = published_figures_load()
    assert (report.created, report.updated, report.former) == (0, 0, 3)
    assert FormerUnitFigure.objects.count() == 3


def test_a_published_figure_keeps_its_qualifier_and_its_note_in_both_languages(catalogue):
    lower = Actual.objects.get(indicator__code="on_time_resolution_rate", locality__slug="hai-phong")
    assert (lower.value, lower.qualifier) == (Decimal("98"), Qualifier.LOWER_BOUND)
    assert "trên 98%" in lower.note and "above 98%" in lower.note_en
    share = Actual.objects.get(indicator__code="digital_economy_grdp_share", locality__slug="da-nang")
    assert share.qualifier == Qualifier.PRELIMINARY
    assert share.note.startswith("Ước tính sơ bộ") and share.note_en.startswith("Preliminary estimate")
    published = Actual.objects.filter(origin=Origin.PUBLISHED)
    assert not published.filter(note="").exists() and not published.filter(note_en="").exists()


def test_a_published_figure_keeps_its_publication_date_or_none_where_it_is_unknown(catalogue):
    ranks = Actual.objects.filter(indicator__code="dti_rank", locality__slug="ha-noi")
    assert dict(ranks.values_list("period__code", "published_on")) == {
        "2020": dt.date(2021, 10, 19),
        "2021": dt.date(2022, 8, 8),
        "2022": dt.date(2023, 7, 12),
        "2023": dt.date(2025, 2, 6),
        "2024": dt.date(2025, 10, 21),
    }
    unknown = Actual.objects.get(indicator__code="documents_sent_online_share", locality__slug="hai-phong")
    assert unknown.published_on is None


def test_demo_data_is_labelled_demo_and_never_replaces_a_published_figure(catalogue):
    published = dict(Actual.objects.filter(origin=Origin.PUBLISHED).values_list("pk", "value"))
    report = demo_data_generate(today=dt.date(2026, 11, 22))
    assert report.until == "2026-Q3" and report.created > 500
    demo = Actual.objects.filter(origin=Origin.DEMO)
    assert demo.count() == report.created
    assert not demo.exclude(note__icontains="demo").exists()
    assert dict(Actual.objects.filter(origin=Origin.PUBLISHED).values_list("pk", "value")) == published
    # Hải Phòng's DTI rank is published for 2020, 2022, 2023 and 2024: a series with real figures gets no
    # demo values.
    hp_rank = Actual.objects.filter(indicator__code="dti_rank", locality__slug="hai-phong")
    assert dict(hp_rank.values_list("period__code", "origin")) == {
        "2020": "published",
        "2022": "published",
        "2023": "published",
        "2024": "published",
    }
    # Quarterly series run from 2021-Q1 to the last closed quarter; nothing at district level after 2025-Q2.
    codes = set(
        demo.filter(indicator__code="epayment_accounts", locality__slug="ha-noi").values_list(
            "period__code", flat=True
        )
    )
    assert min(codes) == "2021-Q1" and max(codes) == "2026-Q3" and len(codes) == 23
    assert not demo.filter(level="district", period__year=2025, period__quarter__gte=3).exists()
    assert not demo.filter(locality__slug__in=["hai-duong", "quang-nam"]).exists()


def test_demo_data_twice_creates_nothing_new(catalogue):
    first = demo_data_generate(today=dt.date(2026, 11, 22))
    values = sorted(Actual.objects.values_list("pk", "value"))
    second = demo_data_generate(today=dt.date(2026, 11, 22))
    assert (second.created, second.kept) == (0, first.created)
    assert sorted(Actual.objects.values_list("pk", "value")) == values


def test_demo_accounts_are_refused_outside_development(db, settings):
    settings.DEBUG = False
    with pytest.raises(RuntimeError):
        demo_accounts_create()
