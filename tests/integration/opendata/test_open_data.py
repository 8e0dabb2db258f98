"""Open data: public, no login, exactly the documented columns, every target, Excel-friendly CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from targets.models import Target

# The identifiers (target_id, the official province code, the document code) beside the documented columns.
COLUMNS = [
    "target_id",
    "locality",
    "locality_code",
    "pillar",
    "indicator_code",
    "indicator_name",
    "level",
    "year",
    "comparator",
    "value",
    "value_max",
    "unit",
    "higher_is_better",
    "applies_until",
    "ranked_among",
    "aggregation",
    "period_from",
    "document",
    "source_document",
    "source_quote",
    "national_target_id",
    "dti_indices",
]


def _csv_rows(response):
    body = response.getvalue()
    assert body.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel"
    reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    return reader.fieldnames, list(reader)


def test_anyone_can_download_every_city_target_as_csv(client, catalogue):
    # The national targets (issue #21) have their own file, national_targets.csv.
    response = client.get("/open-data/targets.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    columns, rows = _csv_rows(response)
    assert columns == COLUMNS
    assert len(rows) == Target.objects.filter(locality__is_country=False).count() == 149
    assert {r["locality"] for r in rows} == {"hai-phong", "ha-noi", "da-nang"}
    assert {r["pillar"] for r in rows} == {"chinh-quyen-so", "kinh-te-so", "xa-hoi-so", "dti"}
    assert {r["comparator"] for r in rows} <= {">=", ">", "=", "~", "<=", "<", "range"}
    assert {r["level"] for r in rows} == {"", "city", "district", "commune"}


def test_csv_rows_carry_the_target_as_the_document_states_it(client, catalogue):
    _, rows = _csv_rows(client.get("/open-data/targets.csv"))
    by_key = {
        (r["locality"], r["indicator_code"], r["level"], r["year"], r["source_document"][:10]): r
        for r in rows
    }
    rank = by_key[("ha-noi", "dti_rank", "", "2025", "Dự thảo Ch")]
    assert (rank["pillar"], rank["comparator"], rank["value"], rank["unit"], rank["higher_is_better"]) == (
        "dti",
        "<=",
        "5",
        "rank",
        "false",
    )
    assert "nhóm 5 địa phương dẫn đầu cả nước" in rank["source_quote"]
    productivity = by_key[("ha-noi", "labour_productivity_growth", "", "2025", "Dự thảo Ch")]
    assert (productivity["comparator"], productivity["value"], productivity["value_max"]) == (
        "range",
        "7",
        "7.5",
    )
    district = by_key[("hai-phong", "work_dossiers_online", "district", "2025", "03-NQ/TU: ")]
    assert (district["value"], district["applies_until"]) == ("80", "2025-06-30")
    assert district["indicator_name"] == "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng"
    assert district["source_document"].startswith("03-NQ/TU: Nghị quyết về chuyển đổi số thành phố Hải Phòng")


def test_json_has_the_same_rows_with_typed_values(client, catalogue):
    response = client.get("/open-data/targets.json")
    assert response.status_code == 200
    body = response.json()
    assert body["columns"] == COLUMNS
    assert body["meta"]["count"] == len(body["data"]) == 149
    rank = next(
        r
        for r in body["data"]
        if (r["locality"], r["indicator_code"], r["year"]) == ("ha-noi", "dti_rank", 2025)
    )
    assert (rank["value"], rank["value_max"], rank["higher_is_better"], rank["applies_until"]) == (
        5,
        None,
        False,
        None,
    )
    assert list(rank) == COLUMNS


@pytest.mark.parametrize("path", ["/open-data/targets.xml", "/open-data/targets.CSV"])
def test_an_unknown_format_is_not_found(client, catalogue, path):
    assert client.get(path).status_code == 404


def test_open_data_refuses_writes(client, catalogue):
    assert client.post("/open-data/targets.csv").status_code == 405
    assert Target.objects.count() == 149 + 129


def test_open_data_makes_two_queries_whatever_the_catalogue_size(
    client, catalogue, django_assert_num_queries
):
    # The targets, and the DTI index each indicator feeds per framework (issue #21).
    with django_assert_num_queries(2):
        client.get("/open-data/targets.csv")
    with django_assert_num_queries(2):
        client.get("/open-data/targets.json")


def test_the_open_data_page_links_the_files_without_login(client, db):
    response = client.get(reverse("reports:open_data"))
    assert response.status_code == 200
    assert b"targets.csv" in response.content and b"targets.json" in response.content


def test_targets_csv_carries_each_targets_pillar_as_the_document_gives_it_and_each_rank_targets_basis(
    client, catalogue
):
    """Issue #16: the open targets file says under which pillar the document lists each target (Đà Nẵng's
    2030 e-commerce accounts: Xã hội số, though the indicator is Kinh tế số), the ranking each rank target
    was set against (63), and which comparison a target is (Hà Nội 2030 labour productivity: the average of
    2026–2030)."""
    _, rows = _csv_rows(client.get("/open-data/targets.csv"))
    by_key = {(r["locality"], r["indicator_code"], r["level"], r["year"]): r for r in rows}
    assert by_key[("da-nang", "households_ecommerce_accounts", "", "2030")]["pillar"] == "xa-hoi-so"
    assert by_key[("hai-phong", "mobile_digital_identity", "", "2030")]["pillar"] == "chinh-quyen-so"
    assert by_key[("hai-phong", "mobile_digital_identity", "", "2025")]["pillar"] == "xa-hoi-so"
    ranks = [r for r in rows if r["unit"] == "rank"]
    assert len(ranks) == 18 and {r["ranked_among"] for r in ranks} == {"63"}
    assert {r["ranked_among"] for r in rows if r["unit"] != "rank"} == {""}
    productivity = by_key[("ha-noi", "labour_productivity_growth", "", "2030")]
    assert (productivity["aggregation"], productivity["period_from"]) == ("period_average", "2026")
