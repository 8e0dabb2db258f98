"""The reminders button (issue #20 point 4): a superuser sends the deadline reminders of every locality from
the review pages as the "reminders" background job (POST only), and sees what was sent on its page; nobody
else sees the button or may send them."""

from __future__ import annotations

import pytest
from django.core import mail

from targets.models import Job, JobState


@pytest.fixture
def admin_client(client, superuser, finance_assignments, hai_phong_finance_editor, fixed_today):
    hai_phong_finance_editor.email = "so-tai-chinh@haiphong.gov.vn"
    hai_phong_finance_editor.save()
    client.force_login(superuser)
    return client


def test_a_superuser_sends_the_reminders_as_a_job_from_the_review_page(
    admin_client, hai_phong_finance_editor, django_capture_on_commit_callbacks
):
    chooser = admin_client.get("/review/2026-Q3/").content.decode()
    assert 'action="/review/reminders/"' in chooser
    assert (
        'action="/review/reminders/"'
        in admin_client.get("/review/2026-Q3/", {"locality": "hai-phong"}).content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/review/reminders/")

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/jobs/{job.pk}/"
    assert (job.kind, job.state, job.params) == ("reminders", JobState.DONE, {"days": 7})
    # The finance department of Hải Phòng (three indicators) has entered nothing in the four quarters still
    # open for entry on 22/11/2026, each due on the 6th of its last month: one e-mail per quarter to its
    # editor, and the job's list names each.
    assert [m.to for m in mail.outbox] == [["so-tai-chinh@haiphong.gov.vn"]] * 4
    assert lines_of(admin_client, job).splitlines() == [
        "department,period,deadline,missing,recipients",
        "Sở Tài chính,2026-Q3,2026-09-06,3,so-tai-chinh@haiphong.gov.vn",
        "Sở Tài chính,2026-Q2,2026-06-06,3,so-tai-chinh@haiphong.gov.vn",
        "Sở Tài chính,2026-Q1,2026-03-06,3,so-tai-chinh@haiphong.gov.vn",
        "Sở Tài chính,2025-Q4,2025-12-06,3,so-tai-chinh@haiphong.gov.vn",
    ]


def lines_of(client, job):
    return b"".join(client.get(f"/reports/jobs/{job.pk}/file/").streaming_content).decode("utf-8-sig")


def test_a_get_sends_nothing(admin_client):
    response = admin_client.get("/review/reminders/")

    assert response.status_code == 405
    assert not Job.objects.exists()
    assert mail.outbox == []


def test_a_reviewer_neither_sees_the_button_nor_may_send(
    client, hai_phong_reviewer, finance_assignments, fixed_today, django_capture_on_commit_callbacks
):
    client.force_login(hai_phong_reviewer)
    assert 'action="/review/reminders/"' not in client.get("/review/2026-Q3/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/review/reminders/")

    assert response.status_code == 404
    assert not Job.objects.exists()
    assert mail.outbox == []
