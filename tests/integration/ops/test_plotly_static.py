"""plotly.js comes from the plotly package, served locally as vendor/plotly.min.js: no CDN, no inline code."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from reports.staticfinders import PACKAGE_DATA

PAGES = [
    "/dashboard/",
    "/dashboard/ha-noi/",
    "/dashboard/ha-noi/xa-hoi-so/",
    "/indicators/dti_rank/",
    "/indicators/dti_rank/ha-noi/",
]


def test_the_finder_serves_the_plotly_bundled_with_the_python_package():
    assert finders.find("vendor/plotly.min.js") == str(PACKAGE_DATA / "plotly.min.js")
    assert finders.find("vendor/other.js") is None


def test_the_static_url_serves_plotly_and_our_chart_script(client):
    response = client.get("/static/vendor/plotly.min.js")
    assert response.status_code == 200
    assert b"plotly.js v" in b"".join(response.streaming_content)[:200]
    assert client.get("/static/js/charts.js").status_code == 200


def test_collectstatic_places_plotly_under_vendor(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", "--noinput", verbosity=0)
    assert (tmp_path / "vendor" / "plotly.min.js").stat().st_size > 1_000_000
    assert (tmp_path / "js" / "charts.js").exists()


@pytest.mark.parametrize("url", PAGES)
def test_dashboards_load_scripts_only_from_our_server_and_carry_no_inline_code(client, ha_noi_viewer, url):
    client.force_login(ha_noi_viewer)
    html = client.get(url).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    for attrs, body in scripts:
        if 'type="application/json"' in attrs:
            continue  # figures as data (json_script), not code
        assert re.search(r'src="/static/(vendor/plotly\.min\.js|js/charts\.js)"', attrs), attrs
        assert body.strip() == ""
    assert "cdn" not in html.lower()
    assert html.count('data-figure="') >= 1
