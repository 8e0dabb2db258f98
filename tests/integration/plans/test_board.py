"""The plan board: who sees it, counts per pillar × DTI component, overdue tasks, filters, the DTI rank goal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from targets.models import Department, PlanTask, TaskStatus
from tests.integration import plan_data

BOARD = "/plans/hai-phong/2022/"


@pytest.fixture
def plan(catalogue, fixed_today):
    return plan_data.load_plan86()


@pytest.fixture
def tttt_client(client, plan):
    client.force_login(plan_data.tttt_editor())
    return client


def _row(html: str, row_id: str) -> str:
    start = html.index(f'id="{row_id}"')
    return html[start : html.index("</tr>", start)]


def _cell(row: str, state: str) -> int:
    start = row.index(f'data-state="{state}">') + len(f'data-state="{state}">')
    return int(row[start : row.index("<", start)])


def test_the_board_url_reverses():
    assert reverse("targets:plan_board", args=["hai-phong", 2022]) == BOARD


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("tttt_editor", 200),
        ("districts_editor", 200),
        ("finance_editor", 200),
        ("reviewer", 200),
        ("viewer", 200),
        ("da_nang_editor", 404),
        ("ha_noi_viewer", 404),
    ],
)
def test_every_member_of_hai_phong_reads_the_board_and_no_other_city(
    client, plan, hai_phong_finance_editor, hai_phong_reviewer, da_nang_editor, ha_noi_viewer, who, expected
):
    people = {
        "tttt_editor": plan_data.tttt_editor,
        "districts_editor": plan_data.districts_editor,
        "viewer": plan_data.hai_phong_viewer,
        "finance_editor": lambda: hai_phong_finance_editor,
        "reviewer": lambda: hai_phong_reviewer,
        "da_nang_editor": lambda: da_nang_editor,
        "ha_noi_viewer": lambda: ha_noi_viewer,
    }
    client.force_login(people[who]())
    response = client.get(BOARD)
    assert response.status_code == expected
    if expected == 200:
        assert (
            "Kế hoạch cải thiện và nâng cao chỉ số chuyển đổi số thành phố Hải Phòng năm 2022"
            in response.content.decode()
        )


def test_anonymous_visitors_are_sent_to_log_in(client, plan):
    response = client.get(BOARD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_year_without_a_plan_is_not_found(tttt_client):
    assert tttt_client.get("/plans/hai-phong/2023/").status_code == 404


def test_the_board_counts_tasks_by_pillar_and_component_with_overdue_derived_from_the_deadline(tttt_client):
    # Today is 2026-11-22: every task of 2022 not done is overdue; one is done (with evidence), one in progress.
    PlanTask.objects.filter(code="cqs-a-1").update(
        status=TaskStatus.DONE, evidence_url="https://haiphong.gov.vn/a"
    )
    PlanTask.objects.filter(code="cqs-a-2").update(
        status=TaskStatus.IN_PROGRESS, deadline=dt.date(2026, 12, 31)
    )
    response = tttt_client.get(BOARD)
    html = response.content.decode()
    row = _row(html, "group-chinh-quyen-so-nhan-thuc")
    assert "a) Chuyển đổi nhận thức" in row
    assert [_cell(row, s) for s in ("not_started", "in_progress", "done", "overdue")] == [0, 1, 1, 1]
    hoat_dong = _row(html, "group-chinh-quyen-so-hoat-dong")
    assert "đ) Chính quyền số" in hoat_dong and _cell(hoat_dong, "overdue") == 4
    assert "Tổ chức thực hiện" in _row(html, "group-dti-chung")
    total = _row(html, "board-total")
    assert ">51<" in total and ">49<" in total  # 51 tasks (two paragraphs split, issue #16), 49 overdue
    assert len(response.context["board"].overdue) == 49
    assert response.context["board"].totals == {"not_started": 0, "in_progress": 1, "done": 1, "overdue": 49}
    # The database keeps the reported status; "overdue" is only derived.
    assert set(PlanTask.objects.values_list("status", flat=True)) == {"not_started", "in_progress", "done"}


def test_the_board_filters_by_agency_lead_or_co_operating(tttt_client):
    statistics = plan_data.agency("cuc-thong-ke")
    response = tttt_client.get(BOARD, {"agency": statistics.pk})
    board = response.context["board"]
    assert board.total == 2  # leads IV.4, co-operates on IV.1's data compilation
    assert {t.code for g in board.groups for t in g.tasks} == {"tcth-4-1", "tcth-1-3"}
    assert board.all_tasks == 51


def test_the_board_filters_by_state(tttt_client):
    PlanTask.objects.filter(code="kts-c-2").update(
        status=TaskStatus.DONE, evidence_url="https://haiphong.gov.vn/5g"
    )
    response = tttt_client.get(BOARD, {"state": "done"})
    assert [t.code for g in response.context["board"].groups for t in g.tasks] == ["kts-c-2"]


def test_an_agency_outside_the_plan_is_not_found(tttt_client):
    # The Sở Tài chính is an agency of the plan since issue #16 (the budget tasks): the Sở Y tế is not.
    health = Department.objects.create(
        locality=plan_data.agency("so-tttt").locality, code="so-y-te", name="Sở Y tế"
    )
    assert tttt_client.get(BOARD, {"agency": health.pk}).status_code == 404


def test_the_board_shows_the_rank_goal_against_the_published_ranks(tttt_client):
    html = tttt_client.get(BOARD).content.decode()
    goal_2022 = _row(html, "rank-2022")
    assert "hạng ≤ 10" in goal_2022 and "14 / 63" in goal_2022 and "chưa đạt mục tiêu" in goal_2022
    assert "dti.gov.vn/xep-hang-2022" in goal_2022
    assert "hạng ≤ 5" in _row(html, "rank-2025") and "chưa công bố" in _row(html, "rank-2025")
    rank_2024 = _row(html, "rank-2024")
    assert "3 / 34" in rank_2024 and "0,7857" in rank_2024


def test_the_board_makes_a_fixed_number_of_queries(tttt_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(11):  # + the departments answering today (issue #16)
        tttt_client.get(BOARD)
    PlanTask.objects.filter(code__startswith="kts").update(status=TaskStatus.IN_PROGRESS)
    with django_assert_max_num_queries(11):  # + the departments answering today (issue #16)
        tttt_client.get(BOARD)


def test_the_plan_list_shows_the_plans_of_the_users_city(client, plan, ha_noi_viewer):
    client.force_login(plan_data.hai_phong_viewer())
    response = client.get("/plans/")
    assert response.status_code == 200 and BOARD in response.content.decode()
    client.force_login(ha_noi_viewer)
    response = client.get("/plans/")
    assert response.status_code == 200 and BOARD not in response.content.decode()
