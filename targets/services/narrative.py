"""Writes of the Báo cáo's texts (issue #18): a locality's narrative for a quarter (sections IV and V, notes
per pillar) and its letterhead, recipients and signer. Reviewers only, checked here again; each save is
atomic, claims the version it was shown (a concurrent edit is refused, never overwritten) and is recorded in
the row's history (django-simple-history)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from .. import access
from ..cache import data_changed
from ..models import Locality, Pillar, ReportNarrative, ReportSettings
from ..models.narrative import (
    NARRATIVE_MAX_CHARS,
    PILLAR_NOTE_MAX_CHARS,
    RECIPIENTS_MAX_CHARS,
    SETTING_MAX_CHARS,
)
from ..periods import parse_period_code
from .checks import change_reason
from .errors import ReportTextError

# The letterhead's fields with their limits; the ones a Báo cáo cannot go without are required.
SETTINGS_FIELDS: dict[str, tuple[int, bool]] = {
    "parent_body": (SETTING_MAX_CHARS, True),
    "issuing_body": (SETTING_MAX_CHARS, True),
    "number_suffix": (64, True),
    "place": (128, True),
    "addressee": (SETTING_MAX_CHARS, True),
    "recipients": (RECIPIENTS_MAX_CHARS, True),
    "signer_authority": (64, False),
    "signer_title": (128, True),
    "signer_name": (128, False),
}


def _clean(text: str | None) -> str:
    """Text as stored: line ends normalised, control characters other than line breaks and tabs removed,
    trailing spaces trimmed."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32)
    return text.strip()


def _too_long(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return []
    return [gettext("Tối đa %(limit)s ký tự (đang có %(n)s).") % {"limit": limit, "n": len(text)}]


def _quarter(period_code: str) -> list[str]:
    try:
        _year, quarter = parse_period_code(period_code or "")
    except ValueError:
        quarter = None
    if quarter is None:
        return [gettext("Kỳ báo cáo phải là một quý, ví dụ 2026-Q3.")]
    return []


def _refuse_stale(row, version: int | None) -> None:
    current = row.version if row is not None and row.pk else 0
    if version is not None and version != current:
        raise ReportTextError(
            {
                "": [
                    gettext(
                        "Nội dung vừa được người khác sửa: chưa ghi gì. Vui lòng tải lại trang để xem bản mới."
                    )
                ]
            }
        )


def report_narrative_save(
    *,
    user,
    locality: Locality,
    period_code: str,
    version: int | None,
    shortcomings: str,
    recommendations: str,
    pillar_notes: dict[str, str],
) -> ReportNarrative:
    """Write the narrative of `locality`'s quarter `period_code`, the version shown being `version` (0: none
    yet). All or nothing: ReportTextError with every problem, nothing written."""
    if not access.can_write_report_text(user, locality):
        raise ReportTextError({"": [gettext("Bạn không có quyền viết báo cáo của địa phương này.")]})
    errors: dict[str, list[str]] = {}
    if problems := _quarter(period_code):
        errors["period"] = problems
    texts = {"shortcomings": _clean(shortcomings), "recommendations": _clean(recommendations)}
    for name, text in texts.items():
        if problems := _too_long(text, NARRATIVE_MAX_CHARS):
            errors[name] = problems
    known = set(Pillar.objects.values_list("slug", flat=True))
    notes: dict[str, str] = {}
    for slug, raw in (pillar_notes or {}).items():
        if slug not in known:
            errors.setdefault("pillar_notes", []).append(
                gettext("Trụ cột “%(slug)s” không có trong danh mục.") % {"slug": str(slug)[:40]}
            )
            continue
        note = _clean(raw)
        if problems := _too_long(note, PILLAR_NOTE_MAX_CHARS):
            errors[f"pillar-{slug}"] = problems
        elif note:
            notes[slug] = note
    if errors:
        raise ReportTextError(errors)
    with transaction.atomic():
        row = (
            ReportNarrative.objects.select_for_update()
            .filter(locality=locality, period_code=period_code)
            .first()
        )
        _refuse_stale(row, version)
        if row is None:
            row = ReportNarrative(locality=locality, period_code=period_code, version=0)
        row.shortcomings = texts["shortcomings"]
        row.recommendations = texts["recommendations"]
        row.pillar_notes = notes
        row.version += 1
        row.updated_by = user
        row._change_reason = change_reason(f"Báo cáo {period_code}")
        row.save()
    data_changed()
    return row


def report_settings_save(*, user, locality: Locality, version: int | None, **fields: str) -> ReportSettings:
    """Write `locality`'s letterhead, recipients and signer (`SETTINGS_FIELDS`). All or nothing."""
    if not access.can_write_report_text(user, locality):
        raise ReportTextError({"": [gettext("Bạn không có quyền viết báo cáo của địa phương này.")]})
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ReportTextError(
            {"": [gettext("Trường không hợp lệ: %(names)s.") % {"names": ", ".join(sorted(unknown))}]}
        )
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for name, (limit, required) in SETTINGS_FIELDS.items():
        text = _clean(fields.get(name, ""))
        if name != "recipients":
            text = " ".join(text.split())  # one line
        if required and not text:
            errors.setdefault(name, []).append(gettext("Vui lòng nhập nội dung này."))
        errors_here = _too_long(text, limit)
        if errors_here:
            errors.setdefault(name, []).extend(errors_here)
        values[name] = text
    if errors:
        raise ReportTextError(errors)
    with transaction.atomic():
        row = ReportSettings.objects.select_for_update().filter(locality=locality).first()
        _refuse_stale(row, version)
        if row is None:
            row = ReportSettings(locality=locality, version=0)
        for name, text in values.items():
            setattr(row, name, text)
        row.version += 1
        row.updated_by = user
        row._change_reason = change_reason("Thể thức báo cáo")
        row.save()
    data_changed()
    return row
