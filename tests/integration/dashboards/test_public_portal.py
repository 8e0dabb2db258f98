"""The public portal (issue #19): the home page, the dashboards of the publishing cities for everyone with
approved and published figures only, the comparison for viewers, and the reporting-status page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from targets.models import Actual, Department, Indicator, Locality, Origin, Status, Target
from targets.services.catalogue import period_get_or_create
from targets.services.entry import EntryRow, actuals_submit
from tests.integration.dashboard_data import approve

# Hà Nội's e-payment accounts: one approved figure, and three that must never be public (distinctive values).
APPROVED_VALUE = "64.25"
HIDDEN = {Status.DRAFT: "41.37", Status.SUBMITTED: "43.59", Status.RETURNED: "47.83"}
PUBLIC_PAGES = [
    "/",
    "/dashboard/",
    "/dashboard/ha-noi/",
    "/dashboard/ha-noi/xa-hoi-so/",
    "/indicators/epayment_accounts/",
    "/indicators/epayment_accounts/ha-noi/",
    "/reporting-status/",
]


def _texts(value: str) -> set[str]:
    """How a figure may be written on a page: 43.59, 43,59 (Vietnamese)."""
    return {value, value.replace(".", ",")}


@pytest.fixture
def figures(catalogue, fixed_today):
    approve("epayment_accounts", "ha-noi", "2026-Q1", APPROVED_VALUE)
    for (status, value), period in zip(HIDDEN.items(), ("2026-Q2", "2026-Q3", "2026-Q4"), strict=True):
        Actual.objects.create(
            indicator=Indicator.objects.get(code="epayment_accounts"),
            locality=Locality.objects.get(slug="ha-noi"),
            period=period_get_or_create(code=period),
            value=Decimal(value),
            status=status,
            origin=Origin.ENTERED,
        )
    return catalogue


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_no_draft_submitted_or_returned_figure_on_a_public_page(client, figures, url):
    for lang in ("vi", "en"):
        response = client.get(url, {"as_of": "2026-Q4"}, HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200, (url, lang)
        html = response.content.decode()
        for value in HIDDEN.values():
            assert not _texts(value) & {t for t in _texts(value) if t in html}, (url, lang, value)


def test_the_public_series_shows_the_approved_figure_and_nothing_awaiting_review(client, figures):
    response = client.get("/indicators/epayment_accounts/ha-noi/", {"as_of": "2026-Q4"})
    html = response.content.decode()
    assert _texts(APPROVED_VALUE) & {t for t in _texts(APPROVED_VALUE) if t in html}
    assert "Số liệu công khai: chỉ số liệu đã duyệt và số liệu công bố." in html
    assert "/open-data/actuals.csv?indicator=epayment_accounts&amp;locality=ha-noi" in html


def test_a_member_sees_own_city_in_full_and_others_public_figures(client, figures, ha_noi_viewer):
    from tests.conftest import _member

    client.force_login(ha_noi_viewer)
    own = client.get("/indicators/epayment_accounts/ha-noi/", {"as_of": "2026-Q4"}).content.decode()
    # The submission awaiting review is shown to Hà Nội's own leaders (hollow, "chờ duyệt").
    assert _texts(HIDDEN[Status.SUBMITTED]) & {t for t in _texts(HIDDEN[Status.SUBMITTED]) if t in own}
    assert not any(t in own for t in _texts(HIDDEN[Status.DRAFT]) | _texts(HIDDEN[Status.RETURNED]))
    hp_viewer = _member(
        "an.hp.lanhdao", Locality.objects.get(slug="hai-phong"), "lanh-dao", "Lãnh đạo", "viewer"
    )
    client.force_login(hp_viewer)
    other = client.get("/indicators/epayment_accounts/ha-noi/", {"as_of": "2026-Q4"}).content.decode()
    assert not any(t in other for v in HIDDEN.values() for t in _texts(v))
    comparison = client.get("/indicators/epayment_accounts/")
    # Đà Nẵng has no e-payment target; Hải Phòng is compared with Hà Nội.
    assert {r["locality"] for r in comparison.context["rows"]} == {"ha-noi", "hai-phong"}


def test_the_public_home_shows_each_publishing_city_and_the_rank_history_with_sources(client, figures):
    Locality.objects.filter(slug="da-nang").update(publishes=False)
    response = client.get("/")
    assert response.status_code == 200
    assert sorted(r["slug"] for r in response.context["matrix"]) == ["ha-noi", "hai-phong"]
    assert response.context["rank_rows"] and all(r["source"] for r in response.context["rank_rows"])
    assert {r["locality_name"] for r in response.context["rank_rows"]} <= {"Hà Nội", "Hải Phòng"}
    html = response.content.decode()
    assert "/reporting-status/" in html and "/open-data/" in html
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reporting status" in english


def test_a_signed_in_user_lands_on_their_work(client, figures, hai_phong_finance_editor):
    client.force_login(hai_phong_finance_editor)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/entry/"


def test_a_city_that_does_not_publish_has_no_public_page(client, figures):
    Locality.objects.filter(slug="ha-noi").update(publishes=False)
    for url in PUBLIC_PAGES[2:4] + PUBLIC_PAGES[5:6]:
        assert client.get(url).status_code == 404, url
    assert "ha-noi" not in {r["slug"] for r in client.get("/").context["matrix"]}


def test_reporting_status_counts_targets_with_current_data_and_department_reports(
    client, catalogue, fixed_today, hai_phong_finance_editor, finance_assignments
):
    def hai_phong_current() -> int:
        response = client.get("/reporting-status/", {"as_of": "2026-Q3"})
        assert response.status_code == 200
        row = next(r for r in response.context["coverage"] if r["slug"] == "hai-phong")
        assert row["total"] == Target.objects.filter(locality__slug="hai-phong").count()
        return row["current"]

    before = hai_phong_current()
    # A figure approved for 2026-Q2 makes every Hải Phòng e-payment target (whole city) current.
    approve("epayment_accounts", "hai-phong", "2026-Q2", "64")
    expected = Target.objects.filter(
        locality__slug="hai-phong", indicator__code="epayment_accounts", level=""
    ).count()
    assert expected > 0 and hai_phong_current() == before + expected
    # The Department of Finance sends a figure: the page says when it last reported.
    dept = Department.objects.get(locality__slug="hai-phong", code="so-tai-chinh")
    actuals_submit(
        user=hai_phong_finance_editor,
        department=dept,
        period=period_get_or_create(code="2026-Q3"),
        today=dt.date(2026, 11, 22),
        rows=[EntryRow(key="a", indicator=finance_assignments[0].indicator, level="", raw_value="66")],
    )
    response = client.get("/reporting-status/", {"as_of": "2026-Q3"})
    hp = next(loc for loc in response.context["departments"] if loc["name"] == "Hải Phòng")
    finance = next(d for d in hp["departments"] if d["id"] == dept.pk)
    assert finance["assigned"] == 3 and finance["figures"] == 1 and finance["last"] is not None
    html = response.content.decode()
    from django.utils import timezone

    assert "Sở Tài chính" in html and timezone.localtime(finance["last"]).strftime("%Y-%m-%d") in html
