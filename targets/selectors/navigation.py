"""Navigation reads (issue #17, item 6): the counts the menu shows (values waiting for review, quarters with
values still to send) and where a reviewer lands (the quarter with the most values waiting). A fixed number
of queries whatever the data size; who sees what is decided by `targets.access`, passed in as querysets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from ..models import Actual, Assignment, Department, Locality, LocalityPeriod, Status
from ..periods import district_level_reports, entry_period_codes, parse_period_code, quarter_bounds


@dataclass(frozen=True)
class WaitingQuarter:
    locality_slug: str
    locality_name: str
    period: str
    waiting: int


def busiest_quarters(localities: QuerySet[Locality]) -> list[WaitingQuarter]:
    """Each locality × period with values waiting for review, the most waiting first (then the newest
    period, then the locality's name). One query."""
    rows = (
        Actual.objects.filter(locality__in=localities, status=Status.SUBMITTED)
        .values("locality__slug", "locality__name", "period__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "-period__year", "-period__quarter", "locality__name")
    )
    return [WaitingQuarter(r["locality__slug"], r["locality__name"], r["period__code"], r["n"]) for r in rows]


def waiting_by_locality(localities: QuerySet[Locality], period_code: str) -> dict[int, int]:
    """Values waiting for review in one period, per locality id. One query."""
    return dict(
        Actual.objects.filter(locality__in=localities, status=Status.SUBMITTED, period__code=period_code)
        .values("locality_id")
        .annotate(n=Count("pk"))
        .values_list("locality_id", "n")
    )


def _started(code: str, today: dt.date) -> bool:
    year, quarter = parse_period_code(code)
    return (quarter_bounds(year, quarter)[0] if quarter else dt.date(year, 1, 1)) <= today


def quarters_due(departments: QuerySet[Department], today: dt.date) -> int:
    """How many of the periods the worklist offers (started, not locked) still have an assigned value the
    departments have not sent (missing, draft or returned). Three queries."""
    codes = [c for c in entry_period_codes(today) if _started(c, today)]
    series = list(
        Assignment.objects.filter(department__in=departments).values_list(
            "department__locality_id", "indicator_id", "level", "indicator__frequency"
        )
    )
    if not series:
        return 0
    localities = {s[0] for s in series}
    sent = set(
        Actual.objects.filter(
            locality_id__in=localities,
            indicator_id__in={s[1] for s in series},
            period__code__in=codes,
            status__in=(Status.SUBMITTED, Status.APPROVED),
        ).values_list("locality_id", "indicator_id", "level", "period__code")
    )
    locked = set(
        LocalityPeriod.objects.filter(
            locality_id__in=localities, period__code__in=codes, locked_at__isnull=False
        ).values_list("locality_id", "period__code")
    )
    due = set()
    for code in codes:
        year, quarter = parse_period_code(code)
        starts = quarter_bounds(year, quarter)[0] if quarter else dt.date(year, 1, 1)
        frequency = "quarterly" if quarter else "annual"
        for loc, ind, level, freq in series:
            if freq != frequency or (loc, code) in locked:
                continue
            if level == "district" and not district_level_reports(starts):
                continue
            if (loc, ind, level, code) not in sent:
                due.add(code)
                break
    return len(due)
