"""The reviewer's side: approve or return (with a comment), per value or per department; lock; reopen; history."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command

from targets.models import Actual, Indicator, LocalityPeriod, Status
from targets.services.catalogue import period_get_or_create
from targets.services.entry import EntryRow, actuals_submit
from targets.services.review import actuals_approve, actuals_return, reminders_send

PERIOD = "2026-Q4"


@pytest.fixture
def submitted(hai_phong_finance_editor, finance_assignments, today):
    """The finance editor has submitted e-payment accounts (60) and the city dossier rate (80) for 2026-Q4."""
    period = period_get_or_create(code=PERIOD)
    rows = [
        EntryRow(
            key="a", indicator=Indicator.objects.get(code="epayment_accounts"), level="", raw_value="60"
        ),
        EntryRow(
            key="b",
            indicator=Indicator.objects.get(code="work_dossiers_online"),
            level="city",
            raw_value="80",
        ),
    ]
    actuals_submit(
        user=hai_phong_finance_editor,
        department=finance_assignments[0].department,
        period=period,
        rows=rows,
        today=today,
    )
    return {a.indicator.code: a for a in Actual.objects.filter(period=period).select_related("indicator")}


def _seen(*actuals: Actual) -> dict[str, int]:
    """The versions the review page showed, as its forms post them."""
    return {f"version-{a.pk}": a.version for a in actuals}


@pytest.fixture
def reviewer_client(client, hai_phong_reviewer, fixed_today):
    client.force_login(hai_phong_reviewer)
    return client


def test_the_review_page_shows_each_department_with_its_submitted_values(reviewer_client, submitted):
    response = reviewer_client.get(f"/review/{PERIOD}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sở Tài chính" in html
    assert f'id="actual-{submitted["epayment_accounts"].pk}"' in html
    departments = response.context["departments"]
    finance = next(d for d in departments if d.department.code == "so-tai-chinh")
    assert (finance.assigned, finance.entered, finance.submitted, finance.approved, finance.late) == (
        3,
        2,
        2,
        0,
        False,
    )


def test_the_reviewer_approves_one_value(reviewer_client, submitted, hai_phong_reviewer):
    epay = submitted["epayment_accounts"]
    response = reviewer_client.post(
        f"/review/{PERIOD}/decide/",
        {"locality": "hai-phong", "actual": epay.pk, "decision": "approve", **_seen(epay)},
    )
    assert response.status_code == 302
    epay.refresh_from_db()
    assert (epay.status, epay.reviewed_by, epay.version) == (Status.APPROVED, hai_phong_reviewer, 2)
    assert (
        submitted["work_dossiers_online"]
        .__class__.objects.get(pk=submitted["work_dossiers_online"].pk)
        .status
        == Status.SUBMITTED
    )


def test_returning_needs_a_comment(reviewer_client, submitted):
    epay = submitted["epayment_accounts"]
    response = reviewer_client.post(
        f"/review/{PERIOD}/decide/",
        {"locality": "hai-phong", "actual": epay.pk, "decision": "return", **_seen(epay)},
        follow=True,
    )
    assert "Vui lòng ghi ý kiến khi trả lại số liệu." in response.content.decode()
    epay.refresh_from_db()
    assert epay.status == Status.SUBMITTED


def test_a_returned_value_goes_back_to_the_editor_with_the_comment(
    reviewer_client, submitted, client, hai_phong_finance_editor
):
    epay = submitted["epayment_accounts"]
    reviewer_client.post(
        f"/review/{PERIOD}/decide/",
        {
            "locality": "hai-phong",
            "actual": epay.pk,
            "decision": "return",
            "comment": "Số liệu lệch với báo cáo NHNN",
            **_seen(epay),
        },
    )
    epay.refresh_from_db()
    assert (epay.status, epay.review_comment) == (Status.RETURNED, "Số liệu lệch với báo cáo NHNN")
    client.force_login(hai_phong_finance_editor)
    html = client.get(f"/entry/{PERIOD}/").content.decode()
    assert "Số liệu lệch với báo cáo NHNN" in html
    assert 'name="value-' in html  # editable again


def test_the_reviewer_approves_a_whole_department_at_once(reviewer_client, submitted):
    ids = [a.pk for a in submitted.values()]
    reviewer_client.post(
        f"/review/{PERIOD}/decide/",
        {"locality": "hai-phong", "actual": ids, "decision": "approve", **_seen(*submitted.values())},
    )
    assert set(Actual.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.APPROVED}


def test_a_decision_is_all_or_nothing(reviewer_client, submitted):
    epay = submitted["epayment_accounts"]
    reviewer_client.post(
        f"/review/{PERIOD}/decide/",
        {"locality": "hai-phong", "actual": epay.pk, "decision": "approve", **_seen(epay)},
    )
    epay.refresh_from_db()
    ids = [a.pk for a in submitted.values()]  # one is already approved: nothing changes
    response = reviewer_client.post(
        f"/review/{PERIOD}/decide/",
        {"locality": "hai-phong", "actual": ids, "decision": "approve", **_seen(*submitted.values())},
        follow=True,
    )
    assert "Chỉ số liệu “đã gửi” mới được thẩm định" in response.content.decode()
    assert Actual.objects.get(pk=submitted["work_dossiers_online"].pk).status == Status.SUBMITTED


def test_locking_the_quarter_stops_approvals_and_edits_until_unlocked(
    reviewer_client, submitted, hai_phong_reviewer
):
    response = reviewer_client.post(
        f"/review/{PERIOD}/lock/", {"locality": "hai-phong", "action": "lock", "confirmed": "1"}
    )
    assert response.status_code == 302
    lp = LocalityPeriod.objects.get(locality__slug="hai-phong", period__code=PERIOD)
    assert lp.is_locked and lp.locked_by == hai_phong_reviewer
    epay = submitted["epayment_accounts"]
    response = reviewer_client.post(
        f"/review/{PERIOD}/decide/",
        {"locality": "hai-phong", "actual": epay.pk, "decision": "approve", **_seen(epay)},
        follow=True,
    )
    assert "đã khoá" in response.content.decode()
    epay.refresh_from_db()
    assert epay.status == Status.SUBMITTED
    reviewer_client.post(f"/review/{PERIOD}/lock/", {"locality": "hai-phong", "action": "unlock"})
    lp.refresh_from_db()
    assert not lp.is_locked
    assert [h.history_change_reason for h in lp.history.order_by("history_date")] == ["Khoá kỳ", "Mở khoá kỳ"]


def test_reopening_an_approved_value_needs_a_reason_and_is_audited(reviewer_client, submitted):
    epay = submitted["epayment_accounts"]
    reviewer_client.post(
        f"/review/{PERIOD}/decide/",
        {"locality": "hai-phong", "actual": epay.pk, "decision": "approve", **_seen(epay)},
    )
    response = reviewer_client.post(f"/actuals/{epay.pk}/reopen/", {"reason": ""}, follow=True)
    assert "Vui lòng ghi lý do" in response.content.decode()
    epay.refresh_from_db()
    assert epay.status == Status.APPROVED
    reviewer_client.post(f"/actuals/{epay.pk}/reopen/", {"reason": "Sở Tài chính đề nghị cập nhật"})
    epay.refresh_from_db()
    assert (epay.status, epay.review_comment) == (Status.RETURNED, "Sở Tài chính đề nghị cập nhật")
    reasons = [h.history_change_reason for h in epay.history.order_by("history_date")]
    assert reasons == ["Gửi duyệt", "Duyệt", "Mở lại: Sở Tài chính đề nghị cập nhật"]


def test_the_history_page_shows_who_changed_what(
    reviewer_client, submitted, client, hai_phong_finance_editor, today
):
    epay = submitted["epayment_accounts"]
    reviewer_client.post(
        f"/review/{PERIOD}/decide/",
        {
            "locality": "hai-phong",
            "actual": epay.pk,
            "decision": "return",
            "comment": "Kiểm tra lại",
            **_seen(epay),
        },
    )
    epay.refresh_from_db()
    actuals_submit(
        user=hai_phong_finance_editor,
        department=epay.department,
        period=epay.period,
        rows=[EntryRow(key="a", indicator=epay.indicator, level="", raw_value="61,5", version=epay.version)],
        today=today,
    )
    html = reviewer_client.get(f"/actuals/{epay.pk}/history/").content.decode()
    assert "Trả lại: Kiểm tra lại" in html
    assert "60 → 61,5" in html and "đã gửi → trả lại" in html and "trả lại → đã gửi" in html
    assert "hệ thống" not in html
    assert hai_phong_finance_editor.username in html
    assert len(re.findall(r"<tr>\s*<td>\d\d/\d\d/\d{4}", html)) == 3


def test_the_review_page_makes_a_fixed_number_of_queries(
    reviewer_client, submitted, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        reviewer_client.get(f"/review/{PERIOD}/")


def test_reminders_go_to_departments_with_unsubmitted_values_near_the_deadline(
    hai_phong_finance_editor, finance_assignments, today
):
    hai_phong_finance_editor.email = "lan@haiphong.gov.vn"
    hai_phong_finance_editor.save()
    # 2026-11-29: 2026-Q4 is due on 2026-12-06 (7 days); nothing submitted yet.
    sent = reminders_send(today=today.replace(day=29))
    q4 = [r for r in sent if r.period == "2026-Q4"]
    assert len(q4) == 1 and q4[0].missing == 3 and q4[0].recipients == ("lan@haiphong.gov.vn",)
    assert any("2026-Q4" in m.subject and "còn 3 chỉ tiêu" in m.subject for m in mail.outbox)
    assert mail.outbox[0].to == ["lan@haiphong.gov.vn"]


def test_no_reminder_when_the_deadline_is_far_or_everything_is_submitted(submitted, today, capsys):
    sent = reminders_send(today=today)  # 14 days before the Q4 deadline
    assert [r for r in sent if r.period == "2026-Q4"] == []
    call_command("send_reminders", "--dry-run")
    assert "reminder(s)." in capsys.readouterr().out


def test_the_deadline_is_the_6th_of_the_last_month_unless_the_locality_sets_another(
    hai_phong_reviewer, fixed_today
):
    import datetime as dt

    from targets.models import Locality, LocalityPeriod
    from targets.selectors.entry import period_states

    hp = Locality.objects.get(slug="hai-phong")
    q4 = period_get_or_create(code="2026-Q4")
    assert period_states(hp, [q4])[q4.pk].deadline == dt.date(2026, 12, 6)
    hp.quarterly_deadline_day = 10
    hp.save()
    assert period_states(hp, [q4])[q4.pk].deadline == dt.date(2026, 12, 10)
    LocalityPeriod.objects.create(locality=hp, period=q4, deadline=dt.date(2026, 12, 20))
    assert period_states(hp, [q4])[q4.pk].deadline == dt.date(2026, 12, 20)


def test_a_department_that_missed_the_deadline_is_shown_late(reviewer_client, finance_assignments):
    response = reviewer_client.get("/review/2026-Q3/")  # due 2026-09-06, nothing submitted
    finance = next(d for d in response.context["departments"] if d.department.code == "so-tai-chinh")
    assert (finance.assigned, finance.submitted, finance.late) == (3, 0, True)
    assert "trễ hạn" in response.content.decode()


def _department_form(html: str) -> dict[str, list[str]]:
    """The fields of the page's "approve the whole department" form, as the browser would post them."""
    form = re.search(r'<form method="post" action="[^"]*" class="decide-all">(.*?)</form>', html, re.S).group(
        1
    )
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form):
        fields.setdefault(name, []).append(value)
    return fields


def _resubmitted(epay: Actual, reviewer, editor, today, value: str) -> None:
    """Another reviewer returns the value, and the editor resubmits it with a new figure."""
    actuals_return(user=reviewer, seen={epay.pk: epay.version}, comment="Xem lại")
    epay.refresh_from_db()
    actuals_submit(
        user=editor,
        department=epay.department,
        period=epay.period,
        rows=[EntryRow(key="a", indicator=epay.indicator, level="", raw_value=value, version=epay.version)],
        today=today,
    )


def test_a_reviewer_cannot_approve_a_value_changed_since_the_page_showed_it(
    reviewer_client, submitted, hai_phong_reviewer, hai_phong_finance_editor, today
):
    """Issue #14, item 7: R1 loads the page showing 60; R2 returns it and the editor resubmits 95; R1's
    approval from the old page used to approve 95, a value R1 never saw."""
    epay = submitted["epayment_accounts"]
    html = reviewer_client.get(f"/review/{PERIOD}/").content.decode()
    row = re.search(rf'<tr id="actual-{epay.pk}">(.*?)</tr>', html, re.S).group(1)
    shown_version = re.search(rf'name="version-{epay.pk}" value="(\d+)"', row).group(1)
    assert shown_version == "1" and "60" in row
    _resubmitted(epay, hai_phong_reviewer, hai_phong_finance_editor, today, "95")

    response = reviewer_client.post(
        f"/review/{PERIOD}/decide/",
        {
            "locality": "hai-phong",
            "actual": epay.pk,
            f"version-{epay.pk}": shown_version,
            "decision": "approve",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "số liệu đã thay đổi từ khi bạn mở trang" in page
    assert "nay là 95" in page  # the new figure, in the message and in the refreshed list
    assert re.search(rf'name="version-{epay.pk}" value="3"', page)
    epay.refresh_from_db()
    assert (epay.status, epay.value, epay.version, epay.reviewed_by) == (
        Status.SUBMITTED,
        95,
        3,
        hai_phong_reviewer,  # from the return, not from this refused approval
    )
    assert [h.history_change_reason for h in epay.history.order_by("history_date")] == [
        "Gửi duyệt",
        "Trả lại: Xem lại",
        "Gửi duyệt",
    ]


def test_approving_a_whole_department_is_refused_when_one_of_its_values_changed(
    reviewer_client, submitted, hai_phong_reviewer, hai_phong_finance_editor, today
):
    epay, dossiers = submitted["epayment_accounts"], submitted["work_dossiers_online"]
    form = _department_form(reviewer_client.get(f"/review/{PERIOD}/").content.decode())
    assert sorted(form["actual"]) == sorted([str(epay.pk), str(dossiers.pk)])
    assert form[f"version-{epay.pk}"] == ["1"] and form[f"version-{dossiers.pk}"] == ["1"]
    _resubmitted(epay, hai_phong_reviewer, hai_phong_finance_editor, today, "95")

    response = reviewer_client.post(f"/review/{PERIOD}/decide/", {**form, "decision": "approve"}, follow=True)
    assert "nay là 95" in response.content.decode()
    statuses = dict(Actual.objects.filter(pk__in=[epay.pk, dossiers.pk]).values_list("pk", "status"))
    assert statuses == {epay.pk: Status.SUBMITTED, dossiers.pk: Status.SUBMITTED}  # all or nothing


def test_returning_a_value_changed_since_the_page_showed_it_is_refused(
    reviewer_client, submitted, hai_phong_reviewer
):
    epay = submitted["epayment_accounts"]
    # Approved meanwhile from another tab (or by a colleague) while this page still shows it as submitted.
    assert actuals_approve(user=hai_phong_reviewer, seen={epay.pk: 1}) == 1
    response = reviewer_client.post(
        f"/review/{PERIOD}/decide/",
        {
            "locality": "hai-phong",
            "actual": epay.pk,
            f"version-{epay.pk}": "1",
            "decision": "return",
            "comment": "Thiếu minh chứng",
        },
        follow=True,
    )
    assert "nay là 60, trạng thái “đã duyệt”" in response.content.decode()
    epay.refresh_from_db()
    assert (epay.status, epay.review_comment, epay.version) == (Status.APPROVED, "", 2)


@pytest.mark.parametrize("version", [None, "", "abc", "-1", "99"])
def test_a_decision_without_the_version_seen_is_refused(reviewer_client, submitted, version):
    epay = submitted["epayment_accounts"]
    data = {"locality": "hai-phong", "actual": epay.pk, "decision": "approve"}
    if version is not None:
        data[f"version-{epay.pk}"] = version
    response = reviewer_client.post(f"/review/{PERIOD}/decide/", data, follow=True)
    assert "số liệu đã thay đổi từ khi bạn mở trang" in response.content.decode()
    epay.refresh_from_db()
    assert (epay.status, epay.version) == (Status.SUBMITTED, 1)


def test_the_review_page_links_every_quarter_that_has_values_waiting(reviewer_client, submitted):
    """Issue #14, item 8: values submitted in 2024-Q2 (through the hole now closed) never reached a
    reviewer, whose page linked only the quarters the worklist offers."""
    epay = submitted["epayment_accounts"]
    Actual.objects.create(
        indicator=epay.indicator,
        locality=epay.locality,
        period=period_get_or_create(code="2024-Q2"),
        value=61,
        status=Status.SUBMITTED,
        department=epay.department,
    )
    response = reviewer_client.get(f"/review/{PERIOD}/")
    assert response.context["period_links"] == [
        ("2026-Q4", 2),
        ("2026-Q3", 0),
        ("2026-Q2", 0),
        ("2026-Q1", 0),
        ("2025-Q4", 0),
        ("2025", 0),
        ("2024-Q2", 1),
    ]
    html = response.content.decode()
    link = re.search(r'<a href="/review/2024-Q2/\?locality=hai-phong">(.*?)</a>', html, re.S).group(1)
    assert "1 chờ duyệt" in link
    waiting = reviewer_client.get("/review/2024-Q2/").content.decode()
    assert f'id="actual-{Actual.objects.get(period__code="2024-Q2").pk}"' in waiting


# ----------------------------------------------------------------- issue #16: departments that ended


def _tttt_and_khcn():
    """Hải Phòng's Sở TTTT (ended 28/02/2025) and its successor, the Sở KH&CN, as Plan 86 loads them."""
    from targets.models import Department
    from targets.services.plans import plans_load

    plans_load()
    tttt = Department.objects.get(locality__slug="hai-phong", code="so-tttt")
    return tttt, tttt.successor


def test_a_department_that_ended_gives_its_assignments_to_its_successor_and_its_figures_keep_its_name(
    catalogue, today
):
    import datetime as dt

    from targets.models import Assignment
    from targets.services.review import SuccessionReport, department_successions_apply

    tttt, khcn = _tttt_and_khcn()
    broadband = Indicator.objects.get(code="fibre_household_coverage")
    epay = Indicator.objects.get(code="epayment_accounts")
    Assignment.objects.create(department=tttt, indicator=broadband)
    Assignment.objects.create(department=tttt, indicator=epay)
    Assignment.objects.create(department=khcn, indicator=epay)  # already the successor's
    figure = Actual.objects.create(
        indicator=broadband,
        locality=tttt.locality,
        period=period_get_or_create(code="2024-Q4"),
        value=88,
        status=Status.APPROVED,
        department=tttt,
    )
    # The day before the merger nothing moves; from 1 March 2025 it does.
    assert department_successions_apply(today=dt.date(2025, 2, 28)) == SuccessionReport(moved=0, merged=0)
    report = department_successions_apply(today=dt.date(2025, 3, 1))
    assert (report.moved, report.merged) == (1, 1)
    assert set(
        Assignment.objects.filter(indicator__in=[broadband, epay]).values_list(
            "department__code", "indicator__code"
        )
    ) == {
        ("so-khcn", "fibre_household_coverage"),
        ("so-khcn", "epayment_accounts"),
    }
    figure.refresh_from_db()
    assert figure.department == tttt  # history keeps the name of the time
    assert department_successions_apply(today=dt.date(2025, 3, 2)) == SuccessionReport(moved=0, merged=0)


def test_a_reminder_for_a_department_that_ended_goes_to_its_successor(catalogue, today):
    from targets.models import Assignment

    tttt, khcn = _tttt_and_khcn()
    khcn.email = "khcn@haiphong.gov.vn"
    khcn.save()
    Assignment.objects.create(
        department=tttt, indicator=Indicator.objects.get(code="fibre_household_coverage")
    )
    sent = reminders_send(today=today.replace(day=29))
    q4 = [r for r in sent if r.period == "2026-Q4"]
    assert [(r.department, r.recipients) for r in q4] == [
        ("Sở Khoa học và Công nghệ", ("khcn@haiphong.gov.vn",))
    ]
    assert "Kính gửi Sở Khoa học và Công nghệ" in mail.outbox[0].body
