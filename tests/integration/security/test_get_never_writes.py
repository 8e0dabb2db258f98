"""GET never writes (issue #15): opening a page for a period that has no row yet shows it from its code and
creates nothing; the first save (a POST) creates the period."""

from __future__ import annotations

import re

import pytest

from targets.models import Actual, LocalityPeriod, ReportingPeriod, Status


def _rows() -> tuple[int, int]:
    return ReportingPeriod.objects.count(), LocalityPeriod.objects.count()


@pytest.fixture
def reviewer_client(client, hai_phong_reviewer, fixed_today):
    client.force_login(hai_phong_reviewer)
    return client


@pytest.fixture
def editor_client(client, hai_phong_finance_editor, finance_assignments, fixed_today):
    client.force_login(hai_phong_finance_editor)
    return client


def test_opening_the_review_page_of_a_future_quarter_creates_no_period(reviewer_client):
    before = _rows()
    response = reviewer_client.get("/review/2031-Q1/?locality=hai-phong")
    assert response.status_code == 200
    assert "2031-Q1" in response.content.decode()
    assert _rows() == before
    assert not ReportingPeriod.objects.filter(code="2031-Q1").exists()


def test_a_decision_on_a_period_without_a_row_is_not_found_and_creates_nothing(reviewer_client):
    before = _rows()
    response = reviewer_client.post(
        "/review/2031-Q1/decide/", {"locality": "hai-phong", "actual": "1", "decision": "approve"}
    )
    assert response.status_code == 404
    assert _rows() == before


def test_opening_the_entry_form_of_the_open_quarter_creates_no_period(editor_client, finance_assignments):
    assert not ReportingPeriod.objects.filter(code="2026-Q4").exists()
    before = _rows()
    response = editor_client.get("/entry/2026-Q4/")
    assert response.status_code == 200
    rows = re.findall(r'<tr id="row-(\d+)"', response.content.decode())
    assert sorted(map(int, rows)) == sorted(a.pk for a in finance_assignments)  # the form, from the code
    assert _rows() == before


def test_opening_the_worklist_creates_no_period(editor_client):
    before = _rows()
    response = editor_client.get("/entry/")
    assert response.status_code == 200
    assert "2026-Q4" in response.content.decode()  # the open quarters are listed all the same
    assert _rows() == before


def test_the_first_draft_saved_creates_the_period_and_the_value(editor_client, finance_assignments):
    epay = next(a for a in finance_assignments if a.indicator.code == "epayment_accounts")
    response = editor_client.post(
        "/entry/2026-Q4/", {"action": "draft", f"value-{epay.pk}": "61,5", f"version-{epay.pk}": "0"}
    )
    assert response.status_code in (200, 302)
    period = ReportingPeriod.objects.get(code="2026-Q4")
    actual = Actual.objects.get(period=period, indicator=epay.indicator, locality__slug="hai-phong")
    assert (str(actual.value), actual.status) == ("61.5000", Status.DRAFT)
