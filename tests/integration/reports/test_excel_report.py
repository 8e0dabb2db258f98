"""The Sở's Excel report: sheets, headers, values equal to the engine's, formats, conditional colours, chart."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Q
from openpyxl import load_workbook

from targets.devdata import demo_data_generate
from targets.models import Document, Target
from targets.progress import STATUSES
from targets.services.catalogue import period_get_or_create
from targets.services.entry import EntryRow, actuals_submit

SHEETS = [
    "Tổng hợp",
    "Chính quyền số",
    "Kinh tế số",
    "Xã hội số",
    "Chỉ số DTI và xếp hạng",
    "Nhiệm vụ",
    "Tiến độ nhập liệu",
    "Số liệu",
    "Nguồn",
]


@pytest.fixture
def reviewer_client(client, hai_phong_reviewer, fixed_today):
    demo_data_generate(today=dt.date(2026, 11, 22))
    client.force_login(hai_phong_reviewer)
    return client


def _report(client, **params):
    response = client.get("/reports/download/", {"locality": "hai-phong", "as_of": "2026-Q3", **params})
    assert response.status_code == 200, response.content[:300]
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="bao-cao-cds-{params.get("locality", "hai-phong")}-2026-Q3.xlsx"'
    )
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_report_has_its_sheets_title_and_headers(reviewer_client):
    wb = _report(reviewer_client)
    assert wb.sheetnames == SHEETS
    summary = wb["Tổng hợp"]
    assert summary["A1"].value == "BÁO CÁO TIẾN ĐỘ THỰC HIỆN CÁC CHỈ TIÊU CHUYỂN ĐỔI SỐ"
    assert summary["B2"].value == "Hải Phòng" and summary["B3"].value == "Quý III/2026"
    assert isinstance(summary["B4"].value, dt.datetime)
    assert "DỮ LIỆU MINH HOẠ" in summary["A5"].value
    assert len(summary._charts) == 1
    assert wb["Chính quyền số"]["A1"].value == "Chỉ tiêu"
    assert wb["Chính quyền số"].freeze_panes == "A2"
    assert wb["Chính quyền số"].page_setup.orientation == "landscape"
    assert wb["Chính quyền số"].print_title_rows == "$1:$1"


def test_the_figures_equal_the_open_data_for_the_same_as_of(reviewer_client, client):
    wb = _report(reviewer_client)
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/open-data/progress.csv", {"as_of": "2026-Q3"}).getvalue().decode("utf-8-sig")
            )
        )
    )
    open_data = {
        (r["indicator_name"], r["level"], r["year"]): r for r in rows if r["locality"] == "hai-phong"
    }
    ws = wb["Chính quyền số"]
    header = [c.value for c in ws[1]]
    col = {name: i for i, name in enumerate(header)}
    checked = 0
    level_codes = {"cấp tỉnh/thành phố": "city", "cấp huyện": "district", "cấp xã": "commune", None: ""}
    for row in ws.iter_rows(min_row=2, values_only=True):
        r = open_data[(row[col["Chỉ tiêu"]], level_codes[row[col["Cấp"]]], str(row[col["Năm"]]))]
        latest = row[col["Giá trị mới nhất"]]
        assert (latest is None) == (r["latest"] == "")
        if latest is not None:
            # Kept to the indicator's precision (two places for these percentages).
            assert latest == pytest.approx(float(r["latest"]), abs=0.005)
            year, _, quarter = r["latest_period"].partition("-Q")
            expected = (
                f"Quý {['I', 'II', 'III', 'IV'][int(quarter) - 1]}/{year}" if quarter else f"Năm {year}"
            )
            assert row[col["Kỳ"]] == expected
        if r["gap"]:
            assert row[col["Khoảng cách"]] == pytest.approx(float(r["gap"]), abs=0.005)
        checked += 1
    # A target's pillar is its document's, the indicator's by default (issue #16).
    assert (
        checked
        == Target.objects.filter(
            Q(pillar__slug="chinh-quyen-so")
            | Q(pillar__isnull=True, indicator__pillar__slug="chinh-quyen-so"),
            locality__slug="hai-phong",
        ).count()
    )


def test_cells_hold_numbers_with_formats_and_status_colours(reviewer_client):
    wb = _report(reviewer_client)
    ws = wb["Kinh tế số"]
    header = [c.value for c in ws[1]]
    latest = ws.cell(row=2, column=header.index("Giá trị mục tiêu") + 1)
    # The format follows the indicator's precision and the figure: never "#,##0.##" (which shows "100,").
    assert isinstance(latest.value, (int, float)) and latest.number_format in ("#,##0", "#,##0.0", "#,##0.00")
    assert ws.cell(row=2, column=header.index("Mức hoàn thành") + 1).number_format in ("0%", "General")
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    # One colour per status, awaiting_final included.
    assert len(rules) == len(STATUSES) and {r.formula[0] for r in rules} >= {
        '"Đã đạt"',
        '"Không đạt (đã quá hạn)"',
        '"Chờ số liệu cuối kỳ"',
    }


def test_the_data_sheet_filters_every_approved_and_published_value_under_a_frozen_header(reviewer_client):
    wb = _report(reviewer_client)
    ws = wb["Số liệu"]
    assert ws.auto_filter.ref == f"A1:I{ws.max_row}" and ws.freeze_panes == "A2"
    origins = {row[7] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert origins == {"dữ liệu minh hoạ", "số liệu công bố"}  # labels, never the codes
    assert {row[6] for row in ws.iter_rows(min_row=2, values_only=True)} == {"đã duyệt"}
    published = [row for row in ws.iter_rows(min_row=2, values_only=True) if row[7] == "số liệu công bố"]
    assert all(row[8] for row in published)


def test_the_sources_sheet_quotes_every_target(reviewer_client):
    wb = _report(reviewer_client)
    quotes = [
        row for row in wb["Nguồn"].iter_rows(min_row=2, values_only=True) if row[0] == "Trích dẫn mục tiêu"
    ]
    assert len(quotes) == Target.objects.filter(locality__slug="hai-phong").count()


def test_the_data_entry_sheet_lists_departments_with_their_progress(reviewer_client, finance_assignments):
    wb = _report(reviewer_client)
    rows = list(wb["Tiến độ nhập liệu"].iter_rows(min_row=2, values_only=True))
    finance = next(r for r in rows if r[1] == "Sở Tài chính")
    assert finance[2] == 3  # three indicators assigned


def test_a_viewer_of_another_city_cannot_download_hai_phong(client, ha_noi_viewer, fixed_today):
    client.force_login(ha_noi_viewer)
    assert client.get("/reports/download/", {"locality": "hai-phong", "as_of": "2026-Q3"}).status_code == 404
    assert client.get("/reports/download/", {"locality": "ha-noi", "as_of": "2026-Q3"}).status_code == 200


def test_only_a_superuser_may_export_every_locality_at_once_through_a_background_job(
    client, superuser, reviewer_client, django_capture_on_commit_callbacks
):
    # The reviewer of Hải Phòng neither sees the "all" choice nor gets the report of every locality.
    assert not reviewer_client.get("/reports/").context["can_choose_all"]
    assert (
        reviewer_client.get("/reports/download/", {"locality": "all", "as_of": "2026-Q3"}).status_code == 404
    )
    client.force_login(superuser)
    assert client.get("/reports/").context["can_choose_all"]
    # Every locality: a background job (run at once by the tests' task backend), then its file.
    with django_capture_on_commit_callbacks(execute=True):
        job_page = client.post("/reports/download/?locality=all&as_of=2026-Q3")
    assert job_page.status_code == 302 and "/reports/jobs/" in job_page["Location"]
    response = client.get(job_page["Location"] + "file/")
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-cds-all-2026-Q3.xlsx"'
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    # Every current locality with targets, in the database's order of names ("Đ" after "H").
    assert wb["Tổng hợp"]["B2"].value == "Hà Nội, Hải Phòng, Đà Nẵng"


def test_a_bad_quarter_gets_a_message(reviewer_client):
    response = reviewer_client.get("/reports/download/", {"locality": "hai-phong", "as_of": "2026-Q9"})
    assert response.status_code == 400
    assert "không hợp lệ" in response.content.decode()


def test_the_report_makes_a_fixed_number_of_queries(reviewer_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        reviewer_client.get("/reports/download/", {"locality": "hai-phong", "as_of": "2026-Q3"})


def test_the_export_command_writes_the_same_workbook(catalogue, tmp_path):
    out = tmp_path / "report.xlsx"
    call_command("export_report", "--locality", "hai-phong", "--period", "2026-Q3", "--out", str(out))
    wb = load_workbook(out)
    assert wb.sheetnames == SHEETS


def test_a_failed_export_leaves_the_last_report_in_place(catalogue, tmp_path, monkeypatch):
    out = tmp_path / "report.xlsx"
    call_command("export_report", "--locality", "hai-phong", "--period", "2026-Q3", "--out", str(out))
    good = out.read_bytes()

    def fail_half_way(data, target):
        with open(target, "wb") as f:
            f.write(b"PK half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr("reports.excel.writer.write_report", fail_half_way)
    with pytest.raises(OSError, match="disk full"):
        call_command("export_report", "--locality", "hai-phong", "--period", "2026-Q3", "--out", str(out))
    assert out.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]


def test_actuals_open_data_lists_approved_and_published_values_only(
    client, catalogue, finance_assignments, hai_phong_finance_editor, today
):
    actuals_submit(
        user=hai_phong_finance_editor,
        department=finance_assignments[0].department,
        period=period_get_or_create(code="2026-Q4"),
        today=today,
        rows=[EntryRow(key="a", indicator=finance_assignments[0].indicator, level="", raw_value="60")],
    )
    response = client.get("/open-data/actuals.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "locality",
        "locality_code",
        "pillar",
        "indicator_code",
        "indicator_name",
        "unit",
        "level",
        "period",
        "period_type",
        "year",
        "value",
        "origin",
        "source",
        "known_on",
        "known_basis",
        "last_changed",
    ]
    # The 34 published rows less the former Đà Nẵng's three 2024 figures (predecessor history, issue #16).
    assert len(rows) == 31 and {r["origin"] for r in rows} == {
        "published"
    }  # the submitted value is not public
    body = client.get("/open-data/actuals.json").json()
    assert body["meta"]["count"] == 31


def test_sources_are_document_numbers_titles_or_addresses_never_internal_file_names(reviewer_client):
    wb = _report(reviewer_client)
    rows = list(wb["Nguồn"].iter_rows(min_row=2, values_only=True))
    cells = [str(c) for row in rows for c in row if c is not None]
    assert not [c for c in cells if re.search(r"\d{3}_[0-9a-f]{16}\.txt", c)]
    documents = [row for row in rows if row[0] == "Văn bản nguồn"]
    assert documents and all(row[1] or row[2] for row in documents)
    assert all(not row[4] or row[4].startswith(("http://", "https://")) for row in documents)
    # Target quotes name their document by its number (or title when it has none), never by its code.
    codes = set(Document.objects.values_list("code", flat=True))
    assert not {row[1] for row in rows if row[0] == "Trích dẫn mục tiêu"} & codes


def test_a_report_of_every_locality_has_a_summary_row_per_city(
    client, superuser, fixed_today, django_capture_on_commit_callbacks
):
    demo_data_generate(today=dt.date(2026, 11, 22))
    client.force_login(superuser)
    # Every locality's report is a background job (issue #20): run at once by the tests' task backend.
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post("/reports/download/?locality=all&as_of=2026-Q3")
    assert asked.status_code == 302
    download = client.get(asked["Location"] + "file/")
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    ws = wb["Tổng hợp"]
    names = [r[0] for r in ws.iter_rows(values_only=True)]
    start = names.index("Địa phương")
    cities = [n for n in names[start + 1 :] if n]
    expected = sorted(
        set(
            Target.objects.filter(locality__valid_to__isnull=True, locality__is_country=False).values_list(
                "locality__name", flat=True
            )
        )
    )
    assert cities == expected
