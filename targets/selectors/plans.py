"""DTI improvement plan reads: the plans index, a plan's board, a task, the latest tasks of localities,
and the DTI rank years with their verdicts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from .. import progress
from ..models import (
    Actual,
    Component,
    Department,
    Origin,
    PeriodKind,
    PlanTask,
    Target,
    TaskState,
)
from ..plans import successor_on

# --------------------------------------------------------------------------- DTI improvement plans


def plans_index(plans: QuerySet) -> list:
    """The plans a user may read, each with its number of tasks: one query (annotate)."""

    return list(plans.annotate(task_count=Count("tasks")))


@dataclass
class BoardGroup:
    """One row of the board: a pillar × DTI component, with the plan's own headings and its tasks."""

    pillar: object
    component: str
    component_label: str
    sections: list[str] = field(default_factory=list)
    tasks: list = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.tasks)


@dataclass
class PlanBoard:
    groups: list[BoardGroup]
    totals: dict[str, int]
    overdue: list
    agencies: list[Department]
    total: int
    all_tasks: int


def departments_of(locality_id: int) -> dict[int, Department]:
    """A locality's departments by id, with their validity and successors: one query."""
    return {d.pk: d for d in Department.objects.filter(locality_id=locality_id)}


def with_answering(tasks: list, departments: dict[int, Department], today: dt.date) -> list:
    """Give each task the department that answers for it `today` (issue #16): its lead, or the lead's
    successor once the lead has ended (`answering`; the task's own `lead` keeps the agency of the time), and
    for a task shared by a group ("Các Sở, ban, ngành") the department that follows it up (`follow_up`).
    No query: `departments` is `departments_of` the plan's locality."""
    links = {pk: (d.valid_to, d.successor_id) for pk, d in departments.items()}
    for t in tasks:
        t.answering = departments.get(successor_on(t.lead_id, today, links), t.lead)
        lead = departments.get(t.lead_id, t.lead)
        t.shared = lead.is_group
        t.follow_up = (
            departments.get(successor_on(lead.followed_up_by_id, today, links))
            if lead.is_group and lead.followed_up_by_id
            else None
        )
    return tasks


def with_state(tasks: list, today: dt.date) -> list:
    """Give each task its board state (overdue derived from the deadline) and that state's label."""

    labels = dict(TaskState.choices)
    for t in tasks:
        t.state = t.state_on(today)
        t.state_label = labels[t.state]
    return tasks


def plan_board(plan, *, today: dt.date, agency_id: int | None = None, state: str | None = None) -> PlanBoard:
    """The board of a plan: pillar × component rows with counts per state, overdue tasks, the agencies to
    filter by. Two queries (tasks joined to pillar and lead; co-operating agencies prefetched) whatever the
    number of tasks; filtering and counting happen here, on the fetched rows."""

    tasks = with_state(
        list(
            PlanTask.objects.filter(plan=plan)
            .select_related("pillar", "lead")
            .prefetch_related("cooperating")
            .order_by("pillar__order", "order", "code")
        ),
        today,
    )
    with_answering(tasks, departments_of(plan.locality_id), today)
    agencies: dict[int, Department] = {}
    for t in tasks:
        agencies.setdefault(t.lead_id, t.lead)
        agencies.setdefault(t.answering.pk, t.answering)
        for d in t.cooperating.all():
            agencies.setdefault(d.pk, d)
    shown = tasks
    if agency_id is not None:
        shown = [
            t
            for t in shown
            if agency_id in (t.lead_id, t.answering.pk) or any(d.pk == agency_id for d in t.cooperating.all())
        ]
    if state:
        shown = [t for t in shown if t.state == state]
    component_labels = dict(Component.choices)
    groups: dict[tuple[int, str], BoardGroup] = {}
    for t in shown:
        key = (t.pillar_id, t.component)
        group = groups.get(key)
        if group is None:
            group = groups[key] = BoardGroup(
                pillar=t.pillar,
                component=t.component,
                component_label=str(component_labels.get(t.component, t.component)),
                counts=dict.fromkeys(TaskState.values, 0),
            )
        if t.section not in group.sections:
            group.sections.append(t.section)
        group.tasks.append(t)
        group.counts[t.state] += 1
    totals = dict.fromkeys(TaskState.values, 0)
    for t in shown:
        totals[t.state] += 1
    return PlanBoard(
        groups=list(groups.values()),
        totals=totals,
        overdue=[t for t in shown if t.state == TaskState.OVERDUE],
        agencies=sorted(agencies.values(), key=lambda d: d.name),
        total=len(shown),
        all_tasks=len(tasks),
    )


@dataclass
class RankYear:
    """One year of the DTI rank: the goals set for it and the published rank and score, with their source."""

    year: int
    goals: list = field(default_factory=list)  # Target rows of dti_rank
    rank: Actual | None = None
    score: Actual | None = None

    @property
    def verdict(self) -> str:
        """achieved / missed once the rank is published against a goal (every goal of the year met, by the
        engine's comparators: `~` and ranges included); pending before; "" without goal."""
        if not self.goals:
            return ""
        if self.rank is None:
            return "pending"
        comparators = [g.comparator for g in self.goals]
        higher = [g.indicator.higher_is_better for g in self.goals]
        target = progress.effective_target(
            comparators,
            [float(g.value) for g in self.goals],
            [float("nan") if g.value_max is None else float(g.value_max) for g in self.goals],
            higher,
        )
        met = progress.meets(comparators, [float(self.rank.value)] * len(self.goals), target, higher)
        return "achieved" if met.all() else "missed"


def dti_rank_years(locality_id: int) -> list[RankYear]:
    """The locality's DTI rank goals (rank targets of `dti_rank`, every document) against the published ranks
    and scores (origin published, with `ranked_among` and source), per year. Two queries."""

    years: dict[int, RankYear] = {}
    for t in (
        Target.objects.filter(locality_id=locality_id, indicator__code="dti_rank", level="")
        .select_related("document", "indicator")
        .order_by("year", "document__issued_on")
    ):
        years.setdefault(t.year, RankYear(year=t.year)).goals.append(t)
    for a in (
        Actual.objects.filter(
            locality_id=locality_id,
            indicator__code__in=["dti_rank", "dti_score"],
            level="",
            origin=Origin.PUBLISHED,
            period__kind=PeriodKind.YEAR,
        )
        .select_related("period", "indicator")
        .order_by("period__year")
    ):
        row = years.setdefault(a.period.year, RankYear(year=a.period.year))
        if a.indicator.code == "dti_rank":
            row.rank = a
        else:
            row.score = a
    return [years[y] for y in sorted(years)]


def latest_plan_tasks(locality_ids: list[int], *, up_to_year: int, today: dt.date) -> list:
    """The tasks of each locality's latest plan up to a year (the Excel report's "Nhiệm vụ" sheet), with their
    board state and the department answering for them `today` (`with_answering`): two queries (the tasks
    joined, the localities' departments), the older plans' rows dropped here."""

    tasks = list(
        PlanTask.objects.filter(plan__locality_id__in=locality_ids, plan__year__lte=up_to_year)
        .select_related("plan", "plan__locality", "plan__document", "pillar", "lead")
        .order_by("plan__locality__name", "-plan__year", "pillar__order", "order", "code")
    )
    latest: dict[int, int] = {}
    for t in tasks:
        latest.setdefault(t.plan.locality_id, t.plan.year)
    shown = with_state([t for t in tasks if t.plan.year == latest[t.plan.locality_id]], today)
    departments = {d.pk: d for d in Department.objects.filter(locality_id__in=locality_ids)}
    return with_answering(shown, departments, today)


def task_index_links(task_id: int) -> list:
    """The DTI main index a task feeds under each framework, with the note: one query (issue #21)."""
    from ..models import IndexLink

    return list(
        IndexLink.objects.filter(task_id=task_id)
        .select_related("index", "index__framework", "index__parent")
        .order_by("index__framework__order", "index__order")
    )
