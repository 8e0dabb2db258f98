"""Template filters for figures: Vietnamese number format (12,5), targets written as the document means them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ..models import Comparator, Unit

register = template.Library()

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


@register.filter
def num(value) -> str:
    return _plain(value)


@register.filter
def with_unit(value, unit: str) -> str:
    if value is None or value == "":
        return "—"
    if unit == Unit.MILESTONE:
        return _("đã hoàn thành") if Decimal(str(value)) >= 1 else _("chưa hoàn thành")
    if unit == Unit.RANK:
        return _("hạng %(rank)s") % {"rank": _plain(value)}
    return f"{_plain(value)}{_UNIT_SUFFIX.get(unit, '')}"


@register.simple_tag
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


@register.filter
def days_left(state, today) -> int:
    return state.days_left(today)


@register.filter
def status_label(value: str) -> str:
    from ..models import Status

    try:
        return str(Status(value).label)
    except ValueError:
        return value or "—"


_FIELD_LABELS = {
    "value": "giá trị",
    "status": "trạng thái",
    "note": "ghi chú",
    "evidence_url": "đường dẫn minh chứng",
    "evidence_name": "tệp minh chứng",
    "review_comment": "ý kiến thẩm định",
}


@register.filter
def field_label(name: str) -> str:
    from ..models import Actual

    try:
        return str(Actual._meta.get_field(name).verbose_name)
    except Exception:
        return _FIELD_LABELS.get(name, name)


@register.simple_tag
def max_chars(kind: str) -> int:
    """The `maxlength` of a free-text field (targets/limits.py): "note", "comment" or "url"."""
    from .. import limits

    return {"note": limits.NOTE_MAX_CHARS, "comment": limits.COMMENT_MAX_CHARS, "url": limits.URL_MAX_CHARS}[
        kind
    ]
