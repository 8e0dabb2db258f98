"""Issue #17 in a browser, at 1440 and 390 px: entry and review read as cards on a phone with every row's
indicator and no sideways scroll; the keyboard runs along each row; "Khoá kỳ" lists what is still open;
a refused save keeps the chosen evidence file. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest

from targets.models import Actual, Department, LocalityPeriod, Status
from targets.periods import quarter_of
from targets.services.catalogue import period_get_or_create
from targets.services.entry import EntryRow, actuals_submit
from tests.e2e.conftest import screenshot
from tests.e2e.test_entry_journey import _login
from tests.hostile_files import real_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1440, 900), "phone": (390, 844)}
NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"


def _code() -> str:
    year, quarter = quarter_of(dt.date.today())
    return f"{year}-Q{quarter}"


def _submit_two(editor, finance_assignments) -> None:
    epay, city, _commune = finance_assignments
    rows = [
        EntryRow(key="a", indicator=epay.indicator, level="", raw_value="60", note="Số liệu NHNN"),
        EntryRow(key="b", indicator=city.indicator, level="city", raw_value="80"),
    ]
    actuals_submit(
        user=editor, department=epay.department, period=period_get_or_create(code=_code()), rows=rows
    )


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_entry_and_review_show_every_indicator_without_sideways_scroll(
    page, live_server, hai_phong_finance_editor, hai_phong_reviewer, finance_assignments, width
):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    base, code = live_server.url, _code()
    dept = finance_assignments[0].department_id
    _login(page, base, hai_phong_finance_editor)
    page.goto(f"{base}/entry/{code}/?department={dept}")
    for a in finance_assignments:
        header = page.locator(f"#row-{a.pk} th[scope=row]")
        assert header.is_visible()
        assert a.indicator.name in header.inner_text()
        assert page.locator(f"#value-{a.pk}").is_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, f"i17-entry-{width}")

    _submit_two(hai_phong_finance_editor, finance_assignments)
    _login(page, base, hai_phong_reviewer)
    page.goto(f"{base}/review/{code}/?locality=hai-phong")
    values = list(Actual.objects.filter(period__code=code).select_related("indicator"))
    assert len(values) == 2
    for a in values:
        row = page.locator(f"#actual-{a.pk}")
        header = row.locator("th[scope=row]")
        assert header.is_visible() and a.indicator.name in header.inner_text()
        assert "Sở Tài chính" in header.inner_text()  # the department beside the indicator
        approve = row.locator("button[value=approve]")
        assert approve.is_visible()
        # The action sits inside the card of the value it acts on.
        card, button = row.bounding_box(), approve.bounding_box()
        assert card["y"] <= button["y"] and button["y"] + button["height"] <= card["y"] + card["height"]
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, f"i17-review-{width}")


def test_the_tab_order_runs_along_each_row_then_to_the_buttons(
    page, live_server, hai_phong_finance_editor, finance_assignments
):
    page.set_viewport_size({"width": 1440, "height": 900})
    base, code = live_server.url, _code()
    _login(page, base, hai_phong_finance_editor)
    page.goto(f"{base}/entry/{code}/?department={finance_assignments[0].department_id}")
    # The first Tab stop skips the site menu: the next one is inside the page's content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('content').contains(document.activeElement)")
    keys = [
        row_id.removeprefix("row-")
        for row_id in page.eval_on_selector_all("tr[id^=row-]", "rs => rs.map(r => r.id)")
    ]
    assert sorted(map(int, keys)) == sorted(a.pk for a in finance_assignments)
    first, second, last = keys[0], keys[1], keys[-1]
    page.focus(f"#value-{first}")
    order = []
    for _ in range(4):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id"))
    assert order == [f"note-{first}", f"url-{first}", f"file-{first}", f"value-{second}"]
    # After the last row's evidence come the form's buttons, not the site menu.
    page.focus(f"#file-{last}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('value')") == "draft"
    screenshot(page, "i17-tab-order")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_lock_confirmation_lists_what_is_still_open(
    page, live_server, hai_phong_finance_editor, hai_phong_reviewer, finance_assignments, width
):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    base, code = live_server.url, _code()
    _submit_two(hai_phong_finance_editor, finance_assignments)
    _login(page, base, hai_phong_reviewer)
    page.goto(f"{base}/review/{code}/?locality=hai-phong")
    page.click("button[value=lock]")
    page.wait_for_load_state()
    box = page.locator("#lock-confirm")
    text = box.inner_text()
    assert "2 giá trị chờ duyệt" in text and "1 chỉ tiêu chưa nhập" in text
    assert "Sở Tài chính" in box.locator("table").inner_text()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, f"i17-lock-confirm-{width}")
    assert not LocalityPeriod.objects.filter(period__code=code, locked_at__isnull=False).exists()
    box.locator("button[value=lock]").click()
    page.wait_for_load_state()
    assert LocalityPeriod.objects.get(period__code=code).is_locked
    # On the locked quarter nothing offers a decision that would fail.
    assert page.locator("button[value=approve], button[value=return]").count() == 0
    screenshot(page, f"i17-review-locked-{width}")


def test_a_failed_save_keeps_its_evidence_and_focuses_the_errors(
    page, live_server, hai_phong_finance_editor, finance_assignments
):
    page.set_viewport_size({"width": 1440, "height": 900})
    base, code = live_server.url, _code()
    epay, city, _commune = finance_assignments
    pdf = real_pdf("Bao cao 12/BC-STC")
    _login(page, base, hai_phong_finance_editor)
    page.goto(f"{base}/entry/{code}/?department={epay.department_id}")
    note_width = page.locator(f"#note-{epay.pk}").bounding_box()["width"]
    page.fill(f"#value-{epay.pk}", "60")
    page.set_input_files(
        f"#file-{epay.pk}", files=[{"name": "bao-cao-stc.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    page.fill(f"#value-{city.pk}", "120")
    page.click("button[value=draft]")
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "form-errors"
    assert page.locator(f"#note-{epay.pk}").bounding_box()["width"] == note_width  # the note keeps its width
    assert "Đã đính kèm: bao-cao-stc.pdf" in page.locator(f"#row-{epay.pk}").inner_text()
    screenshot(page, "i17-failed-save-keeps-evidence")
    assert not Actual.objects.filter(period__code=code).exists()
    # The summary's link takes the keyboard to the field.
    page.click(f".error-summary a[href='#value-{city.pk}']")
    assert page.evaluate("document.activeElement.id") == f"value-{city.pk}"
    page.fill(f"#value-{city.pk}", "80")
    page.click("button[value=draft]")
    page.wait_for_load_state()
    saved = Actual.objects.get(period__code=code, indicator=epay.indicator)
    assert (saved.status, saved.evidence_name) == (Status.DRAFT, "bao-cao-stc.pdf")
    assert saved.evidence_file.read() == pdf
    assert Department.objects.filter(pk=epay.department_id).exists()
    assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_no_page_of_the_daily_work_scrolls_sideways_on_a_phone(
    page, live_server, hai_phong_finance_editor, hai_phong_reviewer, finance_assignments
):
    """portal.css hid the first and seventh column of every table below 700 px; now no column is hidden,
    and a wide table scrolls inside itself rather than the page."""
    page.set_viewport_size({"width": 390, "height": 844})
    base, code = live_server.url, _code()
    _submit_two(hai_phong_finance_editor, finance_assignments)
    value = Actual.objects.filter(period__code=code).first()
    dept = finance_assignments[0].department_id
    pages = {
        hai_phong_finance_editor: ["/entry/", f"/entry/{code}/import/?department={dept}", "/catalogue/"],
        hai_phong_reviewer: [
            f"/review/{code}/?locality=hai-phong",
            "/review/assignments/?locality=hai-phong",
            f"/actuals/{value.pk}/history/",
            "/reporting-status/",
        ],
    }
    wide = []
    for user, urls in pages.items():
        _login(page, base, user)
        for url in urls:
            response = page.goto(base + url)
            assert response.status == 200, url
            if not page.evaluate(NO_SIDEWAYS_SCROLL):
                wide.append((url, page.evaluate("document.scrollingElement.scrollWidth")))
    assert wide == []


def _quarters_before(code: str, n: int) -> list[str]:
    year, quarter = int(code[:4]), int(code[-1])
    out = []
    for _ in range(n):
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        out.append(f"{year}-Q{quarter}")
    return out[::-1]


def test_an_unusual_value_puts_its_confirmation_between_the_note_and_the_evidence(
    page, live_server, hai_phong_finance_editor, finance_assignments
):
    page.set_viewport_size({"width": 1440, "height": 900})
    base, code = live_server.url, _code()
    epay = finance_assignments[0]
    for quarter, value in zip(_quarters_before(code, 4), ("40", "41", "42", "43"), strict=True):
        Actual.objects.create(
            indicator=epay.indicator,
            locality=epay.department.locality,
            period=period_get_or_create(code=quarter),
            value=value,
            status=Status.APPROVED,
        )
    _login(page, base, hai_phong_finance_editor)
    page.goto(f"{base}/entry/{code}/?department={epay.department_id}")
    page.fill(f"#value-{epay.pk}", "75")
    page.click("button[value=draft]")
    page.wait_for_load_state()
    warning = page.locator(f"#row-{epay.pk} .field-warning").inner_text()
    assert "Thường tăng khoảng 1 điểm mỗi quý; lần này tăng 32 điểm (43% → 75%)." in warning
    page.focus(f"#value-{epay.pk}")
    order = []
    for _ in range(3):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id"))
    assert order == [f"note-{epay.pk}", f"confirm-{epay.pk}", f"url-{epay.pk}"]
    screenshot(page, "i17-outlier-in-plain-words")
    assert not Actual.objects.filter(period__code=code).exists()
