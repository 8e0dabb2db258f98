"""The department officer's entry form: validation, all-or-nothing saves, nothing lost, optimistic locking."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from targets.models import Actual, Department, Indicator, LocalityPeriod, ReportingPeriod, Status
from targets.services.catalogue import period_get_or_create
from targets.services.entry import EntryRow, actuals_save_draft, actuals_submit
from targets.services.errors import EntryError
from targets.services.review import actual_reopen, period_lock
from tests.hostile_files import real_pdf

URL = "/entry/2026-Q4/"


@pytest.fixture
def editor_client(client, hai_phong_finance_editor, finance_assignments, fixed_today):
    client.force_login(hai_phong_finance_editor)
    return client


def _keys(response) -> dict[str, str]:
    """Row key per (indicator code, level) from the form's field names and labels."""
    html = response.content.decode()
    return dict(
        re.findall(r'<tr id="row-(\d+)"', html) and [(k, k) for k in re.findall(r'<tr id="row-(\d+)"', html)]
    )


def _form(finance_assignments, values: dict[str, str], action: str = "draft", **extra) -> dict[str, str]:
    """POST data: values by indicator code/level ('epayment_accounts', 'work_dossiers_online:city')."""
    data = {"action": action}
    for a in finance_assignments:
        name = a.indicator.code + (f":{a.level}" if a.level else "")
        if name in values:
            data[f"value-{a.pk}"] = values[name]
            data[f"version-{a.pk}"] = "0"
    data.update(extra)
    return data


def _actual(code: str, level: str = "") -> Actual | None:
    return Actual.objects.filter(
        indicator__code=code, level=level, locality__slug="hai-phong", period__code="2026-Q4"
    ).first()


def test_the_editor_sees_only_the_assigned_indicators(editor_client, finance_assignments):
    response = editor_client.get(URL)
    assert response.status_code == 200
    rows = re.findall(r'<tr id="row-(\d+)"', response.content.decode())
    assert sorted(map(int, rows)) == sorted(a.pk for a in finance_assignments)
    assert "Tỷ lệ dân số có tài khoản thanh toán điện tử" in response.content.decode()
    assert "Tỷ trọng kinh tế số trong GRDP" not in response.content.decode()


def test_saving_a_draft_stores_every_value_as_draft_with_history(
    editor_client, finance_assignments, hai_phong_finance_editor
):
    data = _form(finance_assignments, {"epayment_accounts": "62,5", "work_dossiers_online:city": "88.5"})
    response = editor_client.post(URL, data)
    assert response.status_code == 302
    epay = _actual("epayment_accounts")
    assert (epay.value, epay.status, epay.version, epay.updated_by) == (
        Decimal("62.5"),
        Status.DRAFT,
        1,
        hai_phong_finance_editor,
    )
    assert epay.department.code == "so-tai-chinh"
    assert _actual("work_dossiers_online", "city").value == Decimal("88.5")
    assert _actual("work_dossiers_online", "commune") is None
    assert epay.history.count() == 1 and epay.history.first().history_change_reason == "Lưu nháp"


def test_one_invalid_field_saves_nothing_and_keeps_every_typed_value(editor_client, finance_assignments):
    data = _form(
        finance_assignments,
        {
            "epayment_accounts": "62,5",
            "work_dossiers_online:city": "120",
            "work_dossiers_online:commune": "41",
        },
        **{f"note-{finance_assignments[0].pk}": "Theo báo cáo NHNN chi nhánh Hải Phòng"},
    )
    response = editor_client.post(URL, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Chưa lưu gì" in html
    assert "Tỷ lệ phần trăm phải từ 0 đến 100." in html
    assert 'value="62,5"' in html and 'value="120"' in html and 'value="41"' in html
    assert "Theo báo cáo NHNN chi nhánh Hải Phòng" in html
    assert Actual.objects.filter(period__code="2026-Q4").count() == 0


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "không phải là số"),
        ("-3", "Tỷ lệ phần trăm phải từ 0 đến 100."),
        ("1,2,3", "nhiều dấu thập phân"),
        ("١٢", "không phải là số"),
        ("NaN", "không phải là số"),
    ],
)
def test_bad_numbers_get_a_message_next_to_the_field(editor_client, finance_assignments, typed, message):
    response = editor_client.post(URL, _form(finance_assignments, {"epayment_accounts": typed}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Actual.objects.filter(period__code="2026-Q4").exists()


def test_submitting_sends_the_values_for_review(editor_client, finance_assignments):
    editor_client.post(URL, _form(finance_assignments, {"epayment_accounts": "60"}))
    epay = _actual("epayment_accounts")
    data = _form(finance_assignments, {"epayment_accounts": "61"}, action="submit-confirmed")
    data[f"version-{finance_assignments[0].pk}"] = str(epay.version)
    response = editor_client.post(URL, data)
    assert response.status_code == 302
    epay.refresh_from_db()
    assert (epay.value, epay.status, epay.version) == (Decimal("61"), Status.SUBMITTED, 2)
    assert epay.submitted_at is not None
    assert [h.history_change_reason for h in epay.history.order_by("history_date")] == [
        "Lưu nháp",
        "Gửi duyệt",
    ]


def test_a_submitted_value_is_read_only_for_the_editor(editor_client, finance_assignments):
    editor_client.post(
        URL, _form(finance_assignments, {"epayment_accounts": "60"}, action="submit-confirmed")
    )
    epay = _actual("epayment_accounts")
    response = editor_client.get(URL)
    assert f'name="value-{finance_assignments[0].pk}"' not in response.content.decode()
    data = _form(finance_assignments, {"epayment_accounts": "70"})
    data[f"version-{finance_assignments[0].pk}"] = str(epay.version)
    response = editor_client.post(URL, data)
    assert response.status_code == 400
    epay.refresh_from_db()
    assert (epay.value, epay.status) == (Decimal("60"), Status.SUBMITTED)


def test_the_second_of_two_concurrent_saves_is_refused_with_both_values(
    editor_client, finance_assignments, hai_phong_finance_editor, today
):
    # Both opened the empty form (version 0); a colleague saved 58 first.
    actuals_save_draft(
        user=hai_phong_finance_editor,
        department=Department.objects.get(locality__slug="hai-phong", code="so-tai-chinh"),
        period=period_get_or_create(code="2026-Q4"),
        rows=[
            EntryRow(
                key="x", indicator=Indicator.objects.get(code="epayment_accounts"), level="", raw_value="58"
            )
        ],
        today=today,
    )
    response = editor_client.post(URL, _form(finance_assignments, {"epayment_accounts": "63"}))
    html = response.content.decode()
    assert response.status_code == 400
    assert "58" in html and "63" in html and "vừa được" in html
    assert _actual("epayment_accounts").value == Decimal("58")
    assert _actual("epayment_accounts").version == 1


def test_an_outlier_needs_confirmation_and_a_note(editor_client, finance_assignments):
    for code, value in [("2025-Q4", "40"), ("2026-Q1", "41"), ("2026-Q2", "42"), ("2026-Q3", "43")]:
        Actual.objects.create(
            indicator=Indicator.objects.get(code="epayment_accounts"),
            locality=finance_assignments[0].department.locality,
            period=period_get_or_create(code=code),
            value=Decimal(value),
            status=Status.APPROVED,
        )
    key = finance_assignments[0].pk
    response = editor_client.post(URL, _form(finance_assignments, {"epayment_accounts": "75"}))
    assert response.status_code == 400
    assert "lần này tăng 32 điểm (43% → 75%)" in response.content.decode()
    assert f'name="confirm-{key}"' in response.content.decode()
    assert _actual("epayment_accounts") is None
    # Confirmed but without a note: still refused.
    response = editor_client.post(
        URL, _form(finance_assignments, {"epayment_accounts": "75"}, **{f"confirm-{key}": "1"})
    )
    assert "ghi chú lý do" in response.content.decode()
    assert _actual("epayment_accounts") is None
    data = _form(
        finance_assignments,
        {"epayment_accounts": "75"},
        **{f"confirm-{key}": "1", f"note-{key}": "Chiến dịch mở tài khoản"},
    )
    assert editor_client.post(URL, data).status_code == 302
    saved = _actual("epayment_accounts")
    assert (saved.value, saved.outlier_confirmed, saved.note) == (
        Decimal("75"),
        True,
        "Chiến dịch mở tài khoản",
    )


def test_a_locked_quarter_refuses_every_write(editor_client, finance_assignments, hai_phong_reviewer):
    period = period_get_or_create(code="2026-Q4")
    period_lock(
        user=hai_phong_reviewer,
        locality=finance_assignments[0].department.locality,
        period=period,
    )
    response = editor_client.post(URL, _form(finance_assignments, {"epayment_accounts": "60"}))
    assert response.status_code == 400
    assert "đã khoá" in response.content.decode()
    assert not Actual.objects.filter(period=period).exists()
    assert LocalityPeriod.objects.get(period=period).locked_by == hai_phong_reviewer


def test_an_indicator_not_assigned_to_the_department_is_refused(
    hai_phong_finance_editor, finance_assignments, today
):
    with pytest.raises(EntryError) as exc:
        actuals_save_draft(
            user=hai_phong_finance_editor,
            department=finance_assignments[0].department,
            period=period_get_or_create(code="2026-Q4"),
            rows=[
                EntryRow(
                    key="k",
                    indicator=Indicator.objects.get(code="inspections_online"),
                    level="",
                    raw_value="50",
                )
            ],
            today=today,
        )
    assert "không được giao" in exc.value.errors["k"]["value"][0]
    assert (
        not Actual.objects.exists()
        or not Actual.objects.filter(indicator__code="inspections_online", period__code="2026-Q4").exists()
    )


def test_evidence_is_checked_by_content_and_stored_under_a_random_name(editor_client, finance_assignments):
    key = finance_assignments[0].pk
    fake = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")
    response = editor_client.post(
        URL, _form(finance_assignments, {"epayment_accounts": "60"}, **{f"file-{key}": fake})
    )
    assert response.status_code == 400
    assert "phải là PDF, ảnh" in response.content.decode()
    assert "vui lòng chọn lại" in response.content.decode()
    assert _actual("epayment_accounts") is None
    pdf = SimpleUploadedFile("bao-cao quy 4.pdf", real_pdf(), content_type="application/pdf")
    assert (
        editor_client.post(
            URL, _form(finance_assignments, {"epayment_accounts": "60"}, **{f"file-{key}": pdf})
        ).status_code
        == 302
    )
    saved = _actual("epayment_accounts")
    assert saved.evidence_name == "bao-cao quy 4.pdf"
    assert re.fullmatch(r"evidence/[0-9a-f]{32}\.pdf", saved.evidence_file.name)
    download = editor_client.get(f"/actuals/{saved.pk}/evidence/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_bad_evidence_link_is_refused(editor_client, finance_assignments):
    key = finance_assignments[0].pk
    response = editor_client.post(
        URL, _form(finance_assignments, {"epayment_accounts": "60"}, **{f"url-{key}": "javascript:alert(1)"})
    )
    assert response.status_code == 400
    assert "http(s) hợp lệ" in response.content.decode()
    assert _actual("epayment_accounts") is None


def test_the_worklist_counts_per_quarter_with_deadline_and_days_left(editor_client, finance_assignments):
    editor_client.post(
        URL,
        _form(
            finance_assignments,
            {"epayment_accounts": "60", "work_dossiers_online:city": "80"},
            action="submit-confirmed",
        ),
    )
    html = editor_client.get("/entry/").content.decode()
    row = re.search(r"<td>2026-Q4</td>(.*?)</tr>", html, re.S).group(1)
    assert "06/12/2026" in row and "còn 14 ngày" in row
    assert re.findall(r'<td class="num">(\d+)</td>', row)[:4] == ["3", "2", "2", "0"]
    q3 = re.search(r"<td>2026-Q3</td>(.*?)</tr>", html, re.S).group(1)
    assert "06/09/2026" in q3 and "quá hạn 77 ngày" in q3


def test_the_entry_form_makes_the_same_number_of_queries_at_six_times_the_rows(
    editor_client, finance_assignments, django_assert_num_queries
):
    from targets.models import Assignment

    period_get_or_create(code="2026-Q4")  # the worklist creates the periods it links to
    editor_client.post(
        URL, _form(finance_assignments, {"epayment_accounts": "60", "work_dossiers_online:city": "80"})
    )
    # 10 for the form, 3 for the menu's count of quarters still due (issue #17, item 6)
    with django_assert_num_queries(13):
        editor_client.get(URL)
    dept = finance_assignments[0].department
    quarterly = Indicator.objects.filter(frequency="quarterly").exclude(
        pk__in=[a.indicator_id for a in finance_assignments]
    )
    extra = list(quarterly)  # every other quarterly indicator: six times the rows
    for ind in extra:
        Assignment.objects.create(department=dept, indicator=ind, level="")
        for code in ("2026-Q2", "2026-Q3"):
            Actual.objects.create(
                indicator=ind,
                locality=dept.locality,
                period=period_get_or_create(code=code),
                value=Decimal("50"),
                status=Status.APPROVED,
            )
    with django_assert_num_queries(13):
        response = editor_client.get(URL)
    assert len(re.findall(r'<tr id="row-', response.content.decode())) == 3 + len(extra) >= 18


def test_a_future_quarter_is_not_open(editor_client, finance_assignments):
    assert editor_client.get("/entry/2027-Q1/").status_code == 404


def test_an_editor_with_two_departments_chooses_one(
    client, hai_phong_finance_editor, finance_assignments, fixed_today
):
    other = Department.objects.create(
        locality=finance_assignments[0].department.locality, code="so-y-te", name="Sở Y tế"
    )
    from targets.models import Membership

    Membership.objects.create(user=hai_phong_finance_editor, department=other, role="editor")
    client.force_login(hai_phong_finance_editor)
    assert client.get(URL).status_code == 404  # which department? the worklist links carry it
    assert client.get(URL, {"department": finance_assignments[0].department.pk}).status_code == 200
    assert client.get(URL, {"department": other.pk}).status_code == 200


# --------------------------------------------------------------------------- issue #14, item 8: open periods
# On 2026-11-22 the worklist offers 2026-Q4, 2026-Q3, 2026-Q2, 2026-Q1, 2025-Q4 and the year 2025.


@pytest.mark.parametrize("code", ["2015-Q1", "2021-Q3", "2025-Q3", "2024", "2026"])
def test_a_value_for_a_period_the_worklist_does_not_offer_is_refused_and_nothing_stored(
    editor_client, finance_assignments, code
):
    """Values could be entered for any quarter back to 2015 by posting to /entry/2015-Q1/: reviewers never
    saw them, the series charts did."""
    key = finance_assignments[0].pk
    published = list(Actual.objects.filter(period__code=code).values_list("pk", "value", "version"))
    period_existed = ReportingPeriod.objects.filter(code=code).exists()  # 2024 holds published figures
    data = {"action": "submit-confirmed", f"value-{key}": "60", f"version-{key}": "0"}
    response = editor_client.post(f"/entry/{code}/", data)
    assert response.status_code == 400
    assert f"Kỳ {code} không mở để nhập số liệu" in response.content.decode()
    assert list(Actual.objects.filter(period__code=code).values_list("pk", "value", "version")) == published
    assert ReportingPeriod.objects.filter(code=code).exists() == period_existed  # no period created either
    assert editor_client.get(f"/entry/{code}/").status_code == (200 if period_existed else 404)


def test_the_service_refuses_a_value_for_a_closed_period_whoever_calls_it(
    hai_phong_finance_editor, finance_assignments, today
):
    with pytest.raises(EntryError) as exc:
        actuals_submit(
            user=hai_phong_finance_editor,
            department=finance_assignments[0].department,
            period=period_get_or_create(code="2015-Q1"),
            rows=[EntryRow(key="k", indicator=finance_assignments[0].indicator, level="", raw_value="50")],
            today=today,
        )
    assert "Kỳ 2015-Q1 không mở để nhập số liệu" in exc.value.errors["k"]["value"][0]
    assert exc.value.general == [exc.value.errors["k"]["value"][0]]
    assert not Actual.objects.filter(period__code="2015-Q1").exists()


def _closed_quarter_values(finance_assignments, hai_phong_reviewer):
    """2025-Q2 (outside the window) holds two approved values; the reviewer reopened e-payment accounts."""
    period = period_get_or_create(code="2025-Q2")
    dept = finance_assignments[0].department
    made = {}
    for a, value in zip(finance_assignments[:2], ("41", "70"), strict=True):
        made[a.pk] = Actual.objects.create(
            indicator=a.indicator,
            locality=dept.locality,
            level=a.level,
            period=period,
            value=Decimal(value),
            status=Status.APPROVED,
            department=dept,
        )
    epay = made[finance_assignments[0].pk]
    actual_reopen(user=hai_phong_reviewer, actual_id=epay.pk, reason="Sai đơn vị tính")
    epay.refresh_from_db()
    return epay, made[finance_assignments[1].pk]


def test_a_reopened_value_of_a_closed_quarter_can_be_corrected_and_nothing_else(
    editor_client, finance_assignments, hai_phong_reviewer
):
    epay, dossiers = _closed_quarter_values(finance_assignments, hai_phong_reviewer)
    k_epay, k_city, k_commune = (a.pk for a in finance_assignments)
    html = editor_client.get("/entry/2025-Q2/").content.decode()
    assert "không mở để nhập số liệu" in html
    assert f'name="value-{k_epay}"' in html  # the reopened value
    assert f'name="value-{k_city}"' not in html and f'name="value-{k_commune}"' not in html

    # A value for the quarter's empty row, forged into the form, is refused: nothing is written.
    data = {
        "action": "submit-confirmed",
        f"value-{k_epay}": "42,5",
        f"version-{k_epay}": str(epay.version),
        f"note-{k_epay}": "Đã sửa đơn vị tính",
        f"value-{k_commune}": "30",
        f"version-{k_commune}": "0",
    }
    response = editor_client.post("/entry/2025-Q2/", data)
    assert response.status_code == 400
    assert "không mở để nhập số liệu" in response.content.decode()
    epay.refresh_from_db()
    assert (epay.value, epay.status) == (Decimal("41"), Status.RETURNED)
    assert not Actual.objects.filter(period__code="2025-Q2", level="commune").exists()

    del data[f"value-{k_commune}"], data[f"version-{k_commune}"]
    assert editor_client.post("/entry/2025-Q2/", data).status_code == 302
    epay.refresh_from_db()
    dossiers.refresh_from_db()
    assert (epay.value, epay.status, epay.note) == (Decimal("42.5"), Status.SUBMITTED, "Đã sửa đơn vị tính")
    assert (dossiers.value, dossiers.status) == (Decimal("70"), Status.APPROVED)


def test_the_worklist_offers_an_older_quarter_only_while_it_holds_a_returned_value(
    editor_client, finance_assignments, hai_phong_reviewer
):
    assert "2025-Q2" not in editor_client.get("/entry/").content.decode()
    _closed_quarter_values(finance_assignments, hai_phong_reviewer)
    html = editor_client.get("/entry/").content.decode()
    row = re.search(r"<td>2025-Q2</td>(.*?)</tr>", html, re.S).group(1)
    assert "/entry/2025-Q2/" in row
    assert re.findall(r'<td class="num">(?:<strong>)?(\d+)', row)[:5] == ["3", "2", "1", "1", "1"]


# --------------------------------------------------------------------------- issue #14, item 6: conflicts


class _FormReader(HTMLParser):
    """The fields of the entry form as a browser would post them (text, hidden, checked boxes, textareas)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("class") == "entry-form":
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("text", "hidden", "url") or (kind in ("radio", "checkbox") and "checked" in a):
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def _fields(response) -> dict[str, str]:
    reader = _FormReader()
    reader.feed(response.content.decode())
    return reader.fields


@pytest.fixture
def colleague_client(finance_assignments, fixed_today):
    """Another officer of the same department, in another browser."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from targets.models import Membership

    user = get_user_model().objects.create_user("hoa.hp.taichinh", password="x-pass-for-tests")
    Membership.objects.create(user=user, department=finance_assignments[0].department, role="editor")
    other = Client()
    other.force_login(user)
    return other


@pytest.fixture
def two_drafts(editor_client, finance_assignments):
    """E-payment accounts 73 and the city dossier rate 80, saved as drafts (version 1 each)."""
    data = _form(finance_assignments, {"epayment_accounts": "73", "work_dossiers_online:city": "80"})
    assert editor_client.post(URL, data).status_code == 302
    return finance_assignments[0].pk, finance_assignments[1].pk  # the keys of rows X and Y


def _post(client, fields: dict[str, str], action: str):
    return client.post(URL, {**fields, "action": action})


@pytest.mark.parametrize("action", ["draft", "submit-confirmed"])
def test_a_colleagues_change_to_a_row_the_editor_left_alone_is_never_undone(
    editor_client, colleague_client, two_drafts, action
):
    """Issue #14, item 6: A and B open the form; B sets X to 75; A changes only Y and saves. A used to get a
    conflict on X, and the form came back with A's stale X = 73 under B's new version: A's second save
    silently put 73 back."""
    x, y = two_drafts
    a_form, b_form = _fields(editor_client.get(URL)), _fields(colleague_client.get(URL))
    assert a_form[f"value-{x}"] == b_form[f"value-{x}"] == "73"
    assert _post(colleague_client, {**b_form, f"value-{x}": "75"}, "draft").status_code == 302

    response = _post(editor_client, {**a_form, f"value-{y}": "85"}, action)
    if action == "submit-confirmed":
        # A would submit a value A has not seen: refused, and the form shows 75 in X's place.
        assert response.status_code == 400
        html = response.content.decode()
        assert "đã đổi giá trị này thành 75" in html
        again = _fields(response)
        assert (again[f"value-{x}"], again[f"version-{x}"]) == ("75", "2")  # current value, current version
        assert (again[f"value-{y}"], again[f"version-{y}"]) == ("85", "1")  # A's typing, A's version
        assert (_actual("epayment_accounts").value, _actual("work_dossiers_online", "city").value) == (75, 80)
        response = _post(editor_client, again, "submit-confirmed")  # A presses Submit again
    assert response.status_code == 302
    x_row, y_row = _actual("epayment_accounts"), _actual("work_dossiers_online", "city")
    assert x_row.value == Decimal("75")  # B's value stands
    assert y_row.value == Decimal("85")  # A's change is saved
    expected_status = Status.SUBMITTED if action == "submit-confirmed" else Status.DRAFT
    assert (x_row.status, y_row.status) == (expected_status, expected_status)
    assert x_row.version == (3 if action == "submit-confirmed" else 2)
    assert [h.value for h in x_row.history.order_by("history_date")] == (
        [Decimal("73"), Decimal("75"), Decimal("75")]
        if action == "submit-confirmed"
        else [Decimal("73"), Decimal("75")]
    )


def test_after_a_draft_save_the_editor_is_told_which_rows_changed_meanwhile(
    editor_client, colleague_client, two_drafts
):
    x, y = two_drafts
    a_form, b_form = _fields(editor_client.get(URL)), _fields(colleague_client.get(URL))
    _post(colleague_client, {**b_form, f"value-{x}": "75"}, "draft")
    response = _post(editor_client, {**a_form, f"value-{y}": "85"}, "draft")
    page = editor_client.get(response["Location"]).content.decode()
    assert "1 giá trị bạn không sửa đã được người khác thay đổi" in page
    assert _fields(editor_client.get(URL))[f"value-{x}"] == "75"


def test_a_row_both_changed_shows_both_values_and_needs_an_explicit_choice(
    editor_client, colleague_client, two_drafts
):
    x, y = two_drafts
    a_form, b_form = _fields(editor_client.get(URL)), _fields(colleague_client.get(URL))
    _post(colleague_client, {**b_form, f"value-{x}": "75"}, "draft")

    response = _post(editor_client, {**a_form, f"value-{x}": "80", f"value-{y}": "85"}, "draft")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Giữ giá trị của tôi: 80" in html and "Lấy giá trị mới: 75" in html
    again = _fields(response)
    # A's value keeps A's version (1), never B's: saving it as is cannot overwrite 75.
    assert (again[f"value-{x}"], again[f"version-{x}"], again[f"theirs-version-{x}"]) == ("80", "1", "2")
    assert f"choice-{x}" not in again  # nothing chosen for A

    response = _post(editor_client, again, "draft")  # Save again without choosing: refused again
    assert response.status_code == 400 and "Chọn giá trị cần giữ" in response.content.decode()
    assert (_actual("epayment_accounts").value, _actual("epayment_accounts").version) == (75, 2)
    assert _actual("work_dossiers_online", "city").value == 80  # all or nothing

    again = _fields(response)
    assert _post(editor_client, {**again, f"choice-{x}": "theirs"}, "draft").status_code == 302
    x_row, y_row = _actual("epayment_accounts"), _actual("work_dossiers_online", "city")
    assert (x_row.value, x_row.version, y_row.value) == (Decimal("75"), 2, Decimal("85"))


def test_keeping_mine_after_a_conflict_writes_mine_over_the_value_shown_beside_it(
    editor_client, colleague_client, two_drafts
):
    x, _y = two_drafts
    a_form, b_form = _fields(editor_client.get(URL)), _fields(colleague_client.get(URL))
    _post(colleague_client, {**b_form, f"value-{x}": "75"}, "draft")
    again = _fields(_post(editor_client, {**a_form, f"value-{x}": "80"}, "draft"))
    assert _post(editor_client, {**again, f"choice-{x}": "mine"}, "draft").status_code == 302
    x_row = _actual("epayment_accounts")
    assert (x_row.value, x_row.version) == (Decimal("80"), 3)
    assert [h.value for h in x_row.history.order_by("history_date")] == [73, 75, 80]


def test_a_choice_made_against_a_value_that_changed_again_is_asked_again(
    editor_client, colleague_client, two_drafts
):
    x, _y = two_drafts
    a_form, b_form = _fields(editor_client.get(URL)), _fields(colleague_client.get(URL))
    _post(colleague_client, {**b_form, f"value-{x}": "75"}, "draft")
    again = _fields(_post(editor_client, {**a_form, f"value-{x}": "80"}, "draft"))
    b_again = _fields(colleague_client.get(URL))
    _post(colleague_client, {**b_again, f"value-{x}": "77"}, "draft")  # B changes X once more

    response = _post(editor_client, {**again, f"choice-{x}": "mine"}, "draft")
    assert response.status_code == 400
    assert "Lấy giá trị mới: 77" in response.content.decode()
    assert (_actual("epayment_accounts").value, _actual("epayment_accounts").version) == (77, 3)
    assert _fields(response)[f"theirs-version-{x}"] == "3"


def test_no_redisplayed_form_pairs_a_stale_value_with_a_fresh_version(
    editor_client, colleague_client, two_drafts
):
    """Whatever A changed, every row A is shown after a refused save pairs a value with the version it is
    based on: the stored value with the stored version, or A's typing with the version A typed it on."""
    x, y = two_drafts
    a_form, b_form = _fields(editor_client.get(URL)), _fields(colleague_client.get(URL))
    _post(colleague_client, {**b_form, f"value-{x}": "75", f"value-{y}": "81"}, "draft")
    # A: leaves X, changes Y to an invalid figure (refused for that reason), the third row untouched.
    response = _post(editor_client, {**a_form, f"value-{y}": "120"}, "draft")
    assert response.status_code == 400
    shown = _fields(response)
    stored = {x: _actual("epayment_accounts"), y: _actual("work_dossiers_online", "city")}
    assert (shown[f"value-{x}"], shown[f"version-{x}"]) == ("75", str(stored[x].version))
    assert (shown[f"value-{y}"], shown[f"version-{y}"]) == ("120", "1")  # A's typing on version 1
    shown[f"value-{y}"] = "85"
    response = _post(editor_client, shown, "draft")  # Y now conflicts with B's 81: A must choose
    assert response.status_code == 400 and "Lấy giá trị mới: 81" in response.content.decode()
    assert (stored[y].value, _actual("work_dossiers_online", "city").value) == (81, 81)


def test_a_form_without_fingerprints_counts_every_row_as_changed_and_never_writes_silently(
    editor_client, colleague_client, two_drafts
):
    """A page rendered before fingerprints existed (or a script) posts no `seen-` fields: every row it sends
    is the editor's, so a row changed meanwhile is a choice to make, never a silent write either way."""
    x, _y = two_drafts
    a_form = {k: v for k, v in _fields(editor_client.get(URL)).items() if not k.startswith("seen-")}
    b_form = _fields(colleague_client.get(URL))
    _post(colleague_client, {**b_form, f"value-{x}": "75"}, "draft")
    response = _post(editor_client, a_form, "draft")
    assert response.status_code == 400 and "Lấy giá trị mới: 75" in response.content.decode()
    again = _fields(response)
    assert again[f"seen-{x}"] == "" and again[f"version-{x}"] == "1"
    assert _post(editor_client, again, "draft").status_code == 400  # still no choice: still nothing written
    assert (_actual("epayment_accounts").value, _actual("epayment_accounts").version) == (75, 2)
