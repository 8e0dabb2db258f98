"""The pillar dashboard's table: one row per target (plain dicts from `reports.dashboards.target_rows`)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_tables2.rows import BoundRow, BoundRows
from django_tables2.utils import AttributeDict, signature

from targets.cache import remembered


class _ColumnInRow:
    """What the table template reads of a column in a row (`column.attrs.td`, `column.localize`), built once
    per column instead of once per cell."""

    __slots__ = ("attrs", "localize")

    def __init__(self, bound_column) -> None:
        # The columns' attributes are constants (no callables): the cell's `<td …>` text, once.
        self.attrs = {"td": {"as_html": bound_column.attrs["td"].as_html()}}
        self.localize = bound_column.localize


class _FastRow(BoundRow):
    """A row whose cells are rendered as django-tables2's `BoundRow.items` renders them (the same value, the
    same empty test and default, the same `render_FOO` call), with what does not change from cell to cell
    (each render function's signature, each column's attributes) worked out once per table: a national
    pillar has hundreds of rows × eleven cells, and the per-cell signature inspection dominated the page's
    first rendering after a write (issue #20)."""

    def items(self):
        record = self.record
        for bound_column, key, empty, default, render, args, takes_all, column in self.table.cell_plan():
            value = record.get(key)
            if value in empty:
                yield column, default
                continue
            kwargs = {
                "value": value,
                "record": record,
                "column": bound_column.column,
                "bound_column": bound_column,
                "bound_row": self,
                "table": self._table,
            }
            if not takes_all:
                kwargs = {name: kwargs[name] for name in args if name in kwargs}
                if len(kwargs) != len(args):
                    yield column, None
                    continue
            yield column, render(**kwargs)


class _FastRows(BoundRows):
    def __iter__(self):
        for record in self.data:
            yield _FastRow(record, table=self.table)


class PillarTargetTable(tables.Table):
    """Sortable on every figure (by the number, not its text); no pagination: a pillar has tens of targets."""

    indicator = tables.Column(accessor="indicator_name", verbose_name=_("Chỉ tiêu"))
    level = tables.Column(accessor="level_label", verbose_name=_("Cấp"), empty_values=())
    year = tables.Column(accessor="year", verbose_name=_("Năm"))
    target = tables.Column(accessor="target_text", verbose_name=_("Mục tiêu"), orderable=False)
    latest = tables.Column(
        accessor="latest_text", verbose_name=_("Mới nhất"), order_by=("latest",), empty_values=()
    )
    gap = tables.Column(accessor="gap_text", verbose_name=_("Còn thiếu"), order_by=("gap",))
    status = tables.Column(accessor="status_label", verbose_name=_("Trạng thái"), order_by=("status_rank",))
    projected = tables.Column(
        accessor="projected_text", verbose_name=_("Dự báo đến hạn"), order_by=("projected_completion",)
    )
    pace = tables.Column(accessor="pace_text", verbose_name=_("Tốc độ cần/năm"), order_by=("pace",))
    opensdg = tables.Column(
        accessor="opensdg_label", verbose_name=_("Open SDG"), order_by=("opensdg_status",)
    )
    # Issue #21: the national target the city's derives from, flagged when the city's is below it.
    national = tables.Column(
        accessor="national", verbose_name=_("Sàn quốc gia"), orderable=False, empty_values=()
    )

    class Meta:
        attrs = {"class": "table dash dashboard-table", "id": "pillar-table"}
        # django-tables2's semantic template, its body's rows written by `tbody_html` (the same text).
        template_name = "reports/_pillar_table.html"
        orderable = True
        empty_text = _("Trụ cột này chưa có mục tiêu nào.")

    def __init__(self, *args, remember: tuple | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = _FastRows(data=self.data, table=self)  # rows are plain dicts, never pinned
        self._plan = None
        # Each row's cells, kept under its row's fingerprint (`display.target_rows`) and what is added to a
        # row after it (the national floor, the DTI framework): a write re-renders the rows it touched.
        self._remember = remember

    def _cells_html(self, row: BoundRow, context: Context) -> str:
        return "".join(
            "\n                            <td "
            + column.attrs["td"]["as_html"]
            + ">"
            + str(render_value_in_context(cell, context))
            + "</td>\n                        "
            for column, cell in row.items()
        )

    def _remembered_cells(self, rows: list[BoundRow], context: Context) -> list[str]:
        records = [row.record for row in rows]
        if self._remember is None or any("fingerprint" not in r for r in records):
            return [self._cells_html(row, context) for row in rows]
        fingerprints = {
            r["id"]: (r["fingerprint"], repr(r.get("national")), r.get("framework")) for r in records
        }
        by_target = {row.record["id"]: row for row in rows}
        # The columns shown and the language of the headers' cells; the rest is in the rows' fingerprints.
        key = (*self._remember, "pillar-cells", get_language(), [c.name for c in self.columns])
        cells = remembered(
            key, fingerprints, lambda ids: {i: self._cells_html(by_target[i], context) for i in ids}
        )
        return [cells[r["id"]] for r in records]

    def tbody_html(self) -> SafeString:
        """The table's body exactly as django-tables2's template writes it (its whitespace included), built
        as one string: the template's per-cell work dominated a 500-row pillar's rendering (issue #20). A
        table without rows is left to the template (its empty text)."""
        context = Context()  # what the template's `{{ cell }}` uses: autoescape, default localization
        tbody = self.attrs.get("tbody")
        parts = ["\n                <tbody ", tbody.as_html() if tbody else "", ">\n                "]
        rows = list(self.paginated_rows)
        # Without row attributes of its own a row's are its parity class: two texts for the whole table.
        parity = (
            {c: AttributeDict({"class": c}).as_html() for c in ("even", "odd")}
            if not self.row_attrs
            else None
        )
        for row, cells in zip(rows, self._remembered_cells(rows, context), strict=True):
            parts += [
                "\n                    \n                    <tr ",
                parity[row.get_even_odd_css_class()] if parity else row.attrs.as_html(),
                ">\n                        ",
                cells,
                "\n                    </tr>\n                    \n                ",
            ]
        parts.append("\n                </tbody>\n            ")
        return mark_safe("".join(str(conditional_escape(p)) if not isinstance(p, str) else p for p in parts))

    def cell_plan(self) -> list[tuple]:
        """Per visible column, what `_FastRow` needs to render its cells (computed on first use, after the
        ordering and the request's configuration)."""
        if self._plan is None:
            plan = []
            for bound_column in self.columns:
                accessor = str(bound_column.accessor)
                # Plain dict keys and nothing else: django-tables2's general path handles the rest.
                assert "." not in accessor and "__" not in accessor and not bound_column.link, accessor
                assert bound_column.localize is None, bound_column.name  # `tbody_html` writes {{ cell }}
                args, takes_all = signature(bound_column.render)
                plan.append(
                    (
                        bound_column,
                        accessor,
                        bound_column.column.empty_values,
                        bound_column.default,
                        bound_column.render,
                        args,
                        bool(takes_all),
                        _ColumnInRow(bound_column),
                    )
                )
            self._plan = plan
        return self._plan

    def render_indicator(self, value: str, record: dict[str, Any]) -> SafeString:
        return format_html('<a href="{}">{}</a>', record["series_url"], value)

    # format_html rather than a template per cell: tens of rows × two cells add up at national scale.
    def render_latest(self, value: str, record: dict[str, Any]) -> SafeString:
        period = (
            format_html(' <small class="muted">({})</small>', record["latest_period"])
            if record["latest_period"]
            else ""
        )
        if record["demo"]:
            badge = format_html(
                ' <span class="badge demo" title="{}">{}</span>',
                _("Dữ liệu minh hoạ, không phải số liệu thật"),
                _("minh hoạ"),
            )
        elif record["latest_origin"] == "published":
            badge = format_html(' <span class="badge published">{}</span>', _("công bố"))
            if record["publication_date_unknown"]:
                badge = format_html('{} <small class="muted">{}</small>', badge, _("(chưa rõ ngày công bố)"))
        else:
            badge = ""
        # Past the deadline the figure shown is the deadline figure; a later one is information only.
        after = (
            format_html('<br><small class="after-deadline">{}</small>', record["after_text"])
            if record["after_text"]
            else ""
        )
        # A DTI score or rank is one of its year's framework (issue #21): "khung 922/QĐ-BTTTT".
        framework = (
            format_html(' <small class="framework">{}</small>', _("khung %(d)s") % {"d": record["framework"]})
            if record.get("framework")
            else ""
        )
        return format_html(
            '<span title="{}">{}</span>{}{}{}{}',
            record["latest_known_text"],
            value,
            period,
            badge,
            framework,
            after,
        )

    def render_national(self, value: dict[str, Any] | None, record: dict[str, Any]) -> SafeString | str:
        if not value:
            return "—"
        badge = (
            format_html(
                ' <span class="badge provenance provenance-{}">{}</span>',
                value["provenance"],
                value["provenance_label"],
            )
            if value["provenance_label"]
            else ""
        )
        flag = (
            format_html(' <span class="badge below-floor">{}</span>', _("thấp hơn mục tiêu quốc gia"))
            if value["below"]
            else ""
        )
        return format_html(
            '<span class="national-floor" title="{}">{} <small class="muted">({}, {})</small>{}{}</span>',
            value["note"],
            value["text"],
            value["year"],
            value["document"],
            badge,
            flag,
        )

    def render_status(self, value: str, record: dict[str, Any]) -> SafeString:
        # The title gives the whole verdict: "Không đạt — hạng 14 (2022); sau hạn: hạng 3 (2024)".
        return format_html(
            '<span class="status status-{}" title="{}"><span class="swatch" aria-hidden="true"></span>'
            '<span class="icon" aria-hidden="true">{}</span> {}</span>',
            record["status"],
            record["verdict_text"],
            record["status_icon"],
            value,
        )

    def render_opensdg(self, value: str, record: dict[str, Any]) -> SafeString:
        return format_html(
            '<span class="sdg sdg-{}">{} {}</span>', record["opensdg_status"], record["opensdg_icon"], value
        )
