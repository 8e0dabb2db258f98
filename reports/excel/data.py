"""The Excel report's rows: what `reports.excel.writer` writes, from the page model's assessment.

`reports.pages.report` assesses the targets (the same engine path as the dashboards and open data) and
hands the results here; this module reads the rest (the targets' text and documents, the data-entry
progress, the improvement-plan tasks, the published figures' sources) in a fixed number of queries and
shapes every line. The targets and the actuals come as one-pass iterators (the report's rows are never all
in memory at once): the targets from a database cursor read in chunks, the actuals from the observations
frame the engine has already used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import FloatField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.selectors import with_target_pillar
from reports.status import labels as status_labels
from targets.formatting import target_text
from targets.models import (
    Actual,
    Department,
    Document,
    Indicator,
    Level,
    Locality,
    Origin,
    Pillar,
    ReportingPeriod,
    Status,
    Target,
    TaskState,
)
from targets.selectors.entry import worklist
from targets.selectors.plans import latest_plan_tasks

from .writer import ActualLine, DepartmentLine, DocumentLine, ReportData, TargetLine, TaskLine


def report_data(
    *,
    locality_ids: list[int],
    as_of_code: str,
    pillar_slugs: list[str] | None,
    today: dt.date,
    provisional: bool,
    assessed: pd.DataFrame,
    summary: Mapping[str, Mapping[str, Any]],
    observations: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    previous_code: str = "",
    locality_summary: Mapping[str, Mapping[str, Any]] | None = None,
) -> ReportData:
    """Everything the Excel report shows. `assessed` is the page model's assessment of the localities'
    targets at the as-of quarter, `summary` the engine's roll-up per pillar, `observations` the figures
    known then (in the order the "Số liệu" sheet lists them).

    A fixed number of queries (with the page model's three, ten; and the data-entry worklist's when the
    as-of quarter exists) whatever the number of localities, targets, actuals and plan tasks.
    """
    localities = {loc.pk: loc for loc in Locality.objects.filter(pk__in=locality_ids).order_by("name")}
    pillars = [
        (p.slug, p.name)
        for p in Pillar.objects.order_by("order")
        if not pillar_slugs or p.slug in pillar_slugs
    ]
    level_labels = {code: str(label) for code, label in Level.choices}

    # Data-entry progress for the as-of quarter (an annual as-of uses that year's figures).
    period = ReportingPeriod.objects.filter(code=as_of_code).first()
    departments: list[DepartmentLine] = []
    if period is not None:
        depts = list(
            Department.objects.filter(locality_id__in=locality_ids)
            .select_related("locality")
            .order_by("locality__name", "name")
        )
        for line in worklist(depts, [period]):
            if not line.assigned:
                continue
            departments.append(
                DepartmentLine(
                    locality=line.department.locality.name,
                    department=line.department.name,
                    assigned=line.assigned,
                    entered=line.entered,
                    submitted=line.submitted,
                    approved=line.approved,
                    late=today > line.state.deadline and line.submitted < line.assigned,
                )
            )
    # A document is named by its number and title, and found by its address: never by the portal's own
    # file name or code.
    documents = [
        DocumentLine(
            number=doc.number,
            title=f"{doc.title} — {doc.issuer}" if doc.issuer else doc.title,
            issued_on=doc.issued_on,
            source=doc.source_url,
        )
        for doc in Document.objects.filter(locality_id__in=locality_ids).order_by("locality__name", "code")
    ]
    tasks = [
        TaskLine(
            locality=t.plan.locality.name,
            plan=f"{t.plan.document.number or t.plan.document.code} ({t.plan.year})",
            pillar=t.pillar.name,
            component=str(t.get_component_display()),
            section=t.section,
            text=t.text,
            # Who answers for the task on the report's day (issue #16): the lead, or its successor; a group's
            # task is shared, with the department that follows it up.
            lead=(
                _("%(group)s (chung; theo dõi: %(follow)s)")
                % {"group": t.lead.name, "follow": t.follow_up.name}
                if t.shared and t.follow_up
                else t.answering.name
            ),
            deadline=t.deadline,
            state=t.state,
            state_label=str(t.state_label),
            note=t.progress_note,
        )
        for t in latest_plan_tasks(locality_ids, up_to_year=int(as_of_code[:4]), today=today)
    ]
    return ReportData(
        localities=[loc.name for loc in localities.values()],
        as_of=as_of_code,
        generated_at=timezone.localtime(),
        pillars=pillars,
        status_labels=status_labels(),
        targets=_report_targets(locality_ids, [p[0] for p in pillars], assessed, level_labels, previous),
        departments=departments,
        progress_period=as_of_code,
        actuals=_report_actuals(observations, localities, locality_ids, level_labels),
        documents=documents,
        tasks=tasks,
        task_state_labels={k: str(v) for k, v in TaskState.choices},
        summary=summary,
        provisional=provisional,
        previous_period=previous_code,
        locality_summary=[
            (loc.name, (locality_summary or {})[loc.slug])
            for loc in localities.values()
            if loc.slug in (locality_summary or {})
        ],
        code_labels={
            **{code: str(label) for code, label in Origin.choices},
            **{code: str(label) for code, label in Status.choices},
        },
        rows_expected=2 * _targets_in(assessed, pillars)
        + len(observations)
        + len(tasks)
        + len(departments)
        + len(documents),
    )


def _targets_in(assessed: pd.DataFrame, pillars: list[tuple[str, str]]) -> int:
    """How many of the assessed targets the pillar sheets show."""
    if assessed.empty or "pillar" not in assessed.columns:
        return len(assessed)
    return int(assessed["pillar"].isin([slug for slug, _ in pillars]).sum())


def _report_targets(
    locality_ids: list[int],
    pillar_slugs: list[str],
    assessed: pd.DataFrame,
    level_labels: dict[str, str],
    previous: pd.DataFrame | None = None,
) -> Iterator[TargetLine]:
    """The report's target lines with their assessment, in the order of the pillar sheets: one query, read
    in chunks as the report is written."""
    labels = status_labels()
    provisional_labels = {code: f"tạm tính: {label.lower()}" for code, label in labels.items()}
    # Each assessed target's figures as the lines hold them (floats, None where missing; text, "" where
    # missing), converted column by column.
    figures = _figures(assessed, ("latest", "gap", "completion", "projected", "required_pace_per_year"))
    after = _figures(assessed, ("latest_after_deadline", "lower", "upper"))
    among = [
        [None if v is None else int(v) for v in column]
        for column in _figures(assessed, ("after_ranked_among", "latest_ranked_among"))
    ]
    texts_of = _texts(assessed, ("latest_period", "after_period", "status", "provisional_status"))
    texts_of[2] = [status or "insufficient_data" for status in texts_of[2]]
    texts_of[3] = [provisional_labels[code] if code else "" for code in texts_of[3]]
    is_demo = (assessed["latest_origin"] == Origin.DEMO).tolist()
    assessments = dict(
        zip(
            assessed.index.tolist(),
            zip(*figures, *after, *among, *texts_of, is_demo, strict=True),
            strict=True,
        )
    )
    unassessed = (None,) * 10 + ("", "", "insufficient_data", "", False)
    # The period before: each target's figure and status then (the change since the previous quarter).
    before: dict[int, tuple[Any, Any]] = {}
    if previous is not None and not previous.empty:
        (previous_latest,) = _figures(previous, ("latest",))
        (previous_status,) = _texts(previous, ("status",))
        before = dict(
            zip(previous.index.tolist(), zip(previous_latest, previous_status, strict=True), strict=True)
        )
    # The figures cast to floats in SQL: no Decimal made per value by Django's converters (they cost more than
    # the query at national scale); a float prints as the same figure in the target's text (`target_text`).
    rows = (
        with_target_pillar(Target.objects.filter(locality_id__in=locality_ids))
        .filter(target_pillar__in=pillar_slugs)
        .annotate(
            value_float=Cast("value", FloatField()),
            value_max_float=Cast("value_max", FloatField()),
            baseline_float=Cast("baseline_value", FloatField()),
        )
        .order_by("locality__name", "target_pillar_order", "indicator__order", "level", "year")
        .values_list(
            "id",
            "indicator_id",
            "unit",
            "comparator",
            "value_float",
            "value_max_float",
            "year",
            "level",
            "baseline_float",
            "quote",
            "locality__name",
            "indicator__name",
            "target_pillar",
            "document__number",
            "document__title",
        )
        .iterator(chunk_size=2000)
    )
    texts: dict[tuple, str] = {}  # the target as stated, by (unit, comparator, value, max): few distinct

    for tid, indicator_id, unit, comparator, value, value_max, year, level, baseline, quote, *names in rows:
        locality, indicator, pillar, document_number, document_title = names
        key = (unit, comparator, value, value_max)
        text = texts.get(key)
        if text is None:
            text = texts[key] = str(
                target_text(
                    SimpleNamespace(unit=unit, comparator=comparator, value=value, value_max=value_max)
                )
            )
        (
            latest,
            gap,
            completion,
            projected,
            pace,
            after_value,
            lower,
            upper,
            after_among,
            latest_among,
            latest_period,
            after_period,
            status,
            provisional_label,
            latest_is_demo,
        ) = assessments.get(tid, unassessed)
        previous_latest, previous_status = before.get(tid, (None, ""))
        yield TargetLine(
            locality=locality,
            pillar=pillar,
            indicator=indicator,
            level=level_labels.get(level, "") if level else "",
            unit=unit,
            target=text,
            target_value=float(value),
            year=year,
            baseline=None if baseline is None else float(baseline),
            latest=latest,
            latest_period=latest_period,
            gap=gap,
            completion=completion,
            status=status,
            projected=projected,
            pace=pace,
            latest_is_demo=latest_is_demo,
            after_deadline=after_value,
            after_deadline_period=after_period,
            after_deadline_among=after_among,
            latest_among=latest_among,
            provisional_label=provisional_label,
            document=document_number or document_title,
            quote=" ".join(quote.split()),
            target_id=tid,
            indicator_id=indicator_id,
            level_code=level or "",
            previous_latest=previous_latest,
            previous_status=previous_status,
            lower=lower,
            upper=upper,
        )


def _figures(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[list[float | None]]:
    """The frame's `columns` as lists of floats, None where a figure is missing (NaN)."""
    out = []
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        out.append([None if v != v else v for v in values.tolist()])
    return out


def _texts(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[list[str]]:
    """The frame's `columns` as lists of text, "" where missing (NaN, None)."""
    return [[v if isinstance(v, str) else "" for v in frame[column].tolist()] for column in columns]


def _report_actuals(
    obs: pd.DataFrame, localities: dict, locality_ids: list[int], level_labels: dict[str, str]
) -> Iterator[ActualLine]:
    """Approved and published values in long form from the engine's observations frame; the published
    figures' sources in one query."""
    indicators = {
        pk: (code, name)
        for pk, code, name in Indicator.objects.filter(pk__in=set(obs["indicator_id"].tolist())).values_list(
            "pk", "code", "name"
        )
    }
    sources = {
        (ind, loc, code): src
        for ind, loc, code, src in Actual.objects.filter(
            locality_id__in=locality_ids, origin=Origin.PUBLISHED
        ).values_list("indicator_id", "locality_id", "period__code", "source")
    }
    # A source given as the portal's own copy of a document (its file name) is shown as that document: its
    # number and title, and its address when it has one — never the internal file name.
    documents = {
        source_file: " — ".join(part for part in (f"{number}: {title}" if number else title, url) if part)
        for source_file, number, title, url in Document.objects.exclude(source_file="").values_list(
            "source_file", "number", "title", "source_url"
        )
    }
    sources = {key: documents.get(src, src) for key, src in sources.items()}
    names = {pk: loc.name for pk, loc in localities.items()}
    columns = ("locality_id", "indicator_id", "level", "obs_period", "obs_value", "origin")
    for locality_id, indicator_id, level, period, value, origin in zip(
        *(obs[c].tolist() for c in columns), strict=True
    ):
        code, name = indicators[indicator_id]
        yield ActualLine(
            locality=names[locality_id],
            indicator_code=code,
            indicator=name,
            level=level_labels.get(level, "") if level else "",
            period=period,
            value=float(value),
            status="approved",
            origin=origin,
            source=sources.get((indicator_id, locality_id, period), ""),
            is_demo=origin == Origin.DEMO,
            is_published=origin == Origin.PUBLISHED,
        )
