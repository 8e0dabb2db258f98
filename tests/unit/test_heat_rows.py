"""The pillar heatmap's table rows, written in Python (`reports.dashboards._heat_row_html`, issue #20: a
province's pillar has hundreds of cells), are exactly what the template wrote before, escaping included."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from reports.dashboards import _heat_row_html

# The row as `templates/reports/_pillar_content.html` wrote it before (the independent route).
TEMPLATE_ROW = (
    '<tr><th scope="row"><a href="{{ r.series_url }}">{{ r.label }}</a></th>\n'
    '        {% for c in r.cells %}<td class="status-{{ c.status }}" title="{{ c.year }}"><span class="icon" '
    'aria-hidden="true">{{ c.icon }}</span> {{ c.label }} <small>({{ c.year }})</small></td>{% endfor %}</tr>'
)


@pytest.mark.parametrize(
    "row",
    [
        {
            "label": "Tỷ lệ hồ sơ trực tuyến · cấp tỉnh/thành phố",
            "series_url": "/indicators/work_dossiers_online/ha-noi/?as_of=2026-Q3&x=1",
            "cells": [
                {"status": "on_track", "icon": "▲", "label": "Đúng lộ trình", "year": 2025},
                {"status": None, "icon": "", "label": "", "year": 2030},  # no status that quarter
                {"status": "missed", "icon": "✕", "label": "Không đạt", "year": 2025},
            ],
        },
        {"label": 'R&D <chi> "đặc biệt"', "series_url": "/a?b=<c>&d='e'", "cells": []},
    ],
)
def test_a_heat_row_is_the_template_s_row(row):
    expected = Template(TEMPLATE_ROW).render(Context({"r": row}))
    assert _heat_row_html(row) == expected
    assert "&lt;chi&gt;" in expected or "None" in expected  # escaped, and a missing status written as before
