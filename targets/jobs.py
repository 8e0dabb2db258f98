"""Background jobs (issue #20): long work run by the worker (`manage.py db_worker`, django-tasks' database
backend), never in a web request, with its progress and its file.

A job kind is one entry of `KINDS`: its name, its label, the `targets.access` rule that says who may run it
(`access.JOB_RULES`), what version of the data its file depends on, and a function
`run(params, progress) -> (file bytes, file name)` that calls `progress(done, total)` as it goes. Adding a
kind is one `register(JobKind(...))`: the targets' own here (the reminders, a large Excel import), the
reports' in `reports/jobs.py` (the Excel report, the Báo cáo), each registered when its app is ready — the
machinery lives here, so targets/ never imports reports/.

- `job_request(user=…, kind=…, params=…)`: the job for those parameters and that data version: a finished
  one (its file is kept, so a repeat download is instant), one queued or running (no second run), or a
  new one, queued once the request's transaction commits.
- `execute(job_id)`: what the worker runs (`targets.tasks.run_job`): the kind's function, its progress
  written to the job row as it goes, its file saved, or the failure recorded.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access
from .cache import caching
from .models import Job, JobState

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: Any  # a lazy translation
    rule: str  # `targets.access.JOB_RULES`
    run: Callable[[dict, Progress], tuple[bytes, str]]
    version: Callable[[dict], Hashable]  # what the file depends on besides `params`


KINDS: dict[str, JobKind] = {}


class JobRefused(Exception):
    """A job's input refused with messages for its user (Vietnamese): recorded on the job, shown on its
    page; the kind has written nothing."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = [str(m) for m in messages]
        super().__init__("; ".join(self.messages))


def register(kind: JobKind) -> JobKind:
    KINDS[kind.name] = kind
    return kind


# --- requesting and running ------------------------------------------------------------------------------


def _key(kind: JobKind, params: dict) -> str:
    version = kind.version(params)
    text = json.dumps([kind.name, params], sort_keys=True, ensure_ascii=False) + repr(version)
    return hashlib.sha256(text.encode()).hexdigest()


def job_find(*, user, kind: str, params: dict) -> Job | None:
    """The job of `kind` for `params` on the current data if there is one (finished with its file still there,
    queued or running), else None; nothing is written (a GET may ask). Raises PermissionDenied when
    `targets.access` refuses."""
    spec = KINDS[kind]
    if not access.may_run_job(user, spec.rule, params):
        raise PermissionDenied
    existing = (
        Job.objects.filter(
            key=_key(spec, params), state__in=[JobState.QUEUED, JobState.RUNNING, JobState.DONE]
        )
        .order_by("-pk")
        .first()
    )
    if existing is not None and (
        existing.state != JobState.DONE or existing.file.storage.exists(existing.file.name)
    ):
        return existing
    return None


def job_request(*, user, kind: str, params: dict) -> Job:
    """The job of `kind` for `params` on the current data: a finished one whose file is still there, one
    queued or running, or a new one (queued when the surrounding transaction commits). Raises
    PermissionDenied when `targets.access` refuses."""
    existing = job_find(user=user, kind=kind, params=params)
    if existing is not None:
        return existing
    job = Job.objects.create(kind=kind, params=params, key=_key(KINDS[kind], params), user=user)
    from .tasks import run_job  # the task module imports this one

    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


PROGRESS_TIMEOUT = 3600  # seconds a job's reported progress is kept in the cache


def _progress_key(job_id: int) -> str:
    return f"dti:job-progress:{job_id}"


def live_progress(job: Job) -> Job:
    """`job` with the progress its worker last reported: the row's, or, while it runs, the cache's when that
    is further (a job writing in one transaction, as an import does, reports there only: its row shows the
    progress at the commit)."""
    if job.state == JobState.RUNNING and caching():
        seen = cache.get(_progress_key(job.pk))
        if seen is not None and (seen[0] > job.done or not job.total):
            job.done, job.total = seen
    return job


def execute(job_id: int) -> None:
    """Run a queued job (the worker's task): its state, progress, file or failure written to its row."""
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=timezone.now()
    )
    if not claimed:  # already run (a task delivered twice), or gone
        return
    job = Job.objects.get(pk=job_id)
    last = [float("-inf")]  # the first report (the total) is written at once
    depth = len(transaction.get_connection().atomic_blocks)  # the transactions the job was started in

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5 or done >= total:  # at most twice a second: one small UPDATE
            last[0] = now
            done = min(done, total)
            if caching():  # seen by every process at once (`live_progress`)
                cache.set(_progress_key(job_id), (done, total), timeout=PROGRESS_TIMEOUT)
            if len(transaction.get_connection().atomic_blocks) > depth:
                # Inside the job's own transaction (an import: all or nothing): the row would show it only at
                # the commit, and a failed UPDATE would break the transaction.
                return
            try:
                Job.objects.filter(pk=job_id).update(done=done, total=total)
            except DatabaseError:  # the bar may lag (SQLite busy with a long write): the job goes on
                logger.warning("job %s: progress not recorded at %s/%s", job_id, done, total, exc_info=True)

    try:
        content, filename = KINDS[job.kind].run(job.params, progress)
    except JobRefused as exc:
        Job.objects.filter(pk=job_id).update(
            state=JobState.FAILED,
            refusal=exc.messages,
            error=f"JobRefused: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return
    except Exception as exc:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        Job.objects.filter(pk=job_id).update(
            state=JobState.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        return
    job.refresh_from_db()
    job.filename = filename
    job.file.save(f"{job.key[:16]}-{filename}", ContentFile(content), save=False)
    job.state = JobState.DONE
    job.done = job.total = max(job.total, job.done, 1)
    job.finished_at = timezone.now()
    job.save()


# --- the targets' kinds ---------------------------------------------------------------------------------------


def _reminders_run(params: dict, progress: Progress) -> tuple[bytes, str]:
    """The deadline reminders of every locality (as `manage.py send_reminders`), and the list of what was
    sent as a CSV."""
    from targets.services.review import reminders_send

    today = timezone.localdate()
    progress(0, 1)
    sent = reminders_send(today=today, days=int(params.get("days", 7)))
    out = io.StringIO()
    lines = csv.writer(out)
    lines.writerow(["department", "period", "deadline", "missing", "recipients"])
    for r in sent:
        lines.writerow([r.department, r.period, r.deadline.isoformat(), r.missing, " ".join(r.recipients)])
    progress(1, 1)
    return out.getvalue().encode("utf-8-sig"), f"nhac-han-{today.isoformat()}.csv"


register(
    JobKind(
        name="reminders",
        label=_("Gửi nhắc hạn"),
        rule="reminders",
        run=_reminders_run,
        # Reminders are sent each time they are asked for: never answered with an earlier run's file.
        version=lambda params: (timezone.now().isoformat(),),
    )
)


def _entry_import_run(params: dict, progress: Progress) -> tuple[bytes, str]:
    """A large Excel import (issue #20): the rows its upload's preview checked and staged, written as
    drafts through `actuals_import_confirm` (all or nothing, checked again: a value changed meanwhile or a
    quarter locked since is refused with its message, and nothing is written), and the list of what was
    written as a CSV."""
    from django.contrib.auth import get_user_model

    from targets.models import Department, ReportingPeriod
    from targets.services.entry import actuals_import_confirm
    from targets.services.errors import EntryError

    rows = params["rows"]
    total = max(len(rows), 1)
    progress(0, total)
    user = get_user_model().objects.get(pk=params["user"])
    department = Department.objects.select_related("locality").get(pk=params["department"])
    period = ReportingPeriod.objects.get(code=params["period"])
    try:
        report = actuals_import_confirm(
            user=user,
            department=department,
            period=period,
            rows=rows,
            confirmed=set(params.get("confirmed", [])),
            today=timezone.localdate(),
            progress=progress,
        )
    except EntryError as exc:
        messages = exc.general + [m for errs in exc.errors.values() for ms in errs.values() for m in ms]
        if exc.warnings:
            messages.append(_("Còn giá trị bất thường chưa được xác nhận."))
        if exc.conflicts:
            messages.append(_("Có giá trị vừa được người khác thay đổi: vui lòng tải biểu mẫu mới."))
        raise JobRefused(messages) from exc
    progress(total, total)
    out = io.StringIO()
    lines = csv.writer(out)
    lines.writerow(["key", "value", "note"])
    for r in rows:
        lines.writerow([r["key"], r["new"], r["note"]])
    lines.writerow([])
    lines.writerow(["saved", report.saved, "unchanged", report.unchanged])
    return out.getvalue().encode("utf-8-sig"), f"nhap-excel-{department.code}-{period.code}.csv"


register(
    JobKind(
        name="entry_import",
        label=_("Nhập số liệu từ Excel"),
        rule="entry_import",
        run=_entry_import_run,
        # The parameters hold the preview's one-time token: a confirm sent twice finds the same job.
        version=lambda params: (),
    )
)
