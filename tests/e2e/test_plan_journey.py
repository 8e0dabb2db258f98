"""The improvement plan in a browser: Sở TTTT's editor reports a task done, with evidence, and sees it on the board."""

from __future__ import annotations

import pytest

from targets.models import TaskStatus
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot
from tests.integration import plan_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_lead_agencys_editor_updates_a_task_and_sees_it_on_the_board(page, live_server, catalogue):
    plan_data.load_plan86()
    editor = plan_data.tttt_editor()
    ioc = plan_data.task("cqs-c-3")  # the smart-city operations centre, led by Sở TTTT
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()

    # From the menu to Hải Phòng's 2022 plan.
    page.click("nav.main-nav >> text=Kế hoạch DTI")
    page.click("a[href='/plans/hai-phong/2022/']")
    page.wait_for_load_state()
    assert "hạng ≤ 10" in page.locator("#rank-2022").inner_text()
    row = page.locator(f"#task-{ioc.pk}")
    assert "Quá hạn" in row.inner_text() and "Sở Thông tin và Truyền thông" in row.inner_text()
    done_before = int(page.locator("#group-chinh-quyen-so-ha-tang [data-state=done]").inner_text())
    screenshot(page, "plan-board-before")

    # The editor reports it done but forgets the evidence: refused, nothing lost.
    row.locator("a").click()
    page.wait_for_load_state()
    assert "Trung tâm giám sát điều hành đô thị thông minh" in page.locator("#task-text").inner_text()
    page.select_option("#id_status", "done")
    page.fill("#id_note", "Đã vận hành thử nghiệm IOC, nghiệm thu ngày 15/11")
    page.click("form.task-form button[type=submit]")
    page.wait_for_load_state()
    assert "Chưa lưu gì" in page.locator("#form-errors").inner_text()
    assert "cần có minh chứng" in page.locator("form.task-form").inner_text()
    assert page.input_value("#id_note") == "Đã vận hành thử nghiệm IOC, nghiệm thu ngày 15/11"
    assert page.input_value("#id_status") == "done"
    screenshot(page, "plan-task-error-kept")
    ioc.refresh_from_db()
    assert (ioc.status, ioc.version) == (TaskStatus.NOT_STARTED, 1)

    # With the signed minutes attached it is saved.
    page.set_input_files(
        "#id_evidence_file",
        files=[{"name": "bien-ban-nghiem-thu.pdf", "mimeType": "application/pdf", "buffer": plan_data.PDF}],
    )
    page.click("form.task-form button[type=submit]")
    page.wait_for_load_state()
    assert "Đã cập nhật tiến độ nhiệm vụ." in page.locator(".messages").inner_text()
    assert "Hoàn thành" in page.locator("#task-state").inner_text()
    screenshot(page, "plan-task-updated")
    ioc.refresh_from_db()
    assert (ioc.status, ioc.evidence_name, ioc.updated_by) == (
        TaskStatus.DONE,
        "bien-ban-nghiem-thu.pdf",
        editor,
    )
    assert ioc.history.count() == 2

    # Back on the board, filtered to the agency: the task is done and counted.
    page.click("a[href='/plans/hai-phong/2022/']")
    page.wait_for_load_state()
    page.select_option("select[name=agency]", label="Sở Thông tin và Truyền thông")
    page.click("#board-filters button[type=submit]")
    page.wait_for_load_state()
    assert "Hoàn thành" in page.locator(f"#task-{ioc.pk}").inner_text()
    assert (
        int(page.locator("#group-chinh-quyen-so-ha-tang [data-state=done]").inner_text()) == done_before + 1
    )
    screenshot(page, "plan-board-after")
    assert page.outside_requests == []
    # The refused save answers 400 (the form comes back with its errors); the browser logs that, nothing else.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
