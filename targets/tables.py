"""The catalogue page's table (django-tables2)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .formatting import target_text
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

    class Meta:
        model = Target
        fields = ("pillar", "indicator", "locality", "level", "year", "target", "document", "applies_until")
        attrs = {"class": "table", "id": "catalogue-table"}
        per_page = 50
        empty_text = _("Không có mục tiêu nào khớp với bộ lọc.")

    def render_pillar(self, value, record):
        # The pillar the document lists the target under, the indicator's by default (issue #16).
        return record.pillar.name if record.pillar_id else value

    def render_indicator(self, value, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)

    def render_target(self, record):
        return target_text(record)

    def render_document(self, value, record):
        title = record.document.title
        return value or format_html('<span title="{}">{}…</span>', title, title[:32])
