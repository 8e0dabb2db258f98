"""The checks and audit labels every service shares: model validation collected per row, text limits,
the locality period's lock, the audit label, and a stored figure as text in a message."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from ..limits import CHANGE_REASON_MAX_CHARS, shorten
from ..models import (
    Locality,
    LocalityPeriod,
    ReportingPeriod,
)
from .errors import EntryError


def clean_or_collect(
    obj, where: str, errors: list[str], *, exclude: list[str] | None = None, db_checks: bool = True
) -> None:
    """full_clean, collecting messages. db_checks=False skips the per-row uniqueness/FK queries when the
    caller already checked them (the catalogue reader does) — the database constraints still back them up."""
    try:
        if db_checks:
            obj.full_clean(exclude=exclude)
        else:
            obj.clean_fields(exclude=exclude)
            obj.clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.append(f"{where}: {name}: {' '.join(str(m) for m in messages)}")


def length_errors(validator, text: str) -> list[str]:
    """The model's length validator's messages for `text` (targets/limits.py), empty when it fits."""
    try:
        validator(text)
    except ValidationError as exc:
        return [str(m) for m in exc.messages]
    return []


def change_reason(text: str) -> str:
    """An audit label fits simple-history's varchar(100) column; the full text is in the row's own field."""
    return shorten(text, CHANGE_REASON_MAX_CHARS)


def _locality_period(locality: Locality, period: ReportingPeriod, *, for_update: bool = False):

    qs = LocalityPeriod.objects.filter(locality=locality, period=period)
    if for_update:
        qs = qs.select_for_update()
    return qs.first()


def refuse_if_locked(locality: Locality, period: ReportingPeriod, *, for_update: bool = False) -> None:
    lp = _locality_period(locality, period, for_update=for_update)
    if lp is not None and lp.is_locked:
        raise EntryError(
            general=[f"Kỳ báo cáo {period.code} của {locality.name} đã khoá: không thể thay đổi số liệu."]
        )


def refuse_if_not_started(period: ReportingPeriod, today: dt.date) -> None:
    if period.starts_on > today:
        raise EntryError(general=[f"Kỳ báo cáo {period.code} chưa bắt đầu: chưa thể nhập số liệu."])
