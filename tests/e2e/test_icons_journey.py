"""In Chromium with no emoji font (as on many office PCs, and on this test machine), the review page's icons are
drawn: they come from the portal's SVG sprite under the CSP, and the favicon is there (issue 17, item 14)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from targets import services
from targets.models import Indicator
from targets.periods import quarter_of
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot
from tests.hostile_files import real_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def test_the_review_page_draws_its_icons_from_the_sprite(
    page, live_server, hai_phong_finance_editor, hai_phong_reviewer, finance_assignments
):
    today = dt.date.today()
    year, quarter = quarter_of(today)
    code = f"{year}-Q{quarter}"
    epay = finance_assignments[0]
    pdf = SimpleUploadedFile(
        "bien-ban.pdf", real_pdf(), content_type="application/pdf"
    )  # parsed whole: a real one
    services.actuals_save(
        user=hai_phong_finance_editor,
        department=epay.department,
        period=services.period_get_or_create(code=code),
        rows=[
            services.EntryRow(
                key="a",
                indicator=Indicator.objects.get(code="epayment_accounts"),
                level="",
                raw_value="61",
                note="Số liệu NHNN",
                evidence_url="https://example.vn/bao-cao",
                evidence_file=pdf,
            )
        ],
        submit=True,
        today=today,
    )
    base = live_server.url
    sprites = []
    page.on("response", lambda r: sprites.append(r.status) if "/static/img/icons.svg" in r.url else None)
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", hai_phong_reviewer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    page.goto(f"{base}/review/{code}/?locality=hai-phong")
    page.wait_for_load_state("networkidle")

    assert sprites and set(sprites) == {200}
    evidence = page.get_by_role("img", name="Tệp minh chứng")
    link = page.get_by_role("img", name="Đường dẫn minh chứng")
    assert evidence.count() == 1 and link.count() == 1
    # Each <use> found its symbol in the sprite: it has a drawn outline, not an empty box.
    sizes = page.eval_on_selector_all(
        "svg.svg-icon use", "els => els.map(u => { const b = u.getBBox(); return [b.width, b.height]; })"
    )
    assert len(sizes) >= 4 and all(w > 5 and h > 5 for w, h in sizes), sizes
    assert page.evaluate("window.__csp") == []
    assert page.outside_requests == [] and page.console_errors == []
    screenshot(page, "review-icons")

    favicon = page.request.get(f"{base}/favicon.ico")
    assert favicon.status == 200 and favicon.body()[:4] == b"\0\0\1\0"
