"""Loading Plan 86 from its file: complete, verbatim, idempotent, all-or-nothing, never over reported progress."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from targets.models import Department, Plan, PlanTask, Target, TaskStatus
from targets.services.plans import plans_load
from tests.integration import plan_data

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"


def _snapshot():
    return (
        sorted(
            PlanTask.objects.values_list(
                "plan__year", "code", "pillar__slug", "component", "section", "text", "lead__code", "deadline"
            )
        ),
        sorted(PlanTask.cooperating.through.objects.values_list("plantask__code", "department__code")),
        sorted(PlanTask.indicators.through.objects.values_list("plantask__code", "indicator__code")),
        PlanTask.history.count(),
        Department.objects.count(),
    )


def test_loading_puts_every_task_of_plan_86_in_the_database_verbatim(catalogue):
    plan = plan_data.load_plan86()
    assert (plan.document.number, plan.locality.slug, plan.year) == ("86/KH-UBND", "hai-phong", 2022)
    assert "đứng trong tốp 5 toàn quốc" in plan.goals
    assert plan.tasks.count() == 51
    document = " ".join(plan.document.text.split())
    for task in plan.tasks.all():
        assert " ".join(task.text.split()) in document, task.code
    task = plan_data.task("xhs-c-1")
    assert task.text.startswith("Phát triển hạ tầng viễn thông, Internet, xoá các vùng lõm sóng")
    assert (task.pillar.slug, task.component, task.section) == (
        "xa-hoi-so",
        "ha-tang",
        "c) Hạ tầng và nền tảng số",
    )
    assert task.lead.code == "so-tttt" and task.lead_inferred
    assert sorted(task.cooperating.values_list("code", flat=True)) == ["cac-so-ban-nganh", "ubnd-quan-huyen"]
    assert "fiber_household_subscriptions" in task.indicators.values_list("code", flat=True)
    assert task.status == TaskStatus.NOT_STARTED and task.version == 1


def test_the_agencies_become_departments_of_hai_phong_with_their_validity_and_successors(catalogue):
    plan_data.load_plan86()
    departments = {d.code: d for d in Department.objects.filter(locality__slug="hai-phong")}
    assert {code: d.name for code, d in departments.items()} == {
        "cac-so-ban-nganh": "Các Sở, ban, ngành thành phố",
        "cuc-thong-ke": "Cục Thống kê",
        "so-tttt": "Sở Thông tin và Truyền thông",
        "truong-dai-hoc-cao-dang": "Các trường Đại học, Cao đẳng trên địa bàn thành phố",
        "ubnd-quan-huyen": "Ủy ban nhân dân quận, huyện",
        # issue #16: the agencies the law gives the job, and the successors of 2025
        "so-khcn": "Sở Khoa học và Công nghệ",
        "ubnd-xa-phuong": "Ủy ban nhân dân xã, phường, đặc khu",
        "so-noi-vu": "Sở Nội vụ",
        "van-phong-ubnd": "Văn phòng Ủy ban nhân dân thành phố",
        "so-khdt": "Sở Kế hoạch và Đầu tư",
        "so-tai-chinh": "Sở Tài chính",
        "so-cong-thuong": "Sở Công Thương",
        "nhnn-chi-nhanh": "Ngân hàng Nhà nước chi nhánh thành phố",
        "cuc-thue": "Cơ quan thuế thành phố",
        "cuc-hai-quan": "Cơ quan hải quan thành phố",
    }
    tttt, districts, group = (
        departments["so-tttt"],
        departments["ubnd-quan-huyen"],
        departments["cac-so-ban-nganh"],
    )
    assert (tttt.valid_to, tttt.successor.code) == (dt.date(2025, 2, 28), "so-khcn")
    assert (districts.valid_to, districts.successor.code) == (dt.date(2025, 6, 30), "ubnd-xa-phuong")
    assert departments["ubnd-xa-phuong"].valid_from == dt.date(2025, 7, 1)
    assert group.is_group and group.followed_up_by.code == "so-tttt"
    assert plan_data.task("tcth-4-1").lead.code == "cuc-thong-ke"
    assert plan_data.task("tcth-3-1").lead.code == "truong-dai-hoc-cao-dang"


def test_loading_twice_changes_nothing(catalogue):
    plans_load()
    before = _snapshot()
    report = plans_load()
    assert (report.plans, report.tasks, report.tasks_removed, report.tasks_kept) == (1, 51, 0, 0)
    assert _snapshot() == before


def test_reloading_never_touches_the_progress_agencies_reported(catalogue):
    plan_data.load_plan86()
    PlanTask.objects.filter(code="cqs-a-1").update(
        status=TaskStatus.IN_PROGRESS, progress_note="Đã tổ chức 2 hội nghị", version=2
    )
    plans_load()
    task = plan_data.task("cqs-a-1")
    assert (task.status, task.progress_note, task.version) == (
        TaskStatus.IN_PROGRESS,
        "Đã tổ chức 2 hội nghị",
        2,
    )


def test_the_command_loads_the_plans_with_the_catalogue(empty_database):
    call_command("load_catalogue")
    assert Plan.objects.get().tasks.count() == 51


def test_a_broken_plan_file_loads_nothing_and_names_file_and_record(empty_database, tmp_path):
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root)
    path = root / "catalogue/plans/hp-kh-86-2022.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("Tổ chức phát động phong trào thi đua", "Phát động phong trào thi đua"), encoding="utf-8"
    )
    with pytest.raises(CommandError) as exc:
        call_command("load_catalogue", root=str(root))
    assert "nothing changed" in str(exc.value)
    assert "hp-kh-86-2022.toml: task #3 (cqs-a-3): text does not appear verbatim in the document" in str(
        exc.value
    )
    # All or nothing: neither the plan nor the catalogue loaded with it.
    assert Plan.objects.count() == 0 and PlanTask.objects.count() == 0 and Target.objects.count() == 0


def test_a_plan_file_for_an_unloaded_document_is_refused(empty_database, tmp_path):
    with pytest.raises(Exception) as exc:
        plans_load()
    assert "'document' must name a loaded document" in str(exc.value)
    assert Plan.objects.count() == 0


def test_a_task_removed_from_the_file_goes_unless_someone_reported_on_it(catalogue, tmp_path):
    plan_data.load_plan86()
    PlanTask.objects.filter(code="kts-b-4").update(status=TaskStatus.IN_PROGRESS, version=2)
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root)
    path = root / "catalogue/plans/hp-kh-86-2022.toml"
    blocks = path.read_text(encoding="utf-8").split("\n[[task]]\n")
    kept = [b for b in blocks if not b.startswith(('code = "kts-b-3"', 'code = "kts-b-4"'))]
    path.write_text("\n[[task]]\n".join(kept), encoding="utf-8")
    report = plans_load(root=root)
    assert (report.tasks, report.tasks_removed, report.tasks_kept) == (49, 1, 1)
    codes = set(PlanTask.objects.values_list("code", flat=True))
    assert "kts-b-3" not in codes and "kts-b-4" in codes
