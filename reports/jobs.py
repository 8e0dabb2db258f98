"""The reports' background jobs (issue #20): the Excel report of one or every locality and the Báo cáo
(.docx), registered with the job machinery of `targets.jobs` when the app is ready (`reports.apps`)."""

from __future__ import annotations

import tempfile
from collections.abc import Hashable

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from targets.cache import caching, data_version, figure_versions
from targets.jobs import JobKind, Progress, register
from targets.models import Actual, Assignment, HistoricalPlanTask, Locality
from targets.periods import is_provisional, period_end_date, resolve_as_of

from .display import AsOf

# --- the kinds ---------------------------------------------------------------------------------------------


def _report_scope(params: dict) -> tuple[list[Locality], AsOf]:
    slug = params["locality"]
    if slug == "all":
        localities = list(
            Locality.objects.filter(valid_to__isnull=True, is_country=False, targets__isnull=False).distinct()
        )
    else:
        localities = list(Locality.objects.filter(slug=slug))
    today = timezone.localdate()
    code, time_ = resolve_as_of(params.get("as_of") or None, today=today)
    return localities, AsOf(code, time_, explicit=True, provisional=is_provisional(time_, today=today))


def _report_version(params: dict) -> Hashable:
    """What the report's file depends on besides its parameters: the figures of its localities up to its
    as-of, their entries (drafts and submissions change the data-entry sheet's counts), the assignments,
    the plan tasks' updates, the day (lateness) and, with a cache, the data version (locks, admin edits)."""
    localities, as_of = _report_scope(params)
    ids = [loc.pk for loc in localities]
    entries = Actual.objects.filter(locality_id__in=ids).aggregate(n=Count("id"), last=Max("updated_at"))
    assigned = Assignment.objects.filter(department__locality_id__in=ids).aggregate(
        n=Count("id"), last=Max("id")
    )
    tasks = HistoricalPlanTask.objects.aggregate(last=Max("history_id"))
    return (
        figure_versions(ids, period_end_date(as_of.code)),
        (entries["n"], str(entries["last"])),
        (assigned["n"], assigned["last"]),
        tasks["last"],
        str(timezone.localdate()),
        data_version() if caching() else "",
    )


def _report_run(params: dict, progress: Progress) -> tuple[bytes, str]:
    from . import pages
    from .excel import writer

    localities, as_of = _report_scope(params)
    # The garbage collector leaves the worker's older objects alone while the data is computed too.
    with writer.collecting_new_objects_only(), tempfile.TemporaryFile() as out:
        data = pages.report(
            locality_ids=[loc.pk for loc in localities],
            as_of=as_of,
            pillar_slugs=params.get("pillars") or None,
            today=timezone.localdate(),
        )
        total = max(data.rows_expected, 1)
        progress(0, total)
        writer.write_report(data, out, progress=lambda rows: progress(min(rows, total), total))
        progress(total, total)
        out.seek(0)
        content = out.read()
    return content, f"bao-cao-cds-{params['locality']}-{as_of.code}.xlsx"


register(
    JobKind(
        name="report",
        label=_("Báo cáo Excel"),
        rule="report",
        run=_report_run,
        version=_report_version,
    )
)


def _bao_cao_run(params: dict, progress: Progress) -> tuple[bytes, str]:
    """The Báo cáo of one locality and quarter (issue #18: `reports.bao_cao`), as `/reports/bao-cao/` and
    `export_report --format docx` give it."""
    from . import bao_cao

    localities, as_of = _report_scope(params)
    if params["locality"] == "all" or len(localities) != 1:
        raise ValueError("Báo cáo là của một địa phương: hãy chọn một địa phương.")
    progress(0, 1)
    body = bao_cao.build_bao_cao(
        locality_id=localities[0].pk, period_code=as_of.code, today=timezone.localdate()
    )
    progress(1, 1)
    return body, f"bao-cao-{params['locality']}-{as_of.code}.docx"


def _bao_cao_version(params: dict) -> Hashable:
    """The report's figures (`_report_version`) and the reviewer's texts: the narrative of the locality and
    its letterhead, "Nơi nhận" and signer."""
    from targets.models import ReportNarrative, ReportSettings

    slug = params["locality"]
    texts = ReportNarrative.objects.filter(locality__slug=slug).aggregate(n=Count("id"), v=Max("version"))
    head = ReportSettings.objects.filter(locality__slug=slug).aggregate(v=Max("version"))
    return (_report_version(params), texts["n"], texts["v"], head["v"])


register(
    JobKind(
        name="bao_cao",
        label=_("Báo cáo (Word)"),
        rule="report",
        run=_bao_cao_run,
        version=_bao_cao_version,
    )
)
