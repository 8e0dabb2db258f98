"""The Excel report's "Nhiệm vụ" sheet: the plan's tasks with their state by pillar and component, overdue highlighted."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from targets.models import PlanTask, TaskStatus
from targets.services.plans import plan_copy_to_next_year
from tests.integration import plan_data


@pytest.fixture
def reviewer_client(client, catalogue, hai_phong_reviewer, fixed_today):
    plan_data.load_plan86()
    PlanTask.objects.filter(code="cqs-c-3").update(
        status=TaskStatus.DONE, evidence_url="https://haiphong.gov.vn/ioc", progress_note="Đã nghiệm thu"
    )
    client.force_login(hai_phong_reviewer)
    return client


def _sheet(client):
    response = client.get("/reports/download/", {"locality": "hai-phong", "as_of": "2026-Q3"})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Nhiệm vụ"]


def test_the_task_sheet_lists_every_task_with_its_state_and_the_agency_answering_for_it_today(
    reviewer_client,
):
    ws = _sheet(reviewer_client)
    header = [c.value for c in ws[1]]
    assert header == [
        "Kế hoạch",
        "Trụ cột",
        "Chỉ số thành phần",
        "Mục trong kế hoạch",
        "Nhiệm vụ",
        "Cơ quan chủ trì",
        "Hạn hoàn thành",
        "Trạng thái",
        "Ghi chú tiến độ",
    ]
    rows = [r for r in ws.iter_rows(min_row=2, max_row=52, values_only=True)]
    assert len(rows) == 51 and all(r[0] == "86/KH-UBND (2022)" for r in rows)
    ioc = next(r for r in rows if r[4].startswith("Triển khai vận hành thử nghiệm Trung tâm giám sát"))
    assert ioc[1:4] == ("Chính quyền số", "Hạ tầng và nền tảng số", "c) Hạ tầng số")
    # Who answers for the task today (issue #16): the Sở TTTT's successor since 1/3/2025.
    assert (ioc[5], ioc[7], ioc[8]) == ("Sở Khoa học và Công nghệ", "Hoàn thành", "Đã nghiệm thu")
    assert [r[7] for r in rows].count("Quá hạn") == 50
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:I52"


def test_overdue_tasks_are_highlighted(reviewer_client):
    ws = _sheet(reviewer_client)
    states = {row[7].value: row[7] for row in ws.iter_rows(min_row=2, max_row=52)}
    assert states["Quá hạn"].fill.fgColor.rgb.endswith("FAD9C1") and states["Quá hạn"].font.bold
    assert states["Hoàn thành"].fill.fgColor.rgb in ("00000000", None)


def test_the_sheet_sums_up_the_states_per_pillar_and_component(reviewer_client):
    ws = _sheet(reviewer_client)
    rows = list(ws.iter_rows(min_row=54, values_only=True))
    assert rows[0][0] == "Tổng hợp theo trụ cột và chỉ số thành phần"
    assert rows[1][:7] == (
        "Trụ cột",
        "Chỉ số thành phần",
        "Tổng số",
        "Chưa triển khai",
        "Đang thực hiện",
        "Hoàn thành",
        "Quá hạn",
    )
    summary = {(r[0], r[1]): r[2:7] for r in rows[2:]}
    assert summary[("Chính quyền số", "Hạ tầng và nền tảng số")] == (3, 0, 0, 1, 2)
    assert summary[("Chỉ số DTI và xếp hạng", "Tổ chức thực hiện")] == (7, 0, 0, 0, 7)
    assert sum(v[0] for v in summary.values()) == 51


def test_without_a_plan_the_sheet_says_so(client, catalogue, hai_phong_reviewer, fixed_today):
    client.force_login(hai_phong_reviewer)
    ws = _sheet(client)
    assert ws["A2"].value == "Chưa có kế hoạch nhiệm vụ của địa phương đến năm báo cáo."


def test_the_report_takes_the_latest_plan_up_to_the_report_year(reviewer_client, hai_phong_reviewer):
    from targets.models import Plan

    plan = Plan.objects.get(year=2022)
    plan_copy_to_next_year(user=hai_phong_reviewer, plan_id=plan.pk)
    ws = _sheet(reviewer_client)
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r and r[0] and "(" in str(r[0])]
    assert {r[0] for r in rows} == {"86/KH-UBND (2023)"} and len(rows) == 50


def test_the_report_still_makes_a_fixed_number_of_queries(reviewer_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(21):
        reviewer_client.get("/reports/download/", {"locality": "hai-phong", "as_of": "2026-Q3"})


def test_a_shared_task_in_the_sheet_names_the_group_and_the_sở_that_follows_it_up(reviewer_client):
    """Issue #16: "Các Sở, ban, ngành" is not an accountable unit; the sheet says the task is shared and who
    follows it up today (the Sở TTTT's successor, the Sở KH&CN)."""
    ws = _sheet(reviewer_client)
    rows = [r for r in ws.iter_rows(min_row=2, max_row=52, values_only=True)]
    shared = next(
        r for r in rows if r[4].startswith("100% các Sở, ngành thành phố, Ủy ban nhân dân quận, huyện")
    )
    assert shared[5] == "Các Sở, ban, ngành thành phố (chung; theo dõi: Sở Khoa học và Công nghệ)"
