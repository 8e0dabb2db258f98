"""Catalogue pages: thin views — parse input, ask access, call a selector, render."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from . import access, selectors, services, workbook
from .filters import TargetFilter
from .models import Department, Locality, Origin, Plan, ReportingPeriod, Status, Target, TaskState, TaskStatus
from .periods import last_closed_quarter, parse_period_code, quarter_bounds
from .tables import TargetTable
from .templatetags.dti import target_text


def home(request: HttpRequest) -> HttpResponse:
    """Each person lands where their work is: editors on their worklist, reviewers on the review page."""
    s = access.scope(request.user)
    if not s.authenticated:
        return redirect("reports:open_data")
    if s.editor_departments:
        return redirect("targets:entry")
    if s.reviewer_localities:
        year, quarter = last_closed_quarter(timezone.localdate())
        return redirect("targets:review", period=f"{year}-Q{quarter}")
    return redirect("targets:catalogue")


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    if not access.catalogue_visible(request.user):
        raise Http404
    filterset = TargetFilter(request.GET or None, queryset=selectors.targets_for_catalogue())
    table = TargetTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "targets/catalogue.html", {"filter": filterset, "table": table})


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.catalogue_visible(request.user):
        raise Http404
    try:
        target = selectors.target_detail(pk)
    except Target.DoesNotExist as exc:
        raise Http404 from exc
    actuals = selectors.actuals_for_series(
        indicator_id=target.indicator_id, locality_id=target.locality_id, level=target.level
    )
    context = {
        "target": target,
        "actuals": actuals,
        "has_demo": any(a.origin == Origin.DEMO for a in actuals),
    }
    return render(request, "targets/target_detail.html", context)


# --------------------------------------------------------------------------- quarterly data entry


def _period_or_404(code: str) -> ReportingPeriod:
    try:
        parse_period_code(code)
    except ValueError as exc:
        raise Http404 from exc
    return services.period_get_or_create(code=code)


def _entry_period(code: str, today) -> tuple[ReportingPeriod | None, bool]:
    """The period of an entry page and whether it is open (offered by the worklist). A closed period is
    looked up, never created: it exists only if values were stored in it. 404 for a malformed code."""
    try:
        parse_period_code(code)
    except ValueError as exc:
        raise Http404 from exc
    if access.entry_period_open(code, today):
        period = services.period_get_or_create(code=code)
        return (period, True) if period.starts_on <= today else (None, False)
    return ReportingPeriod.objects.filter(code=code).first(), False


def _entry_closed(request: HttpRequest, code: str, today) -> HttpResponse:
    """A period that takes no entry and holds nothing to correct: a clear message, nothing stored."""
    year, quarter = parse_period_code(code)
    started = (quarter_bounds(year, quarter)[0] if quarter else dt.date(year, 1, 1)) <= today
    message = (
        _(
            "Kỳ %(period)s không mở để nhập số liệu: chỉ các kỳ có trong danh sách việc cần làm, "
            "và các giá trị được trả lại để sửa, mới nhận số liệu."
        )
        if started
        else _("Kỳ báo cáo %(period)s chưa bắt đầu: chưa thể nhập số liệu.")
    ) % {"period": code}
    return render(
        request,
        "targets/entry_closed.html",
        {"code": code, "message": message},
        status=400 if request.method == "POST" else 404,
    )


@login_required
def entry_worklist(request: HttpRequest) -> HttpResponse:
    departments = list(access.entry_departments(request.user))
    if not departments:
        raise Http404
    today = timezone.localdate()
    codes = selectors.entry_period_codes(today)
    periods = [services.period_get_or_create(code=c) for c in codes]
    periods = [p for p in periods if p.starts_on <= today]
    periods += selectors.returned_periods(departments, codes)  # values sent back in an older period
    lines = selectors.worklist(departments, periods)
    return render(request, "targets/entry_worklist.html", {"lines": lines, "today": today})


def _rows_from_post(request: HttpRequest, lines: list[selectors.EntryLine]) -> list[services.EntryRow]:
    rows = []
    for line in lines:
        k = line.key
        if not line.editable and f"value-{k}" not in request.POST:
            continue  # a read-only row; if a value is posted anyway, the service refuses it with a message
        raw = request.POST.get(f"value-{k}", "")
        note = request.POST.get(f"note-{k}", "")
        url = request.POST.get(f"url-{k}", "")
        upload = request.FILES.get(f"file-{k}")
        if not (raw.strip() or note.strip() or url.strip() or upload) and line.actual is None:
            continue
        rows.append(
            services.EntryRow(
                key=k,
                indicator=line.assignment.indicator,
                level=line.assignment.level,
                raw_value=raw,
                note=note,
                evidence_url=url,
                evidence_file=upload,
                version=_int_field(request.POST, f"version-{k}", default=0),
                confirm_outlier=request.POST.get(f"confirm-{k}") == "1",
                seen=request.POST.get(f"seen-{k}"),
                choice=request.POST.get(f"choice-{k}", ""),
                theirs_version=_int_field(request.POST, f"theirs-version-{k}", default=None),
            )
        )
    return rows


def _int_field(data, name: str, *, default: int | None) -> int | None:
    """A version field: missing gives `default`; tampered gives -1, which matches no version (a conflict,
    never a write)."""
    raw = data.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        return -1


def _display_rows(
    lines: list[selectors.EntryLine], typed: dict[str, str], failure: services.EntryError | None
) -> list[dict]:
    """What each row of the form shows, and the version it is based on — never a stale value with a fresh
    version (issue #14). After a refused save, a row the editor changed shows what they typed, with the
    version they typed it against; a row they left as shown shows the stored value and its version (the
    current one, if someone changed it meanwhile). A row both changed shows both values and asks which to
    keep. Else (a fresh form) every row shows the stored value."""
    rows = []
    for tabindex, line in enumerate(lines, start=1):
        k, a = line.key, line.actual
        stored_value = "" if a is None else _vn(a.value)
        shown = {
            "value": stored_value,
            "note": a.note if a else "",
            "url": a.evidence_url if a else "",
            "version": a.version if a else 0,
        }
        conflict = failure.conflicts.get(k) if failure else None
        choice = None  # the "keep mine / take theirs" question
        refreshed = None  # the conflict of a row the editor left as shown: the current value replaces it
        if failure and f"value-{k}" in typed:
            mine = {
                "value": typed.get(f"value-{k}", ""),
                "note": typed.get(f"note-{k}", ""),
                "url": typed.get(f"url-{k}", ""),
                "version": _int_field(typed, f"version-{k}", default=0),
            }
            seen = typed.get(f"seen-{k}")
            touched = (
                seen is None
                or bool(typed.get(f"had-file-{k}"))
                or services.entry_fingerprint(mine["value"], mine["note"], mine["url"]) != seen
            )
            chosen = typed.get(f"choice-{k}", "")
            theirs_version = _int_field(typed, f"theirs-version-{k}", default=None)
            # The editor's own text keeps the fingerprint it was typed over ("" if none came: never matches).
            if conflict is not None and conflict.mine:
                shown = {**mine, "seen": seen or ""}
                choice = {
                    "theirs": conflict.theirs,
                    "by": conflict.by,
                    "version": conflict.version,
                    "chosen": "",
                }
            elif conflict is not None:
                refreshed = conflict
            elif chosen == "mine" and theirs_version is not None:  # chosen; refused for another row
                shown = {**mine, "seen": seen or ""}
                choice = {
                    "theirs": a.value if a else None,
                    "by": "",
                    "version": theirs_version,
                    "chosen": "mine",
                }
            elif touched and chosen != "theirs":
                shown = {**mine, "seen": seen or ""}
        rows.append(
            {
                "line": line,
                "key": k,
                "tabindex": tabindex,
                **shown,
                "seen": shown["seen"]
                if "seen" in shown
                else services.entry_fingerprint(shown["value"], shown["note"], shown["url"]),
                "confirmed": bool(failure and typed.get(f"confirm-{k}") == "1"),
                "errors": failure.errors.get(k, {}) if failure else {},
                "warning": failure.warnings.get(k) if failure else None,
                "conflict": conflict,
                "choice": choice,
                "refreshed": refreshed,
                "file_lost": bool(failure and typed.get(f"had-file-{k}")),
            }
        )
    return rows


def _vn(value) -> str:
    """A stored value as an officer types it: Vietnamese decimal comma, no trailing zeros."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


@login_required
def entry_form(request: HttpRequest, period: str) -> HttpResponse:
    departments = list(access.entry_departments(request.user))
    department = access.get_entry_department(
        request.user, request.GET.get("department"), departments=departments
    )
    today = timezone.localdate()
    period_obj, period_open = _entry_period(period, today)
    if period_obj is None:
        return _entry_closed(request, period, today)
    state = selectors.period_states(department.locality, [period_obj])[period_obj.pk]
    lines = selectors.entry_lines(department, period_obj, period_open=period_open)
    failure: services.EntryError | None = None
    typed: dict[str, str] = {}
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        rows = _rows_from_post(request, lines)
        try:
            report = services.actuals_save(
                user=request.user,
                department=department,
                period=period_obj,
                rows=rows,
                submit=submit,
                today=today,
            )
        except services.EntryError as exc:
            failure = exc
            typed = {key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}
            typed.update({f"had-file-{key.removeprefix('file-')}": "1" for key in request.FILES})
        else:
            if submit:
                messages.success(request, _("Đã gửi duyệt %(n)d giá trị.") % {"n": report.submitted})
            else:
                messages.success(request, _("Đã lưu nháp %(n)d giá trị.") % {"n": report.saved})
            if report.refreshed:
                messages.info(
                    request,
                    _(
                        "%(n)d giá trị bạn không sửa đã được người khác thay đổi trong lúc bạn nhập: "
                        "bản lưu của bạn giữ nguyên các giá trị đó, biểu mẫu hiển thị giá trị mới nhất."
                    )
                    % {"n": len(report.refreshed)},
                )
            return redirect(f"{request.path}?department={department.pk}")
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    context = {
        "rows": _display_rows(lines, typed, failure),
        "department": department,
        "departments": departments,
        "period": period_obj,
        "state": state,
        "today": today,
        "lines": lines,
        "failure": failure,
        "typed": typed,
        "has_demo": any(line.actual and line.actual.origin == Origin.DEMO for line in lines),
        "period_open": period_open,
        "any_editable": any(line.editable for line in lines),
    }
    return render(request, "targets/entry_form.html", context, status=400 if failure else 200)


@login_required
def review(request: HttpRequest, period: str) -> HttpResponse:
    locality = access.get_review_locality(request.user, request.GET.get("locality"))
    period_obj = _period_or_404(period)
    today = timezone.localdate()
    state, departments = selectors.review_overview(locality, period_obj, today=today)
    context = {
        "locality": locality,
        "localities": list(access.review_localities(request.user)),
        "period": period_obj,
        "state": state,
        "departments": departments,
        "today": today,
        "period_links": selectors.review_period_links(locality, today),
    }
    return render(request, "targets/review.html", context)


def _back_to_review(locality: Locality, period: ReportingPeriod) -> HttpResponse:
    return redirect(f"{reverse('targets:review', args=[period.code])}?locality={locality.slug}")


@login_required
@require_POST
def review_decide(request: HttpRequest, period: str) -> HttpResponse:
    locality = access.get_review_locality(request.user, request.POST.get("locality"))
    period_obj = _period_or_404(period)
    try:
        ids = [int(i) for i in request.POST.getlist("actual")]
    except ValueError as exc:
        raise Http404 from exc
    in_scope = set(
        access.reviewable_actuals(request.user)
        .filter(pk__in=ids, locality=locality, period=period_obj)
        .values_list("pk", flat=True)
    )
    if not ids or in_scope != set(ids):
        raise Http404
    approve = request.POST.get("decision") == "approve"
    seen = {}
    for pk in ids:
        try:  # the version the page showed; missing or tampered: a value not seen, refused with its figure
            seen[pk] = int(request.POST.get(f"version-{pk}", ""))
        except ValueError:
            seen[pk] = -1
    try:
        n = services.actuals_review(
            user=request.user, seen=seen, approve=approve, comment=request.POST.get("comment", "")
        )
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, (_("Đã duyệt %(n)d giá trị.") if approve else _("Đã trả lại %(n)d giá trị.")) % {"n": n}
        )
    return _back_to_review(locality, period_obj)


@login_required
@require_POST
def period_lock(request: HttpRequest, period: str) -> HttpResponse:
    locality = access.get_review_locality(request.user, request.POST.get("locality"))
    period_obj = _period_or_404(period)
    locked = request.POST.get("action") == "lock"
    try:
        services.period_set_lock(user=request.user, locality=locality, period=period_obj, locked=locked)
    except services.ReviewError as exc:
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
    context = {
        "actual": actual,
        "records": selectors.actual_history(actual),
        "can_reopen": access.can_review(request.user, actual.locality_id)
        and actual.status == Status.APPROVED
        and actual.origin not in (Origin.PUBLISHED, Origin.DEMO),
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
        services.actual_reopen(user=request.user, actual_id=actual.pk, reason=request.POST.get("reason", ""))
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã mở lại giá trị để đơn vị chỉnh sửa."))
    return redirect("targets:actual_history", pk=actual.pk)


@login_required
def actual_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """Evidence is served only through this view, after the access check, always as a download."""
    actual = access.get_readable_actual(request.user, pk)
    if not actual.evidence_file:
        raise Http404
    response = FileResponse(
        actual.evidence_file.open("rb"), as_attachment=True, filename=actual.evidence_name or "minh-chung"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


_ASCII_ID = re.compile(r"[0-9]{1,18}")


@login_required
def assignments(request: HttpRequest) -> HttpResponse:
    """The reviewer gives each indicator (at a level) of the locality to one department."""
    locality = access.get_review_locality(
        request.user, request.GET.get("locality") or request.POST.get("locality")
    )
    series = selectors.assignable_series(locality)
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
                services.assignment_set(
                    user=request.user,
                    locality=locality,
                    indicator=s.indicator,
                    level=s.level,
                    department=dept,
                )
            except services.ReviewError as exc:
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


# --------------------------------------------------------------------------- Excel round-trip


def _template_meta(department: Department, period: ReportingPeriod) -> workbook.TemplateMeta:
    return workbook.TemplateMeta(
        department_id=department.pk, locality=department.locality.slug, period=period.code
    )


@login_required
def entry_template(request: HttpRequest, period: str) -> HttpResponse:
    """The department's form as a workbook: hidden signed keys, current values, data validation per unit."""
    department = access.get_entry_department(request.user, request.GET.get("department"))
    period_obj, period_open = _entry_period(period, timezone.localdate())
    if period_obj is None:
        raise Http404
    rows = []
    for line in selectors.entry_lines(department, period_obj, period_open=period_open):
        ind, a = line.assignment.indicator, line.actual
        rows.append(
            workbook.TemplateRow(
                key=f"{ind.code}|{line.assignment.level}",
                version=a.version if a else 0,
                indicator=ind.name,
                level=line.assignment.get_level_display() if line.assignment.level else "",
                unit=ind.unit,
                unit_label=str(ind.get_unit_display()),
                target=f"{target_text(line.target)} ({line.target.year})" if line.target else "",
                previous=f"{line.previous[-1][0]}: {_vn(Decimal(str(line.previous[-1][1])))}"
                if line.previous
                else "",
                value=a.value if a else None,
                note=a.note if a else "",
                editable=line.editable,
            )
        )
    body = workbook.build_template(
        meta=_template_meta(department, period_obj),
        title=f"{department.name} — {department.locality.name}: biểu nhập số liệu chuyển đổi số",
        rows=rows,
        secret=settings.SECRET_KEY,
    )
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="bieu-nhap-{department.code}-{period_obj.code}.xlsx"'
    )
    return response


_SESSION_KEY = "dti-import"


@login_required
def entry_import(request: HttpRequest, period: str) -> HttpResponse:
    """Upload → preview (nothing written) → confirm (written through the same services, all or nothing)."""
    department = access.get_entry_department(request.user, request.GET.get("department"))
    today = timezone.localdate()
    period_obj, _open = _entry_period(period, today)  # a closed period: the service refuses its values
    if period_obj is None:
        raise Http404
    context = {"department": department, "period": period_obj, "rows": None, "error": None, "general": []}
    back = f"{reverse('targets:entry_form', args=[period_obj.code])}?department={department.pk}"
    if request.method == "POST" and request.POST.get("action") == "confirm":
        stash = request.session.get(_SESSION_KEY)
        token = request.POST.get("token", "")
        if (
            not stash
            or stash.get("token") != token
            or stash.get("department") != department.pk
            or stash.get("period") != period_obj.code
        ):
            context["error"] = _("Phiên xem trước đã hết hạn: vui lòng tải tệp lên lại.")
            return render(request, "targets/entry_import.html", context, status=400)
        confirmed = {k.removeprefix("confirm-") for k in request.POST if k.startswith("confirm-")}
        try:
            report = services.actuals_import_confirm(
                user=request.user,
                department=department,
                period=period_obj,
                rows=stash["rows"],
                confirmed=confirmed,
                today=today,
            )
        except services.EntryError as exc:
            messages_list = exc.general + [
                m for errs in exc.errors.values() for ms in errs.values() for m in ms
            ]
            if exc.warnings:
                messages_list.append(_("Còn giá trị bất thường chưa được xác nhận."))
            if exc.conflicts:
                messages_list.append(_("Có giá trị vừa được người khác thay đổi: vui lòng tải biểu mẫu mới."))
            context["error"] = _("Chưa ghi gì vào hệ thống.")
            context["general"] = messages_list
            return render(request, "targets/entry_import.html", context, status=400)
        del request.session[_SESSION_KEY]
        messages.success(request, _("Đã nhập từ Excel %(n)d giá trị (lưu nháp).") % {"n": report.saved})
        return redirect(back)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("Vui lòng chọn tệp Excel.")
            return render(request, "targets/entry_import.html", context, status=400)
        if upload.size > workbook.MAX_UPLOAD_BYTES:
            context["error"] = _("Tệp lớn hơn 5 MB.")
            return render(request, "targets/entry_import.html", context, status=400)
        try:
            upload_rows = workbook.read_upload(
                upload.read(), meta=_template_meta(department, period_obj), secret=settings.SECRET_KEY
            )
        except workbook.UploadError as exc:
            context["error"] = _(exc.message) % exc.params if exc.params else _(exc.message)
            return render(request, "targets/entry_import.html", context, status=400)
        rows, general = services.actuals_import_preview(
            user=request.user, department=department, period=period_obj, upload_rows=upload_rows, today=today
        )
        token = secrets.token_urlsafe(16)
        pending = [r for r in rows if r.state in ("new", "changed")]
        request.session[_SESSION_KEY] = {
            "token": token,
            "department": department.pk,
            "period": period_obj.code,
            "rows": [{"key": r.key, "new": r.new, "note": r.note, "version": r.version} for r in pending],
        }
        context.update(
            rows=rows,
            general=general,
            token=token,
            can_confirm=bool(pending) and not general and not any(r.state == "error" for r in rows),
            counts={s: sum(r.state == s for r in rows) for s in ("new", "changed", "unchanged", "error")},
        )
        return render(request, "targets/entry_import.html", context)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(request, "targets/entry_import.html", context)


# --------------------------------------------------------------------------- DTI improvement plans


@login_required
def plan_index(request: HttpRequest) -> HttpResponse:
    """The plans of the user's localities (every member reads them)."""
    plans = selectors.plans_index(access.readable_plans(request.user))
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
    board = selectors.plan_board(plan, today=today, agency_id=agency_id, state=state)
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
        "ranks": selectors.dti_rank_years(plan.locality_id),
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
        new = services.plan_copy_to_next_year(user=request.user, plan_id=plan.pk)
    except services.PlanError as exc:
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
    failure: services.TaskUpdateError | None = None
    typed: dict[str, str] = {}
    if request.method == "POST":
        if not can_update:
            raise Http404
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1  # tampered: becomes a conflict, never a write
        try:
            changed = services.plan_task_update(
                user=request.user,
                task_id=task.pk,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", ""),
                evidence_url=request.POST.get("evidence_url", ""),
                evidence_file=request.FILES.get("evidence_file"),
                version=version,
            )
        except services.TaskUpdateError as exc:
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
    selectors.with_state([task], today)
    form = typed or {"status": task.status, "note": task.progress_note, "evidence_url": task.evidence_url}
    context = {
        "task": task,
        "plan": task.plan,
        **selectors.plan_task_detail(task),
        "can_update": can_update,
        "statuses": TaskStatus.choices,
        "form": form,
        "failure": failure,
        "today": today,
    }
    return render(request, "targets/plan_task.html", context, status=400 if failure else 200)


@login_required
def plan_task_history(request: HttpRequest, pk: int) -> HttpResponse:
    task = access.get_readable_task(request.user, pk)
    context = {"task": task, "plan": task.plan, "records": selectors.plan_task_history(task)}
    return render(request, "targets/plan_task_history.html", context)


@login_required
def plan_task_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """A task's evidence file, served only after the access check, always as a download."""
    task = access.get_readable_task(request.user, pk)
    if not task.evidence_file:
        raise Http404
    response = FileResponse(
        task.evidence_file.open("rb"), as_attachment=True, filename=task.evidence_name or "minh-chung"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
