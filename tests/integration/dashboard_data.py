"""Test data for the dashboards: approved figures entered in code, and the same data made ten times larger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test.utils import CaptureQueriesContext

from targets import services
from targets.models import Actual, Document, Indicator, Locality, Origin, Status, Target

TODAY = dt.date(2026, 11, 22)


def approve(indicator: str, locality: str, code: str, value: str, *, level: str = "") -> Actual:
    """An approved figure entered on the web (not demo, not published)."""
    return Actual.objects.create(
        indicator=Indicator.objects.get(code=indicator),
        locality=Locality.objects.get(slug=locality),
        level=level,
        period=services.period_get_or_create(code=code),
        value=Decimal(value),
        status=Status.APPROVED,
        origin=Origin.ENTERED,
    )


def submit(indicator: str, locality: str, code: str, value: str) -> Actual:
    """A figure sent for review, not yet approved (never approved before: its history says so)."""
    return Actual.objects.create(
        indicator=Indicator.objects.get(code=indicator),
        locality=Locality.objects.get(slug=locality),
        period=services.period_get_or_create(code=code),
        value=Decimal(value),
        status=Status.SUBMITTED,
        origin=Origin.ENTERED,
    )


def multiply(factor: int = 10) -> None:
    """Make the data `factor` times larger in both directions a page can grow:
    `factor − 1` synthetic copies of every locality with its targets and values (the overview and the
    indicator pages grow), and `factor − 1` more copies of each real locality's targets under copied
    documents (a city's own pages grow)."""
    localities = list(Locality.objects.all())
    targets = list(Target.objects.all())
    actuals = list(Actual.objects.all())
    documents = list(Document.objects.all())
    for k in range(1, factor):
        twins = {
            loc.pk: Locality.objects.create(slug=f"{loc.slug}-ban-sao-{k}", name=f"{loc.name} (bản sao {k})")
            for loc in localities
        }
        copies = {d.pk: _copy_document(d, f"ban-sao-{k}", twins[d.locality_id]) for d in documents}
        Target.objects.bulk_create(
            [_copy(t, locality=twins[t.locality_id], document=copies[t.document_id]) for t in targets]
        )
        Actual.objects.bulk_create([_copy(a, locality=twins[a.locality_id]) for a in actuals])
        same_city = {d.pk: _copy_document(d, f"them-{k}", d.locality) for d in documents}
        Target.objects.bulk_create([_copy(t, document=same_city[t.document_id]) for t in targets])


def _copy_document(document: Document, suffix: str, locality: Locality) -> Document:
    return Document.objects.create(
        code=f"{document.code}-{suffix}",
        number=document.number,
        title=document.title,
        locality=locality,
        source_file=document.source_file,
        text="",
    )


def _copy(obj, **changes):
    fields = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.name not in changes and f.attname not in changes
    }
    return type(obj)(**fields, **changes)


def count_queries(client, url: str, **params) -> tuple[int, object]:
    """The number of queries a page makes, and its response."""
    from django.db import connection

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries), response
