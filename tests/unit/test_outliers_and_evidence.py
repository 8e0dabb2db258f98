"""The outlier warning and the evidence check, without a database."""

from __future__ import annotations

import io
import zipfile

from targets.evidence import MAX_EVIDENCE_BYTES, check_evidence
from targets.outliers import outlier_warning


def test_a_steady_series_accepts_the_next_step():
    assert outlier_warning([40, 42, 44, 46], 48, scale=100) is None


def test_a_jump_beyond_the_usual_spread_is_a_warning_with_the_figures():
    message = outlier_warning([40, 42, 44, 46], 70, scale=100)
    assert message is not None
    assert "46 → 70" in message and "+24" in message


def test_too_little_history_gives_no_warning():
    assert outlier_warning([40, 90], 10, scale=100) is None


def test_a_flat_series_tolerates_small_moves():
    # Changes of zero: the floor of 2 % of the scale keeps 100 → 99 from being flagged.
    assert outlier_warning([100, 100, 100, 100], 99, scale=100) is None
    assert outlier_warning([100, 100, 100, 100], 80, scale=100) is not None


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name in names:
            z.writestr(name, "x")
    return buffer.getvalue()


def test_evidence_kinds_are_recognised_by_content():
    assert check_evidence(b"%PDF-1.7 ...")[0] == "pdf"
    assert check_evidence(b"\x89PNG\r\n\x1a\n....")[0] == "png"
    assert check_evidence(b"\xff\xd8\xff\xe0....")[0] == "jpeg"
    assert check_evidence(_zip(["[Content_Types].xml", "word/document.xml"]))[0] == "docx"
    assert check_evidence(_zip(["[Content_Types].xml", "xl/workbook.xml"]))[0] == "xlsx"


def test_other_files_are_refused_with_a_reason():
    assert (
        check_evidence(b"MZ\x90\x00")[1]
        == "Tệp minh chứng phải là PDF, ảnh (PNG, JPEG, GIF, WebP) hoặc tài liệu Office."
    )
    assert check_evidence(_zip(["evil.sh"]))[0] is None
    assert check_evidence(b"")[1] == "Tệp minh chứng rỗng."
    assert check_evidence(b"%PDF" + b"0" * MAX_EVIDENCE_BYTES)[1] == "Tệp minh chứng vượt quá 10 MB."
