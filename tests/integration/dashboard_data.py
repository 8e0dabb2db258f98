"""Test data for the dashboards: approved figures entered in code, and the same data made ten times larger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test.utils import CaptureQueriesContext

from targets.models import Actual, Document, Indicator, Locality, Origin, Status, Target
from targets.services.catalogue import period_get_or_create

TODAY = dt.date(2026, 11, 22)


def approve(indicator: str, locality: str, code: str, value: str, *, level: str = "") -> Actual:
    """An approved figure entered on the web (not demo, not published)."""
    return Actual.objects.create(
        indicator=Indicator.objects.get(code=indicator),
        locality=Locality.objects.get(slug=locality),
        level=level,
        period=period_get_or_create(code=code),
        value=Decimal(value),
        status=Status.APPROVED,
        origin=Origin.ENTERED,
    )


def submit(indicator: str, locality: str, code: str, value: str) -> Actual:
    """A figure sent for review, not yet approved (never approved before: its history says so)."""
    return Actual.objects.create(
        indicator=Indicator.objects.get(code=indicator),
        locality=Locality.objects.get(slug=locality),
        period=period_get_or_create(code=code),
        value=Decimal(value),
        status=Status.SUBMITTED,
        origin=Origin.ENTERED,
    )


# Hà Nội's approved figures for the dashboard tests whose expectations are worked out by hand
# (docs/progress-method.md), with the published ranks and shares of the catalogue. As of 2026-Q3 (2026.75),
# Hà Nội's 35 targets (no document baselines) are, pillar by pillar (a figure of quarter Q ends at its
# quarter's end: 2025-Q3 → 2025.75; an annual figure of Y at Y + 1; a target "by Y" is due at Y + 1):
#
# chinh-quyen-so (9): 0 achieved or on track of 3 assessable → 0 %
#   work_dossiers_online city 2030 (= 100):   60 → 55, slope −5/year against the direction   → regressing
#   inspections_online 2030 (= 70):           20 → 22, slope 2; projected 22 + 2 × 4.25 = 30.5;
#                                             (30.5 − 20)/(70 − 20) = 0.21 < 0.6                 → off_track
#   work_dossiers_online commune 2030 (= 80): 50 → 54, slope 4; projected 54 + 4 × 4.25 = 71;
#                                             (71 − 50)/(80 − 50) = 0.7, within [0.6, 0.95)      → needs_acceleration
#   work_dossiers_online city 2025 (= 90), commune 2025 (= 60): only 2025-Q3 (60, 50) by the deadline
#                                             2026.0, no 2025-Q4, 2026.75 < 2027.0               → awaiting_final ×2
#   online_public_services_full 2025, digital_transformation_party_state 2030: no figure → insufficient_data ×2
#   work_dossiers_online district 2025 and 2030: ended 2025-06-30 (2025.5)                   → not_applicable ×2
# dti (11): 1 of 1 assessable → 100 %
#   dti_rank 2030 (≤ 3): latest 1 (2024 ranking)                                             → achieved
#   dti_rank 2025 (≤ 5): latest 1 at 2025.0, the 2025 ranking (2026.0) not out               → awaiting_final
#   9 other rank and milestone targets: no figure                                            → insufficient_data ×9
# kinh-te-so (6): none assessable → "—"
#   digital_economy_grdp_share 2025 (~ 30): only 17.15 (2022, at 2023.0)                      → awaiting_final
#   digital_economy_grdp_share 2030 (> 40): one point, no line                                → insufficient_data
#   labour_productivity_growth 2025 and 2030, two milestones: no figure                      → insufficient_data ×4
# xa-hoi-so (9): 2 of 3 assessable → 67 %
#   broadband_household_access 2025 (> 80)  : 85 in 2025-Q4 (the deadline's own figure)       → achieved
#   broadband_commune_access 2025 (= 100)  : 95 in 2025-Q4                                    → missed
#   epayment_accounts 2030 (> 80): 40, 44, 49, 53 in 2025-Q1, Q3, 2026-Q1, Q3 (weights 1–4):
#     mean time 2026.25, mean value 48.7, slope 22/2.5 = 8.8; projected 48.7 + 8.8 × 4.75 = 90.5;
#     (90.5 − 40)/(80 − 40) = 1.2625 ≥ 0.95                                                   → on_track
#   epayment_accounts 2025 (> 50): 44 (2025-Q3) by the deadline, no 2025-Q4                    → awaiting_final
#   5 milestones without figures                                                             → insufficient_data ×5
HA_NOI_FIGURES = [
    ("epayment_accounts", "", "2025-Q1", "40"),
    ("epayment_accounts", "", "2025-Q3", "44"),
    ("epayment_accounts", "", "2026-Q1", "49"),
    ("epayment_accounts", "", "2026-Q3", "53"),
    ("broadband_household_access", "", "2025-Q4", "85"),
    ("broadband_commune_access", "", "2025-Q4", "95"),
    ("inspections_online", "", "2025-Q3", "20"),
    ("inspections_online", "", "2026-Q3", "22"),
    ("work_dossiers_online", "city", "2025-Q3", "60"),
    ("work_dossiers_online", "city", "2026-Q3", "55"),
    ("work_dossiers_online", "commune", "2025-Q3", "50"),
    ("work_dossiers_online", "commune", "2026-Q3", "54"),
]


def ha_noi_figures() -> None:
    """Approve HA_NOI_FIGURES (see the verdicts worked out above them)."""
    for indicator, level, code, value in HA_NOI_FIGURES:
        approve(indicator, "ha-noi", code, value, level=level)


def multiply(factor: int = 10) -> None:
    """Make the data `factor` times larger in both directions a page can grow:
    `factor − 1` synthetic copies of every locality with its targets and values (the overview and the
    indicator pages grow), and `factor − 1` more copies of each real locality's targets under copied
    documents (a city's own pages grow)."""
    # The provincial units; the whole country (issue #21) has no copies: there is one country.
    localities = list(Locality.objects.filter(is_country=False))
    targets = list(Target.objects.filter(locality__is_country=False))
    actuals = list(Actual.objects.filter(locality__is_country=False))
    documents = list(Document.objects.filter(locality__is_country=False))
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


def assigned_values(assignments, code: str, status: str, n: int | None = None) -> None:
    """A value of 50 for each of the first `n` assignments (all: None) in period `code`, with `status`."""
    period = period_get_or_create(code=code)
    for a in assignments[:n]:
        Actual.objects.create(
            indicator=a.indicator,
            locality=a.department.locality,
            level=a.level,
            period=period,
            value=Decimal("50"),
            status=status,
        )


def overview_chips(html: str, slug: str, pillar: str | None = None) -> dict[str, int]:
    """The status counts the overview shows for a locality (its row: every pillar's cell added up) or for one
    pillar's cell, read from the page as shown (the content is cached rendered, issue #20)."""
    import re

    rows = html.split('<th scope="row" class="locality">')[1:]
    row = next(r.split("</tr>", 1)[0] for r in rows if f'href="/dashboard/{slug}/' in r.split("</th>", 1)[0])
    cells = row.split("<td data-label=")[1:]
    if pillar is not None:
        cells = [c for c in cells if f"/dashboard/{slug}/{pillar}/" in c]
        assert len(cells) == 1, (slug, pillar)
    counts: dict[str, int] = {}
    for cell in cells:
        for status, count in re.findall(
            r'<li class="chip status-([a-z_]+)"[^>]*>.*?<strong>(\d+)</strong></li>', cell
        ):
            counts[status] = counts.get(status, 0) + int(count)
    return counts
