"""Entry reads: the periods a department may enter (returned ones too), each period's state for a
locality (deadline, lock), the worklist, and the lines of an entry form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..access import value_accepts_entry
from ..models import (
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
from ..periods import (
    default_deadline,
    district_level_reports,
    newest_first,
)

# --------------------------------------------------------------------------- data entry and review


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
    return sorted(periods, key=lambda p: newest_first(p.code))


def period_for_page(code: str) -> ReportingPeriod:
    """The period of a page: its row when stored, else the period the code stands for, unsaved — a page
    (GET) never creates a period; the first save does (`services.catalogue.period_get_or_create`). One
    query. ValueError on a bad code."""
    unsaved = ReportingPeriod.from_code(code)
    return ReportingPeriod.objects.filter(code=code).first() or unsaved


def stored_ids(periods: list[ReportingPeriod]) -> list[int]:
    """The ids of the periods that have a row: an unsaved period (`period_for_page`) holds nothing yet."""
    return [p.pk for p in periods if p.pk is not None]


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
        lp.period_id: lp
        for lp in LocalityPeriod.objects.filter(locality=locality, period_id__in=stored_ids(periods))
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


def assigned_series(department_ids: list[int], kind: str) -> list[Assignment]:
    frequency = "quarterly" if kind == PeriodKind.QUARTER else "annual"
    return list(
        Assignment.objects.filter(department_id__in=department_ids, indicator__frequency=frequency)
        .select_related("indicator", "indicator__pillar", "department", "department__locality")
        .order_by("indicator__pillar__order", "indicator__order", "level")
    )


@dataclass(kw_only=True)
class ValueCounts:
    """A department's values in a period: assigned, entered, and how many of them are at each stage."""

    assigned: int = 0
    entered: int = 0
    submitted: int = 0  # submitted or approved
    approved: int = 0
    returned: int = 0

    def count(self, status: str) -> None:
        """One more entered value, in `status`."""
        self.entered += 1
        self.submitted += status in (Status.SUBMITTED, Status.APPROVED)
        self.approved += status == Status.APPROVED
        self.returned += status == Status.RETURNED


@dataclass(kw_only=True)
class WorklistLine(ValueCounts):
    department: Department
    state: PeriodState

    @property
    def missing(self) -> int:
        return self.assigned - self.entered

    @property
    def to_submit(self) -> int:
        """Values the department still has to send: missing, drafts and values sent back."""
        return self.assigned - self.submitted

    def progress(self, today: dt.date) -> str:
        """Where the department's quarter stands (issue #17, item 7): "done" when every value is approved,
        "locked" when the reviewer closed it first, "waiting" when everything is sent and awaits review,
        "overdue" only when the deadline has passed with values still to send, else "open"."""
        if self.assigned and self.approved == self.assigned:
            return "done"
        if self.state.locked:
            return "locked"
        if self.to_submit == 0:
            return "waiting"
        if today > self.state.deadline:
            return "overdue"
        return "open"


def worklist(departments: list[Department], periods: list[ReportingPeriod]) -> list[WorklistLine]:
    """Per period × department: assigned / entered / submitted / approved / returned. Three queries.

    In the order of `periods` (the current quarter first), each period's departments in their order; a
    department with nothing assigned in a period has no line (issue #17: nothing to do, nothing listed)."""
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
            locality_id__in=localities,
            period_id__in=stored_ids(periods),
            indicator_id__in={a[1] for a in assignments},
        ).values_list("locality_id", "indicator_id", "level", "period_id", "status")
    }
    locks = {
        (lp.locality_id, lp.period_id): lp
        for lp in LocalityPeriod.objects.filter(locality_id__in=localities, period_id__in=stored_ids(periods))
    }
    # Each department's assigned series (a national report lists hundreds of departments: not every
    # assignment for each of them).
    assigned: dict[int, list[tuple[int, str, str]]] = {}
    for dept_id, ind, level, freq in assignments:
        assigned.setdefault(dept_id, []).append((ind, level, freq))
    lines = []
    for p in periods:
        for d in departments:
            lp = locks.get((d.locality_id, p.pk))
            state = PeriodState(
                period=p,
                deadline=deadline_for(d.locality, p, lp.deadline if lp else None),
                locked=bool(lp and lp.is_locked),
            )
            line = WorklistLine(department=d, state=state)
            frequency = "quarterly" if p.kind == PeriodKind.QUARTER else "annual"
            for ind, level, freq in assigned.get(d.pk, ()):
                if freq != frequency:
                    continue
                if level == "district" and not district_level_reports(p.starts_on):
                    continue
                line.assigned += 1
                status = actuals.get((d.locality_id, ind, level, p.pk))
                if status is None:
                    continue
                line.count(status)
            if line.assigned:
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

        return value_accepts_entry(self.actual, period_open=self.period_open)


def entry_lines(
    department: Department, period: ReportingPeriod, *, period_open: bool = True
) -> list[EntryLine]:
    """The entry form of a department for a period: four queries whatever the number of indicators."""
    assignments = [
        a
        for a in assigned_series([department.pk], period.kind)
        if not (a.level == "district" and not district_level_reports(period.starts_on))
    ]
    ind_ids = {a.indicator_id for a in assignments}
    current = {
        (a.indicator_id, a.level): a
        for a in Actual.objects.filter(
            locality_id=department.locality_id, period_id__in=stored_ids([period]), indicator_id__in=ind_ids
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
