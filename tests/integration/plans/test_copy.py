"""Next year's plan: reviewers copy the open tasks; done tasks stay behind; nothing is copied twice."""

from __future__ import annotations

import datetime as dt

import pytest

from targets.models import Plan, PlanTask, TaskStatus
from targets.services.errors import PlanError
from targets.services.plans import plan_copy_to_next_year
from tests.integration import plan_data

COPY = "/plans/hai-phong/2022/copy/"


@pytest.fixture
def plan(catalogue, fixed_today):
    plan = plan_data.load_plan86()
    PlanTask.objects.filter(code__in=["cqs-a-1", "cqs-a-2"]).update(
        status=TaskStatus.DONE, evidence_url="https://haiphong.gov.vn/hoi-nghi"
    )
    PlanTask.objects.filter(code="cqs-c-3").update(
        status=TaskStatus.IN_PROGRESS, progress_note="Vận hành thử"
    )
    return plan


def test_a_reviewer_creates_next_years_plan_from_the_open_tasks(client, plan, hai_phong_reviewer):
    client.force_login(hai_phong_reviewer)
    response = client.post(COPY)
    assert response.status_code == 302 and response["Location"] == "/plans/hai-phong/2023/"
    new = Plan.objects.get(locality__slug="hai-phong", year=2023)
    assert (new.copied_from, new.document, new.created_by) == (plan, plan.document, hai_phong_reviewer)
    assert new.tasks.count() == 49
    assert not new.tasks.filter(code__in=["cqs-a-1", "cqs-a-2"]).exists()
    ioc = new.tasks.get(code="cqs-c-3")
    old = plan.tasks.get(code="cqs-c-3")
    assert (ioc.status, ioc.deadline, ioc.copied_from, ioc.text, ioc.lead) == (
        TaskStatus.IN_PROGRESS,
        dt.date(2023, 12, 31),
        old,
        old.text,
        old.lead,
    )
    assert ioc.progress_note == "" and not ioc.has_evidence  # a new year's record starts clean
    assert set(ioc.cooperating.all()) == set(old.cooperating.all())
    assert ioc.history.get().history_change_reason == "Chuyển tiếp từ kế hoạch năm 2022"
    page = client.get("/plans/hai-phong/2023/").content.decode()
    assert "Đã lập kế hoạch năm 2023 với 49 nhiệm vụ chưa hoàn thành chuyển từ năm 2022." in page
    # The old plan is untouched.
    assert plan.tasks.count() == 51 and plan.tasks.get(code="cqs-a-1").status == TaskStatus.DONE


def test_next_years_plan_is_created_only_once(client, plan, hai_phong_reviewer):
    client.force_login(hai_phong_reviewer)
    client.post(COPY)
    response = client.post(COPY, follow=True)
    assert "Hải Phòng đã có kế hoạch năm 2023." in response.content.decode()
    assert (
        Plan.objects.filter(year=2023).count() == 1 and PlanTask.objects.filter(plan__year=2023).count() == 49
    )


@pytest.mark.parametrize("who", ["tttt_editor", "viewer"])
def test_editors_and_viewers_cannot_copy(client, plan, who):
    person = {"tttt_editor": plan_data.tttt_editor, "viewer": plan_data.hai_phong_viewer}[who]()
    client.force_login(person)
    assert client.post(COPY).status_code == 404
    assert not Plan.objects.filter(year=2023).exists()


def test_another_citys_reviewer_cannot_copy(client, plan, da_nang_editor):
    client.force_login(da_nang_editor)
    assert client.post(COPY).status_code == 404
    assert not Plan.objects.filter(year=2023).exists()


def test_copying_needs_post(client, plan, hai_phong_reviewer):
    client.force_login(hai_phong_reviewer)
    assert client.get(COPY).status_code == 405
    assert not Plan.objects.filter(year=2023).exists()


def test_a_plan_with_every_task_done_has_nothing_to_copy(plan, hai_phong_reviewer):
    PlanTask.objects.update(status=TaskStatus.DONE, evidence_url="https://haiphong.gov.vn/x")
    with pytest.raises(PlanError, match="Mọi nhiệm vụ đã hoàn thành"):
        plan_copy_to_next_year(user=hai_phong_reviewer, plan_id=plan.pk)
    assert not Plan.objects.filter(year=2023).exists()


def test_the_board_offers_the_copy_to_reviewers_only(client, plan, hai_phong_reviewer):
    client.force_login(hai_phong_reviewer)
    assert f'action="{COPY}"' in client.get("/plans/hai-phong/2022/").content.decode()
    client.force_login(plan_data.tttt_editor())
    assert f'action="{COPY}"' not in client.get("/plans/hai-phong/2022/").content.decode()
