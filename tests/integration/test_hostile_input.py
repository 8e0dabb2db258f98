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
@given(values=st.lists(weird_text, min_size=3, max_size=3), action=st.sampled_from(["draft", "submit", "x"]))
def test_random_form_values_save_all_or_nothing(editor, finance_assignments, values, action):
    data = {"action": action}
    for a, v in zip(finance_assignments, values, strict=True):
        data[f"value-{a.pk}"] = v
        data[f"version-{a.pk}"] = "0"
    before = _snapshot()
    response = editor.post(f"/entry/2026-Q4/?department={editor.dept.pk}", data)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
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


OPEN_ON_2026_11_22 = {"2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4", "2025"}
period_codes = st.builds(
    lambda year, quarter: f"{year}-Q{quarter}" if quarter else str(year),
    st.integers(min_value=2015, max_value=2035),
    st.sampled_from([0, 1, 2, 3, 4]),
).filter(lambda code: code not in OPEN_ON_2026_11_22)


@RELAXED
@given(code=period_codes, action=st.sampled_from(["draft", "submit"]))
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
