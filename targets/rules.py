"""The rules a figure or a piece of evidence must meet, in one place.

Owns: which statuses an editor may still change, which units take whole numbers, the scale an outlier
is judged on, and the checks of an evidence link or file (entry forms and plan tasks alike). The services
and selectors ask here; nothing else restates these rules.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext, ngettext

from . import figures
from .evidence import MAX_EVIDENCE_BYTES, check_evidence
from .formatting import num, with_unit
from .limits import URL_MAX_CHARS
from .models import Status, Unit

# A value the editor may still change: a draft, or one the reviewer returned for correction.
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
WHOLE_UNITS = (Unit.COUNT, Unit.RANK, Unit.MILESTONE)
_PERCENT_UNITS = (Unit.PERCENT, Unit.GROWTH_RATE)


def is_editable(status: str | None) -> bool:
    """Whether a value in `status` can still be edited (None: there is no value yet)."""
    return status is None or status in EDITABLE_STATUSES


def takes_whole_numbers(unit: str) -> bool:
    """Counts, ranks and milestones are whole numbers; the other units take decimals."""
    return unit in WHOLE_UNITS


def outlier_scale(unit: str, value: float) -> float:
    """The scale an unusual jump is measured on: 100 points for percentages and growth rates, the value's
    own size (at least 1) for any other unit."""
    return 100.0 if unit in _PERCENT_UNITS else max(abs(value), 1.0)


def outlier_text(
    previous: list[float], new, *, unit: str, yearly: bool, ask_to_check: bool = False
) -> str | None:
    """Why a new value is unusual for its series, in plain words at the indicator's precision, or None
    (milestones are never unusual). `ask_to_check` adds what the editor must do (the entry form)."""
    if unit == Unit.MILESTONE:
        return None
    jump = figures.unusual_jump(previous, float(new), unit=unit, scale=outlier_scale(unit, float(new)))
    if jump is None:
        return None
    text = figures.explain_jump(
        jump,
        unit=unit,
        yearly=yearly,
        gettext=gettext,
        ngettext=ngettext,
        number=num,
        figure=lambda x: with_unit(x, unit),
    )
    if ask_to_check:
        text += " " + gettext("Vui lòng kiểm tra, ghi chú lý do và đánh dấu xác nhận.")
    return text


def evidence_url_invalid(url: str) -> str | None:
    """Why an evidence link is not an http(s) address, or None when it is (`url` stripped, not empty)."""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return gettext("Đường dẫn minh chứng phải là một địa chỉ http(s) hợp lệ.")
    return None


def url_too_long(url: str) -> str | None:
    """Why an evidence link is refused for its length (at most URL_MAX_CHARS characters), or None."""
    if len(url) <= URL_MAX_CHARS:
        return None
    return gettext("Đường dẫn minh chứng quá dài (tối đa %(n)d ký tự).") % {"n": URL_MAX_CHARS}


def evidence_file_problems(evidence_file) -> tuple[str | None, list[str]]:
    """An uploaded evidence file checked by its size and by parsing it whole: (the kind found, the
    reasons it is refused). The file is read and rewound."""
    if (getattr(evidence_file, "size", 0) or 0) > MAX_EVIDENCE_BYTES:
        return None, [gettext("Tệp minh chứng vượt quá 10 MB.")]
    data = evidence_file.read()
    evidence_file.seek(0)
    kind, message = check_evidence(data, gettext=gettext)
    return kind, [message] if message else []
