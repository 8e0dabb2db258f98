"""Who may do what, over every URL of the project's apps × every role, generated from the URL conf.

A URL added without a row here fails `test_every_url_has_a_row_in_the_matrix`, so none can be forgotten.
Outside a user's scope the answer is 404 (it reveals nothing); state changes need POST (405 otherwise).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from targets.models import (
    Actual,
    Department,
    Indicator,
    Job,
    JobState,
    Membership,
    Plan,
    PlanTask,
    ReportNarrative,
    Role,
    Status,
)
from targets.services.catalogue import period_get_or_create
from targets.services.entry import EntryRow, actuals_submit
from tests.integration import plan_data

ROLES = [
    "anonymous",
    "editor",  # editor of Hải Phòng's Department of Finance, to which the indicator is assigned
    "editor_other_department",  # editor of Hải Phòng's Office of the People's Committee
    "editor_other_city",  # editor of Đà Nẵng
    "reviewer",  # reviewer of Hải Phòng
    "viewer",  # viewer (leadership) of Hải Phòng
    "viewer_other_city",  # viewer of Hà Nội
    "superuser",
]

LOGIN = 302  # anonymous users are sent to the login page

# name → (method, how to build the URL, {role: expected status}); roles not listed expect `default`.
# A dict per row: "method", "expect" (role → status), "default".
MATRIX: dict[str, dict] = {
    # "/" is the public home page for anonymous visitors (reports:home), the landing redirect otherwise.
    "targets:home": {"method": "GET", "default": 302, "expect": {"anonymous": 200}},
    "targets:catalogue": {"method": "GET", "default": 200, "expect": {"anonymous": LOGIN}},
    "targets:target_detail": {"method": "GET", "default": 200, "expect": {"anonymous": LOGIN}},
    "targets:entry": {
        "method": "GET",
        "default": 404,
        "expect": {
            "anonymous": LOGIN,
            "editor": 200,
            "editor_other_department": 200,
            "editor_other_city": 200,
            "superuser": 200,
        },
    },
    "targets:entry_form": {
        "method": "GET",
        "default": 404,
        "expect": {"anonymous": LOGIN, "editor": 200, "superuser": 200},
    },
    "targets:entry_form#post": {
        "method": "POST",
        "default": 404,
        "expect": {"anonymous": LOGIN, "editor": 302, "superuser": 302},
    },
    "targets:entry_template": {
        "method": "GET",
        "default": 404,
        "expect": {"anonymous": LOGIN, "editor": 200, "superuser": 200},
    },
    "targets:entry_import": {
        "method": "GET",
        "default": 404,
        "expect": {"anonymous": LOGIN, "editor": 200, "superuser": 200},
    },
    "targets:entry_import#post": {
        "method": "POST",
        "default": 404,
        "expect": {"anonymous": LOGIN, "editor": 400, "superuser": 400},
    },
    "targets:review": {
        "method": "GET",
        "default": 404,
        "expect": {"anonymous": LOGIN, "reviewer": 200, "superuser": 200},
    },
    "targets:review_decide": {
        "method": "POST",
        "default": 404,
        "expect": {"anonymous": LOGIN, "reviewer": 302, "superuser": 302},
    },
    "targets:review_decide#get": {"method": "GET", "default": 405, "expect": {"anonymous": LOGIN}},
    "targets:period_lock": {
        "method": "POST",
        "default": 404,
        "expect": {"anonymous": LOGIN, "reviewer": 302, "superuser": 302},
    },
    "targets:period_lock#get": {"method": "GET", "default": 405, "expect": {"anonymous": LOGIN}},
    # Sending every locality's deadline reminders (the "reminders" job): superusers only.
    "targets:reminders_send": {
        "method": "POST",
        "default": 404,
        "expect": {"anonymous": LOGIN, "superuser": 302},
    },
    "targets:reminders_send#get": {"method": "GET", "default": 405, "expect": {"anonymous": LOGIN}},
    "targets:assignments": {
        "method": "GET",
        "default": 404,
        "expect": {"anonymous": LOGIN, "reviewer": 200, "superuser": 200},
    },
    "targets:actual_history": {
        "method": "GET",
        "default": 404,
        "expect": {"anonymous": LOGIN, "editor": 200, "reviewer": 200, "viewer": 200, "superuser": 200},
    },
    "targets:actual_reopen": {
        "method": "POST",
        "default": 404,
        "expect": {"anonymous": LOGIN, "reviewer": 302, "superuser": 302},
    },
    "targets:actual_reopen#get": {"method": "GET", "default": 405, "expect": {"anonymous": LOGIN}},
    "targets:actual_evidence": {
        "method": "GET",
        "default": 404,
        "expect": {"anonymous": LOGIN, "editor": 200, "reviewer": 200, "viewer": 200, "superuser": 200},
    },
    "targets:plans": {"method": "GET", "default": 200, "expect": {"anonymous": LOGIN}},
    "targets:plan_board": {
        "method": "GET",
        "default": 200,
        "expect": {"anonymous": LOGIN, "editor_other_city": 404, "viewer_other_city": 404},
    },
    "targets:plan_copy": {
        "method": "POST",
        "default": 404,
        "expect": {"anonymous": LOGIN, "reviewer": 302, "superuser": 302},
    },
    "targets:plan_copy#get": {"method": "GET", "default": 405, "expect": {"anonymous": LOGIN}},
    "targets:plan_task": {
        "method": "GET",
        "default": 200,
        "expect": {"anonymous": LOGIN, "editor_other_city": 404, "viewer_other_city": 404},
    },
    # The task is led by the editor's department: its editor, the city's reviewer and superusers update it.
    "targets:plan_task#post": {
        "method": "POST",
        "default": 404,
        "expect": {"anonymous": LOGIN, "editor": 302, "reviewer": 302, "superuser": 302},
    },
    "targets:plan_task_history": {
        "method": "GET",
        "default": 200,
        "expect": {"anonymous": LOGIN, "editor_other_city": 404, "viewer_other_city": 404},
    },
    "targets:plan_task_evidence": {
        "method": "GET",
        "default": 200,
        "expect": {"anonymous": LOGIN, "editor_other_city": 404, "viewer_other_city": 404},
    },
    "reports:open_data": {"method": "GET", "default": 200},
    "reports:open_data_actuals": {"method": "GET", "default": 200},
    # Issue #19: the dashboards of a publishing city (Hải Phòng publishes) are public.
    "reports:home": {"method": "GET", "default": 302, "expect": {"anonymous": 200}},
    "reports:overview": {"method": "GET", "default": 200},
    "reports:city": {"method": "GET", "default": 200},
    "reports:city_brief": {"method": "GET", "default": 200},  # issue #17: the city page's one-page brief
    "reports:pillar": {"method": "GET", "default": 200},
    "reports:indicator": {"method": "GET", "default": 200},
    "reports:series": {"method": "GET", "default": 200},
    "reports:reporting_status": {"method": "GET", "default": 200},
    "reports:open_data_file": {"method": "GET", "default": 200},
    "reports:open_data_indicator": {"method": "GET", "default": 200},
    "reports:open_data_package": {"method": "GET", "default": 200},
    "reports:open_data_dcat": {"method": "GET", "default": 200},
    "reports:open_data_zip": {"method": "GET", "default": 200},
    "reports:report_index": {
        "method": "GET",
        "default": 404,
        "expect": {
            "anonymous": LOGIN,
            "reviewer": 200,
            "viewer": 200,
            "viewer_other_city": 200,
            "superuser": 200,
        },
    },
    "reports:report_download": {
        "method": "GET",
        "default": 404,
        "expect": {"anonymous": LOGIN, "reviewer": 200, "viewer": 200, "superuser": 200},
    },
    "reports:open_data_targets": {"method": "GET", "default": 200},
    "reports:open_data_progress": {"method": "GET", "default": 200},
    # The Báo cáo: one locality's, for those who may export its report.
    "reports:report_bao_cao": {
        "method": "GET",
        "default": 404,
        "expect": {"anonymous": LOGIN, "reviewer": 200, "viewer": 200, "superuser": 200},
    },
    # A background job (Hải Phòng's report): whoever may ask for the same report (targets.access.may_run_job).
    "reports:job": {
        "method": "GET",
        "default": 404,
        "expect": {"anonymous": LOGIN, "reviewer": 200, "viewer": 200, "superuser": 200},
    },
    # Its narrative and letterhead: written by the locality's reviewers only.
    "reports:report_narrative": {
        "method": "GET",
        "default": 404,
        "expect": {"anonymous": LOGIN, "reviewer": 200, "superuser": 200},
    },
    "reports:report_narrative#post": {
        "method": "POST",
        "default": 404,
        "expect": {"anonymous": LOGIN, "reviewer": 302, "superuser": 302},
    },
    "reports:job_file": {
        "method": "GET",
        "default": 404,
        "expect": {"anonymous": LOGIN, "reviewer": 200, "viewer": 200, "superuser": 200},
    },
}


def _names(resolver: URLResolver, namespace: str = "") -> list[tuple[str, URLPattern]]:
    out = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace in ("targets", "reports"):
                out += _names(p, p.namespace)
        elif namespace and p.name:
            out.append((f"{namespace}:{p.name}", p))
    return out


def test_every_url_has_a_row_in_the_matrix():
    names = {name for name, _ in _names(get_resolver())}
    covered = {key.split("#")[0] for key in MATRIX}
    assert names - covered == set(), "add these URLs to the permission matrix"


@pytest.fixture
def world(
    hai_phong_finance_editor,
    hai_phong_reviewer,
    da_nang_editor,
    ha_noi_viewer,
    superuser,
    finance_assignments,
    today,
):
    """The people of every role, and a submitted Hải Phòng value with its evidence."""
    from tests.conftest import _member

    hp = hai_phong_finance_editor.memberships.get().department.locality
    people = {
        "editor": hai_phong_finance_editor,
        "editor_other_department": _member(
            "binh.hp.vanphong", hp, "van-phong-ubnd", "Văn phòng UBND", Role.EDITOR
        ),
        "editor_other_city": da_nang_editor,
        "reviewer": hai_phong_reviewer,
        "viewer": _member("an.hp.lanhdao", hp, "lanh-dao", "Lãnh đạo UBND", Role.VIEWER),
        "viewer_other_city": ha_noi_viewer,
        "superuser": superuser,
    }
    period = period_get_or_create(code="2026-Q4")
    dept = Department.objects.get(locality=hp, code="so-tai-chinh")
    actuals_submit(
        user=hai_phong_finance_editor,
        department=dept,
        period=period,
        today=today,
        rows=[
            EntryRow(
                key="a", indicator=Indicator.objects.get(code="epayment_accounts"), level="", raw_value="60"
            )
        ],
    )
    actual = Actual.objects.get(period=period, indicator__code="epayment_accounts")
    actual.evidence_file.save("x.pdf", ContentFile(b"%PDF-1.4 evidence"), save=True)
    assert Membership.objects.filter(user=people["viewer"], role=Role.VIEWER).exists()
    task = plan_data.small_plan(lead=dept)
    job = Job.objects.create(
        kind="report",
        params={"locality": "hai-phong", "as_of": "2026-Q3", "pillars": []},
        key="hai-phong-report",
        state=JobState.DONE,
        filename="bao-cao-cds-hai-phong-2026-Q3.xlsx",
    )
    job.file.save("hai-phong-report.xlsx", ContentFile(b"PK\x03\x04 workbook"), save=True)
    return {
        "people": people,
        "actual": actual,
        "department": dept,
        "period": period,
        "task": task,
        "job": job,
    }


def _url(name: str, world) -> tuple[str, dict]:
    actual, dept = world["actual"], world["department"]
    kwargs = {
        "targets:target_detail": {"pk": actual.indicator.targets.first().pk},
        "targets:entry_form": {"period": "2026-Q4"},
        "targets:entry_template": {"period": "2026-Q4"},
        "targets:entry_import": {"period": "2026-Q4"},
        "targets:review": {"period": "2026-Q4"},
        "targets:review_decide": {"period": "2026-Q4"},
        "targets:period_lock": {"period": "2026-Q4"},
        "targets:actual_history": {"pk": actual.pk},
        "targets:actual_reopen": {"pk": actual.pk},
        "targets:actual_evidence": {"pk": actual.pk},
        "targets:plan_board": {"locality": "hai-phong", "year": 2022},
        "targets:plan_copy": {"locality": "hai-phong", "year": 2022},
        "targets:plan_task": {"pk": world["task"].pk},
        "targets:plan_task_history": {"pk": world["task"].pk},
        "targets:plan_task_evidence": {"pk": world["task"].pk},
        "reports:open_data_targets": {"fmt": "csv"},
        "reports:open_data_progress": {"fmt": "csv"},
        "reports:open_data_actuals": {"fmt": "csv"},
        "reports:open_data_file": {"dataset": "localities", "fmt": "csv"},
        "reports:open_data_indicator": {"code": "epayment_accounts"},
        "reports:city": {"locality": "hai-phong"},
        "reports:city_brief": {"locality": "hai-phong"},
        "reports:pillar": {"locality": "hai-phong", "pillar": "chinh-quyen-so"},
        "reports:indicator": {"code": "epayment_accounts"},
        "reports:series": {"code": "epayment_accounts", "locality": "hai-phong"},
        "reports:job": {"pk": world["job"].pk},
        "reports:job_file": {"pk": world["job"].pk},
    }.get(name, {})
    query = {
        "targets:entry_form": f"?department={dept.pk}",
        "targets:entry_template": f"?department={dept.pk}",
        "targets:entry_import": f"?department={dept.pk}",
        "targets:review": "?locality=hai-phong",
        "targets:assignments": "?locality=hai-phong",
        "reports:report_download": "?locality=hai-phong&as_of=2026-Q3",
        "reports:report_bao_cao": "?locality=hai-phong&as_of=2026-Q3",
        "reports:report_narrative": "?locality=hai-phong&period=2026-Q3",
    }.get(name, "")
    data = {
        "targets:review_decide": {
            "locality": "hai-phong",
            "actual": actual.pk,
            "decision": "return",
            "comment": "Xem lại",
        },
        "targets:period_lock": {"locality": "hai-phong", "action": "lock", "confirmed": "1"},
        "targets:actual_reopen": {"reason": "Kiểm tra"},
        "targets:entry_form": {"action": "draft"},
        "targets:plan_task": {"status": "in_progress", "note": "Đang bố trí ngân sách", "version": 1},
        "reports:report_narrative": {"action": "narrative", "version": "0", "shortcomings": "Chậm"},
    }.get(name, {})
    return reverse(name, kwargs=kwargs) + query, data


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_permission_matrix(client, world, key, fixed_today):
    row = MATRIX[key]
    name = key.split("#")[0]
    url, data = _url(name, world)
    failures = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(world["people"][role])
        before = _state()
        response = client.post(url, data) if row["method"] == "POST" else client.get(url)
        expected = row.get("expect", {}).get(role, row["default"])
        if response.status_code != expected:
            failures.append(f"{role}: {response.status_code} (expected {expected})")
        refused = role == "anonymous" or expected in (404, 405)
        if refused and _state() != before:
            failures.append(f"{role}: a refused request changed the data")
        # Undo what an allowed state change did, so every role meets the same world.
        Actual.objects.filter(pk=world["actual"].pk).update(status=Status.SUBMITTED, version=2)
        world["actual"].locality.periods.all().delete()
        PlanTask.objects.filter(pk=world["task"].pk).update(status="not_started", progress_note="", version=1)
        Plan.objects.filter(year=2023).delete()
        ReportNarrative.objects.all().delete()
    assert failures == [], f"{key} {url}"


def _state() -> tuple:
    return (
        list(Actual.objects.order_by("pk").values_list("pk", "status", "version")),
        list(PlanTask.objects.order_by("pk").values_list("pk", "status", "version")),
        Plan.objects.count(),
        list(ReportNarrative.objects.values_list("pk", "version")),
    )


def test_a_refused_review_changes_nothing(client, world):
    client.force_login(world["people"]["editor"])
    actual = world["actual"]
    response = client.post(
        reverse("targets:review_decide", args=["2026-Q4"]),
        {"locality": "hai-phong", "actual": actual.pk, "decision": "approve"},
    )
    assert response.status_code == 404
    actual.refresh_from_db()
    assert (actual.status, actual.value) == (Status.SUBMITTED, Decimal("60"))
