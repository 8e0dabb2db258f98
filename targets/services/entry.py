"""Entry writes: an entry form saved as drafts or submitted for review (all or nothing, optimistic
locking), and the Excel round-trip (preview, then confirm through the same save)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from .. import access, figures
from ..cache import (  # called after every write that changes what pages and reports show
    data_changed,
    submissions_changed,
)
from ..evidence import stored_name
from ..formatting import typed_number
from ..models import (
    Actual,
    Assignment,
    Department,
    Indicator,
    Level,
    Locality,
    Origin,
    PeriodKind,
    ReportingPeriod,
    Status,
    note_length,
    validate_value_for_unit,
)
from ..numbers import NumberError, parse_number
from ..periods import (
    district_level_reports,
)
from ..rules import (
    EDITABLE_STATUSES,
    evidence_file_problems,
    evidence_url_invalid,
    is_editable,
    outlier_text,
    takes_whole_numbers,
    url_too_long,
)
from ..selectors.entry import entry_lines
from .checks import length_errors, refuse_if_locked, refuse_if_not_started
from .errors import Conflict, EntryError

# --------------------------------------------------------------------------- quarterly data entry


@dataclass
class EntryRow:
    """One field of the entry form as typed: the service parses and checks it."""

    key: str
    indicator: Indicator
    level: str
    raw_value: str
    note: str = ""
    evidence_url: str = ""
    evidence_file: object | None = None  # an UploadedFile
    version: int = 0  # the version the editor saw; 0 = there was no value
    confirm_outlier: bool = False
    # What the form showed for this row (`entry_fingerprint` of its value, note and link): a row sent back
    # exactly as shown is one the editor did not change. None (the Excel import, commands): changed.
    seen: str | None = None
    # After a conflict the form shows both values and asks: "mine" keeps the editor's, "theirs" the stored
    # one, decided against the stored version `theirs_version` the form showed beside the editor's.
    choice: str = ""
    theirs_version: int | None = None


def entry_fingerprint(value: str, note: str, evidence_url: str) -> str:
    """A short digest of a form row's value, note and evidence link as displayed: the form carries it, so
    the service can tell a row the editor changed from one sent back as shown (issue #14: a conflict on a
    row the editor never touched must not make their save write the stale value back)."""

    def clean(text: str) -> str:  # browsers send a textarea's line breaks as CRLF
        return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()

    joined = "\x1f".join(clean(t) for t in (value, note, evidence_url))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SaveReport:
    saved: int
    submitted: int
    unchanged: int
    # Rows the editor left as shown that someone changed meanwhile: left as they are now, not written back.
    refreshed: tuple[str, ...] = ()


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def actuals_save_draft(
    *,
    user,
    department: Department,
    period: ReportingPeriod,
    rows: list[EntryRow],
    origin: str = Origin.ENTERED,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SaveReport:
    """Save an entry form as drafts, all or nothing (the checks: see `_checked`); `progress(done, total)`
    after each row written (a large import runs as a job with a progress bar, issue #20)."""
    context = _context(user=user, department=department, period=period, rows=rows, submit=False, today=today)
    return _write(context, _checked(context, rows), origin=origin, progress=progress)


def actuals_submit(
    *,
    user,
    department: Department,
    period: ReportingPeriod,
    rows: list[EntryRow],
    today: dt.date | None = None,
) -> SaveReport:
    """Save an entry form and submit every saved value for review, all or nothing."""
    context = _context(user=user, department=department, period=period, rows=rows, submit=True, today=today)
    return _write(context, _checked(context, rows), origin=Origin.ENTERED)


def actuals_check_draft(
    *,
    user,
    department: Department,
    period: ReportingPeriod,
    rows: list[EntryRow],
    today: dt.date | None = None,
) -> SaveReport:
    """Every check of a draft save and nothing written (the Excel preview): raises EntryError as the save
    would, or says how many rows the save would write."""
    context = _context(user=user, department=department, period=period, rows=rows, submit=False, today=today)
    checked = _checked(context, rows)
    return SaveReport(saved=len(checked.plan), submitted=0, unchanged=0, refreshed=tuple(checked.refreshed))


def actuals_check_submit(
    *,
    user,
    department: Department,
    period: ReportingPeriod,
    rows: list[EntryRow],
    today: dt.date | None = None,
) -> SaveReport:
    """Every check of a submission and nothing written (the form's "Gửi duyệt" asks for confirmation with
    the counts first): raises EntryError as `actuals_submit` would, or says how many values it would send."""
    context = _context(user=user, department=department, period=period, rows=rows, submit=True, today=today)
    checked = _checked(context, rows)
    return SaveReport(
        saved=len(checked.plan), submitted=len(checked.plan), unchanged=0, refreshed=tuple(checked.refreshed)
    )


# An entry form is saved in two steps. `_checked` parses and checks every row (unit range, assignment,
# status, version, evidence, outlier confirmation); any problem raises EntryError with the message next to
# its row and nothing is written. `_write` then writes the planned rows in one transaction. Optimistic
# locking: a row whose stored version differs from the one the editor saw is a conflict showing both
# values — never a silent overwrite.


@dataclass
class _Context:
    """What every row of one save is checked against, read once."""

    user: object
    department: Department
    locality: Locality
    period: ReportingPeriod
    submit: bool
    period_open: bool
    closed_message: str
    assigned: set[tuple[int, str]]
    existing: dict[tuple[int, str], Actual]
    history: dict[tuple[int, str], list[float]]


@dataclass
class _Planned:
    row: EntryRow
    current: Actual | None
    value: Decimal
    kind: str | None  # the evidence file's kind, found by parsing it
    touched: bool  # whether the editor changed the row


@dataclass
class _Checked:
    """The outcome of checking a form: what to write, and every problem found on the way."""

    errors: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, Conflict] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    plan: list[_Planned] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)

    def error(self, row: EntryRow, name: str, message: str) -> None:
        self.errors.setdefault(row.key, {}).setdefault(name, []).append(message)

    def conflict(self, row: EntryRow, current: Actual | None, *, mine: bool) -> None:
        self.conflicts[row.key] = Conflict(
            theirs=current.value if current else None,
            yours=(row.raw_value or "").strip(),
            by=str(current.updated_by) if current and current.updated_by else "",
            at=current.updated_at if current else None,
            version=current.version if current else 0,
            mine=mine,
        )


def _context(
    *, user, department: Department, period: ReportingPeriod, rows: list[EntryRow], submit: bool, today
) -> _Context:
    """Refuses the whole save when the editor may not enter for `department`, or the period has not started
    or is locked; otherwise reads what the rows are checked against."""
    if not access.can_edit_for_department(user, department):
        raise EntryError(general=["Bạn không có quyền nhập số liệu cho đơn vị này."])
    today = today or timezone.localdate()
    locality = department.locality
    refuse_if_not_started(period, today)
    refuse_if_locked(locality, period)
    keys = [(r.indicator.pk, r.level) for r in rows]
    assigned = set(Assignment.objects.filter(department=department).values_list("indicator_id", "level"))
    existing = {
        (a.indicator_id, a.level): a
        for a in Actual.objects.filter(
            locality=locality, period=period, indicator_id__in=[k[0] for k in keys]
        )
    }
    return _Context(
        user=user,
        department=department,
        locality=locality,
        period=period,
        submit=submit,
        period_open=access.entry_period_open(period.code, today),
        closed_message=gettext(
            "Kỳ %(period)s không mở để nhập số liệu: chỉ các kỳ có trong danh sách việc cần làm, "
            "và các giá trị được trả lại để sửa, mới nhận số liệu."
        )
        % {"period": period.code},
        assigned=assigned,
        existing=existing,
        history=_previous_values(locality, period, keys),
    )


def _checked(context: _Context, rows: list[EntryRow]) -> _Checked:
    """Every row checked; raises EntryError with every problem found, or returns what to write."""
    checked = _Checked()
    for row in rows:
        _check_row(context, checked, row)
    if not context.period_open and not checked.plan and not checked.refreshed:
        checked.general = [context.closed_message]  # nothing to correct: a closed period's save is refused
    if checked.errors or checked.warnings or checked.conflicts or checked.general:
        raise EntryError(
            errors=checked.errors,
            warnings=checked.warnings,
            conflicts=checked.conflicts,
            general=checked.general,
        )
    return checked


def _check_row(context: _Context, checked: _Checked, row: EntryRow) -> None:
    """One row: planned for writing, left as it is, or refused with its messages in `checked`."""
    touched = (
        row.seen is None
        or row.evidence_file is not None
        or entry_fingerprint(row.raw_value, row.note, row.evidence_url) != row.seen
    )
    _check_texts(checked, row)
    current = context.existing.get((row.indicator.pk, row.level))
    if message := _not_reportable(context, row):
        checked.error(row, "value", message)
        return
    current_version = current.version if current else 0
    if row.choice in ("mine", "theirs") and row.theirs_version is not None:
        if row.theirs_version != current_version:
            checked.conflict(row, current, mine=touched)  # changed again since the choice was offered
            return
        touched = _apply_choice(row, current, touched)
    if not touched and row.version != current_version:
        # Changed by someone else while this editor left it as shown. A draft save leaves it as it is
        # now (never writes the stale value back); a submission would send a value the editor has not
        # seen, so it is refused and the form shows the current value in place.
        if context.submit and access.value_accepts_entry(current, period_open=context.period_open):
            checked.conflict(row, current, mine=False)
        else:
            checked.refreshed.append(row.key)
        return
    value = _new_value(context, checked, row, current)
    if value is None:
        return
    if row.version != current_version:
        checked.conflict(row, current, mine=True)  # both changed it: keep mine or take theirs
        return
    kind = _check_evidence(checked, row)
    if current is None or value != current.value:
        _check_outlier(context, checked, row, value)
    checked.plan.append(_Planned(row=row, current=current, value=value, kind=kind, touched=touched))


def _check_texts(checked: _Checked, row: EntryRow) -> None:
    """Control characters (pasted from other software) are dropped: they break exports and help nobody.
    Then the length limits (targets/limits.py): an over-long text is refused, never stored or cut."""
    row.note = _CONTROL_CHARS.sub("", row.note or "")
    row.evidence_url = _CONTROL_CHARS.sub("", row.evidence_url or "")
    for message in length_errors(note_length, row.note.strip()):
        checked.error(row, "note", message)
    if message := url_too_long(row.evidence_url.strip()):
        checked.error(row, "evidence_url", message)


def _not_reportable(context: _Context, row: EntryRow) -> str | None:
    """Why this department cannot report this indicator for this period at all, or None."""
    ind, period = row.indicator, context.period
    if (ind.pk, row.level) not in context.assigned:
        return "Chỉ tiêu này không được giao cho đơn vị của bạn."
    if period.kind == PeriodKind.QUARTER and ind.frequency != "quarterly":
        return "Chỉ tiêu này báo cáo theo năm, không theo quý."
    if period.kind == PeriodKind.YEAR and ind.frequency != "annual":
        return "Chỉ tiêu này báo cáo theo quý, không theo năm."
    if row.level == Level.DISTRICT and not district_level_reports(period.starts_on):
        return "Cấp huyện đã chấm dứt hoạt động từ 01/7/2025: không còn báo cáo ở cấp này."
    return None


def _apply_choice(row: EntryRow, current: Actual | None, touched: bool) -> bool:
    """After a conflict the editor chose "mine" or "theirs" against the version shown: the row now stands
    for that version. "theirs" keeps the stored value, as if the editor had not touched the row. Returns
    whether the row counts as changed by the editor."""
    row.version = row.theirs_version
    if row.choice != "theirs":
        return touched
    row.raw_value = typed_number(current.value) if current else ""
    row.note = current.note if current else ""
    row.evidence_url = ""
    return False


def _new_value(context: _Context, checked: _Checked, row: EntryRow, current: Actual | None) -> Decimal | None:
    """The row's value parsed and checked against its unit and the stored value's status, or None (with
    the reason in `checked`, or nothing to write)."""
    raw = (row.raw_value or "").strip()
    status = current.status if current is not None else None
    if is_editable(status) and not access.value_accepts_entry(current, period_open=context.period_open):
        checked.error(row, "value", context.closed_message)
        checked.general = [context.closed_message]
        return None
    if not is_editable(status):
        if raw and _same_number(raw, current.value, row.indicator.unit):
            return None  # a read-only value sent back unchanged
        if raw or row.note.strip() != current.note.strip():
            checked.error(row, "value", f"Giá trị đang ở trạng thái “{Status(status).label}”: không thể sửa.")
        return None
    if not raw:
        if current is not None:
            checked.error(
                row, "value", f"Vui lòng nhập giá trị (giá trị đã lưu: {typed_number(current.value)})."
            )
        elif row.note.strip() or row.evidence_url.strip() or row.evidence_file:
            checked.error(row, "value", "Có ghi chú hoặc minh chứng nhưng chưa nhập giá trị.")
        return None
    try:
        value = parse_number(raw, whole=takes_whole_numbers(row.indicator.unit))
        validate_value_for_unit(row.indicator.unit, value)
    except NumberError as exc:
        checked.error(row, "value", str(exc))
        return None
    except ValidationError as exc:
        checked.error(row, "value", " ".join(exc.message_dict.get("value", exc.messages)))
        return None
    return value


def _check_evidence(checked: _Checked, row: EntryRow) -> str | None:
    """The evidence link and file checked (`targets.rules`); returns the file's kind found by parsing it."""
    url = row.evidence_url.strip()
    if url and (message := evidence_url_invalid(url)):
        checked.error(row, "evidence_url", message)
    if row.evidence_file is None:
        return None
    kind, problems = evidence_file_problems(row.evidence_file)
    for message in problems:
        checked.error(row, "evidence_file", message)
    return kind


def _check_outlier(context: _Context, checked: _Checked, row: EntryRow, value: Decimal) -> None:
    """A changed value far from the series' history needs the editor's confirmation and a note."""
    previous = context.history.get((row.indicator.pk, row.level), [])
    warning = outlier_text(
        previous,
        value,
        unit=row.indicator.unit,
        yearly=context.period.kind == PeriodKind.YEAR,
        ask_to_check=True,
    )
    if not warning:
        return
    if not row.confirm_outlier:
        checked.warnings[row.key] = warning
    elif not row.note.strip():
        checked.error(row, "note", "Giá trị bất thường: vui lòng ghi chú lý do trước khi xác nhận.")


def _write(
    context: _Context,
    checked: _Checked,
    *,
    origin: str,
    progress: Callable[[int, int], None] | None = None,
) -> SaveReport:
    """The checked rows written in one transaction (the lock checked again inside it)."""
    saved = submitted = unchanged = 0
    sent: set[int] = set()  # the indicators of the values sent for review
    reason = "Gửi duyệt" if context.submit else "Lưu nháp"
    if origin == Origin.IMPORTED:
        reason = f"Nhập từ Excel ({reason.lower()})"
    now = timezone.now()
    try:
        with transaction.atomic():
            refuse_if_locked(context.locality, context.period, for_update=True)
            total = len(checked.plan)
            for index, planned in enumerate(checked.plan, start=1):
                if progress is not None:
                    progress(index - 1, total)
                if not context.submit and not _changes(planned):
                    unchanged += 1
                    continue
                if planned.current is not None:
                    _claim(planned)
                actual = _updated_actual(context, planned, origin=origin, now=now)
                actual._change_reason = reason
                actual._history_user = (
                    context.user
                )  # recorded even outside a request (Excel import, commands)
                actual.save()
                saved += 1
                if context.submit:
                    submitted += 1
                    sent.add(actual.indicator_id)
    except IntegrityError as exc:
        # Someone created the same value between our check and our insert.
        raise EntryError(
            general=["Một giá trị vừa được người khác lưu cùng lúc. Vui lòng tải lại trang."]
        ) from exc
    if submitted:  # the series pages show submitted values; drafts appear on no cached page
        data_changed()
        submissions_changed((context.locality.pk, indicator_id) for indicator_id in sent)
    return SaveReport(
        saved=saved, submitted=submitted, unchanged=unchanged, refreshed=tuple(checked.refreshed)
    )


def _changes(planned: _Planned) -> bool:
    """Whether a draft save would change the stored row (a new value, note, link or file)."""
    row, current = planned.row, planned.current
    url = row.evidence_url.strip()
    return (
        current is None
        or planned.value != current.value
        or row.note.strip() != current.note
        or bool(url and url != current.evidence_url)
        or row.evidence_file is not None
    )


def _claim(planned: _Planned) -> None:
    """Claim the stored row with a conditional UPDATE. On PostgreSQL and SQLite alike, of two saves that
    saw the same version exactly one matches; the other is a conflict showing both values — never a lost
    update (a plain re-read is not enough on SQLite)."""
    row, current = planned.row, planned.current
    claimed = Actual.objects.filter(pk=current.pk, version=row.version, status__in=EDITABLE_STATUSES).update(
        version=F("version") + 1
    )
    if not claimed:
        latest = Actual.objects.select_related("updated_by").get(pk=current.pk)
        raise EntryError(
            conflicts={
                row.key: Conflict(
                    theirs=latest.value,
                    yours=row.raw_value,
                    by=str(latest.updated_by or ""),
                    at=latest.updated_at,
                    version=latest.version,
                    mine=planned.touched,
                )
            }
        )
    current.version = row.version  # the claimed version is this + 1, set by `_updated_actual`


def _updated_actual(context: _Context, planned: _Planned, *, origin: str, now: dt.datetime) -> Actual:
    """The stored row (or a new one) with the form's value, note, evidence and status; not saved yet."""
    row, current = planned.row, planned.current
    actual = current or Actual(
        indicator=row.indicator,
        locality=context.locality,
        level=row.level,
        period=context.period,
        origin=origin,
    )
    actual.value = planned.value
    actual.note = row.note.strip()
    if row.evidence_url.strip():
        actual.evidence_url = row.evidence_url.strip()
    if row.evidence_file is not None:
        # Stored and offered under the type found by parsing it, never the uploader's extension.
        name = stored_name(row.evidence_file.name, planned.kind)
        actual.evidence_file.save(name, row.evidence_file, save=False)
        actual.evidence_name = name[:255]
    # The editor's confirmation of an unusual value stays with that value (issue #17): a later save or the
    # submission of the same value, from a form that did not show the tick again, does not drop it.
    actual.outlier_confirmed = row.confirm_outlier or bool(
        current is not None and current.outlier_confirmed and planned.value == current.value
    )
    actual.department = context.department
    actual.updated_by = context.user
    if origin != Origin.ENTERED or current is None:
        actual.origin = origin
    if context.submit:
        actual.status = Status.SUBMITTED
        actual.submitted_at = now
    elif current is None:
        actual.status = Status.DRAFT
    if current is not None:
        actual.version = current.version + 1
    return actual


def _same_number(raw: str, stored: Decimal, unit: str) -> bool:

    try:
        return parse_number(raw, whole=takes_whole_numbers(unit)) == stored
    except NumberError:
        return False


def _previous_values(
    locality: Locality, period: ReportingPeriod, keys: list[tuple[int, str]]
) -> dict[tuple[int, str], list[float]]:
    """Each series' submitted/approved values before `period`, oldest first (one query)."""
    out: dict[tuple[int, str], list[float]] = {}
    rows = (
        Actual.objects.filter(
            locality=locality,
            indicator_id__in={k[0] for k in keys},
            period__kind=period.kind,
            period__ends_on__lt=period.starts_on,
            status__in=[Status.SUBMITTED, Status.APPROVED],
        )
        .order_by("period__year", "period__quarter")
        .values_list("indicator_id", "level", "value")
    )
    for ind_id, level, value in rows:
        out.setdefault((ind_id, level), []).append(float(value))
    return out


# --------------------------------------------------------------------------- Excel round-trip


@dataclass
class PreviewRow:
    excel_row: int
    key: str
    indicator: str
    level: str
    old: Decimal | None
    new: str
    note: str
    version: int
    state: str  # new | changed | unchanged | error
    messages: list[str]
    warning: str | None = None


_FIELD_COLUMN = {"value": "G", "note": "H", "evidence_url": "G", "evidence_file": "G"}


def actuals_import_preview(
    *, user, department: Department, period: ReportingPeriod, upload_rows, today: dt.date
):
    """What an uploaded workbook would change, row by row, checked by the same rules as the web form.

    Writes nothing. Returns (rows, general messages). Each row is new / changed / unchanged / error, and an
    error names its row and column.
    """

    lines = {
        f"{line.assignment.indicator.code}|{line.assignment.level}": line
        for line in entry_lines(department, period)
    }
    out: list[PreviewRow] = []
    seen: set[str] = set()
    candidates: list[tuple[PreviewRow, EntryRow]] = []
    for up in upload_rows:
        line = lines.get(up.key)
        ind = line.assignment.indicator if line else None
        if up.from_formula and up.raw_value and ind is not None:
            # A formula's result (=200/3) is rounded to the indicator's precision, never refused for its
            # decimals; the preview shows the rounded figure, and that is what is saved.
            try:
                rounded = figures.rounded(Decimal(up.raw_value), ind.unit)
            except InvalidOperation:
                rounded = None
            if rounded is not None:
                up.raw_value = format(rounded.normalize(), "f")
        row = PreviewRow(
            excel_row=up.excel_row,
            key=up.key,
            indicator=ind.name if ind else up.key,
            level=str(line.assignment.get_level_display()) if line and line.assignment.level else "",
            old=line.actual.value if line and line.actual else None,
            new=up.raw_value,
            note=up.note,
            version=up.version,
            state="error",
            messages=list(up.errors),
        )
        out.append(row)
        if row.messages:
            continue
        where = f"Dòng {up.excel_row}"
        if line is None:
            row.messages.append(
                f"{where}, cột A: chỉ tiêu không có trong biểu mẫu của đơn vị (không còn được giao)."
            )
            continue
        if up.key in seen:
            row.messages.append(f"{where}: chỉ tiêu xuất hiện hai lần trong tệp.")
            continue
        seen.add(up.key)
        current = line.actual
        if (current.version if current else 0) != up.version:
            row.messages.append(
                f"{where}, cột G: giá trị đã thay đổi từ khi bạn tải biểu mẫu (hiện là {typed_number(current.value if current else None)}). "
                "Vui lòng tải biểu mẫu mới."
            )
            continue
        whole = takes_whole_numbers(ind.unit)
        same_value = False
        if current is not None and up.raw_value:
            try:
                same_value = parse_number(up.raw_value, whole=whole) == current.value
            except NumberError:
                same_value = False
        if not up.raw_value and current is None:
            row.state = "unchanged"
            if up.note:
                row.state = "error"
                row.messages.append(f"{where}, cột H: có ghi chú nhưng chưa nhập giá trị.")
            continue
        if current is not None and same_value and up.note == current.note:
            row.state = "unchanged"
            continue
        row.state = "new" if current is None else "changed"
        candidates.append(
            (
                row,
                EntryRow(
                    key=up.key,
                    indicator=ind,
                    level=line.assignment.level,
                    raw_value=up.raw_value,
                    note=up.note,
                    version=up.version,
                ),
            )
        )
    general: list[str] = []
    if candidates:
        try:
            actuals_check_draft(
                user=user, department=department, period=period, rows=[c[1] for c in candidates], today=today
            )
        except EntryError as exc:
            general = exc.general
            for row, entry in candidates:
                for name, messages in exc.errors.get(entry.key, {}).items():
                    row.state = "error"
                    row.messages += [
                        f"Dòng {row.excel_row}, cột {_FIELD_COLUMN.get(name, 'G')}: {m}" for m in messages
                    ]
                if entry.key in exc.conflicts:
                    row.state = "error"
                    row.messages.append(f"Dòng {row.excel_row}, cột G: giá trị vừa được người khác thay đổi.")
                row.warning = exc.warnings.get(entry.key)
    return out, general


def actuals_import_confirm(
    *,
    user,
    department: Department,
    period: ReportingPeriod,
    rows: list[dict],
    confirmed: set[str],
    today: dt.date,
    progress: Callable[[int, int], None] | None = None,
) -> SaveReport:
    """Write the previewed new/changed rows as drafts of origin `imported`, through `actuals_save_draft`: all
    or nothing; `progress(done, total)` as the rows are written."""
    indicators = {
        ind.code: ind for ind in Indicator.objects.filter(code__in={r["key"].split("|")[0] for r in rows})
    }
    entries = []
    for r in rows:
        code, level = r["key"].split("|")
        if code not in indicators:
            raise EntryError(general=["Biểu mẫu đã thay đổi: vui lòng tải lên lại."])
        entries.append(
            EntryRow(
                key=r["key"],
                indicator=indicators[code],
                level=level,
                raw_value=r["new"],
                note=r["note"],
                version=r["version"],
                confirm_outlier=r["key"] in confirmed,
            )
        )
    report = actuals_save_draft(
        user=user,
        department=department,
        period=period,
        rows=entries,
        origin=Origin.IMPORTED,
        today=today,
        progress=progress,
    )
    data_changed()
    return report
