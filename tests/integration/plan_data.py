"""Test data for the DTI improvement plans: Plan 86 loaded from its fixture, and the people around it.

Plain helpers (not fixtures), so each test file builds the world it needs with named people:
an editor of Hải Phòng's Sở TTTT (the lead agency of most of Plan 86's tasks), an editor of the district
people's committees (another agency of the plan), a viewer of Hải Phòng's leadership.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from targets.models import Department, Locality, Plan, PlanTask, Role
from targets.services.frameworks import frameworks_load
from targets.services.plans import plans_load
from tests.conftest import _member
from tests.hostile_files import real_pdf

PDF = real_pdf("Bien ban nghiem thu")  # a real one: evidence is parsed, not sniffed


def load_plan86() -> Plan:
    """Plan 86/KH-UBND with its 51 tasks, the agencies of its Section IV and those the law gives the job
    (needs the catalogue)."""
    plans_load()
    frameworks_load()  # as load_catalogue does after the plans: the tasks' DTI indices (issue #21)
    return Plan.objects.get(locality__slug="hai-phong", year=2022)


def agency(code: str) -> Department:
    return Department.objects.get(locality__slug="hai-phong", code=code)


def tttt_editor():
    """Hoa, who worked on digital transformation at Hải Phòng's Sở Thông tin và Truyền thông and, since that Sở
    merged into the Sở Khoa học và Công nghệ on 1 March 2025, reports there on the tasks the Sở TTTT led
    (issue #16: they go to the successor from that date)."""
    hp = Locality.objects.get(slug="hai-phong")
    return _member("hoa.hp.tttt", hp, "so-khcn", "Sở Khoa học và Công nghệ", Role.EDITOR)


def former_tttt_editor():
    """An account still attached to the Sở Thông tin và Truyền thông itself, which ended on 28/02/2025."""
    hp = Locality.objects.get(slug="hai-phong")
    return _member("lan.hp.tttt-cu", hp, "so-tttt", "Sở Thông tin và Truyền thông", Role.EDITOR)


def districts_editor():
    """Nam, an officer of the commune people's committees, which took over the district committees' tasks
    when the district level ended on 1 July 2025: another agency of the same plan."""
    hp = Locality.objects.get(slug="hai-phong")
    return _member(
        "nam.hp.quanhuyen", hp, "ubnd-xa-phuong", "Ủy ban nhân dân xã, phường, đặc khu", Role.EDITOR
    )


def hai_phong_viewer():
    """A member of Hải Phòng's leadership, who reads the board."""
    hp = Locality.objects.get(slug="hai-phong")
    return _member("an.hp.lanhdao", hp, "lanh-dao", "Lãnh đạo UBND", Role.VIEWER)


def task(code: str, *, year: int = 2022) -> PlanTask:
    return PlanTask.objects.select_related("plan", "lead").get(
        plan__locality__slug="hai-phong", plan__year=year, code=code
    )


def pdf(name: str = "bien-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def small_plan(lead: Department) -> PlanTask:
    """A one-task plan of the lead's city for 2022 (Plan 86's document), the task with its evidence file.

    For tests about who may do what, where loading the whole of Plan 86 would only cost time.
    """
    from django.core.files.base import ContentFile

    from targets.models import Document, Pillar

    plan = Plan.objects.create(
        locality=lead.locality,
        year=2022,
        document=Document.objects.get(code="hp-kh-86-2022"),
        title="Kế hoạch cải thiện và nâng cao chỉ số chuyển đổi số thành phố Hải Phòng năm 2022",
    )
    task = PlanTask.objects.create(
        plan=plan,
        code="kts-b-4",
        pillar=Pillar.objects.get(slug="kinh-te-so"),
        component="the-che",
        section="b) Kiến tạo thể chế",
        text="Quan tâm bố trí ngân sách hỗ trợ phát triển hạ tầng, phát triển kinh tế số.",
        lead=lead,
    )
    task.evidence_file.save("du-toan.pdf", ContentFile(PDF), save=False)
    task.evidence_name = "du-toan.pdf"
    task.save()
    return task
