"""Open data to a standard (issue #19): one schema, a Frictionless package a real consumer validates, DCAT,
filters with clear 400s, paging, ETag/304, per-indicator CSVs, a zip, .xlsx, and never an unapproved figure."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from targets.cache import data_changed
from targets.models import Actual, FrameworkIndex, IndexScore, Indicator, Locality, Origin, Status, Target
from targets.services.catalogue import period_get_or_create
from tests.integration.dashboard_data import approve
from tests.integration.plan_data import load_plan86

DATASETS = (
    "localities",
    "indicators",
    "documents",
    "targets",
    "actuals",
    "progress",
    "plan_tasks",
    # The national frame (issue #21).
    "national_targets",
    "dti_frameworks",
    "dti_indices",
    "dti_indicator_links",
    "dti_task_links",
    "dti_index_scores",
)
CITY_TARGETS = Target.objects.filter(locality__is_country=False)  # national ones: national_targets.csv
# Figures that must never be public: a draft, a submission and a returned value (distinctive values).
HIDDEN = {Status.DRAFT: "71.1357", Status.SUBMITTED: "72.2468", Status.RETURNED: "73.3579"}


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response
    return list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def _unapproved() -> None:
    """Hà Nội's e-payment accounts as a draft, a submission and a returned value (three quarters)."""
    for (status, value), period in zip(HIDDEN.items(), ("2026-Q1", "2026-Q2", "2026-Q3"), strict=True):
        Actual.objects.create(
            indicator=Indicator.objects.get(code="epayment_accounts"),
            locality=Locality.objects.get(slug="ha-noi"),
            period=period_get_or_create(code=period),
            value=Decimal(value),
            status=status,
            origin=Origin.ENTERED,
        )


@pytest.fixture
def open_world(catalogue):
    """The catalogue, the published figures, an approved web figure, Plan 86 and three unapproved figures,
    and one main-index score (the reference data has none yet: a test value, so that every file has rows)."""
    approve("epayment_accounts", "hai-phong", "2026-Q2", "64")
    load_plan86()
    _unapproved()
    IndexScore.objects.create(
        locality=Locality.objects.get(slug="hai-phong"),
        index=FrameworkIndex.objects.get(framework__code="dti-tinh-922", key="7"),
        year=2022,
        value=Decimal("0.5123"),
        source="test: not a published figure",
    )
    return catalogue


# --- the package, validated by a real consumer ---------------------------------------------------------------


def test_frictionless_validates_the_package_and_every_resource(client, open_world, tmp_path):
    import frictionless

    package = client.get("/open-data/datapackage.json")
    assert package.status_code == 200
    descriptor = package.json()
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert [r["name"] for r in descriptor["resources"]] == list(DATASETS)
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for resource in descriptor["resources"]:
        (tmp_path / resource["path"]).write_bytes(client.get(f"/open-data/{resource['path']}").getvalue())
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    errors = [(task.name, e.type, e.note) for task in report.tasks for e in task.errors]
    assert report.valid, errors[:10]
    # Every resource was checked and holds rows (types, primary keys and foreign keys resolved).
    assert {task.name: task.stats["rows"] > 0 for task in report.tasks} == dict.fromkeys(DATASETS, True)


def test_frictionless_catches_a_broken_foreign_key(client, open_world, tmp_path):
    """The check is real: an actual naming a locality the package does not hold is reported."""
    import frictionless

    descriptor = client.get("/open-data/datapackage.json").json()
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for resource in descriptor["resources"]:
        (tmp_path / resource["path"]).write_bytes(client.get(f"/open-data/{resource['path']}").getvalue())
    actuals = (tmp_path / "actuals.csv").read_bytes().replace(b"\r\nhai-phong,", b"\r\nnowhere,", 1)
    assert b"nowhere," in actuals
    (tmp_path / "actuals.csv").write_bytes(actuals)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {e.type for task in report.tasks for e in task.errors}


def test_the_dcat_record_lists_every_dataset_with_its_distributions(client, open_world):
    response = client.get("/open-data/catalog.jsonld")
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    record = response.json()
    assert record["@type"] == "dcat:Catalog"
    assert record["dct:license"]["@id"] == "https://creativecommons.org/licenses/by/4.0/"
    assert [d["dct:identifier"] for d in record["dcat:dataset"]] == list(DATASETS)
    targets = record["dcat:dataset"][3]
    assert [d["dcat:downloadURL"]["@id"].rsplit("/", 1)[1] for d in targets["dcat:distribution"]] == [
        "targets.csv",
        "targets.json",
        "targets.xlsx",
    ]


def test_the_open_data_page_lists_every_dataset_with_dictionary_count_and_licence(client, open_world):
    response = client.get(reverse("reports:open_data"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Creative Commons Attribution 4.0 International" in html and "Dữ liệu mở / open data" not in html
    for name in DATASETS:
        assert f'id="{name}"' in html and f"{name}.csv" in html and f"{name}.xlsx" in html
    assert f'data-count="targets">{CITY_TARGETS.count()}<' in html
    assert (
        f'data-count="national_targets">{Target.objects.filter(locality__is_country=True).count()}<' in html
    )
    assert 'data-count="localities">3<' in html  # the three cities publish; the merged units do not
    assert "<code>indicator_code</code>" in html and "/open-data/indicators/dti_rank.csv" in html
    assert client.get(reverse("reports:open_data"), HTTP_ACCEPT_LANGUAGE="en").status_code == 200


def test_identifiers_province_codes_units_and_period_types(client, open_world):
    localities = {r["locality"]: r["locality_code"] for r in _csv(client.get("/open-data/localities.csv"))}
    assert localities == {"ha-noi": "01", "hai-phong": "31", "da-nang": "48"}
    rows = _csv(client.get("/open-data/actuals.csv"))
    web = next(
        r
        for r in rows
        if (r["locality"], r["indicator_code"], r["period"]) == ("hai-phong", "epayment_accounts", "2026-Q2")
    )
    assert (web["locality_code"], web["unit"], web["period_type"], web["year"], web["value"]) == (
        "31",
        Indicator.objects.get(code="epayment_accounts").unit,
        "quarter",
        "2026",
        "64",
    )
    assert web["indicator_name"] == Indicator.objects.get(code="epayment_accounts").name
    assert web["last_changed"].endswith("Z") and web["known_basis"]
    rank = next(r for r in rows if r["indicator_code"] == "dti_rank")
    assert rank["period_type"] == "year" and rank["origin"] == "published" and rank["source"]
    targets = _csv(client.get("/open-data/targets.csv"))
    assert {int(r["target_id"]) for r in targets} == set(CITY_TARGETS.values_list("id", flat=True))


# --- never an unapproved figure ---------------------------------------------------------------------------------


def test_no_draft_submitted_or_returned_figure_in_any_open_file(client, open_world):
    assert Actual.objects.exclude(status=Status.APPROVED).count() == 3
    paths = [f"/open-data/{name}.{fmt}" for name in DATASETS for fmt in ("csv", "json")]
    paths += ["/open-data/indicators/epayment_accounts.csv", "/open-data/progress.csv?as_of=2026-Q4"]
    for path in paths:
        body = client.get(path).getvalue().decode("utf-8-sig")
        for value in HIDDEN.values():
            assert value.rstrip("0") not in body, (path, value)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/open-data/dti-portal-open-data.zip").getvalue()))
    for name in archive.namelist():
        text = archive.read(name).decode("utf-8-sig")
        assert not any(v in text for v in HIDDEN.values()), name
    hanoi = [
        r
        for r in _csv(client.get("/open-data/actuals.csv?locality=ha-noi"))
        if r["indicator_code"] == "epayment_accounts"
    ]
    assert [r["period"] for r in hanoi if r["period"].startswith("2026")] == []


def test_a_locality_that_does_not_publish_is_left_out(client, open_world):
    Locality.objects.filter(slug="da-nang").update(publishes=False)
    data_changed()
    assert {r["locality"] for r in _csv(client.get("/open-data/targets.csv"))} == {"ha-noi", "hai-phong"}
    assert "da-nang" not in {r["locality"] for r in _csv(client.get("/open-data/actuals.csv"))}
    response = client.get("/open-data/actuals.csv?locality=da-nang")
    assert response.status_code == 400 and response.json()["parameter"] == "locality"


# --- filters and their 400s -------------------------------------------------------------------------------------


def test_every_filter_narrows_the_actuals(client, open_world):
    every = _csv(client.get("/open-data/actuals.csv"))
    # Hand-counted expectations from the rows as a whole: each filter keeps exactly the matching rows.
    cases = {
        "locality=hai-phong": lambda r: r["locality"] == "hai-phong",
        "indicator=dti_rank": lambda r: r["indicator_code"] == "dti_rank",
        "pillar=dti": lambda r: r["pillar"] == "dti",
        "year=2024": lambda r: r["year"] == "2024",
        "period=2026-Q2": lambda r: r["period"] == "2026-Q2",
    }
    for query, keep in cases.items():
        rows = _csv(client.get(f"/open-data/actuals.csv?{query}"))
        assert rows == [r for r in every if keep(r)] and rows, query
    both = _csv(client.get("/open-data/actuals.csv?locality=hai-phong&period=2026-Q2"))
    assert [(r["indicator_code"], r["value"]) for r in both] == [("epayment_accounts", "64")]


def test_since_keeps_the_figures_changed_from_that_moment(client, open_world):
    every = _csv(client.get("/open-data/actuals.csv"))
    newest = max(r["last_changed"] for r in every)
    rows = _csv(client.get("/open-data/actuals.csv", {"since": newest}))
    assert rows == [r for r in every if r["last_changed"] >= newest] and len(rows) < len(every)
    assert _csv(client.get("/open-data/actuals.csv", {"since": "2999-01-01"})) == []


@pytest.mark.parametrize(
    "dataset,query,expected",
    [
        ("targets", "locality=hai-phong", lambda r: r["locality"] == "hai-phong"),
        ("targets", "indicator=dti_rank", lambda r: r["indicator_code"] == "dti_rank"),
        ("targets", "pillar=kinh-te-so", lambda r: r["pillar"] == "kinh-te-so"),
        ("targets", "year=2030", lambda r: r["year"] == "2030"),
        ("progress", "locality=da-nang", lambda r: r["locality"] == "da-nang"),
        ("progress", "year=2025", lambda r: r["year"] == "2025"),
        ("indicators", "pillar=dti", lambda r: r["pillar"] == "dti"),
        ("documents", "locality=ha-noi", lambda r: r["locality"] == "ha-noi"),
        ("plan_tasks", "year=2022", lambda r: r["year"] == "2022"),
        ("plan_tasks", "pillar=chinh-quyen-so", lambda r: r["pillar"] == "chinh-quyen-so"),
    ],
)
def test_filters_on_the_other_datasets(client, open_world, dataset, query, expected):
    every = _csv(client.get(f"/open-data/{dataset}.csv"))
    rows = _csv(client.get(f"/open-data/{dataset}.csv?{query}"))
    assert rows == [r for r in every if expected(r)] and rows


@pytest.mark.parametrize(
    "query,parameter",
    [
        ("locality=atlantis", "locality"),
        ("indicator=no_such_indicator", "indicator"),
        ("pillar=vu-tru-so", "pillar"),
        ("year=20x5", "year"),
        ("year=1999", "year"),
        ("period=2026-Q5", "period"),
        ("since=yesterday", "since"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("offset=-3", "offset"),
    ],
)
def test_an_unknown_value_gets_a_400_naming_the_parameter(client, open_world, query, parameter):
    response = client.get(f"/open-data/actuals.json?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == parameter and parameter in body["error"]


def test_a_filter_a_dataset_has_no_column_for_is_refused(client, open_world):
    response = client.get("/open-data/localities.csv?year=2025")
    assert response.status_code == 400 and response.json()["parameter"] == "year"
    response = client.get("/open-data/targets.csv?since=2026-01-01", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response.json()["parameter"] == "since"


def test_a_future_as_of_stays_refused(client, open_world):
    response = client.get("/open-data/progress.csv?as_of=2027-Q4")
    assert response.status_code == 400 and "chưa đến" in response.content.decode()


# --- paging, formats ------------------------------------------------------------------------------------------


def test_json_is_paged_with_the_total_in_a_header(client, open_world):
    every = client.get("/open-data/targets.json").json()["data"]
    response = client.get("/open-data/targets.json?limit=10&offset=20")
    body = response.json()
    assert response["X-Total-Count"] == str(CITY_TARGETS.count()) == str(body["meta"]["count"])
    assert body["data"] == every[20:30]


def test_large_csv_is_streamed(client, open_world):
    response = client.get("/open-data/actuals.csv")
    assert response.streaming  # StreamingHttpResponse: written a few thousand rows at a time


def test_xlsx_holds_the_same_rows_as_the_csv(client, open_world):
    for name in ("targets", "actuals"):
        rows = _csv(client.get(f"/open-data/{name}.csv"))
        response = client.get(f"/open-data/{name}.xlsx")
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(response.getvalue()), read_only=True)
        sheet = list(book[name].iter_rows(values_only=True))
        assert list(sheet[0]) == list(rows[0]) and len(sheet) - 1 == len(rows)
        assert "dictionary" in book.sheetnames


def test_per_indicator_csv_and_the_zip_of_everything(client, open_world):
    every = _csv(client.get("/open-data/actuals.csv"))
    rank = _csv(client.get("/open-data/indicators/dti_rank.csv"))
    assert rank == [r for r in every if r["indicator_code"] == "dti_rank"] and rank
    assert client.get("/open-data/indicators/no_such.csv").status_code == 404
    archive = zipfile.ZipFile(io.BytesIO(client.get("/open-data/dti-portal-open-data.zip").getvalue()))
    assert sorted(archive.namelist()) == sorted(["datapackage.json", *(f"{n}.csv" for n in DATASETS)])


# --- caching -------------------------------------------------------------------------------------------------


def test_etag_and_last_modified_answer_304_until_the_data_change(client, open_world, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "i19"}
    }
    first = client.get("/open-data/actuals.csv")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert "max-age=300" in first["Cache-Control"] and "public" in first["Cache-Control"]
    again = client.get("/open-data/actuals.csv", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    assert client.get("/open-data/actuals.csv", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    # Another query is another file.
    assert client.get("/open-data/actuals.csv?locality=ha-noi", HTTP_IF_NONE_MATCH=etag).status_code == 200
    approve("epayment_accounts", "hai-phong", "2026-Q3", "66")
    data_changed()
    changed = client.get("/open-data/actuals.csv", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert any(r["period"] == "2026-Q3" and r["value"] == "66" for r in _csv(changed))
