"""Figures and targets as text, in one place: numbers in the active language's format (12,5), a figure
with its unit ('53,2%', 'hạng 3'), a target as the document states it ('≥ 50%', '7–7,5%'), and a stored
value as an officer types it ('61,5'). The template filters (`targets/templatetags/dti.py`), the pages, the
Excel report and the services' messages call these."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from . import figures
from .models import Comparator, Unit

_SYMBOLS = {">=": "≥", ">": ">", "=": "", "~": "≈", "<=": "≤", "<": "<"}
_UNIT_SUFFIX = {
    Unit.PERCENT: "%",
    Unit.GROWTH_RATE: "%",
    Unit.PER_1000: "/1.000 dân",
}


def _plain(value) -> str:
    """A number in the active language's format, without meaningless trailing zeros: 7.5000 → '7,5'."""
    if value is None or value == "":
        return "—"
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not d.is_finite():
        return "—"
    d = d.normalize()
    places = max(0, -d.as_tuple().exponent)
    return number_format(d, decimal_pos=min(places, 4), use_l10n=True, force_grouping=abs(d) >= 10000)


def num(value) -> str:
    return _plain(value)


def with_unit(value, unit: str) -> str:
    if value is None or value == "":
        return "—"
    if unit == Unit.MILESTONE:
        return _("đã hoàn thành") if Decimal(str(value)) >= 1 else _("chưa hoàn thành")
    if unit == Unit.RANK:
        return _("hạng %(rank)s") % {"rank": _plain(value)}
    return f"{_plain(value)}{_UNIT_SUFFIX.get(unit, '')}"


def figure(value, unit: str) -> str:
    """A figure with its unit, rounded to the indicator's precision (`targets.figures`): '76,92%'."""
    if value is None or value == "":
        return "—"
    return with_unit(figures.rounded(value, unit), unit)


def target_text(target) -> str:
    """'≥ 50%', '7–7,5%', 'hạng ≤ 5', 'hoàn thành' — the target as the document states it."""
    unit = target.unit
    if unit == Unit.MILESTONE:
        return _("hoàn thành")
    if target.comparator == Comparator.RANGE:
        text = f"{_plain(target.value)}–{_plain(target.value_max)}{_UNIT_SUFFIX.get(unit, '')}"
    else:
        symbol = _SYMBOLS.get(target.comparator, target.comparator)
        text = (
            f"{symbol} {with_unit(target.value, unit) if unit != Unit.RANK else _plain(target.value)}".strip()
        )
    if unit == Unit.RANK:
        return _("hạng %(target)s") % {"target": text}
    return text


def typed_number(value: Decimal | None) -> str:
    """A stored value as an officer types it: Vietnamese decimal comma, no trailing zeros ('61,5'); '—'
    when there is none."""
    if value is None:
        return "—"
    return format(value.normalize(), "f").replace(".", ",")
