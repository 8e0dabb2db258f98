"""Who may open which dashboard: login required, a member sees own locality (404 elsewhere), a superuser all."""

from __future__ import annotations

import pytest

HA_NOI_PAGES = [
    "/dashboard/",
    "/dashboard/ha-noi/",
    "/dashboard/ha-noi/chinh-quyen-so/",
    "/dashboard/ha-noi/kinh-te-so/",
    "/dashboard/ha-noi/xa-hoi-so/",
    "/indicators/dti_rank/",
    "/indicators/dti_rank/ha-noi/",
]
HAI_PHONG_PAGES = [
    "/dashboard/hai-phong/",
    "/dashboard/hai-phong/xa-hoi-so/",
    "/indicators/work_dossiers_online/hai-phong/",
]


@pytest.mark.parametrize("url", HA_NOI_PAGES + HAI_PHONG_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, catalogue, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("url", HA_NOI_PAGES)
def test_the_ha_noi_viewer_opens_every_ha_noi_dashboard(client, ha_noi_viewer, url):
    client.force_login(ha_noi_viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["as_of"].explicit is False  # the last closed quarter by default


@pytest.mark.parametrize("url", HAI_PHONG_PAGES)
def test_the_ha_noi_viewer_gets_404_on_hai_phong_pages(client, ha_noi_viewer, url):
    client.force_login(ha_noi_viewer)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", HAI_PHONG_PAGES)
def test_an_editor_of_hai_phong_reads_hai_phong_dashboards_but_not_ha_noi(
    client, hai_phong_finance_editor, url
):
    client.force_login(hai_phong_finance_editor)
    assert client.get(url).status_code == 200
    assert client.get("/dashboard/ha-noi/").status_code == 404


@pytest.mark.parametrize("url", HA_NOI_PAGES + HAI_PHONG_PAGES + ["/dashboard/da-nang/kinh-te-so/"])
def test_a_superuser_opens_every_city(client, catalogue, superuser, url):
    client.force_login(superuser)
    assert client.get(url).status_code == 200


def test_the_overview_lists_only_the_localities_in_scope(client, ha_noi_viewer, superuser):
    client.force_login(ha_noi_viewer)
    rows = client.get("/dashboard/").context["matrix"]
    assert [r["slug"] for r in rows] == ["ha-noi"]
    client.force_login(superuser)
    rows = client.get("/dashboard/").context["matrix"]
    # The merged provinces have no targets of their own and are no longer current: not listed.
    assert sorted(r["slug"] for r in rows) == ["da-nang", "ha-noi", "hai-phong"]


def test_the_indicator_page_compares_only_the_cities_in_scope(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    response = client.get("/indicators/dti_rank/")
    assert {r["locality"] for r in response.context["rows"]} == {"ha-noi"}
    traces = [t["name"] for t in response.context["figure"]["data"]]
    assert "Hà Nội" in traces and "Hải Phòng" not in traces and "Đà Nẵng" not in traces


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/khong-co/",
        "/dashboard/ha-noi/khong-co/",
        "/indicators/khong-co/",
        "/indicators/khong-co/ha-noi/",
    ],
)
def test_unknown_localities_pillars_and_indicators_are_404(client, superuser, catalogue, url):
    client.force_login(superuser)
    assert client.get(url).status_code == 404


def test_dashboards_only_answer_get(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    assert client.post("/dashboard/ha-noi/").status_code == 405
