"""Review reads: the periods the review page links to, each department's submitted values with their
warnings, and the series a reviewer may assign."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from .. import figures
from ..models import (
    Actual,
    Assignment,
    Department,
    Indicator,
    Locality,
    PeriodKind,
    ReportingPeriod,
    Status,
    Target,
)
from ..periods import (
    district_level_reports,
    entry_period_codes,
    newest_first,
)
from ..rules import outlier_text
from .entry import PeriodState, ValueCounts, assigned_series, period_states, stored_ids


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
    return [(code, waiting.get(code, 0)) for code in sorted(codes, key=newest_first)]


@dataclass
class ReviewLine:
    actual: Actual
    change: Decimal | None  # from the previous submitted or approved value, at the indicator's precision
    warning: str | None  # why the value is unusual, in plain words


@dataclass(kw_only=True)
class DepartmentReview(ValueCounts):
    department: Department
    late: bool = False
    lines: list[ReviewLine] = field(default_factory=list)


def review_overview(
    locality: Locality, period: ReportingPeriod, *, today: dt.date
) -> tuple[PeriodState, list[DepartmentReview]]:
    """The reviewer's page: per department its progress and its values awaiting review. Five queries."""

    state = period_states(locality, [period])[period.pk]
    departments = list(Department.objects.filter(locality=locality).order_by("name"))
    assignments = assigned_series([d.pk for d in departments], period.kind)
    by_series = {(a.indicator_id, a.level): a.department_id for a in assignments}
    actuals = list(
        Actual.objects.filter(locality=locality, period_id__in=stored_ids([period]))
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
        if a.level == "district" and not district_level_reports(period.starts_on):
            continue
        reviews[a.department_id].assigned += 1
    for actual in actuals:
        dept_id = by_series.get((actual.indicator_id, actual.level))
        if dept_id is None:
            continue
        r = reviews[dept_id]
        r.count(actual.status)
        if actual.status == Status.SUBMITTED:
            prev = history.get((actual.indicator_id, actual.level), [])
            unit = actual.indicator.unit
            warning = outlier_text(prev, actual.value, unit=unit, yearly=period.kind == PeriodKind.YEAR)
            change = figures.change(actual.value, prev[-1], unit) if prev else None
            r.lines.append(ReviewLine(actual=actual, change=change, warning=warning))
    for r in reviews.values():
        r.late = today > state.deadline and r.submitted < r.assigned
    return state, [r for r in reviews.values() if r.assigned or r.entered]


@dataclass(frozen=True)
class OpenItems:
    """What is still open in one department's period: the lock's confirmation lists it."""

    department: Department
    waiting: int  # submitted, not yet decided
    returned: int  # sent back, not yet corrected
    drafts: int  # saved, not submitted
    missing: int  # assigned, nothing entered

    @property
    def any(self) -> bool:
        return bool(self.waiting or self.returned or self.drafts or self.missing)


def open_items(departments: list[DepartmentReview]) -> list[OpenItems]:
    """Per department of the review page (`review_overview`), what a lock would leave undone."""
    out = []
    for d in departments:
        waiting = d.submitted - d.approved
        out.append(
            OpenItems(
                department=d.department,
                waiting=waiting,
                returned=d.returned,
                drafts=d.entered - d.submitted - d.returned,
                missing=max(d.assigned - d.entered, 0),
            )
        )
    return [o for o in out if o.any]


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
