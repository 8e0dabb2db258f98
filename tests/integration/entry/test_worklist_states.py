"""Issue #17, item 7: the worklist says "Hoàn thành" for a finished quarter, lists no quarter with nothing to
do, puts the current quarter first, and calls a quarter overdue only when values are still to be sent after
its deadline.

The day is 2026-11-22 (`fixed_today`): the worklist offers 2026-Q4 (due 06/12/2026), 2026-Q3 (06/09),
2026-Q2 (06/06), 2026-Q1 (06/03), 2025-Q4 (06/12/2025) and the year 2025. Hải Phòng's Department of Finance
reports three quarterly series and no annual one.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from targets.models import Actual, LocalityPeriod, ReportingPeriod, Status
from targets.services.catalogue import period_get_or_create
from tests.integration.dashboard_data import assigned_values


@pytest.fixture
def editor_client(client, hai_phong_finance_editor, finance_assignments, fixed_today):
    client.force_login(hai_phong_finance_editor)
    return client


def _rows(html: str) -> dict[str, str]:
    """Each worklist row's text by period code, in page order."""
    rows = re.findall(r'<tr class="worklist-[^"]*">(.*?)</tr>', html, re.S)
    return {re.search(r"<td>([0-9Q-]+)</td>", r).group(1): r for r in rows}


def test_the_worklist_says_done_waiting_overdue_and_locked_for_what_each_quarter_is(
    editor_client, finance_assignments
):
    assigned_values(finance_assignments, "2026-Q3", Status.APPROVED)  # every value approved: done
    assigned_values(finance_assignments, "2026-Q2", Status.SUBMITTED)  # every value sent: waiting for review
    assigned_values(finance_assignments, "2026-Q1", Status.APPROVED, n=2)  # one value never sent: overdue
    locked = period_get_or_create(code="2025-Q4")
    LocalityPeriod.objects.create(
        locality=finance_assignments[0].department.locality, period=locked, locked_at=timezone.now()
    )
    before = (Actual.objects.count(), ReportingPeriod.objects.count())

    response = editor_client.get("/entry/")

    assert response.status_code == 200
    rows = _rows(response.content.decode())
    # The current quarter first, then the older ones; the year 2025 (nothing annual assigned) not at all.
    assert list(rows) == ["2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4"]
    assert "còn 14 ngày" in rows["2026-Q4"]
    assert "Hoàn thành" in rows["2026-Q3"] and "quá hạn" not in rows["2026-Q3"]
    assert "Đã gửi đủ, chờ duyệt" in rows["2026-Q2"] and "quá hạn" not in rows["2026-Q2"]
    assert "quá hạn 261 ngày" in rows["2026-Q1"]  # 06/03/2026 → 22/11/2026
    assert "đã khoá" in rows["2025-Q4"] and "quá hạn" not in rows["2025-Q4"]
    assert (Actual.objects.count(), ReportingPeriod.objects.count()) == before  # a GET writes nothing


def test_a_department_with_nothing_assigned_has_no_line_and_the_page_says_there_is_nothing_to_do(
    client, hai_phong_finance_editor, fixed_today
):
    client.force_login(hai_phong_finance_editor)  # a member, but no indicator assigned

    html = client.get("/entry/").content.decode()

    assert _rows(html) == {}
    assert "Không có việc cần làm" in html


def test_two_departments_share_each_quarter_current_quarter_first(
    client, hai_phong_finance_editor, finance_assignments, fixed_today
):
    from targets.models import Assignment, Department, Indicator, Membership

    health = Department.objects.create(
        locality=finance_assignments[0].department.locality, code="so-y-te", name="Sở Y tế"
    )
    Membership.objects.create(user=hai_phong_finance_editor, department=health, role="editor")
    Assignment.objects.create(
        department=health, indicator=Indicator.objects.get(code="epayment_accounts"), level=""
    )
    client.force_login(hai_phong_finance_editor)

    html = client.get("/entry/").content.decode()

    periods = re.findall(
        r'<tr class="worklist-[^"]*">\s*<td>[^<]*<small>[^<]*</small></td>\s*<td>([^<]+)</td>', html
    )
    assert periods[:2] == ["2026-Q4", "2026-Q4"]  # both departments' current quarter before any older one
