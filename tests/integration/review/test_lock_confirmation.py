"""Issue #17, item 11: "Khoá kỳ" asks first, listing what is still open per department; a lock is refused
while values returned to a department wait for correction; approve and return are not offered on a locked
quarter."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from targets.models import Actual, LocalityPeriod, Status
from targets.services.review import actuals_return, period_lock
from tests.integration.review import test_review as review_story

PERIOD = review_story.PERIOD
submitted = review_story.submitted  # the finance editor's two submitted values (a fixture)

LOCK = f"/review/{PERIOD}/lock/"


@pytest.fixture
def reviewer_client(client, hai_phong_reviewer, fixed_today):
    client.force_login(hai_phong_reviewer)
    return client


def _locked() -> bool:
    lp = LocalityPeriod.objects.filter(locality__slug="hai-phong", period__code=PERIOD).first()
    return bool(lp and lp.is_locked)


def test_khoa_ky_first_lists_what_is_still_open_and_locks_nothing(
    reviewer_client, submitted, django_assert_max_num_queries
):
    # Finance: 3 assigned, 2 submitted (waiting), the commune rate not entered.
    # session, user, scope, the reviewer's localities, the period, then the review page's five reads
    with django_assert_max_num_queries(11):  # + the menu's count of values waiting (issue #17)
        response = reviewer_client.post(LOCK, {"locality": "hai-phong", "action": "lock"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Khoá kỳ 2026-Q4 — Hải Phòng?" in html
    assert "2 giá trị chờ duyệt" in html and "1 chỉ tiêu chưa nhập" in html
    row = html[html.index("<tbody>") : html.index("</tbody>")]
    assert "Sở Tài chính" in row
    assert [int(n) for n in re.findall(r'<td class="num"[^>]*>(\d+)</td>', row)] == [2, 0, 0, 1]
    assert 'name="confirmed" value="1"' in html
    assert not _locked()


def test_the_confirmed_lock_locks_the_quarter(reviewer_client, submitted, hai_phong_reviewer):
    response = reviewer_client.post(LOCK, {"locality": "hai-phong", "action": "lock", "confirmed": "1"})
    assert response.status_code == 302
    lp = LocalityPeriod.objects.get(locality__slug="hai-phong", period__code=PERIOD)
    assert lp.is_locked and lp.locked_by == hai_phong_reviewer


def test_a_quarter_with_a_returned_value_is_not_locked_so_the_value_is_not_stuck(
    reviewer_client, submitted, hai_phong_reviewer
):
    """In the trial a quarter was locked with a returned value, which the editor could then only view."""
    epay = submitted["epayment_accounts"]
    actuals_return(user=hai_phong_reviewer, seen={epay.pk: epay.version}, comment="Kiểm tra lại nguồn")
    html = reviewer_client.post(LOCK, {"locality": "hai-phong", "action": "lock"}).content.decode()
    assert "Chưa khoá được: còn 1 giá trị đã trả lại đang chờ đơn vị sửa" in html
    assert 'name="confirmed"' not in html  # no lock button
    response = reviewer_client.post(
        LOCK, {"locality": "hai-phong", "action": "lock", "confirmed": "1"}, follow=True
    )
    assert "Chưa khoá kỳ 2026-Q4: còn 1 giá trị đã trả lại" in response.content.decode()
    assert not _locked()
    epay.refresh_from_db()
    assert epay.status == Status.RETURNED
    # The editor can still correct it.
    editor = Client()
    editor.force_login(submitted["epayment_accounts"].updated_by)
    form = editor.get(f"/entry/{PERIOD}/").content.decode()
    assert f'name="value-{epay.indicator.assignments.first().pk}"' in form


def test_a_locked_quarter_offers_no_approve_or_return(reviewer_client, submitted, hai_phong_reviewer):
    epay = submitted["epayment_accounts"]
    period_lock(user=hai_phong_reviewer, locality=epay.locality, period=epay.period)
    html = reviewer_client.get(f"/review/{PERIOD}/?locality=hai-phong").content.decode()
    assert f'id="actual-{epay.pk}"' in html  # the value is shown
    assert 'value="approve"' not in html and 'value="return"' not in html
    assert "/decide/" not in html
    assert "mở khoá kỳ để duyệt hoặc trả lại" in html
    assert Actual.objects.get(pk=epay.pk).status == Status.SUBMITTED


def test_an_open_quarter_still_offers_approve_and_return(reviewer_client, submitted):
    html = reviewer_client.get(f"/review/{PERIOD}/?locality=hai-phong").content.decode()
    assert html.count('value="approve"') == 3  # two values and the department's "approve all"
    assert not _locked()


def test_a_locked_quarter_offers_no_reopening_of_an_approved_value(
    reviewer_client, submitted, hai_phong_reviewer
):
    from targets.services.review import actuals_approve

    epay = submitted["epayment_accounts"]
    actuals_approve(user=hai_phong_reviewer, seen={epay.pk: epay.version})
    history = f"/actuals/{epay.pk}/history/"
    assert f'action="/actuals/{epay.pk}/reopen/"' in reviewer_client.get(history).content.decode()
    period_lock(user=hai_phong_reviewer, locality=epay.locality, period=epay.period)
    html = reviewer_client.get(history).content.decode()
    assert "/reopen/" not in html
    assert "mở khoá kỳ để mở lại giá trị này" in html
    assert Actual.objects.get(pk=epay.pk).status == Status.APPROVED
