"""Issue #17, item 9: a target's page is no dead end — its status, its newest figure, a small chart of its
series and links to its series and pillar pages (at the last closed quarter, 2026-Q3 on 2026-11-22).

Hà Nội's e-payment accounts (dashboard_data.HA_NOI_FIGURES): 40, 44, 49, 53 % in 2025-Q1, Q3, 2026-Q1, Q3;
the 2030 target "> 80 %" is on track (projected 90.5, completion 1.2625)."""

from __future__ import annotations

import pytest

from targets.models import Locality, Target
from tests.integration.dashboard_data import count_queries, ha_noi_figures, multiply


@pytest.fixture
def epayment_2030(catalogue):
    ha_noi_figures()
    return Target.objects.get(
        indicator__code="epayment_accounts", locality__slug="ha-noi", level="", year=2030
    )


def test_the_target_page_shows_its_status_latest_figure_chart_and_links(
    client, ha_noi_viewer, epayment_2030, fixed_today
):
    client.force_login(ha_noi_viewer)
    response = client.get(epayment_2030.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index('class="target-progress') :]
    assert "tính đến hết 2026-Q3" in section
    assert "Đúng tiến độ" in section  # the status
    assert "53%" in section and "(2026-Q3)" in section  # the newest figure
    assert 'data-figure="fig-target"' in section and 'id="fig-target"' in html  # the small chart
    assert 'href="/indicators/epayment_accounts/ha-noi/"' in section
    assert 'href="/dashboard/ha-noi/xa-hoi-so/"' in section
    assert "vendor/plotly.min.js" in html


def test_a_target_of_a_city_the_user_may_not_open_shows_no_progress(
    client, da_nang_editor, epayment_2030, fixed_today
):
    Locality.objects.filter(slug="ha-noi").update(publishes=False)
    client.force_login(da_nang_editor)
    response = client.get(epayment_2030.get_absolute_url())
    assert response.status_code == 200  # the catalogue is for every signed-in user
    html = response.content.decode()
    assert "Tiến độ của mục tiêu này chỉ hiển thị cho thành viên của địa phương" in html
    assert "fig-target" not in html and "/indicators/epayment_accounts/ha-noi/" not in html


def test_the_target_page_makes_the_same_number_of_queries_at_ten_times_the_data(
    client, ha_noi_viewer, epayment_2030, fixed_today
):
    client.force_login(ha_noi_viewer)
    from targets.cache import data_changed

    small, response = count_queries(client, epayment_2030.get_absolute_url())
    assert response.status_code == 200
    multiply(10)
    data_changed()
    large, _ = count_queries(client, epayment_2030.get_absolute_url())
    assert large == small


def test_a_quote_source_that_is_no_address_is_plain_text_not_a_dead_link(
    client, ha_noi_viewer, epayment_2030
):
    """Found in review: a quote's source that is no web address (a newspaper's name) was a link to "#"."""
    Target.objects.filter(pk=epayment_2030.pk).update(quote_source="Báo Hà Nội Mới, 12/3/2021")
    client.force_login(ha_noi_viewer)
    html = client.get(epayment_2030.get_absolute_url()).content.decode()
    caption = html[html.index("<figcaption>") : html.index("</figcaption>")]
    assert '<span class="source">Báo Hà Nội Mới, 12/3/2021</span>' in caption
    assert 'href="#"' not in caption
    assert Target.objects.get(pk=epayment_2030.pk).quote_source == "Báo Hà Nội Mới, 12/3/2021"
