"""DTI improvement plan writes: loading the plans from `fixtures/catalogue/plans/`, an agency's report on a
task, and copying a plan's open tasks to the next year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext

from .. import access
from ..catalogue import CatalogueError
from ..evidence import stored_name
from ..models import (
    MAX_YEAR,
    Component,
    Department,
    Document,
    Indicator,
    Pillar,
    Plan,
    PlanTask,
    TaskStatus,
    note_length,
)
from ..plans import read_plans
from ..rules import evidence_file_problems, evidence_url_invalid, url_too_long
from .checks import clean_or_collect, length_errors
from .errors import PlanError, TaskConflict, TaskUpdateError

# --------------------------------------------------------------------------- DTI improvement plans


@dataclass(frozen=True)
class PlanLoadReport:
    plans: int
    agencies: int
    tasks: int
    tasks_removed: int
    tasks_kept: int  # no longer in the file but already reported on: kept, never silently dropped


def plans_load(*, root: Path | None = None) -> PlanLoadReport:
    """Load (or update in place) the plans in `fixtures/catalogue/plans/`; the catalogue must be loaded first.

    Idempotent: running it twice changes nothing. Only what the document says is written (texts, grouping,
    agencies, deadlines, linked indicators); the progress agencies reported is never touched. A broken file
    raises CatalogueError naming the file and record, and nothing is written. A task that left the file is
    removed if nobody has reported on it yet, kept otherwise.
    """

    root = root or Path(settings.CATALOGUE_DIR)
    documents = {d.code: d for d in Document.objects.select_related("locality")}
    pillars = {p.slug: p for p in Pillar.objects.all()}
    indicators = {i.code: i for i in Indicator.objects.all()}
    files = read_plans(
        root,
        documents={code: (d.locality.slug, d.text) for code, d in documents.items()},
        pillars=set(pillars),
        components=set(Component.values),
        indicators=set(indicators),
    )
    errors: list[str] = []
    agencies_seen = tasks_seen = removed = kept_stale = 0
    with transaction.atomic():
        for pf in files:
            document = documents[pf.document]
            locality = document.locality
            agencies: dict[str, Department] = {}
            for rec in pf.agencies:
                dept = Department.objects.filter(locality=locality, code=rec["code"]).first()
                dept = dept or Department(locality=locality, code=rec["code"])
                own = {
                    "name": rec["name"],
                    "name_en": rec["name_en"],
                    "valid_from": rec["valid_from"],
                    "valid_to": rec["valid_to"],
                    "is_group": rec["is_group"],
                }
                if dept.pk is None or any(getattr(dept, k) != v for k, v in own.items()):
                    for k, v in own.items():
                        setattr(dept, k, v)
                    clean_or_collect(
                        dept, rec["_where"], errors, exclude=["locality", "successor", "followed_up_by"]
                    )
                    if not errors:
                        dept.save()
                agencies[rec["code"]] = dept
            # Successors and follow-up units refer to agencies of the same file: set once all exist.
            for rec in pf.agencies:
                dept = agencies[rec["code"]]
                links = {
                    "successor_id": agencies[rec["successor"]].pk if rec["successor"] else None,
                    "followed_up_by_id": agencies[rec["followed_up_by"]].pk
                    if rec["followed_up_by"]
                    else None,
                }
                if any(getattr(dept, k) != v for k, v in links.items()) and not errors:
                    for k, v in links.items():
                        setattr(dept, k, v)
                    dept.save(update_fields=["successor", "followed_up_by"])
            agencies_seen += len(agencies)

            plan = Plan.objects.filter(locality=locality, year=pf.year).first()
            if plan is not None and plan.document_id != document.pk:
                errors.append(
                    f"{pf.where}: {locality.slug} already has a plan for {pf.year} from another document"
                )
                continue
            plan = plan or Plan(locality=locality, year=pf.year, document=document)
            if plan.pk is None or (plan.title, plan.goals) != (pf.title, pf.goals):
                plan.title, plan.goals = pf.title, pf.goals
                clean_or_collect(plan, pf.where, errors, exclude=["locality", "document"])
                if errors:
                    continue
                plan._change_reason = "Nạp kế hoạch từ văn bản"
                plan.save()

            existing = {
                t.code: t
                for t in PlanTask.objects.filter(plan=plan).prefetch_related("cooperating", "indicators")
            }
            for rec in pf.tasks:
                task = existing.pop(rec["code"], None) or PlanTask(plan=plan, code=rec["code"])
                fields = {
                    "order": rec["order"],
                    "pillar_id": pillars[rec["pillar"]].pk,
                    "component": rec["component"],
                    "section": rec["section"],
                    "text": rec["text"],
                    "lead_id": agencies[rec["lead"]].pk,
                    "lead_inferred": rec["lead_inferred"],
                    "assignment_note": rec["basis"],
                    "deadline": rec["deadline"],
                }
                cooperating = {agencies[c].pk for c in rec["cooperating"]}
                linked = {indicators[c].pk for c in rec["indicators"]}
                if task.pk is not None and all(getattr(task, k) == v for k, v in fields.items()):
                    same_m2m = {d.pk for d in task.cooperating.all()} == cooperating and {
                        i.pk for i in task.indicators.all()
                    } == linked
                    if same_m2m:
                        continue
                else:
                    for k, v in fields.items():
                        setattr(task, k, v)
                    clean_or_collect(
                        task, rec["_where"], errors, exclude=["plan", "pillar", "lead"], db_checks=False
                    )
                    if errors:
                        continue
                    task._change_reason = "Nạp kế hoạch từ văn bản"
                    task.save()
                task.cooperating.set(cooperating)
                task.indicators.set(linked)
            tasks_seen += len(pf.tasks)
            for stale in existing.values():
                if stale.version == 1 and stale.status == "not_started":
                    stale.delete()
                    removed += 1
                else:
                    kept_stale += 1
        if errors:
            transaction.set_rollback(True)
            raise CatalogueError(errors)
    return PlanLoadReport(
        plans=len(files),
        agencies=agencies_seen,
        tasks=tasks_seen,
        tasks_removed=removed,
        tasks_kept=kept_stale,
    )


def plan_task_update(
    *,
    user,
    task_id: int,
    status: str,
    note: str,
    version: int,
    evidence_url: str = "",
    evidence_file=None,
) -> bool:
    """Report a task's progress: status, a progress note, evidence (a file or a link). True if it changed.

    The lead agency's editors and the locality's reviewers may; the note is required, a task reported done
    needs evidence, files are checked by content (as for actuals). Optimistic locking: if the stored version
    is not the one the form showed, TaskUpdateError carries both versions and nothing is written.
    """

    task = PlanTask.objects.select_related("plan").filter(pk=task_id).first()
    if task is None or not access.can_update_task(user, task):
        raise TaskUpdateError(general=[gettext("Bạn không có quyền cập nhật nhiệm vụ này.")])
    status = (status or "").strip()
    note = (note or "").strip()
    url = (evidence_url or "").strip()

    def conflict_with(current: PlanTask) -> TaskConflict:
        return TaskConflict(
            their_status=str(TaskStatus(current.status).label),
            their_note=current.progress_note,
            your_status=str(TaskStatus(status).label) if status in TaskStatus.values else status,
            your_note=note,
            by=str(current.updated_by or ""),
            at=current.updated_at,
        )

    if task.version != version:
        raise TaskUpdateError(conflict=conflict_with(task))

    errors: dict[str, list[str]] = {}
    if status not in TaskStatus.values:
        errors.setdefault("status", []).append(gettext("Vui lòng chọn một trạng thái hợp lệ."))
    if not note:
        errors.setdefault("note", []).append(gettext("Vui lòng ghi tiến độ, kết quả thực hiện."))
    for message in length_errors(note_length, note):
        errors.setdefault("note", []).append(message)
    if url:
        if message := evidence_url_invalid(url):
            errors.setdefault("evidence_url", []).append(message)
        if message := url_too_long(url):
            errors.setdefault("evidence_url", []).append(message)
    kind = None
    if evidence_file is not None:
        kind, problems = evidence_file_problems(evidence_file)
        if problems:
            errors.setdefault("evidence_file", []).extend(problems)
    if status == TaskStatus.DONE and not (task.has_evidence or url or evidence_file is not None):
        errors.setdefault("evidence_url", []).append(
            gettext("Nhiệm vụ hoàn thành cần có minh chứng: tải tệp lên hoặc ghi đường dẫn.")
        )
    if errors:
        raise TaskUpdateError(errors=errors)
    if (
        status == task.status
        and note == task.progress_note
        and (not url or url == task.evidence_url)
        and evidence_file is None
    ):
        return False

    with transaction.atomic():
        current = PlanTask.objects.select_for_update().get(pk=task.pk)
        if current.version != version:  # saved by someone between our check and our lock
            raise TaskUpdateError(conflict=conflict_with(current))
        old_status = current.status
        current.status = status
        current.progress_note = note
        if url:
            current.evidence_url = url
        if evidence_file is not None:
            # Stored and offered under the type found by parsing it, never the uploader's extension.
            name = stored_name(evidence_file.name, kind)
            current.evidence_file.save(name, evidence_file, save=False)
            current.evidence_name = name[:255]
        current.version += 1
        current.updated_by = user
        reason = "Cập nhật tiến độ"
        if old_status != status:
            with translation.override("vi"):  # the audit trail is written in the source language
                reason += f": {TaskStatus(old_status).label} → {TaskStatus(status).label}"
        current._change_reason = reason
        current._history_user = user
        current.save()
    return True


def _a_year_later(day: dt.date | None) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def plan_copy_to_next_year(*, user, plan_id: int):
    """Create next year's plan of the locality from this plan's open (not done) tasks (reviewers).

    Each open task is copied with its text, grouping, agencies and linked indicators, its status kept and
    its deadline a year later; the new task points back to the old one (whose history stays where it is).
    Refused if next year's plan exists already or nothing is open.
    """

    plan = Plan.objects.select_related("locality").filter(pk=plan_id).first()
    if plan is None or not access.can_copy_plan(user, plan):
        raise PlanError(gettext("Bạn không có quyền lập kế hoạch cho địa phương này."))
    year = plan.year + 1
    if year > MAX_YEAR:
        raise PlanError(gettext("Không thể lập kế hoạch sau năm %(year)d.") % {"year": MAX_YEAR})
    if Plan.objects.filter(locality=plan.locality, year=year).exists():
        raise PlanError(
            gettext("%(locality)s đã có kế hoạch năm %(year)d.")
            % {"locality": plan.locality.name, "year": year}
        )
    open_tasks = list(
        plan.tasks.exclude(status=TaskStatus.DONE)
        .prefetch_related("cooperating", "indicators")
        .order_by("order")
    )
    if not open_tasks:
        raise PlanError(gettext("Mọi nhiệm vụ đã hoàn thành: không có nhiệm vụ nào để chuyển sang năm sau."))
    reason = f"Chuyển tiếp từ kế hoạch năm {plan.year}"
    try:
        with transaction.atomic():
            new = Plan(
                locality=plan.locality,
                year=year,
                document_id=plan.document_id,
                title=f"{plan.title} — nhiệm vụ chuyển tiếp sang năm {year}",
                goals=plan.goals,
                copied_from=plan,
                created_by=user,
            )
            new.full_clean(
                exclude=["locality", "document", "copied_from", "created_by"], validate_unique=False
            )
            new._change_reason = reason
            new._history_user = user
            new.save()
            for old in open_tasks:
                task = PlanTask(
                    plan=new,
                    code=old.code,
                    order=old.order,
                    pillar_id=old.pillar_id,
                    component=old.component,
                    section=old.section,
                    text=old.text,
                    lead_id=old.lead_id,
                    lead_inferred=old.lead_inferred,
                    assignment_note=old.assignment_note,
                    deadline=_a_year_later(old.deadline),
                    status=old.status,
                    copied_from=old,
                    updated_by=user,
                )
                task._change_reason = reason
                task._history_user = user
                task.save()
                task.cooperating.set(old.cooperating.all())
                task.indicators.set(old.indicators.all())
    except IntegrityError as exc:  # created meanwhile by another reviewer
        raise PlanError(
            gettext("%(locality)s đã có kế hoạch năm %(year)d.")
            % {"locality": plan.locality.name, "year": year}
        ) from exc
    return new
