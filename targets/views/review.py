"""Review pages: a period's review page and its decisions (approve, return, lock), a value's history,
reopening and evidence, and the assignment of indicators to departments."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, jobs
from ..models import (
    Department,
    Locality,
    Origin,
    ReportingPeriod,
)
from ..selectors import entry as entry_selectors
from ..selectors import history as history_selectors
from ..selectors import navigation as navigation_selectors
from ..selectors import review as review_selectors
from ..services import catalogue as catalogue_service
from ..services import review as review_service
from ..services.errors import ReviewError
from .downloads import evidence_download


def _period_or_404(code: str) -> ReportingPeriod:
    """The period of a review page: stored, or unsaved when nothing was stored in it yet (never created on
    a GET). 404 for a malformed code."""
    try:
        return entry_selectors.period_for_page(code)
    except ValueError as exc:
        raise Http404 from exc


def _period_for_writing(code: str) -> ReportingPeriod:
    """A lock is a write (POST): the period is created if it has no row yet. 404 for a malformed code."""
    try:
        return catalogue_service.period_get_or_create(code=code)
    except ValueError as exc:
        raise Http404 from exc


def _stored_period_or_404(code: str) -> ReportingPeriod:
    """A decision needs values, and values need a stored period: 404 otherwise."""
    period = _period_or_404(code)
    if period.pk is None:
        raise Http404
    return period


def _review_chooser(
    request: HttpRequest, period: ReportingPeriod, localities: list[Locality]
) -> HttpResponse:
    """A reviewer of several localities (a superuser: every one) opened a quarter without saying which
    locality: the localities to choose from, each with its values waiting (issue #17: not a 404)."""
    waiting = navigation_selectors.waiting_by_locality(access.review_localities(request.user), period.code)
    choices = sorted(((loc, waiting.get(loc.pk, 0)) for loc in localities), key=lambda c: (-c[1], c[0].name))
    return render(
        request,
        "targets/review_chooser.html",
        {
            "period": period,
            "choices": choices,
            "can_send_reminders": access.may_run_job(request.user, "reminders", {}),
        },
    )


@login_required
def review(request: HttpRequest, period: str) -> HttpResponse:
    slug = request.GET.get("locality")
    localities = list(access.review_localities(request.user))
    if not slug and len(localities) > 1:
        return _review_chooser(request, _period_or_404(period), localities)
    locality = access.get_review_locality(request.user, slug, localities=localities)
    period_obj = _period_or_404(period)
    today = timezone.localdate()
    state, departments = review_selectors.review_overview(locality, period_obj, today=today)
    context = {
        "locality": locality,
        "localities": localities,
        "period": period_obj,
        "state": state,
        "departments": departments,
        "today": today,
        "period_links": review_selectors.review_period_links(locality, today),
        "can_decide": access.can_decide(request.user, locality, locked=state.locked),
        "can_send_reminders": access.may_run_job(request.user, "reminders", {}),
        "crumbs": [
            (_("Trang chủ"), reverse("targets:home")),
            (
                _("Thẩm định"),
                reverse("targets:review", args=[period_obj.code]) if len(localities) > 1 else "",
            ),
            (f"{locality.name} · {period_obj.code}", ""),
        ],
    }
    return render(request, "targets/review.html", context)


@login_required
@require_POST
def reminders_send(request: HttpRequest) -> HttpResponse:
    """Send the deadline reminders of every locality now (superusers, as `manage.py send_reminders`): the
    "reminders" background job, whose page lists what was sent. 404 for whoever may not (it reveals
    nothing, as every refusal outside one's scope)."""
    if not access.may_run_job(request.user, "reminders", {}):
        raise Http404

    job = jobs.job_request(user=request.user, kind="reminders", params={"days": 7})
    return redirect("reports:job", job.pk)


def _back_to_review(locality: Locality, period: ReportingPeriod) -> HttpResponse:
    return redirect(f"{reverse('targets:review', args=[period.code])}?locality={locality.slug}")


@login_required
@require_POST
def review_decide(request: HttpRequest, period: str) -> HttpResponse:
    locality = access.get_review_locality(request.user, request.POST.get("locality"))
    period_obj = _stored_period_or_404(period)
    try:
        ids = [int(i) for i in request.POST.getlist("actual")]
    except ValueError as exc:
        raise Http404 from exc
    access.require_reviewable(request.user, ids, locality=locality, period=period_obj)
    approve = request.POST.get("decision") == "approve"
    seen = {}
    for pk in ids:
        try:  # the version the page showed; missing or tampered: a value not seen, refused with its figure
            seen[pk] = int(request.POST.get(f"version-{pk}", ""))
        except ValueError:
            seen[pk] = -1
    try:
        if approve:
            n = review_service.actuals_approve(user=request.user, seen=seen)
        else:
            n = review_service.actuals_return(
                user=request.user, seen=seen, comment=request.POST.get("comment", "")
            )
    except ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, (_("Đã duyệt %(n)d giá trị.") if approve else _("Đã trả lại %(n)d giá trị.")) % {"n": n}
        )
    return _back_to_review(locality, period_obj)


@login_required
@require_POST
def period_lock(request: HttpRequest, period: str) -> HttpResponse:
    """Unlock at once; lock after a confirmation page (rendered by the server, no script) that lists what
    is still open per department. The lock itself is refused while returned values wait for correction."""
    locality = access.get_review_locality(request.user, request.POST.get("locality"))
    locked = request.POST.get("action") == "lock"
    if locked and request.POST.get("confirmed") != "1":
        period_obj = _period_or_404(period)  # nothing is written before the reviewer confirms
        today = timezone.localdate()
        state, departments = review_selectors.review_overview(locality, period_obj, today=today)
        items = review_selectors.open_items(departments)
        returned = sum(o.returned for o in items)
        context = {
            "locality": locality,
            "period": period_obj,
            "state": state,
            "items": items,
            "totals": {
                "waiting": sum(o.waiting for o in items),
                "returned": returned,
                "drafts": sum(o.drafts for o in items),
                "missing": sum(o.missing for o in items),
            },
            "lockable": access.period_lockable(returned=returned),
        }
        return render(request, "targets/period_lock_confirm.html", context)
    period_obj = _period_for_writing(period)
    try:
        lock = review_service.period_lock if locked else review_service.period_unlock
        lock(user=request.user, locality=locality, period=period_obj)
    except ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Đã khoá kỳ %(p)s.") % {"p": period_obj.code}
            if locked
            else _("Đã mở khoá kỳ %(p)s.") % {"p": period_obj.code},
        )
    return _back_to_review(locality, period_obj)


@login_required
def actual_history(request: HttpRequest, pk: int) -> HttpResponse:
    actual = access.get_readable_actual(request.user, pk)
    locked = entry_selectors.period_states(actual.locality, [actual.period])[actual.period.pk].locked
    if access.can_review(request.user, actual.locality_id):  # back to where the value is reviewed
        back = f"{reverse('targets:review', args=[actual.period.code])}?locality={actual.locality.slug}"
        section = (_("Thẩm định"), back)
    else:  # an editor: back to the form the value was entered on
        back = reverse("targets:entry_form", args=[actual.period.code])
        if actual.department_id:
            back += f"?department={actual.department_id}"
        section = (_("Nhập số liệu"), reverse("targets:entry"))
    context = {
        "actual": actual,
        "back_url": back,
        "section": section,
        "records": history_selectors.actual_history(actual),
        "can_reopen": access.can_reopen(request.user, actual, locked=locked),
        "locked_for_reviewer": locked
        and access.can_review(request.user, actual.locality_id)
        and access.reopenable(actual),
        "has_demo": actual.origin == Origin.DEMO,
    }
    return render(request, "targets/actual_history.html", context)


@login_required
@require_POST
def actual_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    actual = access.get_readable_actual(request.user, pk)
    if not access.can_review(request.user, actual.locality_id):
        raise Http404
    try:
        review_service.actual_reopen(
            user=request.user, actual_id=actual.pk, reason=request.POST.get("reason", "")
        )
    except ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã mở lại giá trị để đơn vị chỉnh sửa."))
    return redirect("targets:actual_history", pk=actual.pk)


@login_required
def actual_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """Evidence is served only through this view, after the access check, always as a download."""
    actual = access.get_readable_actual(request.user, pk)
    return evidence_download(actual.evidence_file, actual.evidence_name)


_ASCII_ID = re.compile(r"[0-9]{1,18}")


@login_required
def assignments(request: HttpRequest) -> HttpResponse:
    """The reviewer gives each indicator (at a level) of the locality to one department."""
    locality = access.get_review_locality(
        request.user, request.GET.get("locality") or request.POST.get("locality")
    )
    series = review_selectors.assignable_series(locality)
    departments = list(Department.objects.filter(locality=locality).order_by("name"))
    if request.method == "POST":
        by_id = {d.pk: d for d in departments}
        back = redirect(f"{reverse('targets:assignments')}?locality={locality.slug}")
        # Every choice is read and checked before any is saved: a bad one changes nothing.
        wanted = []
        for s in series:
            raw = request.POST.get(f"dept-{s.key}")
            if raw is None:
                continue
            if raw and not _ASCII_ID.fullmatch(raw):  # "²" or "٣" pass str.isdigit() but are no id
                messages.error(
                    request,
                    _(
                        "Lựa chọn đơn vị cho chỉ tiêu “%(indicator)s” không hợp lệ: chưa thay đổi phân công nào."
                    )
                    % {"indicator": s.indicator.name},
                )
                return back
            dept = by_id.get(int(raw)) if raw else None
            if raw and dept is None:
                raise Http404  # a department of another locality: outside the reviewer's scope
            if (dept.pk if dept else None) != s.department_id:
                wanted.append((s, dept))
        for s, dept in wanted:
            try:
                review_service.assignment_set(
                    user=request.user,
                    locality=locality,
                    indicator=s.indicator,
                    level=s.level,
                    department=dept,
                )
            except ReviewError as exc:
                messages.error(request, str(exc))
                break
        else:
            messages.success(request, _("Đã cập nhật %(n)d phân công.") % {"n": len(wanted)})
        return back
    return render(
        request,
        "targets/assignments.html",
        {"locality": locality, "series": series, "departments": departments},
    )
