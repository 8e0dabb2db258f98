"""Reads for pages: each selector decides its query shape and makes a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from . import progress
from .models import (
    Actual,
    Assignment,
    Department,
    Locality,
    LocalityPeriod,
    PeriodKind,
    ReportingPeriod,
    Status,
    Target,
)
from .periods import default_deadline, parse_period_code, quarter_of


def targets_for_catalogue() -> QuerySet[Target]:
    """All targets with what the catalogue shows of them: one query, joined (select_related)."""
    return Target.objects.select_related("indicator", "indicator__pillar", "locality", "document").order_by(
        "indicator__pillar__order", "indicator__order", "locality__name", "level", "year"
    )


def target_detail(pk: int) -> Target:
    """One target with its indicator, pillar, locality and document: one query."""
    return targets_for_catalogue().get(pk=pk)


def targets_for_open_data(*, with_id: bool = False) -> list[dict]:
    """Every target as plain values for the open-data files: one query (`values()`, no model instances)."""
    return list(
        Target.objects.order_by(
            "locality__slug", "indicator__pillar__order", "indicator__order", "level", "year"
        ).values(
            *(("id",) if with_id else ()),
            "locality__slug",
            "indicator__pillar__slug",
            "indicator__code",
            "indicator__name",
            "level",
            "year",
            "comparator",
            "value",
            "value_max",
            "unit",
            "indicator__higher_is_better",
            "applies_until",
            "document__code",
            "document__number",
            "document__title",
            "quote",
        )
    )


def actuals_for_series(*, indicator_id: int, locality_id: int, level: str) -> list:
    """A series' approved values (published and demo included), newest first, with periods: one query."""
    return list(
        Actual.objects.filter(
            indicator_id=indicator_id, locality_id=locality_id, level=level, status="approved"
        )
        .select_related("period")
        .order_by("-period__year", "-period__quarter")
    )


# --------------------------------------------------------------------------- data entry and review

OPEN_QUARTERS = 5  # the current quarter and the four before it


def entry_period_codes(today: dt.date) -> list[str]:
    """Periods offered for entry: the current quarter, the four before it, and last year (annual figures)."""
    year, quarter = quarter_of(today)
    codes = []
    for _ in range(OPEN_QUARTERS):
        codes.append(f"{year}-Q{quarter}")
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    codes.append(str(today.year - 1))
    return codes


def _period_order(code: str) -> tuple[int, int]:
    """Newest first: a year's quarters, then the year itself (its annual figures)."""
    year, quarter = parse_period_code(code)
    return (-year, -(quarter or 0))


def returned_periods(departments: list[Department], open_codes: list[str]) -> list[ReportingPeriod]:
    """Periods outside the worklist's window in which the departments' series have values sent back
    (returned, or approved and reopened): those values stay open for correction. Two queries."""
    series = set(
        Assignment.objects.filter(department__in=departments).values_list(
            "department__locality_id", "indicator_id", "level"
        )
    )
    if not series:
        return []
    rows = (
        Actual.objects.filter(
            status=Status.RETURNED,
            locality_id__in={s[0] for s in series},
            indicator_id__in={s[1] for s in series},
        )
        .exclude(period__code__in=open_codes)
        .values_list("locality_id", "indicator_id", "level", "period_id")
    )
    period_ids = {pid for loc, ind, level, pid in rows if (loc, ind, level) in series}
    periods = list(ReportingPeriod.objects.filter(pk__in=period_ids))
    return sorted(periods, key=lambda p: _period_order(p.code))


def review_period_links(locality: Locality, today: dt.date) -> list[tuple[str, int]]:
    """The periods the review page links to, newest first, each with its count of values waiting: those the
    worklist offers, and every other period with submitted values, however old. One query."""
    waiting = dict(
        Actual.objects.filter(locality=locality, status=Status.SUBMITTED)
        .values("period__code")
        .annotate(n=Count("pk"))
        .values_list("period__code", "n")
    )
    codes = set(entry_period_codes(today)) | set(waiting)
    return [(code, waiting.get(code, 0)) for code in sorted(codes, key=_period_order)]


def deadline_for(locality: Locality, period: ReportingPeriod, override: dt.date | None) -> dt.date:
    """The locality's override, else the 6th (configurable) of the quarter's last month (Circular 02/2023);
    an annual figure is due with the first quarter of the next year."""
    if override is not None:
        return override
    if period.kind == PeriodKind.QUARTER and period.quarter:
        return default_deadline(period.year, period.quarter, locality.quarterly_deadline_day)
    return default_deadline(period.year + 1, 1, locality.quarterly_deadline_day)


@dataclass
class PeriodState:
    period: ReportingPeriod
    deadline: dt.date
    locked: bool
    locked_at: dt.datetime | None = None

    def days_left(self, today: dt.date) -> int:
        return (self.deadline - today).days


def period_states(locality: Locality, periods: list[ReportingPeriod]) -> dict[int, PeriodState]:
    """Deadline and lock of each period for a locality: one query."""
    overrides = {
        lp.period_id: lp for lp in LocalityPeriod.objects.filter(locality=locality, period__in=periods)
    }
    out = {}
    for p in periods:
        lp = overrides.get(p.pk)
        out[p.pk] = PeriodState(
            period=p,
            deadline=deadline_for(locality, p, lp.deadline if lp else None),
            locked=bool(lp and lp.is_locked),
            locked_at=lp.locked_at if lp else None,
        )
    return out


def _series_of(department_ids: list[int], kind: str) -> list[Assignment]:
    frequency = "quarterly" if kind == PeriodKind.QUARTER else "annual"
    return list(
        Assignment.objects.filter(department_id__in=department_ids, indicator__frequency=frequency)
        .select_related("indicator", "indicator__pillar", "department", "department__locality")
        .order_by("indicator__pillar__order", "indicator__order", "level")
    )


@dataclass
class WorklistLine:
    department: Department
    state: PeriodState
    assigned: int = 0
    entered: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0

    @property
    def missing(self) -> int:
        return self.assigned - self.entered


def worklist(departments: list[Department], periods: list[ReportingPeriod]) -> list[WorklistLine]:
    """Per department × period: assigned / entered / submitted / approved / returned. Three queries."""
    if not departments:
        return []
    dept_ids = [d.pk for d in departments]
    assignments = list(
        Assignment.objects.filter(department_id__in=dept_ids).values_list(
            "department_id", "indicator_id", "level", "indicator__frequency"
        )
    )
    localities = {d.locality_id for d in departments}
    actuals = {
        (loc, ind, level, pid): status
        for loc, ind, level, pid, status in Actual.objects.filter(
            locality_id__in=localities, period__in=periods, indicator_id__in={a[1] for a in assignments}
        ).values_list("locality_id", "indicator_id", "level", "period_id", "status")
    }
    locks = {
        (lp.locality_id, lp.period_id): lp
        for lp in LocalityPeriod.objects.filter(locality_id__in=localities, period__in=periods)
    }
    lines = []
    for d in departments:
        for p in periods:
            lp = locks.get((d.locality_id, p.pk))
            state = PeriodState(
                period=p,
                deadline=deadline_for(d.locality, p, lp.deadline if lp else None),
                locked=bool(lp and lp.is_locked),
            )
            line = WorklistLine(department=d, state=state)
            frequency = "quarterly" if p.kind == PeriodKind.QUARTER else "annual"
            for dept_id, ind, level, freq in assignments:
                if dept_id != d.pk or freq != frequency:
                    continue
                if level == "district" and p.starts_on > dt.date(2025, 6, 30):
                    continue
                line.assigned += 1
                status = actuals.get((d.locality_id, ind, level, p.pk))
                if status is None:
                    continue
                line.entered += 1
                line.submitted += status in (Status.SUBMITTED, Status.APPROVED)
                line.approved += status == Status.APPROVED
                line.returned += status == Status.RETURNED
            lines.append(line)
    return lines


@dataclass
class EntryLine:
    assignment: Assignment
    actual: Actual | None
    previous: list[tuple[str, float]] = field(default_factory=list)  # (period code, value), oldest first
    target: object | None = None  # the next target (Target) due for the series
    period_open: bool = True  # the worklist offers the period (else only returned values take entry)

    @property
    def key(self) -> str:
        return str(self.assignment.pk)

    @property
    def editable(self) -> bool:
        from .access import value_accepts_entry

        return value_accepts_entry(self.actual, period_open=self.period_open)


def entry_lines(
    department: Department, period: ReportingPeriod, *, period_open: bool = True
) -> list[EntryLine]:
    """The entry form of a department for a period: four queries whatever the number of indicators."""
    assignments = [
        a
        for a in _series_of([department.pk], period.kind)
        if not (a.level == "district" and period.starts_on > dt.date(2025, 6, 30))
    ]
    ind_ids = {a.indicator_id for a in assignments}
    current = {
        (a.indicator_id, a.level): a
        for a in Actual.objects.filter(
            locality_id=department.locality_id, period=period, indicator_id__in=ind_ids
        ).select_related("updated_by")
    }
    previous: dict[tuple[int, str], list[tuple[str, float]]] = {}
    for ind, level, code, value in (
        Actual.objects.filter(
            locality_id=department.locality_id,
            indicator_id__in=ind_ids,
            period__kind=period.kind,
            period__ends_on__lt=period.starts_on,
            status__in=[Status.SUBMITTED, Status.APPROVED],
        )
        .order_by("period__year", "period__quarter")
        .values_list("indicator_id", "level", "period__code", "value")
    ):
        previous.setdefault((ind, level), []).append((code, float(value)))
    targets: dict[tuple[int, str], Target] = {}
    for t in Target.objects.filter(
        locality_id=department.locality_id, indicator_id__in=ind_ids, year__gte=period.year
    ).order_by("-year"):
        targets[(t.indicator_id, t.level)] = t  # the nearest year wins (ordered descending)
    return [
        EntryLine(
            assignment=a,
            actual=current.get((a.indicator_id, a.level)),
            previous=previous.get((a.indicator_id, a.level), [])[-4:],
            target=targets.get((a.indicator_id, a.level)),
            period_open=period_open,
        )
        for a in assignments
    ]


@dataclass
class ReviewLine:
    actual: Actual
    previous: float | None
    warning: str | None

    @property
    def change(self) -> float | None:
        return None if self.previous is None else float(self.actual.value) - self.previous


@dataclass
class DepartmentReview:
    department: Department
    assigned: int = 0
    entered: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    late: bool = False
    lines: list[ReviewLine] = field(default_factory=list)


def review_overview(
    locality: Locality, period: ReportingPeriod, *, today: dt.date
) -> tuple[PeriodState, list[DepartmentReview]]:
    """The reviewer's page: per department its progress and its values awaiting review. Five queries."""
    from .outliers import outlier_warning

    state = period_states(locality, [period])[period.pk]
    departments = list(Department.objects.filter(locality=locality).order_by("name"))
    assignments = _series_of([d.pk for d in departments], period.kind)
    by_series = {(a.indicator_id, a.level): a.department_id for a in assignments}
    actuals = list(
        Actual.objects.filter(locality=locality, period=period)
        .select_related("indicator", "updated_by")
        .order_by("indicator__pillar__order", "indicator__order", "level")
    )
    history: dict[tuple[int, str], list[float]] = {}
    for ind, level, value in (
        Actual.objects.filter(
            locality=locality,
            period__kind=period.kind,
            period__ends_on__lt=period.starts_on,
            status__in=[Status.SUBMITTED, Status.APPROVED],
        )
        .order_by("period__year", "period__quarter")
        .values_list("indicator_id", "level", "value")
    ):
        history.setdefault((ind, level), []).append(float(value))
    reviews = {d.pk: DepartmentReview(department=d) for d in departments}
    for a in assignments:
        if a.level == "district" and period.starts_on > dt.date(2025, 6, 30):
            continue
        reviews[a.department_id].assigned += 1
    for actual in actuals:
        dept_id = by_series.get((actual.indicator_id, actual.level))
        if dept_id is None:
            continue
        r = reviews[dept_id]
        r.entered += 1
        r.submitted += actual.status in (Status.SUBMITTED, Status.APPROVED)
        r.approved += actual.status == Status.APPROVED
        r.returned += actual.status == Status.RETURNED
        if actual.status == Status.SUBMITTED:
            prev = history.get((actual.indicator_id, actual.level), [])
            scale = (
                100.0
                if actual.indicator.unit in ("percent", "growth_rate")
                else max(abs(float(actual.value)), 1.0)
            )
            warning = outlier_warning(prev, float(actual.value), scale=scale) if prev else None
            r.lines.append(ReviewLine(actual=actual, previous=prev[-1] if prev else None, warning=warning))
    for r in reviews.values():
        r.late = today > state.deadline and r.submitted < r.assigned
    return state, [r for r in reviews.values() if r.assigned or r.entered]


def _history_rows(obj, fields: tuple[str, ...], first: tuple[str, ...], shown=None) -> list[dict]:
    """Every recorded version of `obj` (django-simple-history), newest first, with what changed: one query.

    `fields` are compared with the previous version; for the first version only `first` are listed.
    `shown(name, old, new)` may turn a change into what the page displays (labels instead of codes).
    """
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id"))
    out = []
    for i, rec in enumerate(records):
        older = records[i + 1] if i + 1 < len(records) else None
        changes = []
        for name in fields:
            new, old = getattr(rec, name), getattr(older, name) if older else None
            if older is None and name not in first:
                continue
            if new != old:
                changes.append(shown(name, old, new) if shown else (name, old, new))
        out.append(
            {
                "when": rec.history_date,
                "who": rec.history_user,
                "reason": rec.history_change_reason or "",
                "kind": rec.history_type,
                "changes": changes,
                "version": rec.version,
            }
        )
    return out


def actual_history(actual: Actual) -> list[dict]:
    """Every recorded version of a value, newest first, with what changed: one query."""
    fields = ("value", "status", "note", "evidence_url", "evidence_name", "review_comment")
    return _history_rows(actual, fields, first=("value", "status"))


@dataclass
class AssignableSeries:
    indicator: object
    level: str
    department_id: int | None

    @property
    def key(self) -> str:
        return f"{self.indicator.pk}-{self.level or 'none'}"


def assignable_series(locality: Locality) -> list[AssignableSeries]:
    """Every indicator × level the locality has a target for, with its current department. Two queries."""
    from .models import Indicator

    keys = sorted(
        set(Target.objects.filter(locality=locality).values_list("indicator_id", "level")),
    )
    current = {
        (ind, level): dept
        for ind, level, dept in Assignment.objects.filter(department__locality=locality).values_list(
            "indicator_id", "level", "department_id"
        )
    }
    indicators = Indicator.objects.in_bulk({k[0] for k in keys})
    series = [
        AssignableSeries(indicator=indicators[ind], level=level, department_id=current.get((ind, level)))
        for ind, level in keys
    ]
    return sorted(series, key=lambda s: (s.indicator.pillar_id, s.indicator.order, s.level))


# --------------------------------------------------------------------------- DTI improvement plans


def plans_index(plans: QuerySet) -> list:
    """The plans a user may read, each with its number of tasks: one query (annotate)."""
    from django.db.models import Count

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


def with_state(tasks: list, today: dt.date) -> list:
    """Give each task its board state (overdue derived from the deadline) and that state's label."""
    from .models import TaskState

    labels = dict(TaskState.choices)
    for t in tasks:
        t.state = t.state_on(today)
        t.state_label = labels[t.state]
    return tasks


def plan_board(plan, *, today: dt.date, agency_id: int | None = None, state: str | None = None) -> PlanBoard:
    """The board of a plan: pillar × component rows with counts per state, overdue tasks, the agencies to
    filter by. Two queries (tasks joined to pillar and lead; co-operating agencies prefetched) whatever the
    number of tasks; filtering and counting happen here, on the fetched rows."""
    from .models import Component, PlanTask, TaskState

    tasks = with_state(
        list(
            PlanTask.objects.filter(plan=plan)
            .select_related("pillar", "lead")
            .prefetch_related("cooperating")
            .order_by("pillar__order", "order", "code")
        ),
        today,
    )
    agencies: dict[int, Department] = {}
    for t in tasks:
        agencies.setdefault(t.lead_id, t.lead)
        for d in t.cooperating.all():
            agencies.setdefault(d.pk, d)
    shown = tasks
    if agency_id is not None:
        shown = [
            t for t in shown if t.lead_id == agency_id or any(d.pk == agency_id for d in t.cooperating.all())
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
    from .models import Origin

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


def plan_task_detail(task) -> dict:
    """What the task page shows beside the task: co-operating agencies, linked indicators. Two queries."""
    return {
        "cooperating": list(task.cooperating.order_by("name")),
        "indicators": list(task.indicators.select_related("pillar").order_by("pillar__order", "order")),
    }


def plan_task_history(task) -> list[dict]:
    """Every recorded version of a task, newest first, with what changed: one query."""
    from .models import PlanTask, TaskStatus

    statuses = dict(TaskStatus.choices)

    def shown(name: str, old, new):
        if name == "status":
            new, old = statuses.get(new, new), statuses.get(old, old) if old else None
        return (PlanTask._meta.get_field(name).verbose_name, old, new)

    fields = ("status", "progress_note", "evidence_url", "evidence_name", "deadline")
    return _history_rows(task, fields, first=("status",), shown=shown)


def latest_plan_tasks(locality_ids: list[int], *, up_to_year: int, today: dt.date) -> list:
    """The tasks of each locality's latest plan up to a year (the Excel report's "Nhiệm vụ" sheet), with their
    board state: one query (joined), the older plans' rows dropped here."""
    from .models import PlanTask

    tasks = list(
        PlanTask.objects.filter(plan__locality_id__in=locality_ids, plan__year__lte=up_to_year)
        .select_related("plan", "plan__locality", "plan__document", "pillar", "lead")
        .order_by("plan__locality__name", "-plan__year", "pillar__order", "order", "code")
    )
    latest: dict[int, int] = {}
    for t in tasks:
        latest.setdefault(t.plan.locality_id, t.plan.year)
    return with_state([t for t in tasks if t.plan.year == latest[t.plan.locality_id]], today)
