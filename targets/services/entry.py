"""Entry writes: an entry form saved as drafts or submitted for review (all or nothing, optimistic
locking), and the Excel round-trip (preview, then confirm through the same save)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from .. import access, selectors
from ..cache import data_changed  # called after every write that changes what pages and reports show
from ..evidence import check_evidence, stored_name
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
    Unit,
    note_length,
    validate_value_for_unit,
)
from ..numbers import NumberError, parse_number
from ..outliers import outlier_warning
from ..periods import (
    district_level_reports,
)
from .checks import figure_text, length_errors, refuse_if_locked, refuse_if_not_started, url_too_long
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


EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def actuals_save(
    *,
    user,
    department: Department,
    period: ReportingPeriod,
    rows: list[EntryRow],
    submit: bool,
    origin: str = Origin.ENTERED,
    today: dt.date | None = None,
    dry_run: bool = False,
) -> SaveReport:
    """Save an entry form all-or-nothing: drafts, or drafts then submitted with `submit=True`.

    Every row is parsed and checked first (unit range, assignment, status, version, evidence, outlier
    confirmation); any problem raises EntryError with the message next to its row and writes nothing.
    Optimistic locking: a row whose stored version differs from the one the editor saw is a conflict
    showing both values — never a silent overwrite.
    """

    if not access.can_edit_for_department(user, department):
        raise EntryError(general=["Bạn không có quyền nhập số liệu cho đơn vị này."])
    today = today or timezone.localdate()
    locality = department.locality
    refuse_if_not_started(period, today)
    refuse_if_locked(locality, period)
    period_open = access.entry_period_open(period.code, today)
    closed_message = gettext(
        "Kỳ %(period)s không mở để nhập số liệu: chỉ các kỳ có trong danh sách việc cần làm, "
        "và các giá trị được trả lại để sửa, mới nhận số liệu."
    ) % {"period": period.code}

    assigned = set(Assignment.objects.filter(department=department).values_list("indicator_id", "level"))
    keys = [(r.indicator.pk, r.level) for r in rows]
    existing = {
        (a.indicator_id, a.level): a
        for a in Actual.objects.filter(
            locality=locality, period=period, indicator_id__in=[k[0] for k in keys]
        )
    }
    history = _previous_values(locality, period, keys)

    errors: dict[str, dict[str, list[str]]] = {}
    warnings: dict[str, str] = {}
    conflicts: dict[str, Conflict] = {}
    general: list[str] = []
    # row, stored, value, evidence kind, whether the editor changed the row
    plan: list[tuple[EntryRow, Actual | None, Decimal, str | None, bool]] = []

    def err(row: EntryRow, name: str, message: str) -> None:
        errors.setdefault(row.key, {}).setdefault(name, []).append(message)

    refreshed: list[str] = []
    for row in rows:
        touched = (
            row.seen is None
            or row.evidence_file is not None
            or entry_fingerprint(row.raw_value, row.note, row.evidence_url) != row.seen
        )
        # Control characters (pasted from other software) are dropped: they break exports and help nobody.
        row.note = _CONTROL_CHARS.sub("", row.note or "")
        row.evidence_url = _CONTROL_CHARS.sub("", row.evidence_url or "")
        # Length limits first (targets/limits.py): an over-long text is refused, never stored or cut.
        for message in length_errors(note_length, row.note.strip()):
            err(row, "note", message)
        if message := url_too_long(row.evidence_url.strip()):
            err(row, "evidence_url", message)
        ind = row.indicator
        current = existing.get((ind.pk, row.level))
        if (ind.pk, row.level) not in assigned:
            err(row, "value", "Chỉ tiêu này không được giao cho đơn vị của bạn.")
            continue
        if period.kind == PeriodKind.QUARTER and ind.frequency != "quarterly":
            err(row, "value", "Chỉ tiêu này báo cáo theo năm, không theo quý.")
            continue
        if period.kind == PeriodKind.YEAR and ind.frequency != "annual":
            err(row, "value", "Chỉ tiêu này báo cáo theo quý, không theo năm.")
            continue
        if row.level == Level.DISTRICT and not district_level_reports(period.starts_on):
            err(row, "value", "Cấp huyện đã chấm dứt hoạt động từ 01/7/2025: không còn báo cáo ở cấp này.")
            continue
        current_version = current.version if current else 0

        def conflict(mine: bool, row=row, current=current) -> None:
            conflicts[row.key] = Conflict(
                theirs=current.value if current else None,
                yours=(row.raw_value or "").strip(),
                by=str(current.updated_by) if current and current.updated_by else "",
                at=current.updated_at if current else None,
                version=current.version if current else 0,
                mine=mine,
            )

        if row.choice in ("mine", "theirs") and row.theirs_version is not None:
            if row.theirs_version != current_version:
                conflict(mine=touched)  # changed again since the choice was offered: offer it again
                continue
            row.version = row.theirs_version  # the choice was made against this version
            if row.choice == "theirs":  # the stored value stands, as if the editor had not touched it
                touched = False
                row.raw_value = figure_text(current.value) if current else ""
                row.note = current.note if current else ""
                row.evidence_url = ""
        if not touched and row.version != current_version:
            # Changed by someone else while this editor left it as shown. A draft save leaves it as it is
            # now (never writes the stale value back); a submission would send a value the editor has not
            # seen, so it is refused and the form shows the current value in place.
            if submit and access.value_accepts_entry(current, period_open=period_open):
                conflict(mine=False)
            else:
                refreshed.append(row.key)
            continue
        raw = (row.raw_value or "").strip()
        if (current is None or current.status in EDITABLE_STATUSES) and not access.value_accepts_entry(
            current, period_open=period_open
        ):
            err(row, "value", closed_message)
            general = [closed_message]
            continue
        if current is not None and current.status not in EDITABLE_STATUSES:
            if raw and _same_number(raw, current.value, ind.unit):
                continue  # a read-only value sent back unchanged
            if raw or row.note.strip() != current.note.strip():
                label = Status(current.status).label
                err(row, "value", f"Giá trị đang ở trạng thái “{label}”: không thể sửa.")
            continue
        if not raw:
            if current is not None:
                err(row, "value", f"Vui lòng nhập giá trị (giá trị đã lưu: {figure_text(current.value)}).")
            elif row.note.strip() or row.evidence_url.strip() or row.evidence_file:
                err(row, "value", "Có ghi chú hoặc minh chứng nhưng chưa nhập giá trị.")
            continue
        try:
            value = parse_number(raw, whole=ind.unit in (Unit.COUNT, Unit.RANK, Unit.MILESTONE))
            validate_value_for_unit(ind.unit, value)
        except NumberError as exc:
            err(row, "value", str(exc))
            continue
        except ValidationError as exc:
            err(row, "value", " ".join(exc.message_dict.get("value", exc.messages)))
            continue
        if row.version != current_version:
            conflict(mine=True)  # both changed it: the editor chooses, keep mine or take theirs
            continue
        url = row.evidence_url.strip()
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                err(row, "evidence_url", "Đường dẫn minh chứng phải là một địa chỉ http(s) hợp lệ.")
        kind = None
        if row.evidence_file is not None:
            size = getattr(row.evidence_file, "size", 0) or 0
            if size > 10 * 1024 * 1024:
                err(row, "evidence_file", "Tệp minh chứng vượt quá 10 MB.")
            else:
                data = row.evidence_file.read()
                row.evidence_file.seek(0)
                kind, message = check_evidence(data, gettext=gettext)
                if message:
                    err(row, "evidence_file", message)
        changed_value = current is None or value != current.value
        if changed_value:
            previous = history.get((ind.pk, row.level), [])
            scale = 100.0 if ind.unit in (Unit.PERCENT, Unit.GROWTH_RATE) else max(abs(float(value)), 1.0)
            warning = (
                outlier_warning(previous, float(value), scale=scale) if ind.unit != Unit.MILESTONE else None
            )
            if warning:
                if not row.confirm_outlier:
                    warnings[row.key] = warning
                elif not row.note.strip():
                    err(row, "note", "Giá trị bất thường: vui lòng ghi chú lý do trước khi xác nhận.")
        plan.append((row, current, value, kind, touched))

    if not period_open and not plan and not refreshed:
        general = [closed_message]  # nothing to correct there: a closed period's save is refused outright
    if errors or warnings or conflicts or general:
        raise EntryError(errors=errors, warnings=warnings, conflicts=conflicts, general=general)
    if dry_run:  # the Excel preview: every check above, nothing written
        return SaveReport(
            saved=len(plan), submitted=len(plan) if submit else 0, unchanged=0, refreshed=tuple(refreshed)
        )

    saved = submitted = unchanged = 0
    now = timezone.now()
    reason = "Gửi duyệt" if submit else "Lưu nháp"
    if origin == Origin.IMPORTED:
        reason = f"Nhập từ Excel ({reason.lower()})"
    try:
        with transaction.atomic():
            refuse_if_locked(locality, period, for_update=True)
            for row, current, value, kind, touched in plan:
                new_note = row.note.strip()
                changes = (
                    current is None
                    or value != current.value
                    or new_note != current.note
                    or (row.evidence_url.strip() and row.evidence_url.strip() != current.evidence_url)
                    or row.evidence_file is not None
                )
                if not changes and not submit:
                    unchanged += 1
                    continue
                if current is not None:
                    # Claim the row with a conditional UPDATE. On PostgreSQL and SQLite alike, of two saves
                    # that saw the same version exactly one matches; the other is a conflict showing both
                    # values — never a lost update (a plain re-read is not enough on SQLite).
                    claimed = Actual.objects.filter(
                        pk=current.pk, version=row.version, status__in=EDITABLE_STATUSES
                    ).update(version=F("version") + 1)
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
                                    mine=touched,
                                )
                            }
                        )
                    current.version = row.version  # the claimed version is this + 1, set below
                actual = current or Actual(
                    indicator=row.indicator, locality=locality, level=row.level, period=period, origin=origin
                )
                actual.value = value
                actual.note = new_note
                if row.evidence_url.strip():
                    actual.evidence_url = row.evidence_url.strip()
                if row.evidence_file is not None:
                    # Stored and offered under the type found by parsing it, never the uploader's extension.
                    name = stored_name(row.evidence_file.name, kind)
                    actual.evidence_file.save(name, row.evidence_file, save=False)
                    actual.evidence_name = name[:255]
                actual.outlier_confirmed = row.confirm_outlier
                actual.department = department
                actual.updated_by = user
                if origin != Origin.ENTERED or current is None:
                    actual.origin = origin
                if submit:
                    actual.status = Status.SUBMITTED
                    actual.submitted_at = now
                    submitted += 1
                elif current is None:
                    actual.status = Status.DRAFT
                if current is not None:
                    actual.version = current.version + 1
                actual.change_reason = reason
                actual._history_user = user  # recorded even outside a request (Excel import, commands)
                actual.save()
                saved += 1
    except IntegrityError as exc:
        # Someone created the same value between our check and our insert.
        raise EntryError(
            general=["Một giá trị vừa được người khác lưu cùng lúc. Vui lòng tải lại trang."]
        ) from exc
    if submitted:  # the series pages show submitted values; drafts appear on no cached page
        data_changed()
    return SaveReport(saved=saved, submitted=submitted, unchanged=unchanged, refreshed=tuple(refreshed))


def _same_number(raw: str, stored: Decimal, unit: str) -> bool:

    try:
        return parse_number(raw, whole=unit in (Unit.COUNT, Unit.RANK, Unit.MILESTONE)) == stored
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
        for line in selectors.entry_lines(department, period)
    }
    out: list[PreviewRow] = []
    seen: set[str] = set()
    candidates: list[tuple[PreviewRow, EntryRow]] = []
    for up in upload_rows:
        line = lines.get(up.key)
        ind = line.assignment.indicator if line else None
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
                f"{where}, cột G: giá trị đã thay đổi từ khi bạn tải biểu mẫu (hiện là {figure_text(current.value if current else None)}). "
                "Vui lòng tải biểu mẫu mới."
            )
            continue
        whole = ind.unit in (Unit.COUNT, Unit.RANK, Unit.MILESTONE)
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
            actuals_save(
                user=user,
                department=department,
                period=period,
                rows=[c[1] for c in candidates],
                submit=False,
                origin=Origin.IMPORTED,
                today=today,
                dry_run=True,
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
) -> SaveReport:
    """Write the previewed new/changed rows as drafts of origin `imported`, through `actuals_save`: all or nothing."""
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
    report = actuals_save(
        user=user,
        department=department,
        period=period,
        rows=entries,
        submit=False,
        origin=Origin.IMPORTED,
        today=today,
    )
    data_changed()
    return report
