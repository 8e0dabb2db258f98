"""Issue #17, items 11 and 12 on the entry form: a refused save keeps the chosen evidence files (staged
server-side for that user and form) and links its error summary to the fields; "Gửi duyệt" asks first,
with the counts; a read-only form shows no save buttons."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from targets.models import Actual, Status
from tests.hostile_files import real_pdf

URL = "/entry/2026-Q4/"


@pytest.fixture(autouse=True)
def empty_staging():
    """The test media folder lives for the whole session: each test starts with no staged file."""
    shutil.rmtree(settings.MEDIA_ROOT / "staging", ignore_errors=True)


@pytest.fixture
def editor_client(client, hai_phong_finance_editor, finance_assignments, fixed_today):
    client.force_login(hai_phong_finance_editor)
    return client


def _keys(finance_assignments) -> tuple[int, int, int]:
    epay, city, commune = finance_assignments
    return epay.pk, city.pk, commune.pk


def _staged_files(user) -> list:
    folder = settings.MEDIA_ROOT / "staging" / str(user.pk)
    return sorted(folder.iterdir()) if folder.exists() else []


def _token(html: str, key: int) -> str:
    return re.search(rf'name="staged-{key}" value="([^"]+)"', html).group(1)


def _refused_with_a_file(client, finance_assignments, name: str = "a.pdf", data: bytes | None = None):
    """A draft save with a file on the e-payment row and a percentage over 100 on the city row: refused."""
    epay, city, _ = _keys(finance_assignments)
    upload = SimpleUploadedFile(name, real_pdf() if data is None else data, "application/pdf")
    return client.post(
        URL, {"action": "draft", f"value-{epay}": "60", f"file-{epay}": upload, f"value-{city}": "120"}
    )


def test_a_refused_save_keeps_the_chosen_file_and_the_next_save_commits_it(
    editor_client, finance_assignments, hai_phong_finance_editor
):
    epay, city, _ = _keys(finance_assignments)
    pdf = real_pdf("Bao cao 12/BC-STC")
    response = editor_client.post(
        URL,
        {
            "action": "draft",
            f"value-{epay}": "60",
            f"file-{epay}": SimpleUploadedFile("bao-cao-stc.pdf", pdf, "application/pdf"),
            f"value-{city}": "120",  # a percentage over 100: refused
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Đã đính kèm: bao-cao-stc.pdf" in html
    assert "vui lòng chọn lại" not in html
    assert not Actual.objects.filter(period__code="2026-Q4").exists()
    staged = _staged_files(hai_phong_finance_editor)
    assert len(staged) == 1 and staged[0].read_bytes() == pdf

    # The editor fixes the percentage; the browser sends no file again, only the form's token.
    response = editor_client.post(
        URL,
        {
            "action": "draft",
            f"value-{epay}": "60",
            f"staged-{epay}": _token(html, epay),
            f"value-{city}": "80",
        },
    )
    assert response.status_code == 302
    saved = Actual.objects.get(indicator__code="epayment_accounts", period__code="2026-Q4")
    assert saved.evidence_name == "bao-cao-stc.pdf"
    assert saved.evidence_file.read() == pdf
    assert _staged_files(hai_phong_finance_editor) == []  # committed, then discarded


def test_a_staged_file_is_not_given_to_another_session(
    editor_client, finance_assignments, hai_phong_finance_editor
):
    epay, _city, _ = _keys(finance_assignments)
    html = _refused_with_a_file(editor_client, finance_assignments).content.decode()
    other = Client()  # the same account, another browser: the token is not its own
    other.force_login(hai_phong_finance_editor)
    response = other.post(
        URL, {"action": "draft", f"value-{epay}": "60", f"staged-{epay}": _token(html, epay)}
    )
    assert response.status_code == 302
    saved = Actual.objects.get(indicator__code="epayment_accounts", period__code="2026-Q4")
    assert (saved.value, saved.evidence_name, bool(saved.evidence_file)) == (Decimal("60"), "", False)


def test_a_file_that_fails_its_check_is_not_kept_and_says_why(
    editor_client, finance_assignments, hai_phong_finance_editor
):
    response = _refused_with_a_file(
        editor_client, finance_assignments, "bao-cao.pdf", b"<html>not a pdf</html>"
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Đã đính kèm" not in html
    assert "Tệp bạn chọn chưa được lưu" in html
    assert _staged_files(hai_phong_finance_editor) == []
    assert not Actual.objects.filter(period__code="2026-Q4").exists()


def test_the_editor_can_drop_a_staged_file(editor_client, finance_assignments, hai_phong_finance_editor):
    epay, _city, _ = _keys(finance_assignments)
    html = _refused_with_a_file(editor_client, finance_assignments).content.decode()
    response = editor_client.post(
        URL,
        {
            "action": "draft",
            f"value-{epay}": "60",
            f"staged-{epay}": _token(html, epay),
            f"unstage-{epay}": "1",
        },
    )
    assert response.status_code == 302
    saved = Actual.objects.get(indicator__code="epayment_accounts", period__code="2026-Q4")
    assert not saved.evidence_file
    assert _staged_files(hai_phong_finance_editor) == []


def test_the_error_summary_links_to_each_field_and_takes_the_focus(editor_client, finance_assignments):
    epay, city, commune = _keys(finance_assignments)
    response = editor_client.post(
        URL,
        {"action": "draft", f"value-{city}": "120", f"value-{commune}": "abc", f"url-{epay}": "ftp://x"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="form-errors" tabindex="-1" autofocus', html)
    summary = html[html.index('class="error-summary"') : html.index("</ul>", html.index("error-summary"))]
    assert f'href="#value-{city}"' in summary and f'href="#value-{commune}"' in summary
    assert f'href="#url-{epay}"' in summary or f'href="#value-{epay}"' in summary
    for anchor in re.findall(r'href="#([a-z]+-\d+)"', summary):
        assert f'id="{anchor}"' in html  # every link lands on a field
    assert not Actual.objects.filter(period__code="2026-Q4").exists()


def test_gui_duyet_first_asks_with_the_counts_and_writes_nothing(editor_client, finance_assignments):
    epay, city, _ = _keys(finance_assignments)
    response = editor_client.post(
        URL, {"action": "submit", f"value-{epay}": "60", f"value-{city}": "80", f"note-{city}": "Cổng DVC"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Gửi duyệt 2 giá trị của kỳ 2026-Q4?" in html
    assert "1 chỉ tiêu chưa có giá trị." in html  # the commune rate
    assert 'value="submit-confirmed"' in html
    assert 'value="60"' in html and "Cổng DVC" in html  # the typed values are kept for the confirmation
    assert not Actual.objects.filter(period__code="2026-Q4").exists()

    response = editor_client.post(
        URL,
        {
            "action": "submit-confirmed",
            f"value-{epay}": "60",
            f"value-{city}": "80",
            f"note-{city}": "Cổng DVC",
        },
    )
    assert response.status_code == 302
    assert sorted(Actual.objects.filter(period__code="2026-Q4").values_list("value", "status")) == [
        (Decimal("60"), Status.SUBMITTED),
        (Decimal("80"), Status.SUBMITTED),
    ]


def test_a_form_with_nothing_editable_shows_no_save_buttons(editor_client, finance_assignments):
    epay, city, commune = _keys(finance_assignments)
    editor_client.post(
        URL,
        {
            "action": "submit-confirmed",
            f"value-{epay}": "60",
            f"value-{city}": "80",
            f"value-{commune}": "40",
        },
    )
    assert Actual.objects.filter(period__code="2026-Q4", status=Status.SUBMITTED).count() == 3
    html = editor_client.get(URL).content.decode()
    assert 'value="draft"' not in html and 'value="submit"' not in html


def test_staged_files_older_than_a_day_are_swept(hai_phong_finance_editor):
    import datetime as dt
    import os

    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from targets.services.uploads import uploads_stage, uploads_sweep

    session = SessionStore()
    staged, problems = uploads_stage(
        session=session,
        user=hai_phong_finance_editor,
        form="1:2026-Q4",
        row_key="7",
        upload=SimpleUploadedFile("a.pdf", real_pdf(), "application/pdf"),
    )
    assert staged is not None and problems == []
    [path] = _staged_files(hai_phong_finance_editor)
    now = timezone.now()
    assert uploads_sweep(now=now) == 0  # fresh: kept
    two_days_ago = (now - dt.timedelta(days=2)).timestamp()
    os.utime(path, (two_days_ago, two_days_ago))
    assert uploads_sweep(now=now) == 1
    assert _staged_files(hai_phong_finance_editor) == []


def test_a_locked_quarter_offers_neither_saving_nor_the_excel_import(
    editor_client, finance_assignments, hai_phong_reviewer
):
    from targets.services.catalogue import period_get_or_create
    from targets.services.review import period_lock

    period_lock(
        user=hai_phong_reviewer,
        locality=finance_assignments[0].department.locality,
        period=period_get_or_create(code="2026-Q4"),
    )
    html = editor_client.get(URL).content.decode()
    assert "/import/" not in html
    assert 'value="draft"' not in html and 'value="submit"' not in html
    assert "Tải biểu mẫu Excel" in html  # reading the form stays possible
    assert not Actual.objects.filter(period__code="2026-Q4").exists()
