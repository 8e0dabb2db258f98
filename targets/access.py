"""The one place that answers "may this user see / change this?" and gives scoped querysets.

Every view asks here first; nothing checks roles ad hoc. Outside a user's scope the answer is 404
(not 403), so that a page reveals nothing about what exists.

Roles (per department membership):
- editor: sees and edits only the indicators assigned to that department, in its locality;
- reviewer: sees every department of the locality, approves/returns, locks quarters, assigns indicators;
- viewer: reads the locality's data and dashboards, changes nothing.
Superusers administer everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from .models import Actual, Assignment, Department, Locality, Membership, Origin, Plan, PlanTask, Role, Status
from .periods import entry_period_codes
from .plans import successor_on

AnyUser = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class Scope:
    """What one user may reach, read once per request (one query) and cached on the user object."""

    authenticated: bool
    superuser: bool
    editor_departments: frozenset[int] = field(default_factory=frozenset)
    reviewer_localities: frozenset[int] = field(default_factory=frozenset)
    viewer_localities: frozenset[int] = field(default_factory=frozenset)
    member_localities: frozenset[int] = field(default_factory=frozenset)
    department_localities: dict[int, int] = field(default_factory=dict)


def scope(user: AnyUser) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return Scope(authenticated=False, superuser=False)
    cached = getattr(user, "_dti_scope", None)
    if cached is not None:
        return cached
    rows = list(
        Membership.objects.filter(user=user).values_list("department_id", "department__locality_id", "role")
    )
    result = Scope(
        authenticated=True,
        superuser=user.is_superuser,
        editor_departments=frozenset(d for d, _, r in rows if r == Role.EDITOR),
        reviewer_localities=frozenset(loc for _, loc, r in rows if r == Role.REVIEWER),
        viewer_localities=frozenset(loc for _, loc, r in rows if r == Role.VIEWER),
        member_localities=frozenset(loc for _, loc, _ in rows),
        department_localities={d: loc for d, loc, _ in rows},
    )
    user._dti_scope = result
    return result


# --------------------------------------------------------------------------- reading


def catalogue_visible(user: AnyUser) -> bool:
    """The catalogue (targets, quotes, documents) is for every signed-in user; the public has open data."""
    return scope(user).authenticated


def localities_for(user: AnyUser) -> QuerySet[Locality]:
    """Localities whose figures the user may read: superusers all, members their departments' localities."""
    s = scope(user)
    if not s.authenticated:
        return Locality.objects.none()
    if s.superuser:
        # The whole country (issue #21) is not a provincial unit: no dashboard, figures or reports of its own.
        return Locality.objects.filter(is_country=False)
    return Locality.objects.filter(pk__in=s.member_localities)


def dashboard_localities(user: AnyUser) -> QuerySet[Locality]:
    """Localities whose dashboards the user may open (issue #19): every locality that publishes its figures
    (public: approved and published figures only), and for a signed-in user their own as well, so that a
    leader compares their city with the others. The public sees the publishing localities only."""
    return localities_for(user) | Locality.objects.filter(publishes=True)


def sees_in_full(user: AnyUser, locality_id: int) -> bool:
    """Whether the user sees a locality's dashboards in full (figures awaiting review included, shown as
    such): superusers, and members of the locality. Everyone else sees its public figures only."""
    s = scope(user)
    return s.superuser or locality_id in s.member_localities


def report_localities(user: AnyUser) -> QuerySet[Locality]:
    """Localities whose Excel report the user may export: reviewers and viewers of it; superusers all."""
    s = scope(user)
    if not s.authenticated:
        return Locality.objects.none()
    if s.superuser:
        return Locality.objects.filter(
            valid_to__isnull=True, is_country=False, targets__isnull=False
        ).distinct()
    return Locality.objects.filter(pk__in=s.reviewer_localities | s.viewer_localities)


def can_export_all(user: AnyUser) -> bool:
    """Whether the user may export one report of every locality at once ("all"): superusers only."""
    return scope(user).superuser


def actual_readable(user: AnyUser, actual: Actual) -> bool:
    """Reviewers and viewers read their locality's values; editors only the values of their assignments."""
    s = scope(user)
    if (
        s.superuser
        or actual.locality_id in s.reviewer_localities
        or actual.locality_id in s.viewer_localities
    ):
        return True
    return Assignment.objects.filter(
        department_id__in=s.editor_departments,
        department__locality_id=actual.locality_id,
        indicator_id=actual.indicator_id,
        level=actual.level,
    ).exists()


def get_readable_actual(user: AnyUser, pk: int) -> Actual:
    actual = Actual.objects.select_related("indicator", "locality", "period").filter(pk=pk).first()
    if actual is None or not actual_readable(user, actual):
        raise Http404
    return actual


# --------------------------------------------------------------------------- entering


def entry_departments(user: AnyUser) -> QuerySet[Department]:
    """Departments the user enters figures for (editor memberships; superusers: every department)."""
    s = scope(user)
    if not s.authenticated:
        return Department.objects.none()
    # Nobody reports for the whole country (issue #21), even through a department an admin gave it.
    qs = (
        Department.objects.filter(locality__is_country=False)
        .select_related("locality")
        .order_by("locality__name", "name")
    )
    if s.superuser:
        return qs
    return qs.filter(pk__in=s.editor_departments)


def get_entry_department(
    user: AnyUser, department_id: int | str | None, *, departments: list[Department] | None = None
) -> Department:
    """The department whose form the user opens: the given one if in scope, the only one otherwise; else 404."""
    if departments is None:
        departments = list(entry_departments(user))
    if department_id in (None, ""):
        if len(departments) == 1:
            return departments[0]
        raise Http404
    try:
        wanted = int(department_id)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    for dept in departments:
        if dept.pk == wanted:
            return dept
    raise Http404


def can_edit_for_department(user: AnyUser, department: Department) -> bool:
    s = scope(user)
    return s.superuser or department.pk in s.editor_departments


def entry_period_open(period_code: str, today: dt.date) -> bool:
    """A period takes new figures only when the worklist offers it: the current quarter, the four before
    it and last year (annual figures). Older periods (back to 2015) and future ones are closed: a value
    entered there would reach the series charts without any reviewer seeing it (issue #14)."""
    return period_code in entry_period_codes(today)


def value_accepts_entry(actual: Actual | None, *, period_open: bool) -> bool:
    """In an open period: a new value, a draft or a returned one. In a closed period: only a value the
    reviewer sent back (returned, or an approved value reopened), so that it can be corrected."""
    if actual is not None and actual.status == Status.RETURNED:
        return True
    return period_open and (actual is None or actual.status == Status.DRAFT)


# --------------------------------------------------------------------------- reviewing


def review_localities(user: AnyUser) -> QuerySet[Locality]:
    s = scope(user)
    if not s.authenticated:
        return Locality.objects.none()
    if s.superuser:
        return Locality.objects.filter(valid_to__isnull=True, is_country=False)
    return Locality.objects.filter(pk__in=s.reviewer_localities)


def can_review(user: AnyUser, locality: Locality | int) -> bool:
    s = scope(user)
    locality_id = locality if isinstance(locality, int) else locality.pk
    return s.superuser or locality_id in s.reviewer_localities


def can_write_report_text(user: AnyUser, locality: Locality | int) -> bool:
    """Who writes a locality's Báo cáo narrative (sections IV and V, pillar notes) and its letterhead,
    recipients and signer: its reviewers (superusers every locality's)."""
    return can_review(user, locality)


def get_review_locality(
    user: AnyUser, slug: str | None, *, localities: list[Locality] | None = None
) -> Locality:
    """The locality the reviewer works on: `?locality=` if in scope, the only one otherwise; else 404.
    `localities`: `review_localities(user)` when the caller has read them already."""
    if localities is None:
        localities = list(review_localities(user))
    if not slug:
        if len(localities) == 1:
            return localities[0]
        raise Http404
    for loc in localities:
        if loc.slug == slug:
            return loc
    raise Http404


def can_decide(user: AnyUser, locality: Locality | int, *, locked: bool) -> bool:
    """Approve or return values: a reviewer of the locality, while the period is not locked (on a locked
    period the buttons are not shown: they could not succeed)."""
    return can_review(user, locality) and not locked


def period_lockable(*, returned: int) -> bool:
    """A period may be locked unless values returned to their departments still wait for correction: a lock
    would leave them stuck, neither correctable by the department nor decidable by the reviewer (issue #17).
    Values waiting for review, drafts and missing values do not prevent a lock; the reviewer confirms
    them with the list in view."""
    return returned == 0


def reviewable_actuals(user: AnyUser) -> QuerySet[Actual]:
    s = scope(user)
    if s.superuser:
        return Actual.objects.all()
    return Actual.objects.filter(locality_id__in=s.reviewer_localities)


def require_reviewable(user: AnyUser, ids: list[int], *, locality: Locality, period) -> None:
    """A review decision names values by id: every one must be the reviewer's, of this locality and
    period. One query; 404 otherwise (an empty list too), so a tampered form learns nothing."""
    in_scope = set(
        reviewable_actuals(user)
        .filter(pk__in=ids, locality=locality, period=period)
        .values_list("pk", flat=True)
    )
    if not ids or in_scope != set(ids):
        raise Http404


def reopenable(actual: Actual) -> bool:
    """Only an approved value an officer entered can be reopened: published and demo figures cannot."""
    return actual.status == Status.APPROVED and actual.origin not in (Origin.PUBLISHED, Origin.DEMO)


def can_reopen(user: AnyUser, actual: Actual, *, locked: bool) -> bool:
    """A reviewer of the value's locality reopens an approved value an officer entered, while its period is
    not locked (the service would refuse it: the page does not offer it)."""
    return can_review(user, actual.locality_id) and reopenable(actual) and not locked


def editor_emails(departments: list[Department]) -> dict[int, list[str]]:
    """The e-mail addresses of the active editors of each department (reminders go to them). One query."""
    out: dict[int, list[str]] = {}
    for dept_id, email in Membership.objects.filter(
        role=Role.EDITOR, department__in=departments, user__is_active=True
    ).values_list("department_id", "user__email"):
        if email:
            out.setdefault(dept_id, []).append(email)
    return out


# --------------------------------------------------------------------------- DTI improvement plans
# Every member of a locality (editor, reviewer, viewer) reads its plans: the plan is the city's own
# document and each agency needs to see what the others do. The lead agency's editors report progress
# on their tasks; the locality's reviewers on any task; co-operating agencies and viewers only read.


def readable_plans(user: AnyUser) -> QuerySet:
    """Plans of the localities the user is a member of (superusers: every plan)."""
    s = scope(user)
    if not s.authenticated:
        return Plan.objects.none()
    qs = Plan.objects.select_related("locality", "document").order_by("locality__name", "-year")
    return qs if s.superuser else qs.filter(locality_id__in=s.member_localities)


def get_readable_plan(user: AnyUser, locality_slug: str, year: int):
    """The plan of a locality and year, if the user may read it; else 404."""
    plan = readable_plans(user).filter(locality__slug=locality_slug, year=year).first()
    if plan is None:
        raise Http404
    return plan


def get_readable_task(user: AnyUser, pk: int):
    """A task with its plan, locality, pillar and lead (one query), if the user may read it; else 404."""
    s = scope(user)
    task = (
        PlanTask.objects.select_related("plan", "plan__locality", "plan__document", "pillar", "lead")
        .filter(pk=pk)
        .first()
    )
    if task is None or not s.authenticated:
        raise Http404
    if not (s.superuser or task.plan.locality_id in s.member_localities):
        raise Http404
    return task


def can_update_task(user: AnyUser, task, *, today: dt.date | None = None) -> bool:
    """Editors of the department that answers for the task today — its lead agency, or the lead's successor
    once the lead has ended (issue #16: the Sở TTTT's tasks go to the Sở KH&CN from 1 March 2025) —,
    reviewers of the plan's locality, superusers."""
    s = scope(user)
    if s.superuser or task.plan.locality_id in s.reviewer_localities:
        return True
    if not s.editor_departments:
        return False
    links = {
        pk: (valid_to, successor)
        for pk, valid_to, successor in Department.objects.filter(
            locality_id=task.plan.locality_id
        ).values_list("pk", "valid_to", "successor_id")
    }
    answering = successor_on(task.lead_id, today or timezone.localdate(), links)
    return answering in s.editor_departments


def can_copy_plan(user: AnyUser, plan) -> bool:
    """Reviewers of the locality create next year's plan from this one."""
    return can_review(user, plan.locality_id)


# --------------------------------------------------------------------------- the menu and the landing page


@dataclass(frozen=True)
class Roles:
    """What a user's menu offers and where they land (issue #17, item 6), from their memberships alone (no
    query beyond `scope`'s one): each flag is the same answer as the access check of the page it links."""

    authenticated: bool = False
    superuser: bool = False
    enters: bool = False  # entry_departments is not empty: the worklist
    reviews: bool = False  # review_localities is not empty: the review pages
    exports: bool = False  # report_localities is not empty: the Excel report
    leads: bool = False  # a viewer (a leader) of a locality: its city dashboard
    leader_localities: frozenset[int] = field(default_factory=frozenset)


def roles(user: AnyUser) -> Roles:
    s = scope(user)
    if not s.authenticated:
        return Roles()
    return Roles(
        authenticated=True,
        superuser=s.superuser,
        enters=s.superuser or bool(s.editor_departments),
        reviews=s.superuser or bool(s.reviewer_localities),
        exports=s.superuser or bool(s.reviewer_localities or s.viewer_localities),
        leads=bool(s.viewer_localities),
        leader_localities=s.viewer_localities,
    )


# --- background jobs (reports/jobs.py) ------------------------------------------------------------------------


def report_params_allowed(user: AnyUser, params: dict) -> bool:
    """A report of `params["locality"]` (a slug, or "all"): for whom `report_localities` holds it; "all"
    for whom `can_export_all`."""
    slug = params.get("locality", "")
    if slug == "all":
        return can_export_all(user)
    return report_localities(user).filter(slug=slug).exists()


def reminders_allowed(user: AnyUser, params: dict) -> bool:
    """Sending the deadline reminders of every locality: superusers (as the `send_reminders` command)."""
    return scope(user).superuser


# Which "may I?" answers for a job of each rule (a job kind names its rule in `targets.jobs.KINDS`): a job
# and its file are for whoever may ask for the same parameters; an unknown rule is refused.
def entry_import_allowed(user: AnyUser, params: dict) -> bool:
    """A large Excel import (`targets.jobs`, kind "entry_import"): only its uploader, while they may still
    enter for its department."""
    s = scope(user)
    return (
        s.authenticated
        and params.get("user") == getattr(user, "pk", None)
        and (s.superuser or params.get("department") in s.editor_departments)
    )


JOB_RULES = {
    "report": report_params_allowed,
    "reminders": reminders_allowed,
    "entry_import": entry_import_allowed,
}


def may_run_job(user: AnyUser, rule: str, params: dict) -> bool:
    """Whether `user` may start, follow and download a job of `rule` with `params`."""
    check = JOB_RULES.get(rule)
    return bool(user.is_authenticated and check is not None and check(user, params))
