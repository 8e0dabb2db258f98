"""A large Excel import (issue #20 point 4): checked and previewed in the request as any upload, then, once
confirmed, written by a background job whose page shows its progress; a small one is still written in the
request. A value changed between the preview and the job is refused with its message, and nothing is written.

The tests' task backend runs a job at once when the request's transaction commits (django-tasks'
ImmediateBackend, run by `django_capture_on_commit_callbacks(execute=True)`).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from targets.models import Actual, Job, JobState, Origin, Status
from targets.services.catalogue import period_get_or_create
from targets.services.entry import EntryRow, actuals_save_draft

from .test_excel_import import PERIOD, _fill, _q4, _template, _upload

VALUES = {"Tỷ lệ dân số có tài khoản": 61.5, "Tỷ lệ hồ sơ công việc@tỉnh": "80,5"}


@pytest.fixture
def editor(client, hai_phong_finance_editor, finance_assignments, fixed_today):
    client.force_login(hai_phong_finance_editor)
    client.dept = finance_assignments[0].department
    return client


@pytest.fixture
def large_from_two_rows(settings):
    settings.ENTRY_IMPORT_JOB_ROWS = 1  # the finance form has three rows: two filled is "large"


def _preview(client, values=VALUES) -> str:
    response = _upload(client, _fill(_template(client), values))
    assert response.status_code == 200
    assert "2 mới · 0 thay đổi · 1 không đổi · 0 lỗi" in response.content.decode()
    assert not _q4().exists()  # the preview writes nothing
    return response.context["token"]


def _confirm(client, token, capture):
    with capture(execute=True):
        return client.post(
            f"/entry/{PERIOD}/import/?department={client.dept.pk}", {"action": "confirm", "token": token}
        )


def test_a_large_import_is_written_by_a_job_whose_page_shows_it_done(
    editor, hai_phong_finance_editor, large_from_two_rows, django_capture_on_commit_callbacks
):
    token = _preview(editor)

    response = _confirm(editor, token, django_capture_on_commit_callbacks)

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/jobs/{job.pk}/"
    assert (job.kind, job.state, job.user, job.done, job.total) == (
        "entry_import",
        JobState.DONE,
        hai_phong_finance_editor,
        2,
        2,
    )
    epay = _q4().get(indicator__code="epayment_accounts")
    assert (epay.value, epay.status, epay.origin, epay.updated_by) == (
        Decimal("61.5"),
        Status.DRAFT,
        Origin.IMPORTED,
        hai_phong_finance_editor,
    )
    assert _q4().get(indicator__code="work_dossiers_online", level="city").value == Decimal("80.5")
    assert _q4().count() == 2
    assert epay.history.get().history_change_reason == "Nhập từ Excel (lưu nháp)"
    page = editor.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Nhập số liệu từ Excel" in html
    assert "Đã xong." in html
    assert f'href="/entry/{PERIOD}/?department={editor.dept.pk}"' in html  # back to the form
    assert 'http-equiv="refresh"' not in html
    listing = b"".join(editor.get(f"/reports/jobs/{job.pk}/file/").streaming_content).decode("utf-8-sig")
    assert listing.splitlines()[-1] == "saved,2,unchanged,0"
    # The preview's token is spent: a second confirm is refused, nothing runs again.
    again = _confirm(editor, token, django_capture_on_commit_callbacks)
    assert again.status_code == 400
    assert Job.objects.count() == 1


def test_a_running_import_job_shows_its_progress(editor, hai_phong_finance_editor, large_from_two_rows):
    job = Job.objects.create(
        kind="entry_import",
        params={"user": hai_phong_finance_editor.pk, "department": editor.dept.pk, "period": PERIOD},
        key="k",
        user=hai_phong_finance_editor,
        state=JobState.RUNNING,
        total=250,
    )

    html = editor.get(f"/reports/jobs/{job.pk}/").content.decode()

    assert '<meta http-equiv="refresh" content="2">' in html
    assert '<progress max="250" value="0"' in html


def test_a_small_import_is_still_written_in_the_request(editor, django_capture_on_commit_callbacks):
    token = _preview(editor)  # two rows, under the default 200

    response = _confirm(editor, token, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == f"/entry/{PERIOD}/?department={editor.dept.pk}"
    assert not Job.objects.exists()
    assert _q4().count() == 2


def test_a_value_changed_before_the_job_runs_is_refused_and_nothing_is_written(
    editor, hai_phong_finance_editor, today, large_from_two_rows, django_capture_on_commit_callbacks
):
    token = _preview(editor)
    epay = editor.dept.assignments.get(indicator__code="epayment_accounts")
    actuals_save_draft(  # a colleague saves on the web form between the preview and the confirm
        user=hai_phong_finance_editor,
        department=editor.dept,
        period=period_get_or_create(code=PERIOD),
        today=today,
        rows=[EntryRow(key="x", indicator=epay.indicator, level=epay.level, raw_value="55")],
    )
    before = list(Actual.objects.order_by("pk").values_list("pk", "value", "status", "version"))

    response = _confirm(editor, token, django_capture_on_commit_callbacks)

    job = Job.objects.get()
    assert response["Location"] == f"/reports/jobs/{job.pk}/"
    assert job.state == JobState.FAILED
    assert job.refusal == ["Có giá trị vừa được người khác thay đổi: vui lòng tải biểu mẫu mới."]
    assert list(Actual.objects.order_by("pk").values_list("pk", "value", "status", "version")) == before
    html = editor.get(f"/reports/jobs/{job.pk}/").content.decode()
    assert "Chưa ghi gì vào hệ thống." in html
    assert "Có giá trị vừa được người khác thay đổi: vui lòng tải biểu mẫu mới." in html


def test_only_the_uploader_may_follow_the_import_job(
    editor, client, hai_phong_reviewer, large_from_two_rows, django_capture_on_commit_callbacks
):
    _confirm(editor, _preview(editor), django_capture_on_commit_callbacks)
    job = Job.objects.get()
    client.force_login(hai_phong_reviewer)

    assert client.get(f"/reports/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/reports/jobs/{job.pk}/file/").status_code == 404


def test_the_job_page_shows_the_rows_written_so_far_while_the_import_runs(
    editor, settings, large_from_two_rows, django_capture_on_commit_callbacks, monkeypatch
):
    """The import writes all or nothing in one transaction, so its row cannot show progress before the
    commit: the worker reports it to the shared cache too, and the page shows it from there."""
    from django.core.cache import cache

    from targets import jobs
    from targets.services import entry

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "j"}
    }
    cache.clear()
    clock = iter(range(10**6))  # a second between reports: none is held back by the twice-a-second limit
    monkeypatch.setattr(jobs.time, "monotonic", lambda: float(next(clock)))
    seen = []
    changes = entry._changes

    def watched(planned):  # called for each row, after its progress report, inside the import's transaction
        job = Job.objects.get()
        page = editor.get(f"/reports/jobs/{job.pk}/").content.decode()
        seen.append((job.state, job.done, re.search(r'<progress max="(\d+)" value="(\d+)"', page).groups()))
        return changes(planned)

    monkeypatch.setattr(entry, "_changes", watched)
    token = _preview(editor)

    _confirm(editor, token, django_capture_on_commit_callbacks)

    # Row 1 of 2, then row 2: the page shows 0 then 1 written of 2, while the row (not committed) says 0.
    assert seen == [(JobState.RUNNING, 0, ("2", "0")), (JobState.RUNNING, 0, ("2", "1"))]
    job = Job.objects.get()
    assert (job.state, job.done, job.total) == (JobState.DONE, 2, 2)
    assert _q4().count() == 2
    cache.clear()
