"""The Báo cáo and the Excel report as printed (issue #18): converted to PDF by LibreOffice (headless, as CI
installs it) and read back with pdftotext — no "###", a page number on every page, the Báo cáo's header,
title and "Nơi nhận" present. With DTI_WRITE_DOC_IMAGES=1 the README's pictures (docs/img/) are made from
the same PDFs."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest

from targets.devdata import demo_data_generate

from ...printing import PDFTOPPM, PDFTOTEXT, SOFFICE, first_page_png, pdf_pages, to_pdf

pytestmark = pytest.mark.skipif(
    not (SOFFICE and PDFTOTEXT and PDFTOPPM),
    reason="LibreOffice and poppler-utils are installed in CI (.ci/run); not on this machine",
)
DOC_IMAGES = Path(__file__).resolve().parents[3] / "docs" / "img"


@pytest.fixture
def demo_client(client, hai_phong_reviewer, finance_assignments, fixed_today):
    demo_data_generate(today=dt.date(2026, 11, 22))
    client.force_login(hai_phong_reviewer)
    return client


def _squash(text: str) -> str:
    return " ".join(text.split())


def _keep_picture(pdf: Path, name: str, tmp_path: Path) -> None:
    if os.environ.get("DTI_WRITE_DOC_IMAGES") == "1":
        png = first_page_png(pdf, tmp_path / name)
        DOC_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, DOC_IMAGES / name)


def test_the_printed_bao_cao_has_its_header_title_closing_and_a_number_on_every_page(demo_client, tmp_path):
    response = demo_client.get("/reports/bao-cao/", {"locality": "hai-phong", "as_of": "2026-Q3"})
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(response.content)
    pdf = to_pdf(path)
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    for n, page in enumerate(pages, start=1):
        assert "###" not in page
        # The page number stands alone at the top of the page (the document's header).
        first = next(line for line in page.splitlines() if line.strip())
        assert first.strip() == str(n), (n, first)
    whole = _squash("\n".join(pages))
    for text in (
        "UBND THÀNH PHỐ HẢI PHÒNG",
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "/BC-SKHCN",
        "Hải Phòng, ngày 22 tháng 11 năm 2026",
        "BÁO CÁO",
        "Kết quả thực hiện các chỉ tiêu chuyển đổi số quý III năm 2026",
        "Kính gửi: Ủy ban nhân dân thành phố Hải Phòng.",
        "Nơi nhận:",
        "- Lưu: VT.",
        "PHÓ GIÁM ĐỐC",
    ):
        assert text in whole, text
    _keep_picture(pdf, "bao-cao-page-1.png", tmp_path)


def test_the_printed_workbook_shows_no_hashes_and_numbers_every_page(demo_client, tmp_path):
    response = demo_client.get("/reports/download/", {"locality": "hai-phong", "as_of": "2026-Q3"})
    path = tmp_path / "bao-cao.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    pdf = to_pdf(path)
    pages = pdf_pages(pdf)
    assert len(pages) >= 5
    total = len(pages)
    for n, page in enumerate(pages, start=1):
        assert "###" not in page, n
        # The footer "Trang n/N" (numbered across the workbook) and the header naming city and quarter.
        assert re.search(rf"Trang {n}/{total}\b", page), (n, page[-300:])
        assert "Hải Phòng" in page and "Quý III/2026" in page, n
    summary = _squash(pages[0])
    assert "BÁO CÁO TIẾN ĐỘ THỰC HIỆN CÁC CHỈ TIÊU CHUYỂN ĐỔI SỐ" in summary
    assert "Ngày xuất:" in summary and re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", summary)
    _keep_picture(pdf, "excel-summary-page-1.png", tmp_path)
