"""The task page: who updates a task, validation with nothing lost, optimistic locking, evidence, history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from targets import access
from targets.models import PlanTask, TaskStatus
from targets.services.plans import plan_task_update
from tests.integration import plan_data


@pytest.fixture
def plan(catalogue, fixed_today):
    return plan_data.load_plan86()


@pytest.fixture
def ioc(plan):
    """A task Sở TTTT leads: trial operation of the smart-city operations centre (cqs-c-3)."""
    return plan_data.task("cqs-c-3")


def _url(task: PlanTask) -> str:
    return f"/plans/tasks/{task.pk}/"


def _post(client, task: PlanTask, **data):
    payload = {"status": "in_progress", "note": "Đã vận hành thử 3 phân hệ", "version": task.version, **data}
    return client.post(_url(task), payload)


def test_the_lead_agencys_editor_updates_status_with_a_note(client, ioc):
    editor = plan_data.tttt_editor()
    client.force_login(editor)
    response = _post(client, ioc)
    assert response.status_code == 302 and response["Location"] == _url(ioc)
    ioc.refresh_from_db()
    assert (ioc.status, ioc.progress_note, ioc.version, ioc.updated_by) == (
        TaskStatus.IN_PROGRESS,
        "Đã vận hành thử 3 phân hệ",
        2,
        editor,
    )
    page = client.get(_url(ioc)).content.decode()
    assert "Đã cập nhật tiến độ nhiệm vụ." in page and "Đã vận hành thử 3 phân hệ" in page


def test_every_update_is_in_the_history_with_who_and_what(client, ioc):
    editor = plan_data.tttt_editor()
    client.force_login(editor)
    _post(client, ioc)
    ioc.refresh_from_db()
    _post(client, ioc, status="done", note="Đã nghiệm thu", evidence_url="https://haiphong.gov.vn/ioc")
    ioc.refresh_from_db()
    records = list(ioc.history.order_by("history_date", "history_id"))
    assert [(r.status, r.version) for r in records] == [("not_started", 1), ("in_progress", 2), ("done", 3)]
    assert records[-1].history_user == editor
    assert records[-1].history_change_reason == "Cập nhật tiến độ: Đang thực hiện → Hoàn thành"
    page = client.get(f"/plans/tasks/{ioc.pk}/history/").content.decode()
    assert "hoa.hp.tttt" in page and "Đang thực hiện → Hoàn thành" in page and "Đã nghiệm thu" in page


def test_an_editor_of_another_agency_reads_the_task_but_cannot_update_it(client, ioc):
    client.force_login(plan_data.districts_editor())  # co-operates on the plan, does not lead this task
    page = client.get(_url(ioc))
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()
    assert _post(client, ioc).status_code == 404
    ioc.refresh_from_db()
    assert (ioc.status, ioc.version) == (TaskStatus.NOT_STARTED, 1)


def test_the_district_committees_editor_updates_the_task_they_lead(client, plan):
    training = plan_data.task("xhs-h-1")  # training commune and ward officials: led by the districts
    client.force_login(plan_data.districts_editor())
    assert _post(client, training, note="Đã tập huấn 217 xã, phường").status_code == 302
    training.refresh_from_db()
    assert training.progress_note == "Đã tập huấn 217 xã, phường"


def test_a_reviewer_of_the_city_updates_any_task(client, ioc, hai_phong_reviewer):
    client.force_login(hai_phong_reviewer)
    assert _post(client, ioc, note="Sở KH&CN tiếp nhận theo dõi").status_code == 302
    ioc.refresh_from_db()
    assert (ioc.progress_note, ioc.updated_by) == ("Sở KH&CN tiếp nhận theo dõi", hai_phong_reviewer)


def test_a_viewer_reads_but_cannot_update(client, ioc):
    client.force_login(plan_data.hai_phong_viewer())
    assert client.get(_url(ioc)).status_code == 200
    assert _post(client, ioc).status_code == 404
    ioc.refresh_from_db()
    assert ioc.version == 1


def test_another_city_finds_nothing(client, ioc, da_nang_editor, ha_noi_viewer):
    for person in (da_nang_editor, ha_noi_viewer):
        client.force_login(person)
        assert client.get(_url(ioc)).status_code == 404
        assert _post(client, ioc).status_code == 404
        assert client.get(f"/plans/tasks/{ioc.pk}/history/").status_code == 404
    ioc.refresh_from_db()
    assert ioc.version == 1


def test_anonymous_visitors_are_sent_to_log_in(client, ioc):
    assert _post(client, ioc).status_code == 302
    ioc.refresh_from_db()
    assert ioc.version == 1


def test_a_refused_update_keeps_everything_typed_and_writes_nothing(client, ioc):
    client.force_login(plan_data.tttt_editor())
    response = _post(
        client,
        ioc,
        status="done",
        note="Đã hoàn thành vận hành thử",
        evidence_url="ftp://kho.haiphong.gov.vn/bien-ban",
        evidence_file=SimpleUploadedFile("bien-ban.pdf", b"MZ\x90\x00 not a pdf"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chưa lưu gì" in html
    assert "Đường dẫn minh chứng phải là một địa chỉ http(s) hợp lệ." in html
    assert "Tệp minh chứng phải là PDF" in html
    assert "Tệp bạn chọn chưa được lưu: vui lòng chọn lại." in html
    # What was typed comes back: the status chosen, the note, the link.
    assert '<option value="done" selected>' in html
    assert ">Đã hoàn thành vận hành thử</textarea>" in html
    assert 'value="ftp://kho.haiphong.gov.vn/bien-ban"' in html
    ioc.refresh_from_db()
    assert (ioc.status, ioc.progress_note, ioc.evidence_url, ioc.version) == (
        TaskStatus.NOT_STARTED,
        "",
        "",
        1,
    )
    assert ioc.history.count() == 1


def test_a_note_is_required_and_done_needs_evidence(client, ioc):
    client.force_login(plan_data.tttt_editor())
    response = _post(client, ioc, status="done", note="   ")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Vui lòng ghi tiến độ, kết quả thực hiện." in html
    assert "Nhiệm vụ hoàn thành cần có minh chứng" in html
    ioc.refresh_from_db()
    assert ioc.status == TaskStatus.NOT_STARTED


def test_an_unknown_status_is_refused(client, ioc):
    client.force_login(plan_data.tttt_editor())
    response = _post(client, ioc, status="overdue")  # derived on the board, never reported
    assert response.status_code == 400 and "Vui lòng chọn một trạng thái hợp lệ." in response.content.decode()
    ioc.refresh_from_db()
    assert ioc.status == TaskStatus.NOT_STARTED


def test_evidence_is_stored_under_a_random_name_and_served_only_in_scope(client, ioc, da_nang_editor):
    client.force_login(plan_data.tttt_editor())
    response = _post(
        client, ioc, status="done", note="Đã nghiệm thu", evidence_file=plan_data.pdf("Biên bản IOC.pdf")
    )
    assert response.status_code == 302
    ioc.refresh_from_db()
    assert ioc.status == TaskStatus.DONE and ioc.evidence_name == "Biên bản IOC.pdf"
    assert ioc.evidence_file.name.startswith("evidence/") and "IOC" not in ioc.evidence_file.name
    download = client.get(f"/plans/tasks/{ioc.pk}/evidence/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == plan_data.PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    client.force_login(da_nang_editor)
    assert client.get(f"/plans/tasks/{ioc.pk}/evidence/").status_code == 404


def test_a_conflicting_save_shows_both_versions_and_overwrites_nothing(client, ioc, hai_phong_reviewer):
    editor = plan_data.tttt_editor()
    seen = ioc.version
    # The reviewer saves first, from another browser.
    plan_task_update(
        user=hai_phong_reviewer,
        task_id=ioc.pk,
        status="in_progress",
        note="Theo dõi của Sở KH&CN",
        version=seen,
    )
    client.force_login(editor)
    response = _post(
        client, ioc, status="done", note="Đã xong", evidence_url="https://haiphong.gov.vn/ioc", version=seen
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "minh.hp.khcn" in html
    theirs = html[html.index('id="conflict-theirs"') : html.index('id="conflict-yours"')]
    yours = html[html.index('id="conflict-yours"') :]
    assert "Đang thực hiện" in theirs and "Theo dõi của Sở KH&amp;CN" in theirs
    assert "Hoàn thành" in yours[:300] and "Đã xong" in yours[:400]
    assert ">Đã xong</textarea>" in html  # the typed note is kept for a second try
    ioc.refresh_from_db()
    assert (ioc.status, ioc.progress_note, ioc.version) == (
        TaskStatus.IN_PROGRESS,
        "Theo dõi của Sở KH&CN",
        2,
    )
    # The form now carries the stored version: saving again is a deliberate overwrite.
    assert f'name="version" value="{ioc.version}"' in html


def test_a_tampered_version_is_a_conflict_never_a_write(client, ioc):
    client.force_login(plan_data.tttt_editor())
    response = _post(client, ioc, version="x")
    assert response.status_code == 400 and 'id="conflict"' in response.content.decode()
    ioc.refresh_from_db()
    assert ioc.version == 1


def test_saving_the_same_values_writes_no_new_version(client, ioc):
    client.force_login(plan_data.tttt_editor())
    _post(client, ioc)
    ioc.refresh_from_db()
    response = _post(client, ioc)
    assert response.status_code == 302
    ioc.refresh_from_db()
    assert ioc.version == 2 and ioc.history.count() == 2


def test_the_task_page_quotes_the_document_and_says_how_the_lead_was_assigned(client, ioc):
    client.force_login(plan_data.hai_phong_viewer())
    html = client.get(_url(ioc)).content.decode()
    assert "Triển khai vận hành thử nghiệm Trung tâm giám sát điều hành đô thị thông minh" in html
    assert "86/KH-UBND" in html and "suy ra từ văn bản" in html
    assert "Sở Thông tin và Truyền thông" in html and "31/12/2022" in html
    assert "Quá hạn" in html  # 2022's deadline has passed (today is 2026-11-22)


def test_the_task_page_makes_a_fixed_number_of_queries(client, ioc, django_assert_max_num_queries):
    client.force_login(plan_data.tttt_editor())
    with django_assert_max_num_queries(11):  # with the DTI indices the task feeds (issue #21)
        assert client.get(_url(ioc)).status_code == 200


# ----------------------------------------------------------------- issue #16: agencies change


def test_from_1_march_2025_the_sở_tttts_tasks_go_to_the_sở_khcn_and_the_record_keeps_the_sở_tttt(client, ioc):
    """The Sở TTTT merged into the Sở KH&CN on 1 March 2025: today (2026) the Sở KH&CN's editor reports on the
    task, an account left on the Sở TTTT does not, and the task still names the Sở TTTT as its lead."""
    client.force_login(plan_data.former_tttt_editor())
    assert _post(client, ioc).status_code == 404
    client.force_login(plan_data.tttt_editor())  # a member of the Sở KH&CN
    page = client.get(_url(ioc)).content.decode()
    assert (
        "Sở Khoa học và Công nghệ" in page
        and "kế nhiệm Sở Thông tin và Truyền thông, hoạt động đến 28/02/2025" in page
    )
    assert _post(client, ioc, note="Đã vận hành").status_code == 302
    ioc.refresh_from_db()
    assert ioc.lead.code == "so-tttt" and ioc.progress_note == "Đã vận hành"


def test_before_the_merger_the_sở_tttt_answered_for_its_own_tasks(ioc):
    former = plan_data.former_tttt_editor()
    successor = plan_data.tttt_editor()
    assert access.can_update_task(former, ioc, today=dt.date(2025, 2, 28))
    assert not access.can_update_task(successor, ioc, today=dt.date(2025, 2, 28))
    assert not access.can_update_task(former, ioc, today=dt.date(2025, 3, 1))
    assert access.can_update_task(successor, ioc, today=dt.date(2025, 3, 1))


def test_a_task_of_the_departments_as_a_group_is_shown_shared_with_the_sở_that_follows_it_up(client, plan):
    shared = plan_data.task("cqs-b-1")  # lead: "Các Sở, ban, ngành thành phố"
    client.force_login(plan_data.tttt_editor())
    page = client.get(_url(shared)).content.decode()
    assert "Nhiệm vụ chung của Các Sở, ban, ngành thành phố" in page
    assert "theo dõi, đôn đốc: Sở Khoa học và Công nghệ" in page  # the Sở TTTT's successor today


def test_the_task_page_shows_the_dti_index_it_feeds_under_each_framework(client, ioc):
    """Issue #21: cqs-c-3 is a task of the 2020 grid's infrastructure component of digital government."""
    client.force_login(plan_data.tttt_editor())
    html = client.get(_url(ioc)).content.decode()
    assert "1726/QĐ-BTTTT: Chính quyền số › Chỉ số đánh giá về Phát triển Hạ tầng và nền tảng số" in html
    assert "922/QĐ-BTTTT: 3. Hạ tầng số" in html
    assert "405/QĐ-BKHCN: Nhóm chỉ số nền tảng chung › Hạ tầng số" in html
