"""Catalogue writes: the catalogue (pillars, localities, indicators, documents, targets), the published
figures, and reporting periods (created from their code on first use)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from ..cache import (  # the stored assessments, in the transaction
    data_changed,  # called after every write that changes what pages and reports show
    everything_changed,
    figures_changed,
)
from ..catalogue import CatalogueError, read_catalogue, read_published
from ..models import (
    Actual,
    Document,
    Indicator,
    Level,
    Locality,
    Origin,
    Pillar,
    ReportingPeriod,
    Status,
    Target,
)
from .checks import (
    clean_or_collect,
)


@dataclass(frozen=True)
class LoadReport:
    pillars: int
    localities: int
    indicators: int
    documents: int
    targets: int
    targets_removed: int


def catalogue_load(*, root: Path | None = None) -> LoadReport:
    """Load (or update in place) the catalogue from `fixtures/`. Idempotent: running it twice changes nothing.

    Every file is parsed and checked before anything is written, and the writes run in one transaction:
    a broken fixture raises CatalogueError naming the file and record, and leaves the database unchanged.
    Targets of a loaded document that are no longer in its file are removed (the files are the truth).
    """
    root = root or Path(settings.CATALOGUE_DIR)
    cat = read_catalogue(root)
    errors: list[str] = []
    with transaction.atomic():
        pillars: dict[str, Pillar] = {}
        for rec in cat.pillars:
            obj, _ = Pillar.objects.update_or_create(
                slug=rec["slug"],
                defaults={"name": rec["name"], "name_en": rec["name_en"], "order": rec["order"]},
            )
            pillars[obj.slug] = obj

        localities: dict[str, Locality] = {}
        for rec in cat.localities:
            obj = Locality.objects.filter(slug=rec["slug"]).first() or Locality(slug=rec["slug"])
            obj.name = rec["name"]
            obj.name_en = rec.get("name_en", "")
            obj.valid_from = rec.get("valid_from")
            obj.valid_to = rec.get("valid_to")
            obj.is_demo = rec.get("is_demo", False)
            obj.publishes = rec.get("publishes", False)  # public pages and open data (issue #19)
            obj.official_code = rec.get("official_code", "")
            clean_or_collect(obj, rec["_where"], errors, exclude=["slug"], db_checks=False)
            obj.save()
            localities[obj.slug] = obj
        for rec in cat.localities:
            localities[rec["slug"]].predecessors.set([localities[p] for p in rec.get("predecessors", [])])

        indicators: dict[str, Indicator] = {}
        for order, rec in enumerate(cat.indicators, start=1):
            obj = Indicator.objects.filter(code=rec["code"]).first() or Indicator(code=rec["code"])
            obj.pillar = pillars[rec["pillar"]]
            obj.name = rec["name"]
            obj.name_en = rec["name_en"]
            obj.unit = rec["unit"]
            obj.frequency = rec["frequency"]
            obj.higher_is_better = rec.get("higher_is_better", True)
            obj.definition = rec.get("definition", "")
            obj.order = order
            clean_or_collect(
                obj, rec["_where"], errors, exclude=["code", "pillar", "locality"], db_checks=False
            )
            obj.save()
            indicators[obj.code] = obj

        documents: dict[str, Document] = {}
        for rec in cat.documents:
            obj = Document.objects.filter(code=rec["code"]).first() or Document(code=rec["code"])
            obj.locality = localities[rec["locality"]]
            obj.number = rec.get("number", "")
            obj.title = rec["title"]
            obj.issuer = rec.get("issuer", "")
            obj.issued_on = rec.get("issued_on")
            obj.source_file = rec["source_file"]
            obj.source_url = rec.get("source_url", "")
            obj.text = rec["text"]
            clean_or_collect(
                obj, rec["_where"], errors, exclude=["code", "pillar", "locality"], db_checks=False
            )
            obj.save()
            documents[obj.code] = obj

        existing = {
            (t.indicator_id, t.locality_id, t.level, t.year, t.document_id): t
            for t in Target.objects.filter(document__in=documents.values())
        }
        kept: set[int] = set()
        for rec in cat.targets:
            ind = indicators[rec["indicator"]]
            loc = localities[rec["locality"]]
            doc = documents[rec["document"]]
            key = (ind.pk, loc.pk, rec["level"], rec["year"], doc.pk)
            obj = existing.get(key)
            if obj is None:
                obj = Target(indicator=ind, locality=loc, level=rec["level"], year=rec["year"], document=doc)
            fields = {
                "unit": ind.unit,
                "comparator": rec["comparator"],
                "value": Decimal(str(rec["value"])),
                "value_max": None if rec["value_max"] is None else Decimal(str(rec["value_max"])),
                "baseline_year": rec["baseline_year"],
                "baseline_value": None
                if rec["baseline_value"] is None
                else Decimal(str(rec["baseline_value"])),
                "quote": rec["quote"],
                "note": rec["note"],
                "applies_until": rec["applies_until"],
            }
            if obj.pk is not None and all(getattr(obj, k) == v for k, v in fields.items()):
                kept.add(obj.pk)
                continue
            for k, v in fields.items():
                setattr(obj, k, v)
            # The reader checked references and uniqueness; skip full_clean's per-row queries for them.
            clean_or_collect(
                obj, rec["_where"], errors, exclude=["indicator", "locality", "document"], db_checks=False
            )
            if errors:
                continue
            obj.save()
            kept.add(obj.pk)
        if errors:
            transaction.set_rollback(True)
            raise CatalogueError(errors)
        stale = Target.objects.filter(document__in=documents.values()).exclude(pk__in=kept)
        removed = stale.count()
        stale.delete()
        everything_changed()  # targets changed: every stored assessment recomputed
    data_changed()
    return LoadReport(
        pillars=len(pillars),
        localities=len(localities),
        indicators=len(indicators),
        documents=len(documents),
        targets=len(kept),
        targets_removed=removed,
    )


def period_get_or_create(*, code: str) -> ReportingPeriod:
    """The period for a code (`2026-Q3` or `2024`), created on first use. Raises ValueError on a bad code."""
    period = ReportingPeriod.from_code(code)
    existing = ReportingPeriod.objects.filter(code=code).first()
    if existing is not None:
        return existing
    # Built from a parsed code, so the row is valid; the database constraints back that up.
    period.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            period.save()
    except IntegrityError:  # created meanwhile by a concurrent request
        return ReportingPeriod.objects.get(code=code)
    return period


@dataclass(frozen=True)
class PublishedReport:
    created: int
    updated: int
    unchanged: int
    skipped: tuple[str, ...] = ()  # one line per row not loaded, with the reason


def published_figures_load(*, path: Path | None = None) -> PublishedReport:
    """Load the published figures as approved actuals of origin `published`, each with its source and the
    day it was made public (`published_on`, from which time travel counts it).

    Idempotent. A published figure replaces a demo value for the same period (real figures win), but never
    an entered or imported one: those are reported as a conflict instead of being overwritten. Where a
    `merged` row (the merged unit, e.g. Đà Nẵng with Quảng Nam in the 2024 ranking of 34) and a `former`
    row (the pre-merger unit) share a key, the merged one is loaded and the former one skipped (reported).
    """
    path = path or Path(settings.CATALOGUE_DIR) / "published_figures.csv"
    localities = {loc.slug: loc for loc in Locality.objects.all()}
    indicators = {ind.code: ind for ind in Indicator.objects.all()}
    rows = read_published(path, localities=set(localities), indicators=set(indicators))
    merged_keys = {(r.locality, r.indicator, r.year) for r in rows if r.unit_scope == "merged"}
    skipped: list[str] = []
    created = updated = unchanged = 0
    errors: list[str] = []
    touched: list[tuple[int, int, dt.date]] = []
    with transaction.atomic():
        for row in rows:
            if row.unit_scope == "former" and (row.locality, row.indicator, row.year) in merged_keys:
                skipped.append(
                    f"{row.where}: {row.locality} {row.indicator} {row.year} skipped — figure of the former "
                    "(pre-merger) unit; the merged unit's figure for the same year is loaded instead"
                )
                continue
            period = period_get_or_create(code=str(row.year))
            ind = indicators[row.indicator]
            loc = localities[row.locality]
            value = Decimal(str(row.value))
            actual = Actual.objects.filter(
                indicator=ind, locality=loc, level=Level.NONE, period=period
            ).first()
            if actual is not None and actual.origin in (Origin.ENTERED, Origin.IMPORTED):
                errors.append(f"{row.where}: {loc.slug} {ind.code} {row.year} already has a reported value")
                continue
            fields = {
                "value": value,
                "status": Status.APPROVED,
                "origin": Origin.PUBLISHED,
                "source": row.source,
                "note": row.note,
                "ranked_among": row.ranked_among,
                "published_on": row.published_on,
            }
            if actual is None:
                actual = Actual(indicator=ind, locality=loc, level=Level.NONE, period=period, **fields)
                created += 1
            elif all(getattr(actual, k) == v for k, v in fields.items()):
                unchanged += 1
                continue
            else:
                for k, v in fields.items():
                    setattr(actual, k, v)
                actual.version += 1
                updated += 1
            clean_or_collect(actual, row.where, errors, exclude=["evidence_file"])
            if not errors:
                actual._change_reason = "published figure loaded"
                actual.save()
                touched.append((loc.pk, ind.pk, period.ends_on))
        if errors:
            transaction.set_rollback(True)
            raise CatalogueError(errors)
        figures_changed(touched)
    data_changed()
    return PublishedReport(created=created, updated=updated, unchanged=unchanged, skipped=tuple(skipped))
