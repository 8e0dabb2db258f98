"""The catalogue page's table (django-tables2)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .formatting import national_floor_of, provenance_badge, target_text
from .models import Target


class TargetTable(tables.Table):
    pillar = tables.Column(
        accessor="indicator__pillar__name", verbose_name=_("Trụ cột"), order_by=("indicator__pillar__order",)
    )
    indicator = tables.Column(accessor="indicator__name", verbose_name=_("Chỉ tiêu"), linkify=False)
    locality = tables.Column(accessor="locality__name", verbose_name=_("Địa phương"))
    level = tables.Column(verbose_name=_("Cấp"))
    year = tables.Column(verbose_name=_("Năm"))
    target = tables.Column(empty_values=(), verbose_name=_("Mục tiêu"), orderable=False)
    document = tables.Column(
        accessor="document__number", verbose_name=_("Văn bản"), orderable=False, empty_values=()
    )
    applies_until = tables.DateColumn(verbose_name=_("Áp dụng đến"), format="d/m/Y")
    national = tables.Column(empty_values=(), verbose_name=_("Sàn quốc gia"), orderable=False)

    class Meta:
        model = Target
        fields = (
            "pillar",
            "indicator",
            "locality",
            "level",
            "year",
            "target",
            "document",
            "applies_until",
            "national",
        )
        attrs = {"class": "table", "id": "catalogue-table"}
        per_page = 50
        empty_text = _("Không có mục tiêu nào khớp với bộ lọc.")

    def render_pillar(self, value, record):
        # The pillar the document lists the target under, the indicator's by default (issue #16).
        return record.pillar.name if record.pillar_id else value

    def render_indicator(self, value, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)

    def render_target(self, record):
        label = provenance_badge(record.provenance)
        if not label:
            return target_text(record)
        # Issue #21: a national target quoted from the press, an English report or a transcription says so.
        return format_html(
            '{} <span class="badge provenance provenance-{}">{}</span>',
            target_text(record),
            record.provenance,
            label,
        )

    def render_national(self, record):
        floor = national_floor_of(record)
        if floor is None:
            return "—"
        return _floor_html(floor)

    def render_document(self, value, record):
        title = record.document.title
        return value or format_html('<span title="{}">{}…</span>', title, title[:32])


def _floor_html(floor: dict):
    """A national floor in a table cell: its text and document, its provenance label, the flag when below."""
    badge = (
        format_html(
            ' <span class="badge provenance provenance-{}">{}</span>',
            floor["provenance"],
            floor["provenance_label"],
        )
        if floor["provenance_label"]
        else ""
    )
    flag = (
        format_html(' <span class="badge below-floor">{}</span>', _("thấp hơn mục tiêu quốc gia"))
        if floor["below"]
        else ""
    )
    return format_html(
        '<span class="national-floor">{} <small class="muted">({})</small>{}{}</span>',
        floor["text"],
        floor["document"],
        badge,
        flag,
    )
