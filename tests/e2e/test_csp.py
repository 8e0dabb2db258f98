"""The Content-Security-Policy (no inline scripts) breaks neither the charts nor the entry form."""

from __future__ import annotations

import datetime as dt

import pytest

from targets.devdata import demo_data_generate
from targets.models import Actual
from targets.periods import quarter_of
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _login(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def test_charts_and_the_entry_form_work_under_the_csp(
    page, live_server, hai_phong_finance_editor, finance_assignments
):
    demo_data_generate(today=dt.date.today())
    page.add_init_script(RECORD_VIOLATIONS)
    base = live_server.url
    _login(page, base, hai_phong_finance_editor)

    response = page.goto(f"{base}/dashboard/hai-phong/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    page.wait_for_selector(".main-svg")
    assert page.locator(".main-svg").count() >= 3
    screenshot(page, "csp-dashboard")

    year, quarter = quarter_of(dt.date.today())
    code = f"{year}-Q{quarter}"
    epay = finance_assignments[0]
    page.goto(f"{base}/entry/{code}/?department={epay.department_id}")
    page.fill(f"[name=value-{epay.pk}]", "61,5")
    page.fill(f"[name=note-{epay.pk}]", "Số liệu NHNN")
    if page.locator(f"[name=confirm-{epay.pk}]").count():
        page.check(f"[name=confirm-{epay.pk}]")
    page.click("button[value=draft]")
    page.wait_for_load_state()
    if page.locator(f"[name=confirm-{epay.pk}]").count():  # an outlier against the demo history: confirm it
        page.check(f"[name=confirm-{epay.pk}]")
        page.click("button[value=draft]")
        page.wait_for_load_state()
    saved = Actual.objects.get(period__code=code, indicator=epay.indicator, level="")
    assert str(saved.value.normalize()) == "61.5"
    assert page.evaluate("window.__csp") == []
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
    assert page.outside_requests == []
