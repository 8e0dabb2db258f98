"""Who may open which dashboard (issue #19): anyone the localities that publish (their public figures), a member
also their own locality in full (404 on one that neither publishes nor is theirs), a superuser all."""

from __future__ import annotations

import pytest

from targets.models import Locality

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
def test_anonymous_visitors_open_the_dashboards_of_publishing_cities(client, catalogue, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", HAI_PHONG_PAGES)
def test_anonymous_visitors_get_404_on_a_city_that_does_not_publish(client, catalogue, url):
    Locality.objects.filter(slug="hai-phong").update(publishes=False)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", HA_NOI_PAGES)
def test_the_ha_noi_viewer_opens_every_ha_noi_dashboard(client, ha_noi_viewer, url):
    client.force_login(ha_noi_viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["as_of"].explicit is False  # the last closed quarter by default


@pytest.mark.parametrize("url", HAI_PHONG_PAGES)
def test_the_ha_noi_viewer_compares_with_hai_phong_while_it_publishes(client, ha_noi_viewer, url):
    client.force_login(ha_noi_viewer)
    assert client.get(url).status_code == 200
    Locality.objects.filter(slug="hai-phong").update(publishes=False)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", HAI_PHONG_PAGES)
def test_an_editor_of_hai_phong_reads_hai_phong_dashboards_even_when_it_does_not_publish(
    client, hai_phong_finance_editor, url
):
    Locality.objects.filter(slug="hai-phong").update(publishes=False)
    client.force_login(hai_phong_finance_editor)
    assert client.get(url).status_code == 200
    Locality.objects.filter(slug="ha-noi").update(publishes=False)
    assert client.get("/dashboard/ha-noi/").status_code == 404


@pytest.mark.parametrize("url", HA_NOI_PAGES + HAI_PHONG_PAGES + ["/dashboard/da-nang/kinh-te-so/"])
def test_a_superuser_opens_every_city(client, catalogue, superuser, url):
    client.force_login(superuser)
    assert client.get(url).status_code == 200


def test_the_overview_lists_the_publishing_localities_and_the_users_own(client, ha_noi_viewer, superuser):
    Locality.objects.filter(slug__in=["ha-noi", "da-nang"]).update(publishes=False)
    client.force_login(ha_noi_viewer)
    rows = client.get("/dashboard/").context["matrix"]
    assert sorted(r["slug"] for r in rows) == ["ha-noi", "hai-phong"]
    Locality.objects.filter(slug="da-nang").update(publishes=True)
    client.force_login(superuser)
    rows = client.get("/dashboard/").context["matrix"]
    # The merged provinces have no targets of their own and are no longer current: not listed.
    assert sorted(r["slug"] for r in rows) == ["da-nang", "ha-noi", "hai-phong"]


def test_the_indicator_page_compares_own_city_with_the_publishing_ones(client, ha_noi_viewer):
    Locality.objects.filter(slug="da-nang").update(publishes=False)
    client.force_login(ha_noi_viewer)
    response = client.get("/indicators/dti_rank/")
    assert {r["locality"] for r in response.context["rows"]} == {"ha-noi", "hai-phong"}
    traces = [t["name"] for t in response.context["figure"]["data"]]
    assert "Hà Nội" in traces and "Hải Phòng" in traces and "Đà Nẵng" not in traces


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
