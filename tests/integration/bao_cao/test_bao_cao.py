"""The Báo cáo (issue #18): a .docx in the Decree 30/2020 form, opened with python-docx and checked part by
part — layout, header, title, sections I–V from the engine and the reviewer's narrative, "Nơi nhận" and the
signature — from /reports/ and from `manage.py export_report --format docx`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Q
from docx import Document
from docx.shared import Mm, Pt

from targets.devdata import demo_data_generate
from targets.models import Actual, Indicator, Locality, Origin, Status, Target
from targets.services.catalogue import period_get_or_create

SUBJECT = "Kết quả thực hiện các chỉ tiêu chuyển đổi số quý III năm 2026"
HEADINGS = [
    "I. TÌNH HÌNH CHUNG",
    "II. KẾT QUẢ THEO TRỤ CỘT",
    "III. CÁC CHỈ TIÊU CHẬM TIẾN ĐỘ",
    "IV. TỒN TẠI, HẠN CHẾ, NGUYÊN NHÂN",
    "V. KIẾN NGHỊ, ĐỀ XUẤT",
]


def _download(client, **params):
    response = client.get("/reports/bao-cao/", {"locality": "hai-phong", "as_of": "2026-Q3", **params})
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-hai-phong-2026-Q3.docx"'
    return Document(io.BytesIO(response.content))


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _section(doc, start: str, end: str | None) -> list[str]:
    texts = _texts(doc)
    i = texts.index(start)
    j = texts.index(end) if end else len(texts)
    return texts[i + 1 : j]


def _cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


@pytest.fixture
def demo_client(client, hai_phong_reviewer, finance_assignments, fixed_today):
    demo_data_generate(today=dt.date(2026, 11, 22))
    client.force_login(hai_phong_reviewer)
    return client


def _open_progress(client, as_of: str) -> list[dict]:
    body = client.get("/open-data/progress.csv", {"as_of": as_of}).getvalue().decode("utf-8-sig")
    return [r for r in csv.DictReader(io.StringIO(body)) if r["locality"] == "hai-phong"]


def test_the_layout_is_a4_with_the_decree_30_margins_and_times_new_roman_13(demo_client):
    doc = _download(demo_client)
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    mm = {k: round(getattr(section, f"{k}_margin").mm, 1) for k in ("top", "bottom", "left", "right")}
    assert 20 <= mm["top"] <= 25 and 20 <= mm["bottom"] <= 25
    assert 30 <= mm["left"] <= 35 and 15 <= mm["right"] <= 20
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and Pt(13) <= normal.size <= Pt(14)
    # Every run that names a font names Times New Roman.
    fonts = {r.font.name for p in doc.paragraphs for r in p.runs if r.font.name}
    assert fonts == {"Times New Roman"}
    # The page number: a PAGE field at the top of every page.
    assert "PAGE" in section.header._element.xml


def test_the_header_names_the_issuing_body_the_motto_the_number_place_and_date(demo_client):
    doc = _download(demo_client)
    left, right = _cells(doc.tables[0])[0]
    assert left.split("\n")[:2] == ["UBND THÀNH PHỐ HẢI PHÒNG", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
    assert "Số:" in left and left.rstrip().endswith("/BC-SKHCN")
    lines = right.split("\n")
    assert lines[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert lines[-1] == "Hải Phòng, ngày 22 tháng 11 năm 2026"  # the day it is made (fixed_today)


def test_the_title_subject_and_addressee(demo_client):
    texts = _texts(_download(demo_client))
    i = texts.index("BÁO CÁO")
    assert texts[i + 1] == SUBJECT
    assert "Kính gửi: Ủy ban nhân dân thành phố Hải Phòng." in texts
    assert [t for t in texts if t in HEADINGS] == HEADINGS


def test_section_one_counts_targets_by_status_per_pillar_as_the_open_data_does(demo_client, client):
    doc = _download(demo_client)
    rows = _open_progress(client, "2026-Q3")
    overview = _section(
        doc, "1. Mục tiêu theo trạng thái, từng trụ cột", "2. Thay đổi so với quý II năm 2026"
    )
    government = next(t for t in overview if t.startswith("Chính quyền số:"))
    # A target's pillar is its document's, else its indicator's (issue #16).
    total = (
        Target.objects.filter(locality__slug="hai-phong")
        .filter(
            Q(pillar__slug="chinh-quyen-so")
            | Q(pillar__isnull=True, indicator__pillar__slug="chinh-quyen-so")
        )
        .count()
    )
    assert government.startswith(f"Chính quyền số: {total} mục tiêu, gồm ")
    achieved = sum(r["status"] == "achieved" for r in rows if r["pillar"] == "chinh-quyen-so")
    assert f"{achieved} đã đạt" in government


def test_section_one_lists_the_changes_since_the_previous_quarter(client, hai_phong_reviewer, fixed_today):
    # Hải Phòng's e-payment accounts: 75% at the end of 2026-Q2, 81% at the end of 2026-Q3. The 2030 target
    # "> 80%" is not met at Q2 and met at Q3: newly achieved.
    locality = Locality.objects.get(slug="hai-phong")
    indicator = Indicator.objects.get(code="epayment_accounts")
    for code, value in (("2026-Q2", "75"), ("2026-Q3", "81")):
        Actual.objects.create(
            indicator=indicator,
            locality=locality,
            period=period_get_or_create(code=code),
            value=Decimal(value),
            status=Status.APPROVED,
            origin=Origin.DEMO,
        )
    client.force_login(hai_phong_reviewer)
    doc = _download(client)
    changes = _section(
        doc, "2. Thay đổi so với quý II năm 2026", "3. Tiến độ nhập số liệu của các đơn vị (quý III năm 2026)"
    )
    i = next(n for n, t in enumerate(changes) if t.startswith("Mục tiêu mới đạt:"))
    assert (
        "- Tỷ lệ dân số có tài khoản thanh toán điện tử: > 80% năm 2030 (số liệu mới nhất 81%)" in changes[i:]
    )
    assert any(t.startswith("Mục tiêu mới có nguy cơ không đạt:") for t in changes)
    assert any(t.startswith("Mục tiêu mới không đạt (đã quá hạn):") for t in changes)
    # The pillar table shows the figure, its quarter and its status.
    table = next(
        t
        for t in doc.tables
        if t.rows[0].cells[0].text == "Chỉ tiêu"
        and any("tài khoản thanh toán" in r.cells[0].text for r in t.rows)
    )
    row = next(r for r in _cells(table) if r[1] == "> 80% (2030)")
    assert row == [
        "Tỷ lệ dân số có tài khoản thanh toán điện tử",
        "> 80% (2030)",
        "81% (quý III năm 2026)",
        "Đã đạt",
        "—",
    ]


def test_section_one_changes_match_the_engine_at_both_quarters(demo_client, client):
    doc = _download(demo_client)
    now = {
        (r["indicator_name"], r["level"], r["year"]): r["status"] for r in _open_progress(client, "2026-Q3")
    }
    before = {
        (r["indicator_name"], r["level"], r["year"]): r["status"] for r in _open_progress(client, "2026-Q2")
    }
    changes = _section(
        doc, "2. Thay đổi so với quý II năm 2026", "3. Tiến độ nhập số liệu của các đơn vị (quý III năm 2026)"
    )
    for status, heading in (
        ("achieved", "Mục tiêu mới đạt"),
        ("off_track", "Mục tiêu mới có nguy cơ không đạt"),
        ("missed", "Mục tiêu mới không đạt (đã quá hạn)"),
    ):
        expected = sum(1 for k, s in now.items() if s == status and before.get(k) != status)
        assert any(t.startswith(f"{heading}: {expected} mục tiêu") for t in changes), (heading, expected)


def test_section_one_shows_each_departments_entry_completeness(demo_client):
    doc = _download(demo_client)
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Đơn vị")
    assert _cells(table)[0] == ["Đơn vị", "Được giao", "Đã nhập", "Đã gửi", "Đã duyệt", "Tỷ lệ đã gửi"]
    finance = next(r for r in _cells(table) if r[0] == "Sở Tài chính")
    assert finance[1] == "3"  # three indicators assigned by finance_assignments
    assert finance[5] == f"{round(100 * int(finance[3]) / 3)}%"


def test_section_two_has_a_table_per_pillar_with_target_figure_status_and_pace(demo_client, client):
    doc = _download(demo_client)
    part = _section(doc, "II. KẾT QUẢ THEO TRỤ CỘT", "III. CÁC CHỈ TIÊU CHẬM TIẾN ĐỘ")
    assert [t for t in part if t[:2] in ("1.", "2.", "3.", "4.")] == [
        "1. Chính quyền số",
        "2. Kinh tế số",
        "3. Xã hội số",
        "4. Chỉ số DTI và xếp hạng",
    ]
    tables = [t for t in doc.tables if t.rows[0].cells[0].text == "Chỉ tiêu"]
    assert len(tables) == 4
    assert _cells(tables[0])[0] == [
        "Chỉ tiêu",
        "Mục tiêu",
        "Số liệu mới nhất",
        "Trạng thái",
        "Tốc độ còn cần/năm",
    ]
    assert sum(len(t.rows) - 1 for t in tables) == Target.objects.filter(locality__slug="hai-phong").count()


def test_section_three_names_the_responsible_department_the_figure_and_what_it_takes(demo_client, client):
    doc = _download(demo_client)
    behind = _section(doc, "III. CÁC CHỈ TIÊU CHẬM TIẾN ĐỘ", "IV. TỒN TẠI, HẠN CHẾ, NGUYÊN NHÂN")
    rows = _open_progress(client, "2026-Q3")
    slow = [r for r in rows if r["status"] in ("off_track", "regressing", "needs_acceleration")]
    assert len([t for t in behind if t[:1].isdigit()]) == len(slow) > 0
    # Hải Phòng's city-level dossiers online are Sở Tài chính's (finance_assignments).
    dossiers = next(t for t in behind if "(cấp tỉnh/thành phố)" in t and "hồ sơ công việc" in t)
    assert "Đơn vị chủ trì: Sở Tài chính." in dossiers
    city = next(r for r in slow if r["indicator_code"] == "work_dossiers_online" and r["level"] == "city")
    latest = f"{float(city['latest']):.2f}".rstrip("0").rstrip(".").replace(".", ",")
    assert f"Số liệu mới nhất: {latest}% (quý III năm 2026)" in dossiers
    pace = f"{float(city['required_pace_per_year']):.2f}".rstrip("0").rstrip(".").replace(".", ",")
    assert f"cần tăng tốc đạt {pace} điểm %/năm" in dossiers


def test_sections_four_and_five_wait_for_the_reviewer_and_the_closing_has_recipients_and_signer(demo_client):
    doc = _download(demo_client)
    assert _section(doc, "IV. TỒN TẠI, HẠN CHẾ, NGUYÊN NHÂN", "V. KIẾN NGHỊ, ĐỀ XUẤT") == [
        "(Chưa có nội dung: Sở bổ sung trước khi ký ban hành.)"
    ]
    recipients, signature = _cells(doc.tables[-1])[0]
    assert recipients.split("\n") == [
        "Nơi nhận:",
        "- Như trên;",
        "- Bộ Khoa học và Công nghệ;",
        "- UBND thành phố (để b/c);",
        "- Lưu: VT.",
    ]
    assert signature.split("\n")[:2] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]


def test_the_command_writes_the_same_bao_cao(demo_client, tmp_path):
    out = tmp_path / "bc.docx"
    call_command("export_report", locality="hai-phong", period="2026-Q3", out=str(out), format="docx")
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert SUBJECT in texts and [t for t in texts if t in HEADINGS] == HEADINGS


def test_the_command_refuses_a_bao_cao_of_every_locality(demo_client, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="one locality"):
        call_command("export_report", locality="all", out=str(tmp_path / "x.docx"), format="docx")
    assert not (tmp_path / "x.docx").exists()


def test_a_viewer_of_another_city_gets_no_bao_cao(client, ha_noi_viewer, fixed_today):
    client.force_login(ha_noi_viewer)
    assert client.get("/reports/bao-cao/", {"locality": "hai-phong", "as_of": "2026-Q3"}).status_code == 404


def test_a_future_quarter_gets_a_message(demo_client):
    response = demo_client.get("/reports/bao-cao/", {"locality": "hai-phong", "as_of": "2027-Q3"})
    assert response.status_code == 400 and "chưa đến" in response.content.decode()


def test_the_bao_cao_makes_a_fixed_number_of_queries(demo_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        _download(demo_client)


def test_every_rank_in_the_bao_cao_shows_its_basis(demo_client):
    """Issue #16: a rank reads with the ranking it belongs to. Hải Phòng's 2022 top-10 target was judged on
    its 2022 rank, 14th of 63; its 2025 target on the 2024 rank, 3rd of the 34 merged units."""
    doc = _download(demo_client)
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    words = "\n".join([*_texts(doc), *cells])
    assert "hạng 14/63" in words
    assert "hạng 3/34" in words
    assert not re.search(r"hạng \d+(?![\d/])", words)  # no rank without its basis
