"""Rows kept under their targets' assessments (issue #20): after a write, the city and pillar pages format
again only the rows of the targets the write re-assessed, and show exactly what a full recomputation shows.

The suite runs without a cache and without the stored table; these tests switch both on.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.utils.html import json_script

from reports import assessments, display
from reports.tables import PillarTargetTable
from reports.templatetags.charts import chart_json
from targets.cache import remembered
from targets.models import Target
from targets.services.review import actuals_approve
from tests.integration.dashboard_data import approve, submit

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rows"}}
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
AS_OF = {"as_of": "2026-Q4"}  # a live quarter: the pages read the stored rows


@pytest.fixture
def cached(settings):
    settings.CACHES = LOCMEM
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def awaiting(settings, catalogue, fixed_today, cached):
    """Hà Nội's e-payment accounts: 45 % approved for 2025-Q3, 55 % waiting for 2025-Q4 (the deadline figure
    of the "trên 50 %" 2025 target); the stored table built."""
    settings.ASSESSMENTS_STORED = True
    approve("epayment_accounts", "ha-noi", "2025-Q3", "45")
    sent = submit("epayment_accounts", "ha-noi", "2025-Q4", "55")
    assessments.rebuild()
    return sent


@pytest.fixture
def counted(monkeypatch):
    """How many target rows and pillar-table rows are formatted (spies on the two builders)."""
    made = {"rows": 0, "cells": 0}
    rows, cells = display._target_rows, PillarTargetTable._cells_html

    def count_rows(frame, **kwargs):
        made["rows"] += len(frame)
        return rows(frame, **kwargs)

    def count_cells(self, row, context):
        made["cells"] += 1
        return cells(self, row, context)

    monkeypatch.setattr(display, "_target_rows", count_rows)
    monkeypatch.setattr(PillarTargetTable, "_cells_html", count_cells)
    return made


def _page(client, url: str) -> str:
    html = client.get(url, AS_OF).getvalue().decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _uncached(client, settings, url: str) -> str:
    """The same page computed from nothing (no cache: every row formatted, nothing kept)."""
    settings.CACHES = DUMMY
    try:
        return _page(client, url)
    finally:
        settings.CACHES = LOCMEM


def _series_targets(pillar: str | None = None) -> int:
    qs = Target.objects.filter(indicator__code="epayment_accounts", locality__slug="ha-noi")
    return qs.filter(indicator__pillar__slug=pillar).count() if pillar else qs.count()


def test_remembered_builds_only_the_items_whose_fingerprint_changed(cached):
    built: list[list[str]] = []

    def build(items):
        built.append(sorted(items))
        return {item: f"{item}-v{len(built)}" for item in items}

    assert remembered(("k",), {"a": 1, "b": 2, "c": 3}, build) == {"a": "a-v1", "b": "b-v1", "c": "c-v1"}
    assert remembered(("k",), {"a": 1, "b": 9, "c": 3}, build) == {"a": "a-v1", "b": "b-v2", "c": "c-v1"}
    # An item gone is forgotten; another key keeps its own values.
    assert remembered(("k",), {"a": 1}, build) == {"a": "a-v1"}
    assert remembered(("other",), {"a": 1}, build) == {"a": "a-v3"}
    assert built == [["a", "b", "c"], ["b"], ["a"]]


def test_without_a_cache_everything_is_built_every_time(settings):
    settings.CACHES = DUMMY
    calls = []

    def build(items):
        calls.append(len(items))
        return {item: item.upper() for item in items}

    assert remembered(("k",), {"a": 1, "b": 2}, build) == {"a": "A", "b": "B"}
    assert remembered(("k",), {"a": 1, "b": 2}, build) == {"a": "A", "b": "B"}
    assert calls == [2, 2]


def test_after_an_approval_the_pillar_page_formats_the_series_rows_only_and_shows_the_new_status(
    client, superuser, settings, awaiting, ha_noi_reviewer, counted
):
    client.force_login(superuser)
    url = "/dashboard/ha-noi/xa-hoi-so/"
    pillar_targets = Target.objects.filter(
        locality__slug="ha-noi", indicator__pillar__slug="xa-hoi-so"
    ).count()
    first = _page(client, url)
    assert counted == {"rows": pillar_targets, "cells": pillar_targets}
    target = Target.objects.get(indicator__code="epayment_accounts", locality__slug="ha-noi", year=2025)
    assert "Không đạt" in _status_cell(first, target)

    counted.update(rows=0, cells=0)
    actuals_approve(user=ha_noi_reviewer, seen={awaiting.pk: awaiting.version})
    after = _page(client, url)

    # Only the e-payment series was re-assessed: its targets' rows (and table rows) are formatted again.
    series = _series_targets("xa-hoi-so")
    assert 0 < series < pillar_targets
    assert counted == {"rows": series, "cells": series}
    assert "Đã đạt" in _status_cell(after, target) and "Không đạt" not in _status_cell(after, target)
    # The page is exactly the one computed from nothing.
    assert after == _uncached(client, settings, url)


def _status_cell(html: str, target: Target) -> str:
    """The status cell of the target's row in the pillar table (its row links the target's series)."""
    body = html.split('id="pillar-table"', 1)[1]
    rows = re.findall(r"<tr [^>]*>(.*?)</tr>", body, flags=re.S)
    year = str(target.year)
    mine = [r for r in rows if "epayment_accounts/ha-noi" in r and f">{year}</td>" in r]
    assert len(mine) == 1, mine
    return re.search(
        r'<span class="status [^"]*"[^>]*>.*?</span></span>|<span class="status.*?</td>', mine[0], re.S
    )[0]


def test_after_an_approval_the_city_page_formats_the_series_rows_only_and_equals_a_recomputation(
    client, superuser, settings, awaiting, ha_noi_reviewer, counted
):
    client.force_login(superuser)
    url = "/dashboard/ha-noi/"
    _page(client, url)
    listed_first = counted["rows"]
    assert listed_first > 0

    counted.update(rows=0, cells=0)
    actuals_approve(user=ha_noi_reviewer, seen={awaiting.pk: awaiting.version})
    after = _page(client, url)

    # The city lists its 2025 and 2030 targets (and those most behind): of the series written to, at most
    # its targets are formatted again, not the page's other rows.
    assert 0 < counted["rows"] <= _series_targets() < listed_first
    assert after == _uncached(client, settings, url)


def test_a_past_quarter_and_the_other_language_never_reuse_each_others_rows(
    client, superuser, settings, awaiting
):
    """Rows are kept per language and as-of: after the Vietnamese page of 2026-Q4 is kept, the English page
    and the pages of earlier quarters are each the page computed from nothing."""
    client.force_login(superuser)
    url = "/dashboard/ha-noi/xa-hoi-so/"
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    _page(client, url)
    for params, language in (
        (AS_OF, "en"),
        ({"as_of": "2026-Q3"}, "vi"),
        ({"as_of": "2025-Q4"}, "vi"),
        ({"as_of": "2025-Q4"}, "en"),
    ):
        kept = client.get(url, params, HTTP_ACCEPT_LANGUAGE=language).getvalue().decode()
        settings.CACHES = DUMMY
        fresh = client.get(url, params, HTTP_ACCEPT_LANGUAGE=language).getvalue().decode()
        settings.CACHES = LOCMEM
        assert strip.sub("", kept) == strip.sub("", fresh), (params, language)
    assert (
        "Table of targets" in kept and "Bảng mục tiêu" not in kept
    )  # the English page, not a kept Vietnamese one


def test_chart_json_writes_what_djangos_json_script_writes():
    figure = {
        "data": [
            {"text": ["Tỷ lệ <b>hồ sơ</b> & “trực tuyến” > 50 %", "</script><script>alert(1)</script>"]}
        ],
        "layout": {"title": {"text": "Đà Nẵng · 2025"}, "n": [1, 2.5, None, True]},
    }
    assert chart_json(figure, "fig-x") == json_script(figure, "fig-x")
    assert "</script><script>" not in chart_json(figure, "fig-x").split(">", 1)[1].rsplit("<", 1)[0]


def test_the_overview_after_an_approval_is_the_overview_computed_from_nothing(
    client, superuser, settings, awaiting, ha_noi_reviewer
):
    """The overview's content is kept rendered (issue #20): after an approval it is rendered again, equal to
    the page with no cache."""
    client.force_login(superuser)
    first = _page(client, "/dashboard/")
    actuals_approve(user=ha_noi_reviewer, seen={awaiting.pk: awaiting.version})
    after = _page(client, "/dashboard/")
    assert after != first
    assert after == _uncached(client, settings, "/dashboard/")


def test_the_public_home_and_the_overview_keep_their_own_content(client, cached, catalogue, fixed_today):
    """The same localities' content, rendered for the public home (with its lead) and for the overview
    (without): each keeps its own, whichever is asked first."""
    lead = "Cổng công khai: chỉ số liệu đã duyệt"
    for first, second in (("/", "/dashboard/"), ("/dashboard/", "/")):
        cache.clear()
        pages = {url: client.get(url, AS_OF).getvalue().decode() for url in (first, second)}
        assert lead in pages["/"]
        assert lead not in pages["/dashboard/"]


@pytest.mark.parametrize(
    ("url", "versions"), [("/dashboard/ha-noi/", 1), ("/dashboard/ha-noi/xa-hoi-so/", 2)]
)
def test_a_page_kept_in_two_entries_asks_its_figures_version_once(client, superuser, awaiting, url, versions):
    """The content and the figures are two entries under one version of the city's figures: one query for it
    (the pillar's heatmap asks the version of its earlier quarters too)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(superuser)
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url, AS_OF).status_code == 200
    asked = [q["sql"] for q in cold.captured_queries if 'FROM "targets_figurechange"' in q["sql"]]
    assert len(asked) == versions
