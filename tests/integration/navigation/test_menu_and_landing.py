"""Issue #17, item 6: a menu built from the user's roles, with counts (values waiting for review, quarters
still due), each role landing on its work, and a chooser instead of a 404 for a superuser on a review page
without a locality.

The day is 2026-11-22 (`fixed_today`): the worklist offers 2026-Q4, -Q3, -Q2, -Q1, 2025-Q4 (all started) and
the year 2025. Hải Phòng's Department of Finance reports three quarterly series (`finance_assignments`).
"""

from __future__ import annotations

import re

from django.utils import timezone

from targets.models import Actual, LocalityPeriod, Status
from targets.services.catalogue import period_get_or_create
from tests.conftest import PASSWORD
from tests.integration.dashboard_data import assigned_values


def _menu(html: str) -> dict[str, str]:
    """The site menu: each item's key → its text (label and count), in order."""
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S).group(0)
    items = re.findall(r'<a href="([^"]*)" data-menu="([^"]+)"[^>]*>(.*?)</a>', nav, re.S)
    return {key: " ".join(re.sub(r"<[^>]+>", "", text).split()) for _, key, text in items}


def _menu_links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S).group(0)
    return {
        key: href.replace("&amp;", "&")
        for href, key in re.findall(r'<a href="([^"]*)" data-menu="([^"]+)"', nav)
    }


def test_the_public_menu_has_no_work_items(client, catalogue):
    menu = _menu(client.get("/open-data/").content.decode())
    assert list(menu) == ["dashboards", "reporting", "open_data"]


def test_an_editor_sees_entry_with_the_quarters_still_due_and_nothing_of_review(
    client, hai_phong_finance_editor, finance_assignments, fixed_today
):
    assigned_values(finance_assignments, "2026-Q4", Status.SUBMITTED)  # Q4 sent in full: not due
    assigned_values(finance_assignments, "2026-Q3", Status.APPROVED, n=2)  # one value still missing: due
    assigned_values(finance_assignments, "2026-Q2", Status.DRAFT)  # drafts are not sent: due
    LocalityPeriod.objects.create(  # a locked quarter takes nothing more: not due
        locality=finance_assignments[0].department.locality,
        period=period_get_or_create(code="2026-Q1"),
        locked_at=timezone.now(),
    )
    client.force_login(hai_phong_finance_editor)

    menu = _menu(client.get("/catalogue/").content.decode())

    assert list(menu) == ["dashboards", "entry", "reporting", "catalogue", "plans", "open_data"]
    # Due: 2026-Q3, 2026-Q2 and 2025-Q4 (nothing sent); the year 2025 has no annual series assigned.
    assert menu["entry"] == "Nhập số liệu (3 kỳ còn số liệu phải gửi)"


def test_a_reviewer_sees_review_with_the_values_waiting_and_the_reports(
    client, hai_phong_reviewer, finance_assignments, fixed_today
):
    assigned_values(finance_assignments, "2026-Q4", Status.SUBMITTED, n=1)
    assigned_values(finance_assignments, "2026-Q2", Status.SUBMITTED)  # the busiest quarter: 3 waiting
    assigned_values(finance_assignments, "2026-Q3", Status.APPROVED)  # approved: not waiting
    client.force_login(hai_phong_reviewer)

    html = client.get("/catalogue/").content.decode()

    menu = _menu(html)
    assert list(menu) == ["dashboards", "review", "reports", "reporting", "catalogue", "plans", "open_data"]
    assert menu["review"] == "Thẩm định (4 giá trị chờ thẩm định)"
    assert _menu_links(html)["review"] == "/review/2026-Q2/?locality=hai-phong"
    assert _menu_links(html)["reports"] == "/reports/"


def test_a_leader_sees_the_reports_but_no_entry_or_review(client, ha_noi_viewer, fixed_today):
    client.force_login(ha_noi_viewer)
    menu = _menu(client.get("/catalogue/").content.decode())
    assert list(menu) == ["dashboards", "reports", "reporting", "catalogue", "plans", "open_data"]


def test_the_superuser_sees_every_item_and_the_current_one_is_marked(
    client, superuser, catalogue, fixed_today
):
    client.force_login(superuser)
    html = client.get("/reports/").content.decode()
    menu = _menu(html)
    assert list(menu) == [
        "dashboards", "entry", "review", "reports", "reporting", "catalogue", "plans", "open_data", "admin",
    ]  # fmt: skip
    assert re.search(r'data-menu="reports" aria-current="page"', html)


def test_the_menu_makes_the_same_number_of_queries_with_ten_times_theassigned_values(
    client, hai_phong_finance_editor, hai_phong_reviewer, finance_assignments, fixed_today
):
    """One user who both enters and reviews: the counts cost a fixed number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from targets.models import Department, Membership

    Membership.objects.create(
        user=hai_phong_finance_editor,
        department=Department.objects.get(locality__slug="hai-phong", code="so-khcn"),
        role="reviewer",
    )
    client.force_login(hai_phong_finance_editor)
    assigned_values(finance_assignments, "2026-Q4", Status.SUBMITTED, n=1)
    with CaptureQueriesContext(connection) as small:
        client.get("/plans/")
    for code in ("2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4", "2025-Q3", "2025-Q2", "2025-Q1"):
        assigned_values(finance_assignments, code, Status.SUBMITTED)
    with CaptureQueriesContext(connection) as large:
        html = client.get("/plans/").content.decode()
    assert len(large) == len(small)
    assert _menu(html)["review"] == "Thẩm định (22 giá trị chờ thẩm định)"  # 1 + 7 quarters × 3


# --------------------------------------------------------------------------- landing


def test_the_editor_lands_on_the_worklist(client, hai_phong_finance_editor, finance_assignments, fixed_today):
    response = client.post("/accounts/login/", {"username": "lan.hp.taichinh", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/entry/"


def test_the_reviewer_lands_on_the_quarter_with_the_most_values_waiting(
    client, hai_phong_reviewer, finance_assignments, fixed_today
):
    """The trial: the reviewer landed on a quarter with nothing pending while another had values waiting."""
    assigned_values(finance_assignments, "2026-Q4", Status.SUBMITTED, n=1)
    assigned_values(finance_assignments, "2026-Q2", Status.SUBMITTED)
    client.force_login(hai_phong_reviewer)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/review/2026-Q2/?locality=hai-phong"
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["locality"].slug == "hai-phong"


def test_a_reviewer_with_nothing_waiting_lands_on_the_last_closed_quarter(
    client, hai_phong_reviewer, fixed_today
):
    client.force_login(hai_phong_reviewer)
    assert client.get("/")["Location"] == "/review/2026-Q3/"


def test_the_leader_lands_on_the_city_dashboard(client, ha_noi_viewer, fixed_today):
    client.force_login(ha_noi_viewer)
    assert client.get("/")["Location"] == "/dashboard/ha-noi/"


def test_the_superuser_lands_on_the_overview(client, superuser, catalogue):
    response = client.post("/accounts/login/", {"username": "quantri", "password": PASSWORD})
    assert client.get(response["Location"])["Location"] == "/dashboard/"


# --------------------------------------------------------------------------- the review chooser


def test_a_superuser_on_a_review_page_without_a_locality_gets_a_chooser_not_a_404(
    client, superuser, finance_assignments, fixed_today
):
    assigned_values(finance_assignments, "2026-Q3", Status.SUBMITTED, n=2)
    client.force_login(superuser)
    before = Actual.objects.count()

    response = client.get("/review/2026-Q3/")

    assert response.status_code == 200
    html = response.content.decode()
    links = re.findall(r'<a href="/review/2026-Q3/\?locality=([a-z-]+)"><span>([^<]+)</span>(.*?)</a>', html)
    assert links[0][0] == "hai-phong" and ">2<" in links[0][2]  # the most waiting first
    assert {slug for slug, _, _ in links} >= {"ha-noi", "hai-phong", "da-nang"}
    assert Actual.objects.count() == before
    assert client.get("/review/2026-Q3/?locality=hai-phong").status_code == 200


def test_the_history_page_has_breadcrumbs_and_a_back_link(
    client, hai_phong_reviewer, finance_assignments, fixed_today
):
    assigned_values(finance_assignments, "2026-Q3", Status.SUBMITTED, n=1)
    actual = Actual.objects.get(period__code="2026-Q3")
    client.force_login(hai_phong_reviewer)

    html = client.get(f"/actuals/{actual.pk}/history/").content.decode()

    crumbs = re.search(r'<p class="crumbs">(.*?)</p>', html, re.S).group(1)
    assert 'href="/review/2026-Q3/?locality=hai-phong"' in crumbs.replace("&amp;", "&")
    assert re.search(
        r'class="back-link" href="/review/2026-Q3/\?locality=hai-phong"', html.replace("&amp;", "&")
    )
