"""DTI framework writes (issue #21): the framework versions and their indices, which index each indicator
and each plan task feeds, and the published main-index scores — from `fixtures/catalogue/dti/`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ..cache import data_changed, everything_changed
from ..catalogue import CatalogueError
from ..frameworks import grid_index, read_frameworks
from ..models import Framework, FrameworkIndex, IndexLink, IndexScore, Indicator, Locality, PlanTask
from .checks import clean_or_collect


@dataclass(frozen=True)
class FrameworksReport:
    frameworks: int
    indices: int
    indicator_links: int
    task_links: int
    scores: int


def frameworks_load(*, root: Path | None = None) -> FrameworksReport:
    """Load (or update in place) the frameworks after the catalogue and the plans. Idempotent; all checked
    before anything is written, in one transaction: a broken file raises CatalogueError and changes nothing.
    Indices, links and scores no longer in the files are removed (the files are the truth)."""
    root = root or Path(settings.CATALOGUE_DIR)
    indicators = {i.code: i for i in Indicator.objects.all()}
    localities = {loc.slug: loc for loc in Locality.objects.all()}
    data = read_frameworks(root, indicators=set(indicators), localities=set(localities))
    errors: list[str] = []
    with transaction.atomic():
        frameworks: dict[str, Framework] = {}
        for order, rec in enumerate(data.frameworks, start=1):
            obj = Framework.objects.filter(code=rec["code"]).first() or Framework(code=rec["code"])
            obj.name = rec["framework"]
            obj.decision = rec["decision"]
            obj.issued_on = rec["_date"]
            obj.first_year = rec.get("first_year")
            obj.last_year = rec.get("last_year")
            obj.provincial = rec.get("provincial", True)
            obj.note = rec.get("note", "")
            obj.order = order
            clean_or_collect(obj, rec["_where"], errors, exclude=["code"], db_checks=False)
            obj.save()
            frameworks[obj.code] = obj
        Framework.objects.exclude(code__in=frameworks).delete()

        existing = {(i.framework_id, i.key): i for i in FrameworkIndex.objects.all()}
        indices: dict[tuple[str, str], FrameworkIndex] = {}
        for rec in data.indices:  # parents come before their children in the file
            fw = frameworks[rec["framework"]]
            obj = existing.get((fw.pk, rec["key"])) or FrameworkIndex(framework=fw, key=rec["key"])
            obj.level = rec["level"]
            obj.code = rec["code"]
            obj.parent = indices.get((rec["framework"], rec["parent"])) if rec["parent"] else None
            obj.name = rec["name"]
            obj.name_en = rec["name_en"]
            obj.points = rec["points"]
            obj.source = rec["source"]
            obj.order = rec["order"]
            obj.save()
            indices[(rec["framework"], rec["key"])] = obj
        FrameworkIndex.objects.exclude(pk__in=[i.pk for i in indices.values()]).delete()

        wanted: dict[tuple[int, int | None, int | None], str] = {}
        for rec in data.indicator_links:
            index = indices[(rec["framework"], rec["index"])]
            wanted[(index.pk, indicators[rec["indicator"]].pk, None)] = rec["note"]
        task_links = 0
        for task in PlanTask.objects.select_related("pillar"):
            for code in frameworks:
                cell = grid_index(
                    data.grid, framework=code, pillar=task.pillar.slug, component=task.component
                )
                if cell is None:
                    continue
                wanted[(indices[(code, cell["index"])].pk, None, task.pk)] = cell["note"]
                task_links += 1
        have = {(link.index_id, link.indicator_id, link.task_id): link for link in IndexLink.objects.all()}
        for key, link in have.items():
            if key not in wanted:
                link.delete()
            elif link.note != wanted[key]:
                link.note = wanted[key]
                link.save(update_fields=["note"])
        IndexLink.objects.bulk_create(
            IndexLink(index_id=i, indicator_id=ind, task_id=t, note=note)
            for (i, ind, t), note in wanted.items()
            if (i, ind, t) not in have
        )

        kept: set[int] = set()
        for rec in data.scores:
            index = indices[(rec["framework"], rec["index"])]
            obj, _ = IndexScore.objects.update_or_create(
                locality=localities[rec["locality"]],
                index=index,
                year=rec["year"],
                defaults={"value": Decimal(rec["value"]), "source": rec["source"], "note": rec["note"]},
            )
            kept.add(obj.pk)
        IndexScore.objects.exclude(pk__in=kept).delete()
        if errors:
            transaction.set_rollback(True)
            raise CatalogueError(errors)
        # The pillar and series pages name each DTI result's framework: pages kept under the figures'
        # versions (not the data version) are computed again. No assessment depends on a framework.
        everything_changed(reassess=False)
    data_changed()
    return FrameworksReport(
        frameworks=len(frameworks),
        indices=len(indices),
        indicator_links=len(data.indicator_links),
        task_links=task_links,
        scores=len(kept),
    )
