"""Template filters and tags: figures and targets as text (from `targets.formatting`), days left, status and
field labels, text limits."""

from __future__ import annotations

from django import template

from .. import limits
from ..formatting import (
    figure,
    figure_note,
    in_language,
    num,
    qualifier_label,
    rank_with_basis,
    target_text,
    with_unit,
)
from ..models import Actual, Status

register = template.Library()

register.filter(num)
register.filter(with_unit)
register.filter(figure)
register.simple_tag(target_text)
register.filter(figure_note)
register.filter(in_language)
register.filter(qualifier_label)
register.filter("rank_basis", rank_with_basis)


@register.filter
def days_left(state, today) -> int:
    return state.days_left(today)


@register.filter
def status_label(value: str) -> str:
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
    try:
        return str(Actual._meta.get_field(name).verbose_name)
    except Exception:
        return _FIELD_LABELS.get(name, name)


@register.simple_tag
def max_chars(kind: str) -> int:
    """The `maxlength` of a free-text field (targets/limits.py): "note", "comment" or "url"."""
    return {"note": limits.NOTE_MAX_CHARS, "comment": limits.COMMENT_MAX_CHARS, "url": limits.URL_MAX_CHARS}[
        kind
    ]
