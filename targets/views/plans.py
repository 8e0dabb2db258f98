"""DTI improvement plan pages: the plans index, a plan's board, copying it to the next year, a task's
report form, history and evidence."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access
from ..models import (
    Plan,
    TaskState,
    TaskStatus,
)
from ..selectors import history as history_selectors
from ..selectors import plans as plans_selectors
from ..services import plans as plans_service
from ..services.errors import PlanError, TaskUpdateError
from .downloads import evidence_download

# --------------------------------------------------------------------------- DTI improvement plans


@login_required
def plan_index(request: HttpRequest) -> HttpResponse:
    """The plans of the user's localities (every member reads them)."""
    plans = plans_selectors.plans_index(access.readable_plans(request.user))
    return render(request, "targets/plan_index.html", {"plans": plans})


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@login_required
def plan_board(request: HttpRequest, locality: str, year: int) -> HttpResponse:
    """Pillar × DTI component with counts per state, overdue tasks, the DTI rank goal against published ranks."""
    plan = access.get_readable_plan(request.user, locality, year)
    today = timezone.localdate()
    agency_id = _int_or_none(request.GET.get("agency"))
    state = request.GET.get("state") if request.GET.get("state") in TaskState.values else None
    board = plans_selectors.plan_board(plan, today=today, agency_id=agency_id, state=state)
    if agency_id is not None and all(d.pk != agency_id for d in board.agencies):
        raise Http404
    can_copy = access.can_copy_plan(request.user, plan)
    context = {
        "plan": plan,
        "board": board,
        "today": today,
        "agency_id": agency_id,
        "state": state,
        "states": TaskState.choices,
        "ranks": plans_selectors.dti_rank_years(plan.locality_id),
        "can_copy": can_copy,
        "next_plan": Plan.objects.filter(locality=plan.locality, year=plan.year + 1).first(),
    }
    return render(request, "targets/plan_board.html", context)


@login_required
@require_POST
def plan_copy(request: HttpRequest, locality: str, year: int) -> HttpResponse:
    """Reviewers create next year's plan from this plan's open tasks."""
    plan = access.get_readable_plan(request.user, locality, year)
    if not access.can_copy_plan(request.user, plan):
        raise Http404
    try:
        new = plans_service.plan_copy_to_next_year(user=request.user, plan_id=plan.pk)
    except PlanError as exc:
        messages.error(request, str(exc))
        return redirect("targets:plan_board", locality=plan.locality.slug, year=plan.year)
    messages.success(
        request,
        _("Đã lập kế hoạch năm %(year)d với %(n)d nhiệm vụ chưa hoàn thành chuyển từ năm %(old)d.")
        % {"year": new.year, "n": new.tasks.count(), "old": plan.year},
    )
    return redirect("targets:plan_board", locality=new.locality.slug, year=new.year)


@login_required
def plan_task(request: HttpRequest, pk: int) -> HttpResponse:
    """A task: its verbatim text, agencies and progress; the lead agency's editors and reviewers update it."""
    task = access.get_readable_task(request.user, pk)
    can_update = access.can_update_task(request.user, task)
    failure: TaskUpdateError | None = None
    typed: dict[str, str] = {}
    if request.method == "POST":
        if not can_update:
            raise Http404
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1  # tampered: becomes a conflict, never a write
        try:
            changed = plans_service.plan_task_update(
                user=request.user,
                task_id=task.pk,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", ""),
                evidence_url=request.POST.get("evidence_url", ""),
                evidence_file=request.FILES.get("evidence_file"),
                version=version,
            )
        except TaskUpdateError as exc:
            failure = exc
            typed = {
                "status": request.POST.get("status", ""),
                "note": request.POST.get("note", ""),
                "evidence_url": request.POST.get("evidence_url", ""),
                "file_lost": "1" if "evidence_file" in request.FILES else "",
            }
        else:
            if changed:
                messages.success(request, _("Đã cập nhật tiến độ nhiệm vụ."))
            else:
                messages.info(request, _("Không có thay đổi nào để lưu."))
            return redirect("targets:plan_task", pk=task.pk)
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    today = timezone.localdate()
    plans_selectors.with_state([task], today)
    plans_selectors.with_answering([task], plans_selectors.departments_of(task.plan.locality_id), today)
    form = typed or {"status": task.status, "note": task.progress_note, "evidence_url": task.evidence_url}
    context = {
        "task": task,
        "plan": task.plan,
        **history_selectors.plan_task_detail(task),
        "can_update": can_update,
        "statuses": TaskStatus.choices,
        "form": form,
        "failure": failure,
        "today": today,
        "index_links": plans_selectors.task_index_links(task.pk),  # issue #21
    }
    return render(request, "targets/plan_task.html", context, status=400 if failure else 200)


@login_required
def plan_task_history(request: HttpRequest, pk: int) -> HttpResponse:
    task = access.get_readable_task(request.user, pk)
    context = {"task": task, "plan": task.plan, "records": history_selectors.plan_task_history(task)}
    return render(request, "targets/plan_task_history.html", context)


@login_required
def plan_task_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """A task's evidence file, served only after the access check, always as a download."""
    task = access.get_readable_task(request.user, pk)
    return evidence_download(task.evidence_file, task.evidence_name)
