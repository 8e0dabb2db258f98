"""The outlier warning and the evidence check, without a database."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from targets.evidence import MAX_EVIDENCE_BYTES, check_evidence, stored_name
from targets.figures import Jump, unusual_jump
from tests import hostile_files as files


def test_a_steady_series_accepts_the_next_step():
    assert unusual_jump([40, 42, 44, 46], 48, unit="percent", scale=100) is None


def test_a_jump_beyond_the_usual_spread_is_reported_with_its_figures():
    # 40 → 46 by 2 a quarter; 46 → 70 is a change of 24 against a usual 2.
    jump = unusual_jump([40, 42, 44, 46], 70, unit="percent", scale=100)
    assert jump == Jump(
        last=Decimal("46.00"), new=Decimal("70.00"), change=Decimal("24.00"), usual=Decimal("2.00")
    )


def test_too_little_history_gives_no_warning():
    assert unusual_jump([40, 90], 10, unit="percent", scale=100) is None


def test_a_flat_series_tolerates_small_moves():
    # Changes of zero: the floor of 2 % of the scale keeps 100 → 99 from being flagged.
    assert unusual_jump([100, 100, 100, 100], 99, unit="percent", scale=100) is None
    assert unusual_jump([100, 100, 100, 100], 80, unit="percent", scale=100) is not None


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name in names:
            z.writestr(name, "x")
    return buffer.getvalue()


def test_evidence_kinds_are_recognised_by_parsing_the_whole_file():
    assert check_evidence(files.real_pdf())[0] == "pdf"
    assert check_evidence(files.real_png())[0] == "png"
    assert check_evidence(files.image("JPEG"))[0] == "jpeg"
    assert check_evidence(files.image("GIF"))[0] == "gif"
    assert check_evidence(files.image("WEBP"))[0] == "webp"
    assert check_evidence(files.real_ooxml("docx"))[0] == "docx"
    assert check_evidence(files.real_ooxml("xlsx"))[0] == "xlsx"
    assert check_evidence(files.real_ooxml("pptx"))[0] == "pptx"
    assert check_evidence(files.real_odt())[0] == "odt"
    assert check_evidence(files.ole_file({"WordDocument": b"van ban"}))[0] == "doc"
    assert check_evidence(files.ole_file({"Workbook": b"bang tinh"}))[0] == "xls"
    assert check_evidence(files.ole_file({"PowerPoint Document": b"trinh chieu"}))[0] == "ppt"


def test_other_files_are_refused_with_a_reason():
    assert (
        check_evidence(b"MZ\x90\x00")[1]
        == "Tệp minh chứng phải là PDF, ảnh (PNG, JPEG, GIF, WebP) hoặc tài liệu Office."
    )
    assert check_evidence(_zip(["evil.sh"]))[0] is None
    assert check_evidence(b"")[1] == "Tệp minh chứng rỗng."
    assert check_evidence(b"%PDF" + b"0" * MAX_EVIDENCE_BYTES)[1] == "Tệp minh chứng vượt quá 10 MB."


# --------------------------------------------------------------------------- hostile evidence (issue #14, 5)

FAKE_PDF = "Tệp minh chứng không phải PDF hợp lệ (tệp bị hỏng hoặc chỉ giả dạng PDF): không lưu."


def test_a_pdf_header_in_front_of_an_html_page_is_refused():
    assert check_evidence(files.pdf_with_html()) == (None, FAKE_PDF)


def test_a_real_pdf_with_a_page_hidden_after_its_end_is_refused():
    assert check_evidence(files.real_pdf() + files.HTML_PAYLOAD) == (None, FAKE_PDF)


def test_a_gif_header_in_front_of_javascript_is_refused():
    assert check_evidence(files.gif_with_javascript()) == (
        None,
        "Tệp minh chứng không phải ảnh GIF hợp lệ (tệp bị hỏng hoặc chỉ giả dạng ảnh GIF): không lưu.",
    )


def test_a_png_with_html_after_its_last_chunk_or_cut_short_is_refused():
    message = "Tệp minh chứng không phải ảnh PNG hợp lệ (tệp bị hỏng hoặc chỉ giả dạng ảnh PNG): không lưu."
    assert check_evidence(files.real_png() + files.HTML_PAYLOAD) == (None, message)
    assert check_evidence(files.real_png()[:45]) == (None, message)


def test_a_zip_named_docx_is_refused():
    assert check_evidence(files.zip_named_docx()) == (
        None,
        "Tệp minh chứng phải là PDF, ảnh (PNG, JPEG, GIF, WebP) hoặc tài liệu Office.",
    )


def test_an_office_package_whose_content_types_declare_no_document_is_refused():
    assert check_evidence(files.docx_without_main_part())[1] == (
        "Tệp minh chứng không phải tài liệu Office hợp lệ (tệp bị hỏng hoặc chỉ giả dạng tài liệu Office): "
        "không lưu."
    )


def test_office_files_with_macros_are_refused():
    message = "Tài liệu Office có chứa macro: vui lòng lưu lại dưới dạng không có macro."
    assert check_evidence(files.ole_file({"WordDocument": b"x", "Macros": b"Sub AutoOpen()"})) == (
        None,
        message,
    )
    macro_docx = files.rewrite_member(files.real_ooxml("docx"), "word/document.xml", lambda b: b)
    with zipfile.ZipFile(buffer := io.BytesIO(macro_docx), "a") as z:
        z.writestr("word/vbaProject.bin", b"\x00" * 64)
    assert check_evidence(buffer.getvalue()) == (None, message)


def test_an_ole_header_in_front_of_html_is_refused():
    assert check_evidence(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + files.HTML_PAYLOAD * 10)[0] is None


def test_an_image_that_decodes_into_gigabytes_is_refused():
    bomb = files.png_bomb()  # 400 million pixels
    assert len(bomb) < 100_000
    assert check_evidence(bomb) == (
        None,
        "Tệp minh chứng không phải ảnh PNG hợp lệ (tệp bị hỏng hoặc chỉ giả dạng ảnh PNG): không lưu.",
    )


def test_a_file_is_stored_under_the_extension_of_the_type_found():
    assert stored_name("bao-cao.html", "pdf") == "bao-cao.pdf"
    assert stored_name("anh chup.JPEG", "jpeg") == "anh chup.jpeg"
    assert stored_name("so-lieu.docx", "xlsx") == "so-lieu.xlsx"
    assert stored_name("khong-duoi", "png") == "khong-duoi.png"


MAGIC = [
    b"%PDF-1.7\n",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBP",
    b"PK\x03\x04",
]
REAL = [files.real_pdf(), files.real_png(), files.image("JPEG"), files.image("GIF"), files.real_ooxml("docx")]


@settings(max_examples=150, deadline=None)
@given(magic=st.sampled_from([*MAGIC, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]), tail=st.binary(max_size=2048))
def test_any_file_that_starts_like_evidence_gets_an_answer_never_an_error(magic, tail):
    kind, message = check_evidence(magic + tail)
    assert (kind is None) != (message is None)  # a kind (if the bytes happen to be valid) or a reason


@settings(max_examples=150, deadline=None)
@given(original=st.sampled_from(REAL), data=st.data())
def test_a_damaged_real_file_is_either_accepted_as_its_type_or_refused_with_a_message(original, data):
    position = data.draw(st.integers(min_value=0, max_value=len(original) - 1))
    damaged = original[:position] + data.draw(st.binary(min_size=1, max_size=8)) + original[position + 8 :]
    kind, message = check_evidence(damaged)
    assert (kind is None) != (message is None)
