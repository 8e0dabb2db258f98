"""Entry pages: the worklist, the entry form (drafts and submissions), and the Excel round-trip
(template download, upload preview, confirm)."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, jobs, workbook
from ..formatting import target_text, typed_number
from ..models import (
    Department,
    Origin,
    ReportingPeriod,
    Status,
)
from ..periods import entry_period_codes, parse_period_code, quarter_bounds
from ..selectors import entry as entry_selectors
from ..services import catalogue as catalogue_service
from ..services import entry as entry_service
from ..services import uploads
from ..services.errors import EntryError

# --------------------------------------------------------------------------- quarterly data entry


def _entry_period(code: str, today) -> tuple[ReportingPeriod | None, bool]:
    """The period of an entry page and whether it is open (offered by the worklist). A closed period is
    looked up, never created: it exists only if values were stored in it. 404 for a malformed code."""
    try:
        parse_period_code(code)
    except ValueError as exc:
        raise Http404 from exc
    if access.entry_period_open(code, today):
        period = entry_selectors.period_for_page(code)  # unsaved until the first save: GET never writes
        return (period, True) if period.starts_on <= today else (None, False)
    return ReportingPeriod.objects.filter(code=code).first(), False


def _stored(period: ReportingPeriod) -> ReportingPeriod:
    """The period's row, created by the service on the first write (a POST) if the page showed it unsaved."""
    return period if period.pk is not None else catalogue_service.period_get_or_create(code=period.code)


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
    codes = entry_period_codes(today)
    periods = [entry_selectors.period_for_page(c) for c in codes]  # unsaved until the first save
    periods = [p for p in periods if p.starts_on <= today]
    periods += entry_selectors.returned_periods(departments, codes)  # values sent back in an older period
    lines = entry_selectors.worklist(departments, periods)
    rows = [(line, line.progress(today)) for line in lines]
    return render(request, "targets/entry_worklist.html", {"rows": rows, "today": today})


def _evidence_files(request: HttpRequest, lines: list[entry_selectors.EntryLine], form: str) -> dict:
    """Each row's evidence file: the one chosen now, else the one staged by a refused save of this form
    (the form carries its token), unless the editor removed it. Removed files are discarded."""
    files = {}
    for line in lines:
        k = line.key
        if upload := request.FILES.get(f"file-{k}"):
            files[k] = upload
        elif request.POST.get(f"unstage-{k}") == "1":
            uploads.uploads_discard(session=request.session, form=form, row_keys=[k])
        elif staged := uploads.staged_file(
            session=request.session,
            user=request.user,
            form=form,
            row_key=k,
            token=request.POST.get(f"staged-{k}", ""),
        ):
            files[k] = staged
    return files


def _stage_uploads(request: HttpRequest, form: str, failure: EntryError | None, files: dict) -> set[str]:
    """After a refused save (or before the submission's confirmation), the files chosen now are staged so
    the re-shown form keeps them; a staged file refused by the save is discarded. Returns the rows whose
    file could not be kept (the form asks to choose it again)."""
    lost = set()
    for k, upload in files.items():
        refused = bool(failure and failure.errors.get(k, {}).get("evidence_file"))
        if f"file-{k}" not in request.FILES:  # staged earlier: kept unless the save refused it
            if refused:
                uploads.uploads_discard(session=request.session, form=form, row_keys=[k])
            continue
        if refused:
            lost.add(k)
            continue
        staged, problems = uploads.uploads_stage(
            session=request.session, user=request.user, form=form, row_key=k, upload=upload
        )
        if staged is None:  # a row refused before its file was checked: the file's own problems shown
            lost.add(k)
            if failure:
                failure.errors.setdefault(k, {}).setdefault("evidence_file", []).extend(problems)
    return lost


def _rows_from_post(
    request: HttpRequest, lines: list[entry_selectors.EntryLine], files: dict
) -> list[entry_service.EntryRow]:
    rows = []
    for line in lines:
        k = line.key
        if not line.editable and f"value-{k}" not in request.POST:
            continue  # a read-only row; if a value is posted anyway, the service refuses it with a message
        raw = request.POST.get(f"value-{k}", "")
        note = request.POST.get(f"note-{k}", "")
        url = request.POST.get(f"url-{k}", "")
        upload = files.get(k)
        if not (raw.strip() or note.strip() or url.strip() or upload) and line.actual is None:
            continue
        rows.append(
            entry_service.EntryRow(
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
    lines: list[entry_selectors.EntryLine],
    typed: dict[str, str],
    failure: EntryError | None,
    staged: dict | None = None,
) -> list[dict]:
    """What each row of the form shows, and the version it is based on — never a stale value with a fresh
    version (issue #14). After a refused save, a row the editor changed shows what they typed, with the
    version they typed it against; a row they left as shown shows the stored value and its version (the
    current one, if someone changed it meanwhile). A row both changed shows both values and asks which to
    keep. Else (a fresh form) every row shows the stored value. Before a submission's confirmation the form
    is shown again as typed, as after a refused save."""
    rows = []
    staged = staged or {}
    for line in lines:
        k, a = line.key, line.actual
        stored_value = "" if a is None else typed_number(a.value)
        shown = {
            "value": stored_value,
            "note": a.note if a else "",
            "url": a.evidence_url if a else "",
            "version": a.version if a else 0,
        }
        conflict = failure.conflicts.get(k) if failure else None
        choice = None  # the "keep mine / take theirs" question
        refreshed = None  # the conflict of a row the editor left as shown: the current value replaces it
        if typed and f"value-{k}" in typed:
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
                or entry_service.entry_fingerprint(mine["value"], mine["note"], mine["url"]) != seen
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
                **shown,
                "seen": shown["seen"]
                if "seen" in shown
                else entry_service.entry_fingerprint(shown["value"], shown["note"], shown["url"]),
                # After a refused save, the tick as sent; on a fresh form, the stored confirmation (issue #17).
                "confirmed": typed.get(f"confirm-{k}") == "1"
                if typed
                else bool(a is not None and a.outlier_confirmed),
                "errors": failure.errors.get(k, {}) if failure else {},
                "warning": failure.warnings.get(k) if failure else None,
                "conflict": conflict,
                "choice": choice,
                "refreshed": refreshed,
                "file_lost": bool(typed.get(f"lost-file-{k}")),
                "staged": staged.get(k),
            }
        )
    return rows


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
    state = entry_selectors.period_states(department.locality, [period_obj])[period_obj.pk]
    lines = entry_selectors.entry_lines(department, period_obj, period_open=period_open)
    failure: EntryError | None = None
    confirming: entry_service.SaveReport | None = None  # "Gửi duyệt" asks first, with the counts
    typed: dict[str, str] = {}
    form = uploads.form_key(department.pk, period_obj.code)
    if request.method == "POST":
        action = request.POST.get("action")
        files = _evidence_files(request, lines, form)
        rows = _rows_from_post(request, lines, files)
        try:
            period_obj = _stored(period_obj)
            save = {
                "submit": entry_service.actuals_check_submit,  # nothing written: the confirmation first
                "submit-confirmed": entry_service.actuals_submit,
            }.get(action, entry_service.actuals_save_draft)
            report = save(user=request.user, department=department, period=period_obj, rows=rows, today=today)
        except EntryError as exc:
            failure = exc
        else:
            if action == "submit":
                confirming = report
        if failure or confirming:
            typed = {key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}
            typed.update({f"had-file-{k}": "1" for k in files})
            lost = _stage_uploads(request, form, failure, files)
            typed.update({f"lost-file-{k}": "1" for k in lost})
        else:
            uploads.uploads_discard(session=request.session, form=form)  # committed to the values
            if action == "submit-confirmed":
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
    staged = uploads.staged_files(session=request.session, user=request.user, form=form) if typed else {}
    rows = _display_rows(lines, typed, failure, staged)
    context = {
        "rows": rows,
        "error_summary": _error_summary(failure, lines) if failure else [],
        "confirming": _submit_counts(confirming, rows) if confirming else None,
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


_FIELD_ANCHORS = {"value": "value", "note": "note", "evidence_url": "url", "evidence_file": "file"}


def _error_summary(failure: EntryError, lines: list[entry_selectors.EntryLine]) -> list[dict]:
    """The refused save's problems, each linked to its field (the summary at the top of the form)."""
    out = []
    for line in lines:
        k, ind = line.key, line.assignment.indicator
        label = ind.name + (f" ({line.assignment.get_level_display()})" if line.assignment.level else "")
        for name, messages_ in failure.errors.get(k, {}).items():
            anchor = f"{_FIELD_ANCHORS.get(name, 'value')}-{k}"
            out += [{"anchor": anchor, "label": label, "message": m} for m in messages_]
        if k in failure.warnings:
            out.append(
                {
                    "anchor": f"confirm-{k}",
                    "label": label,
                    "message": _("Giá trị bất thường: kiểm tra, ghi chú lý do và đánh dấu xác nhận."),
                }
            )
        if conflict := failure.conflicts.get(k):
            out.append(
                {
                    "anchor": f"choice-{k}" if conflict.mine else f"value-{k}",
                    "label": label,
                    "message": _("Giá trị vừa được người khác thay đổi."),
                }
            )
    return out


def _submit_counts(report: entry_service.SaveReport, rows: list[dict]) -> dict:
    """What the submission's confirmation says: how many values it sends, how many of the department's
    indicators still have none, and how many were sent before."""
    sent_before = sum(
        1
        for r in rows
        if r["line"].actual is not None and r["line"].actual.status in (Status.SUBMITTED, Status.APPROVED)
    )
    empty = sum(1 for r in rows if r["line"].actual is None and not str(r["value"]).strip())
    return {"sending": report.submitted, "missing": empty, "sent_before": sent_before, "total": len(rows)}


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
    for line in entry_selectors.entry_lines(department, period_obj, period_open=period_open):
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
                previous=f"{line.previous[-1][0]}: {typed_number(Decimal(str(line.previous[-1][1])))}"
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
        if len(stash["rows"]) > settings.ENTRY_IMPORT_JOB_ROWS:
            # A large import: checked and staged by the preview, written by a background job (checked
            # again there, all or nothing) whose page shows its progress.
            job = jobs.job_request(
                user=request.user,
                kind="entry_import",
                params={
                    "user": request.user.pk,
                    "department": department.pk,
                    "period": _stored(period_obj).code,
                    "token": token,
                    "rows": stash["rows"],
                    "confirmed": sorted(confirmed),
                },
            )
            del request.session[_SESSION_KEY]
            return redirect("reports:job", job.pk)
        try:
            report = entry_service.actuals_import_confirm(
                user=request.user,
                department=department,
                period=_stored(period_obj),
                rows=stash["rows"],
                confirmed=confirmed,
                today=today,
            )
        except EntryError as exc:
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
        rows, general = entry_service.actuals_import_preview(
            user=request.user,
            department=department,
            period=_stored(period_obj),
            upload_rows=upload_rows,
            today=today,
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
