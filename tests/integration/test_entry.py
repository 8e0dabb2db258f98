"""The department officer's entry form: validation, all-or-nothing saves, nothing lost, optimistic locking."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from targets import services
from targets.models import Actual, Department, Indicator, LocalityPeriod, ReportingPeriod, Status

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
    data = _form(finance_assignments, {"epayment_accounts": "61"}, action="submit")
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
    editor_client.post(URL, _form(finance_assignments, {"epayment_accounts": "60"}, action="submit"))
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
    services.actuals_save(
        user=hai_phong_finance_editor,
        department=Department.objects.get(locality__slug="hai-phong", code="so-tai-chinh"),
        period=services.period_get_or_create(code="2026-Q4"),
        rows=[
            services.EntryRow(
                key="x", indicator=Indicator.objects.get(code="epayment_accounts"), level="", raw_value="58"
            )
        ],
        submit=False,
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
            period=services.period_get_or_create(code=code),
            value=Decimal(value),
            status=Status.APPROVED,
        )
    key = finance_assignments[0].pk
    response = editor_client.post(URL, _form(finance_assignments, {"epayment_accounts": "75"}))
    assert response.status_code == 400
    assert "vượt mức dao động thường thấy" in response.content.decode()
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
    period = services.period_get_or_create(code="2026-Q4")
    services.period_set_lock(
        user=hai_phong_reviewer,
        locality=finance_assignments[0].department.locality,
        period=period,
        locked=True,
    )
    response = editor_client.post(URL, _form(finance_assignments, {"epayment_accounts": "60"}))
    assert response.status_code == 400
    assert "đã khoá" in response.content.decode()
    assert not Actual.objects.filter(period=period).exists()
    assert LocalityPeriod.objects.get(period=period).locked_by == hai_phong_reviewer


def test_an_indicator_not_assigned_to_the_department_is_refused(
    hai_phong_finance_editor, finance_assignments, today
):
    with pytest.raises(services.EntryError) as exc:
        services.actuals_save(
            user=hai_phong_finance_editor,
            department=finance_assignments[0].department,
            period=services.period_get_or_create(code="2026-Q4"),
            rows=[
                services.EntryRow(
                    key="k",
                    indicator=Indicator.objects.get(code="inspections_online"),
                    level="",
                    raw_value="50",
                )
            ],
            submit=False,
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
    pdf = SimpleUploadedFile("bao-cao quy 4.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
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
            action="submit",
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

    services.period_get_or_create(code="2026-Q4")  # the worklist creates the periods it links to
    editor_client.post(
        URL, _form(finance_assignments, {"epayment_accounts": "60", "work_dossiers_online:city": "80"})
    )
    with django_assert_num_queries(10):
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
                period=services.period_get_or_create(code=code),
                value=Decimal("50"),
                status=Status.APPROVED,
            )
    with django_assert_num_queries(10):
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
    data = {"action": "submit", f"value-{key}": "60", f"version-{key}": "0"}
    response = editor_client.post(f"/entry/{code}/", data)
    assert response.status_code == 400
    assert f"Kỳ {code} không mở để nhập số liệu" in response.content.decode()
    assert list(Actual.objects.filter(period__code=code).values_list("pk", "value", "version")) == published
    assert ReportingPeriod.objects.filter(code=code).exists() == period_existed  # no period created either
    assert editor_client.get(f"/entry/{code}/").status_code == (200 if period_existed else 404)


def test_the_service_refuses_a_value_for_a_closed_period_whoever_calls_it(
    hai_phong_finance_editor, finance_assignments, today
):
    with pytest.raises(services.EntryError) as exc:
        services.actuals_save(
            user=hai_phong_finance_editor,
            department=finance_assignments[0].department,
            period=services.period_get_or_create(code="2015-Q1"),
            rows=[
                services.EntryRow(
                    key="k", indicator=finance_assignments[0].indicator, level="", raw_value="50"
                )
            ],
            submit=True,
            today=today,
        )
    assert "Kỳ 2015-Q1 không mở để nhập số liệu" in exc.value.errors["k"]["value"][0]
    assert exc.value.general == [exc.value.errors["k"]["value"][0]]
    assert not Actual.objects.filter(period__code="2015-Q1").exists()


def _closed_quarter_values(finance_assignments, hai_phong_reviewer):
    """2025-Q2 (outside the window) holds two approved values; the reviewer reopened e-payment accounts."""
    period = services.period_get_or_create(code="2025-Q2")
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
    services.actual_reopen(user=hai_phong_reviewer, actual_id=epay.pk, reason="Sai đơn vị tính")
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
        "action": "submit",
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
