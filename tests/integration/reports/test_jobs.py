"""Background jobs (issue #20 point 4): the national Excel report is a job with a progress page polled
without scripts, its file is kept for its parameters and data version (a repeat download is instant), a
failure is recorded and shown, and only whoever may ask for the same report may follow the job.

The tests' task backend runs a job at once (django-tasks' ImmediateBackend); one test runs the real
database queue and its worker (`db_worker`) in-process.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from targets import jobs
from targets.cache import figures_changed
from targets.models import Indicator, Job, JobState

ALL = {"locality": "all", "as_of": "2026-Q3"}


@pytest.fixture
def admin_client(client, superuser, catalogue, fixed_today):
    client.force_login(superuser)
    return client


def _ask(client, capture, params=ALL):
    with capture(execute=True):
        return client.post(f"/reports/download/?{urlencode(params, doseq=True)}")


def test_the_national_report_is_a_job_whose_page_offers_the_file(
    admin_client, django_capture_on_commit_callbacks
):
    response = _ask(admin_client, django_capture_on_commit_callbacks)

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/jobs/{job.pk}/"
    # Run at commit by the task backend: done, every row counted, its file kept.
    assert (job.kind, job.state, job.params) == ("report", JobState.DONE, {**ALL, "pillars": []})
    assert job.done == job.total > 0
    assert job.filename == "bao-cao-cds-all-2026-Q3.xlsx"
    page = admin_client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/reports/jobs/{job.pk}/file/"' in html
    assert 'http-equiv="refresh"' not in html  # finished: no more reloading
    download = admin_client.get(f"/reports/jobs/{job.pk}/file/")
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert wb["Tổng hợp"]["B2"].value == "Hà Nội, Hải Phòng, Đà Nẵng"
    # The total is the rows the sheets hold: each target twice (its pillar sheet and its quote), each figure
    # once, plus tasks, departments and documents — at least the targets twice.
    targets = sum(wb[name].max_row - 1 for name in wb.sheetnames[1:5])
    assert job.total >= 2 * targets


def test_a_repeat_request_on_the_same_data_gets_the_kept_file_at_once(
    admin_client, django_capture_on_commit_callbacks
):
    _ask(admin_client, django_capture_on_commit_callbacks)
    job = Job.objects.get()

    again = _ask(admin_client, django_capture_on_commit_callbacks)

    assert again.status_code == 302
    assert again["Location"] == f"/reports/jobs/{job.pk}/file/"  # straight to the file
    assert Job.objects.count() == 1  # nothing run again


def test_a_change_of_the_figures_makes_a_new_file(
    admin_client, catalogue, django_capture_on_commit_callbacks
):
    _ask(admin_client, django_capture_on_commit_callbacks)
    indicator = Indicator.objects.get(code="epayment_accounts").pk
    figures_changed([(catalogue["ha-noi"].pk, indicator, dt.date(2026, 9, 30))])  # an approval in Hà Nội

    again = _ask(admin_client, django_capture_on_commit_callbacks)

    newer = Job.objects.order_by("-pk").first()
    assert Job.objects.count() == 2
    assert again["Location"] == f"/reports/jobs/{newer.pk}/"
    assert newer.state == JobState.DONE


def test_a_running_job_shows_its_progress_and_reloads_without_a_script(admin_client, superuser):
    job = Job.objects.create(
        kind="report", params={**ALL, "pillars": []}, key="k", user=superuser, state=JobState.RUNNING
    )
    Job.objects.filter(pk=job.pk).update(done=36000, total=144000)

    response = admin_client.get(f"/reports/jobs/{job.pk}/")

    html = response.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert '<progress max="144000" value="36000"' in html
    assert "36000 / 144000" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script is a file (CSP)
    assert response["Cache-Control"] == "no-store"
    assert admin_client.get(f"/reports/jobs/{job.pk}/file/").status_code == 404  # not ready yet


def test_the_worker_records_progress_as_it_goes(catalogue, superuser, monkeypatch):
    seen = []

    def counting(params, progress):
        for done in (0, 50, 100):
            progress(done, 100)
            seen.append(Job.objects.values_list("done", "total", "state").get(key="counting"))
        return b"one,two\n", "counted.csv"

    monkeypatch.setitem(
        jobs.KINDS, "counting", jobs.JobKind("counting", "counting", "report", counting, lambda p: ())
    )
    monkeypatch.setattr(jobs.time, "monotonic", iter(range(0, 1000, 10)).__next__)  # each update is due
    job = Job.objects.create(kind="counting", params=ALL, key="counting", user=superuser)

    jobs.execute(job.pk)

    assert seen == [(0, 100, "running"), (50, 100, "running"), (100, 100, "running")]
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == (JobState.DONE, 100, 100)
    assert job.file.read() == b"one,two\n"


def test_a_failed_job_is_recorded_and_shown(admin_client, superuser, monkeypatch):
    def broken(params, progress):
        progress(10, 100)
        raise RuntimeError("disk full")

    monkeypatch.setitem(
        jobs.KINDS, "report", jobs.JobKind("report", "Báo cáo Excel", "report", broken, lambda p: ())
    )
    job = Job.objects.create(kind="report", params={**ALL, "pillars": []}, key="x", user=superuser)

    jobs.execute(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == "RuntimeError: disk full"
    assert not job.file
    page = admin_client.get(f"/reports/jobs/{job.pk}/").content.decode()
    assert "Không tạo được tệp" in page
    assert 'http-equiv="refresh"' not in page
    assert admin_client.get(f"/reports/jobs/{job.pk}/file/").status_code == 404
    # A failed job is not reused: asking again queues a new one.
    assert jobs.job_request(user=superuser, kind="report", params={**ALL, "pillars": []}).pk != job.pk


def test_a_job_is_run_once_even_if_its_task_is_delivered_twice(catalogue, superuser, monkeypatch):
    calls = []

    def once(params, progress):
        calls.append(1)
        return b"x", "x.txt"

    monkeypatch.setitem(jobs.KINDS, "once", jobs.JobKind("once", "once", "report", once, lambda p: ()))
    job = Job.objects.create(kind="once", params=ALL, key="once", user=superuser)
    jobs.execute(job.pk)
    jobs.execute(job.pk)
    assert calls == [1]


def test_only_whoever_may_ask_for_the_report_may_follow_its_job(
    admin_client, client, superuser, hai_phong_reviewer, django_capture_on_commit_callbacks
):
    _ask(admin_client, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    from django.test import Client

    reviewer = Client()
    reviewer.force_login(hai_phong_reviewer)
    assert reviewer.get(f"/reports/jobs/{job.pk}/").status_code == 404  # the country's report: superusers
    assert reviewer.get(f"/reports/jobs/{job.pk}/file/").status_code == 404
    anonymous = Client()
    assert anonymous.get(f"/reports/jobs/{job.pk}/").status_code == 302  # to the login page
    # The Hải Phòng reviewer's own report through the same machinery is theirs to follow.
    own = jobs.job_request(
        user=hai_phong_reviewer, kind="report", params={"locality": "hai-phong", "as_of": "2026-Q3"}
    )
    assert reviewer.get(f"/reports/jobs/{own.pk}/").status_code == 200
    with pytest.raises(jobs.PermissionDenied):
        jobs.job_request(user=hai_phong_reviewer, kind="report", params=ALL)


def test_the_database_queue_and_its_worker_run_the_job(
    admin_client, settings, django_capture_on_commit_callbacks, monkeypatch
):
    # The real queue (django-tasks reads TASKS again when the setting changes).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    # The worker closes its old connections between tasks, as a long-lived process should; run here inside
    # the test's transaction it must keep the test's connection (PostgreSQL cannot reopen it mid-transaction).
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    _ask(admin_client, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert job.state == JobState.QUEUED  # waiting for the worker: the request did not run it

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert admin_client.get(f"/reports/jobs/{job.pk}/file/").status_code == 200


def test_the_reminders_job_sends_them_and_lists_them(client, superuser, catalogue, fixed_today):
    job = jobs.job_request(user=superuser, kind="reminders", params={"days": 7})
    # (run at once by the tests' backend only at commit: run it here)
    jobs.execute(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert job.filename == "nhac-han-2026-11-22.csv"
    assert (
        job.file.read().decode("utf-8-sig").splitlines()[0] == "department,period,deadline,missing,recipients"
    )


def test_a_progress_update_that_fails_does_not_fail_the_job(catalogue, superuser, monkeypatch):
    from django.db import OperationalError
    from django.db.models import QuerySet

    def steps(params, progress):
        progress(1, 2)  # its UPDATE fails: database is locked
        progress(2, 2)
        return b"ok", "ok.txt"

    monkeypatch.setitem(jobs.KINDS, "steps", jobs.JobKind("steps", "steps", "report", steps, lambda p: ()))
    job = Job.objects.create(kind="steps", params=ALL, key="steps", user=superuser)
    real_update = QuerySet.update
    failures = iter([True])

    def flaky_update(self, **fields):
        if "done" in fields and next(failures, False):
            raise OperationalError("database is locked")
        return real_update(self, **fields)

    monkeypatch.setattr(QuerySet, "update", flaky_update)
    jobs.execute(job.pk)
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == (JobState.DONE, 2, 2)


def test_the_bao_cao_runs_as_a_job_whose_file_is_the_word_document_and_a_new_narrative_makes_a_new_one(
    admin_client, superuser, django_capture_on_commit_callbacks
):
    """Issue #20 point 4 with issue #18: the Báo cáo is one more job kind; its file is kept until the figures
    or the reviewer's texts change."""
    from docx import Document as Docx

    from targets.models import Locality
    from targets.services.narrative import report_narrative_save

    params = {"locality": "hai-phong", "as_of": "2026-Q3"}
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_request(user=superuser, kind="bao_cao", params=params)
    job.refresh_from_db()
    assert (job.state, job.filename) == (JobState.DONE, "bao-cao-hai-phong-2026-Q3.docx")
    text = "\n".join(p.text for p in Docx(job.file.open("rb")).paragraphs)
    assert "BÁO CÁO" in text and "quý III năm 2026" in text
    with django_capture_on_commit_callbacks(execute=True):
        again = jobs.job_request(user=superuser, kind="bao_cao", params=params)
    assert again.pk == job.pk  # kept: nothing changed
    report_narrative_save(
        user=superuser,
        locality=Locality.objects.get(slug="hai-phong"),
        period_code="2026-Q3",
        version=0,
        shortcomings="Một số sở chưa cập nhật số liệu đúng hạn.",
        recommendations="Đề nghị UBND thành phố chỉ đạo các sở báo cáo đúng hạn.",
        pillar_notes={},
    )
    with django_capture_on_commit_callbacks(execute=True):
        fresh = jobs.job_request(user=superuser, kind="bao_cao", params=params)
    fresh.refresh_from_db()
    assert fresh.pk != job.pk and fresh.state == JobState.DONE
    text = "\n".join(p.text for p in Docx(fresh.file.open("rb")).paragraphs)
    assert "Một số sở chưa cập nhật số liệu đúng hạn." in text
    assert Job.objects.filter(kind="bao_cao").count() == 2


def test_a_get_never_starts_the_national_report_it_asks_to_and_a_post_does(
    admin_client, django_capture_on_commit_callbacks
):
    """Found in review: a GET of /reports/download/?locality=all created a job (a prefetch or a reload could
    start the national report). A GET now writes nothing: it offers a button that POSTs; once the file is
    kept, a GET goes straight to it."""
    with django_capture_on_commit_callbacks(execute=True):
        asked = admin_client.get("/reports/download/", ALL)

    assert asked.status_code == 200
    assert not Job.objects.exists()
    html = asked.content.decode()
    assert 'method="post"' in html and "/reports/download/?locality=all&amp;as_of=2026-Q3" in html
    assert "Bắt đầu tạo báo cáo" in html

    started = _ask(admin_client, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert started["Location"] == f"/reports/jobs/{job.pk}/"
    again = admin_client.get("/reports/download/", ALL)  # the kept file: a GET follows it, writes nothing
    assert again["Location"] == f"/reports/jobs/{job.pk}/file/"
    assert Job.objects.count() == 1


def test_a_jobs_percentage_stays_within_0_and_100():
    """Found in review: `done` past `total` (a worker's last report rounded up) showed over 100 %."""
    assert Job(state=JobState.RUNNING, done=300, total=250).percent == 100
    assert Job(state=JobState.RUNNING, done=125, total=250).percent == 50
    assert Job(state=JobState.RUNNING, done=0, total=0).percent == 0


def test_the_report_job_computes_its_data_with_the_workers_objects_frozen_and_puts_them_back(
    catalogue, superuser, monkeypatch
):
    """The garbage collector leaves the worker's earlier objects out of its collections while the report's
    data is computed and written (`writer.collecting_new_objects_only`), and finds them again after, also
    when computing the data fails."""
    import gc

    from reports import pages

    frozen_while_computing = []
    real_report = pages.report

    def watched(**kwargs):
        frozen_while_computing.append(gc.get_freeze_count())
        return real_report(**kwargs)

    monkeypatch.setattr(pages, "report", watched)
    before = gc.get_freeze_count()
    job = Job.objects.create(kind="report", params=ALL, key="frozen", user=superuser)

    jobs.execute(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.DONE and job.file
    assert frozen_while_computing and frozen_while_computing[0] > 0
    assert gc.get_freeze_count() == before

    def failing(**kwargs):
        frozen_while_computing.append(gc.get_freeze_count())
        raise RuntimeError("no data")

    monkeypatch.setattr(pages, "report", failing)
    job = Job.objects.create(kind="report", params=ALL, key="frozen-2", user=superuser)
    jobs.execute(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.error == "RuntimeError: no data"
    assert frozen_while_computing[1] > 0
    assert gc.get_freeze_count() == before
