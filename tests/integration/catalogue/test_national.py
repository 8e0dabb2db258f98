"""The national frame in the database (issue #21): the country's targets, the city → national links, the DTI
frameworks and their links, loaded all or nothing; the country kept out of everything that lists provinces."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command

from targets import access
from targets.catalogue import CatalogueError
from targets.devdata import demo_data_generate
from targets.models import (
    Actual,
    Framework,
    FrameworkIndex,
    IndexLink,
    IndexScore,
    Locality,
    PlanTask,
    Target,
)
from targets.services.catalogue import catalogue_load
from targets.services.frameworks import frameworks_load
from tests.integration.plan_data import load_plan86

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
EXTRA = Path(__file__).resolve().parents[2] / "fixtures" / "national_frame"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root)
    return root


def _national_snapshot():
    return (
        sorted(Target.objects.values_list("pk", "value")),
        sorted(
            Target.objects.filter(locality__slug="viet-nam").values_list(
                "indicator__code", "year", "level", "quote", "provenance", "quote_source"
            )
        ),
        sorted(Target.objects.filter(national_target__isnull=False).values_list("pk", "national_target_id")),
    )


def test_national_targets_are_targets_of_the_country_with_quote_source_and_provenance(empty_database):
    catalogue_load()
    country = Locality.objects.get(slug="viet-nam")
    assert (country.is_country, country.publishes) == (True, False)
    national = Target.objects.filter(locality=country)
    assert national.count() == 129
    with (FIXTURES / "catalogue/national/national_targets.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    stored = {(t.quote, t.provenance, t.quote_source) for t in national}
    assert stored == {(r["quote"], r["provenance"], r["source"]) for r in rows}
    # "more than half of the country's population will be making use of electronic forms of payment"
    payment = national.get(indicator__code="epayment_accounts", year=2025)
    assert (payment.comparator, payment.value, payment.provenance) == (">", Decimal("50"), "english-source")
    assert payment.quote_source.startswith("https://english.mic.gov.vn/")
    assert payment.document.code == "vn-qd-749-2020" and payment.document.text == ""


def test_city_targets_link_to_their_national_target_with_a_note(empty_database):
    catalogue_load()
    city = Target.objects.get(locality__slug="hai-phong", indicator__code="epayment_accounts", year=2030)
    national = city.national_target
    assert (national.locality.slug, national.document.code, national.year) == (
        "viet-nam",
        "vn-qd-749-2020",
        2030,
    )
    assert (national.comparator, national.value) == (">", Decimal("80"))
    assert "749" in city.national_note
    assert Target.objects.filter(national_target__isnull=False).count() == 38
    # An interim city target is not linked (see national_links.toml).
    assert (
        Target.objects.get(
            locality__slug="hai-phong", indicator__code="epayment_accounts", year=2023
        ).national_target
        is None
    )


def test_a_link_removed_from_the_file_is_removed_on_reload(empty_database, tmp_path):
    catalogue_load()
    root = _copy(tmp_path)
    (root / "catalogue/national_links.toml").write_text("# no links\n", encoding="utf-8")
    catalogue_load(root=root)
    assert not Target.objects.filter(national_target__isnull=False).exists()
    assert not Target.objects.exclude(national_note="").exists()


def test_a_broken_national_file_loads_nothing(empty_database, tmp_path):
    catalogue_load()
    before = _national_snapshot()
    root = _copy(tmp_path)
    # A valid change in a city file, and one broken national row: neither may land.
    city = root / "catalogue/targets/hp-kh-86-2022.toml"
    text = city.read_text(encoding="utf-8")
    assert "value = 10\n" in text
    city.write_text(text.replace("value = 10\n", "value = 9\n", 1), encoding="utf-8")
    path = root / "catalogue/national/national_targets.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",official\n", ",unofficial\n", 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"national_targets\.csv: line 2: provenance must be one of"):
        catalogue_load(root=root)
    assert _national_snapshot() == before
    with pytest.raises(CommandError, match="nothing changed"):
        call_command("load_catalogue", root=str(root))
    assert _national_snapshot() == before


def test_replacing_a_quote_and_its_provenance_in_the_file_updates_the_target_in_place(
    empty_database, tmp_path
):
    catalogue_load()
    target = Target.objects.get(locality__slug="viet-nam", indicator__code="epayment_accounts", year=2025)
    root = _copy(tmp_path)
    path = root / "catalogue/national/national_targets.csv"
    text = path.read_text(encoding="utf-8")
    old = "more than half of the country’s population will be making use of electronic forms of payment"
    new = "trên 50% dân số có tài khoản thanh toán điện tử (câu giả định của văn bản đã ký cho kiểm thử)"
    line = next(li for li in text.splitlines() if old in li)
    fixed = line.replace(old, new).replace(",english-source", ",official")
    path.write_text(text.replace(line, fixed), encoding="utf-8")
    catalogue_load(root=root)
    target.refresh_from_db()
    assert (target.quote, target.provenance) == (new, "official")  # the same row: links to it are kept
    assert Target.objects.filter(national_target=target).count() == 2  # Hải Phòng's and Hà Nội's 2025


# --- the DTI frameworks ----------------------------------------------------------------------------------------


def test_frameworks_load_with_indices_links_and_tasks_and_twice_changes_nothing(catalogue):
    load_plan86()  # loads the plans, then the frameworks (as load_catalogue does)
    assert list(Framework.objects.values_list("code", flat=True)) == [
        "dti-tinh-1726",
        "dti-tinh-922",
        "dti-tinh-405",
        "dti-quoc-gia-405",
    ]
    nine = FrameworkIndex.objects.get(framework__code="dti-tinh-922", key="9")
    assert (nine.level, nine.parent.key, nine.points) == ("main", "II", "")  # its points were not read
    link = IndexLink.objects.get(
        indicator__code="work_dossiers_online", index__framework__code="dti-tinh-922"
    )
    assert (link.index.key, link.index.name) == ("7", "Hoạt động chính quyền số")
    task = PlanTask.objects.filter(component="hoat-dong", pillar__slug="kinh-te-so").first()
    assert task.index_links.get(index__framework__code="dti-tinh-922").index.key == "8"
    before = sorted(IndexLink.objects.values_list("pk", "index_id", "indicator_id", "task_id", "note"))
    report = frameworks_load()
    assert (report.frameworks, report.indices) == (4, 56)
    assert (
        sorted(IndexLink.objects.values_list("pk", "index_id", "indicator_id", "task_id", "note")) == before
    )


def test_a_next_framework_and_its_scores_are_loaded_from_files(catalogue, tmp_path):
    root = _copy(tmp_path)
    dti = root / "catalogue/dti"
    for name, extra in (
        ("frameworks.toml", "frameworks_extra.toml"),
        ("dti_frameworks.csv", "dti_frameworks_extra.csv"),
        ("indicator_links.toml", "indicator_links_extra.toml"),
    ):
        with (dti / name).open("a", encoding="utf-8") as fh:
            fh.write((EXTRA / extra).read_text(encoding="utf-8"))
    with (dti / "index_scores.csv").open("a", encoding="utf-8") as fh:
        fh.write("hai-phong,dti-tinh-thu-2026,A1,2026,0.6125,test fixture,\n")
    frameworks_load(root=root)
    component = FrameworkIndex.objects.get(framework__code="dti-tinh-thu-2026", key="A1.1")
    assert (component.level, component.parent.key, component.parent.parent.key) == ("component", "A1", "A")
    assert IndexLink.objects.get(index=component).indicator.code == "agencies_open_data"
    score = IndexScore.objects.get()
    assert (score.locality.slug, score.index.key, score.year, score.value) == (
        "hai-phong",
        "A1",
        2026,
        Decimal("0.6125"),
    )


def test_a_broken_framework_file_changes_nothing(catalogue, tmp_path):
    before = sorted(FrameworkIndex.objects.values_list("framework__code", "key"))
    root = _copy(tmp_path)
    path = root / "catalogue/dti/index_scores.csv"
    with path.open("a", encoding="utf-8") as fh:
        fh.write("hai-phong,dti-tinh-922,7,2022,1.5,somewhere,\n")
    with pytest.raises(CatalogueError, match="a DTI score lies within 0–1"):
        frameworks_load(root=root)
    assert sorted(FrameworkIndex.objects.values_list("framework__code", "key")) == before
    assert not IndexScore.objects.exists()


# --- the country is not a province -----------------------------------------------------------------------------


def test_the_country_is_in_no_list_of_provinces(catalogue, superuser):
    """Not on a dashboard (signed in or public), not reviewed, not reported: nobody reports for it."""
    country = Locality.objects.get(slug="viet-nam")
    for listing in (
        access.localities_for(superuser),
        access.dashboard_localities(superuser),
        access.dashboard_localities(AnonymousUser()),
        access.report_localities(superuser),
        access.review_localities(superuser),
    ):
        assert country not in listing
    assert not country.departments.exists()  # no department: no entry form, no assignment


def test_demo_data_makes_no_figures_for_the_country(catalogue):
    demo_data_generate(today=dt.date(2026, 11, 22))
    assert Actual.objects.filter(locality__slug__in=["hai-phong", "ha-noi"]).exists()
    assert not Actual.objects.filter(locality__slug="viet-nam").exists()


def test_the_admin_lists_the_frameworks_and_their_links(client, catalogue, superuser):
    client.force_login(superuser)
    for path in (
        "/admin/targets/framework/",
        "/admin/targets/frameworkindex/",
        "/admin/targets/indexlink/",
        "/admin/targets/indexscore/",
    ):
        assert client.get(path).status_code == 200, path
    assert "922/QĐ-BTTTT" in client.get("/admin/targets/framework/").content.decode()


def test_nobody_enters_figures_for_the_country_even_through_a_department_an_admin_gave_it(
    client, catalogue, superuser
):
    from targets.models import Department

    dept = Department.objects.create(locality=Locality.objects.get(slug="viet-nam"), code="thu", name="Thử")
    client.force_login(superuser)
    assert dept not in access.entry_departments(superuser)
    assert client.get("/entry/2026-Q3/", {"department": dept.pk}).status_code == 404
    assert not Actual.objects.filter(locality__slug="viet-nam").exists()
