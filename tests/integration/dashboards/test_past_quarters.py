"""Past quarters (issue #20 point 2): an as-of in the past is computed on demand and cached under the version
of its locality's figures up to that as-of, which only a change of that locality's figures for that period
or earlier changes. Editing Hải Phòng does not cool Hà Nội's history."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache

from targets.cache import figure_versions, figures_changed
from targets.models import Indicator, Locality
from tests.integration.dashboard_data import approve, count_queries


@pytest.fixture(autouse=True)
def with_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "past-quarters"}
    }
    cache.clear()
    yield
    cache.clear()


def _ids(catalogue):
    return catalogue["hai-phong"].pk, catalogue["ha-noi"].pk


def test_a_change_moves_only_its_localitys_version_from_its_period_on(catalogue):
    hai_phong, ha_noi = _ids(catalogue)
    indicator = Indicator.objects.get(code="epayment_accounts").pk
    q2, q3 = dt.date(2026, 6, 30), dt.date(2026, 9, 30)
    before = {(loc, day): figure_versions([loc], day) for loc in (hai_phong, ha_noi) for day in (q2, q3)}

    figures_changed([(hai_phong, indicator, q3)])  # a figure of Hải Phòng for 2026-Q3

    assert figure_versions([hai_phong], q3) != before[(hai_phong, q3)]
    assert figure_versions([hai_phong], q2) == before[(hai_phong, q2)]  # its history before 2026-Q3
    assert figure_versions([ha_noi], q3) == before[(ha_noi, q3)]  # another city
    assert figure_versions([ha_noi], q2) == before[(ha_noi, q2)]


def test_editing_hai_phong_does_not_cool_ha_nois_past_pages(client, superuser, catalogue):
    client.force_login(superuser)
    hai_phong, _ = _ids(catalogue)
    indicator = Indicator.objects.get(code="epayment_accounts").pk
    url = "/dashboard/ha-noi/xa-hoi-so/"
    cold, _ = count_queries(client, url, as_of="2025-Q4")
    warm, _ = count_queries(client, url, as_of="2025-Q4")
    assert warm < cold

    figures_changed([(hai_phong, indicator, dt.date(2025, 12, 31))])  # Hải Phòng's 2025-Q4

    again, _ = count_queries(client, url, as_of="2025-Q4")
    assert again == warm  # still served from the cache


def test_a_change_of_the_same_locality_for_that_period_or_earlier_recomputes_it(client, superuser, catalogue):
    client.force_login(superuser)
    _, ha_noi = _ids(catalogue)
    url = "/dashboard/ha-noi/xa-hoi-so/"
    cold, _ = count_queries(client, url, as_of="2025-Q4")
    before = _page(client, url)
    # A figure of Hà Nội for 2025-Q3 approved outside the services (the version does not know of it) …
    approve("epayment_accounts", "ha-noi", "2025-Q3", "45")
    warm, _ = count_queries(client, url, as_of="2025-Q4")
    assert warm < cold
    assert _page(client, url) == before
    # … a later period does not touch 2025-Q4's version …
    indicator = Indicator.objects.get(code="epayment_accounts").pk
    figures_changed([(ha_noi, indicator, dt.date(2026, 3, 31))])
    assert count_queries(client, url, as_of="2025-Q4")[0] == warm
    # … its own period does: recomputed, now with the figure.
    figures_changed([(ha_noi, indicator, dt.date(2025, 9, 30))])
    assert count_queries(client, url, as_of="2025-Q4")[0] == cold
    assert _page(client, url) != before


def test_a_catalogue_wide_change_cools_every_locality(catalogue):
    from targets.cache import everything_changed

    ids = [loc.pk for loc in Locality.objects.all()]
    before = figure_versions(ids, dt.date(2024, 12, 31))
    everything_changed()
    assert figure_versions(ids, dt.date(2024, 12, 31)) != before


def _page(client, url: str) -> str:
    html = client.get(url, {"as_of": "2025-Q4"}).getvalue().decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_a_restore_forgets_every_figure_version(catalogue):
    """A restored database brings its own change history, whose counts may repeat versions seen before."""
    from targets.cache import figures_replaced

    ids = [loc.pk for loc in Locality.objects.all()]
    before = figure_versions(ids, dt.date(2024, 12, 31))
    figures_replaced()
    assert figure_versions(ids, dt.date(2024, 12, 31)) != before
