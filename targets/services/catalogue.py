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
    FormerUnitFigure,
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
            obj.is_country = rec.get("is_country", False)  # the whole country (issue #21)
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
            obj.definition = rec["definition"]
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
            obj.status_note = rec.get("status_note", "")
            obj.status_note_en = rec.get("status_note_en", "")
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
                "ranked_among": rec["ranked_among"],
                # Where a national target's quote was read, and how far to trust it (issue #21).
                "provenance": rec.get("provenance", ""),
                "quote_source": rec.get("quote_source", ""),
                "clause": rec.get("clause", ""),
                # The document's pillar where it differs from the indicator's; empty: the indicator's.
                "pillar": pillars[rec["pillar"]] if rec["pillar_differs"] else None,
                "aggregation": rec["aggregation"],
                "period_from": rec["period_from"],
            }
            if obj.pk is not None and all(getattr(obj, k) == v for k, v in fields.items()):
                kept.add(obj.pk)
                continue
            for k, v in fields.items():
                setattr(obj, k, v)
            # The reader checked references and uniqueness; skip full_clean's per-row queries for them.
            clean_or_collect(
                obj,
                rec["_where"],
                errors,
                exclude=["indicator", "locality", "document", "pillar"],
                db_checks=False,
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
        _national_links_set(cat.national_links, indicators, localities, documents)
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


def _national_links_set(links: list[dict], indicators: dict, localities: dict, documents: dict) -> None:
    """Each city target's national target and the note saying why (issue #21); a target no longer in
    national_links.toml loses its link. Two queries to read, one update per changed target."""

    def key_of(k: tuple) -> tuple:
        indicator, locality, level, year, document = k
        return (indicators[indicator].pk, localities[locality].pk, level, year, documents[document].pk)

    by_key = {
        (t.indicator_id, t.locality_id, t.level, t.year, t.document_id): t
        for t in Target.objects.filter(document__in=documents.values())
    }
    wanted: dict[int, tuple[int, str]] = {}
    for link in links:
        city = by_key[key_of(link["city"])]
        national = by_key[key_of(link["national"])]
        wanted[city.pk] = (national.pk, link["note"])
    for target in by_key.values():
        national_id, note = wanted.get(target.pk, (None, ""))
        if (target.national_target_id, target.national_note) != (national_id, note):
            Target.objects.filter(pk=target.pk).update(national_target_id=national_id, national_note=note)


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
    former: int = 0  # rows of pre-merger units, kept as the merged locality's predecessor history


def published_figures_load(*, path: Path | None = None) -> PublishedReport:
    """Load the published figures as approved actuals of origin `published`, each with its source and the
    day it was made public (`published_on`, from which time travel counts it).

    Idempotent. A published figure replaces a demo value for the same period (real figures win), but never
    an entered or imported one: those are reported as a conflict instead of being overwritten. Each figure
    carries its qualifier (lower bound, approximate, preliminary) and its note in Vietnamese and English.

    A `former` row (a pre-merger unit in a year ranked for the merged units, e.g. the former Đà Nẵng's 2/63
    in 2024) is the merged locality's predecessor history (`FormerUnitFigure`, labelled with the former
    unit's name), never a figure of its series: the series uses the merged unit's figure (issue #16).
    """
    path = path or Path(settings.CATALOGUE_DIR) / "published_figures.csv"
    localities = {loc.slug: loc for loc in Locality.objects.all()}
    indicators = {ind.code: ind for ind in Indicator.objects.all()}
    rows = read_published(path, localities=set(localities), indicators=set(indicators))
    created = updated = unchanged = former = 0
    errors: list[str] = []
    touched: list[tuple[int, int, dt.date]] = []
    with transaction.atomic():
        for row in rows:
            if row.unit_scope == "former":
                former += 1
                _former_unit_figure_save(row, localities[row.locality], indicators[row.indicator], errors)
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
                "ranked_among": row.ranked_among,
                "published_on": row.published_on,
                "qualifier": row.qualifier,
                "note": row.note_vi,
                "note_en": row.note_en,
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
    return PublishedReport(created=created, updated=updated, unchanged=unchanged, former=former)


def _former_unit_figure_save(row, locality: Locality, indicator: Indicator, errors: list[str]) -> None:
    """Create or update the predecessor-history figure of a `former` published row (idempotent)."""
    obj = FormerUnitFigure.objects.filter(
        locality=locality, indicator=indicator, year=row.year
    ).first() or FormerUnitFigure(locality=locality, indicator=indicator, year=row.year)
    fields = {
        "unit_name": row.unit_name,
        "unit_name_en": row.unit_name_en,
        "value": Decimal(str(row.value)),
        "ranked_among": row.ranked_among,
        "qualifier": row.qualifier,
        "note": row.note_vi,
        "note_en": row.note_en,
        "source": row.source,
        "published_on": row.published_on,
    }
    if obj.pk is not None and all(getattr(obj, k) == v for k, v in fields.items()):
        return
    for k, v in fields.items():
        setattr(obj, k, v)
    clean_or_collect(obj, row.where, errors, exclude=["locality", "indicator"])
    if not errors:
        obj.save()
