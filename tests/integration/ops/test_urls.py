"""Every named URL of our apps reverses (a renamed view cannot silently break a link)."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from reports import urls as report_urls
from targets import urls as target_urls

SAMPLE_KWARGS = {
    "pk": 1,
    "fmt": "csv",
    "period": "2026-Q3",
    "locality": "hai-phong",
    "pillar": "kinh-te-so",
    "code": "dti_rank",
    "id": 1,
    "year": 2022,
    "dataset": "localities",
}


@pytest.mark.parametrize("module", [target_urls, report_urls])
def test_each_url_name_reverses(module):
    for pattern in module.urlpatterns:
        kwargs = {k: SAMPLE_KWARGS[k] for k in pattern.pattern.converters}
        url = reverse(f"{module.app_name}:{pattern.name}", kwargs=kwargs)
        assert url.startswith("/")
        assert get_resolver().resolve(url).url_name == pattern.name
