"""Every write of the domain goes through here: validated (`full_clean`), atomic, audited.

Views, the Excel importer and management commands call these functions; nothing else changes a row.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from .catalogue import CatalogueError, read_catalogue, read_published
from .models import (
    Actual,
    Department,
    Document,
    Indicator,
    Level,
    Locality,
    Membership,
    Origin,
    PeriodKind,
    Pillar,
    ReportingPeriod,
    Role,
    Status,
    Target,
    Unit,
)
from .periods import last_closed_quarter, parse_period_code, quarter_bounds

User = get_user_model()


def _clean_or_collect(
    obj, where: str, errors: list[str], *, exclude: list[str] | None = None, db_checks: bool = True
) -> None:
    """full_clean, collecting messages. db_checks=False skips the per-row uniqueness/FK queries when the
    caller already checked them (the catalogue reader does) — the database constraints still back them up."""
    try:
        if db_checks:
            obj.full_clean(exclude=exclude)
        else:
            obj.clean_fields(exclude=exclude)
            obj.clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.append(f"{where}: {name}: {' '.join(str(m) for m in messages)}")


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
            _clean_or_collect(obj, rec["_where"], errors, exclude=["slug"], db_checks=False)
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
            _clean_or_collect(
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
            _clean_or_collect(
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
            _clean_or_collect(
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
    year, quarter = parse_period_code(code)
    existing = ReportingPeriod.objects.filter(code=code).first()
    if existing is not None:
        return existing
    if quarter is None:
        starts, ends = dt.date(year, 1, 1), dt.date(year, 12, 31)
        kind = PeriodKind.YEAR
    else:
        starts, ends = quarter_bounds(year, quarter)
        kind = PeriodKind.QUARTER
    period = ReportingPeriod(code=code, kind=kind, year=year, quarter=quarter, starts_on=starts, ends_on=ends)
    period.full_clean()
    period.save()
    return period


@dataclass(frozen=True)
class PublishedReport:
    created: int
    updated: int
    unchanged: int


def published_figures_load(*, path: Path | None = None) -> PublishedReport:
    """Load the published figures as approved actuals of origin `published`, each with its source.

    Idempotent. A published figure replaces a demo value for the same period (real figures win), but never
    an entered or imported one: those are reported as a conflict instead of being overwritten.
    """
    path = path or Path(settings.CATALOGUE_DIR) / "published_figures.csv"
    localities = {loc.slug: loc for loc in Locality.objects.all()}
    indicators = {ind.code: ind for ind in Indicator.objects.all()}
    rows = read_published(path, localities=set(localities), indicators=set(indicators))
    created = updated = unchanged = 0
    errors: list[str] = []
    with transaction.atomic():
        for row in rows:
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
            _clean_or_collect(actual, row.where, errors, exclude=["evidence_file"])
            if not errors:
                actual._change_reason = "published figure loaded"
                actual.save()
        if errors:
            transaction.set_rollback(True)
            raise CatalogueError(errors)
    return PublishedReport(created=created, updated=updated, unchanged=unchanged)


# --------------------------------------------------------------------------- demo data


@dataclass(frozen=True)
class DemoReport:
    created: int
    kept: int
    until: str


def demo_data_generate(*, seed: int = 2026, today: dt.date | None = None) -> DemoReport:
    """Make plausible actuals, origin `demo`, for every target series of the current localities.

    Quarterly indicators get a value per quarter from 2021-Q1 to the last closed quarter; annual ones a
    value per closed year. Deterministic for a seed. Never touches a row that is not demo (published,
    entered, imported): real figures are never mixed up with demo ones. Running it twice changes nothing.
    """
    today = today or dt.date.today()
    last_year, last_q = last_closed_quarter(today)
    rng = random.Random(seed)
    series = (
        Target.objects.filter(locality__valid_to__isnull=True)
        .values_list("indicator_id", "locality_id", "level")
        .distinct()
        .order_by("indicator_id", "locality_id", "level")
    )
    indicators = {i.pk: i for i in Indicator.objects.all()}
    goals: dict[tuple[int, int, str], float] = {}
    for ind_id, loc_id, level, value in (
        Target.objects.filter(locality__valid_to__isnull=True)
        .values_list("indicator_id", "locality_id", "level", "value")
        .order_by("year")
    ):
        goals[(ind_id, loc_id, level)] = float(value)  # the latest year's target wins
    taken = set(
        Actual.objects.exclude(origin=Origin.DEMO).values_list(
            "indicator_id", "locality_id", "level", "period__code"
        )
    )
    existing_demo = set(
        Actual.objects.filter(origin=Origin.DEMO).values_list(
            "indicator_id", "locality_id", "level", "period__code"
        )
    )
    periods: dict[str, ReportingPeriod] = {}
    to_create: list[Actual] = []
    kept = 0
    for ind_id, loc_id, level in series:
        ind = indicators[ind_id]
        goal = goals[(ind_id, loc_id, level)]
        codes = _demo_period_codes(ind.frequency, last_year, last_q)
        if level == Level.DISTRICT:
            codes = [c for c in codes if _period_end(c) <= dt.date(2025, 6, 30)]
        values = _demo_series(ind.unit, ind.higher_is_better, goal, len(codes), rng)
        for code, value in zip(codes, values, strict=True):
            key = (ind_id, loc_id, level, code)
            if key in taken:
                continue
            if key in existing_demo:
                kept += 1
                continue
            if code not in periods:
                periods[code] = period_get_or_create(code=code)
            to_create.append(
                Actual(
                    indicator_id=ind_id,
                    locality_id=loc_id,
                    level=level,
                    period=periods[code],
                    value=value,
                    status=Status.APPROVED,
                    origin=Origin.DEMO,
                    note="Dữ liệu minh hoạ (demo), không phải số liệu thật.",
                )
            )
    with transaction.atomic():
        Actual.objects.bulk_create(to_create, batch_size=500)
    until = f"{last_year}-Q{last_q}"
    return DemoReport(created=len(to_create), kept=kept, until=until)


def _demo_period_codes(frequency: str, last_year: int, last_q: int) -> list[str]:
    if frequency == "annual":
        # An annual figure for year Y is known once Y has closed.
        last = last_year if last_q == 4 else last_year - 1
        return [str(y) for y in range(2021, last + 1)]
    codes = []
    for year in range(2021, last_year + 1):
        for q in range(1, 5):
            if (year, q) <= (last_year, last_q):
                codes.append(f"{year}-Q{q}")
    return codes


def _period_end(code: str) -> dt.date:
    year, quarter = parse_period_code(code)
    return dt.date(year, 12, 31) if quarter is None else quarter_bounds(year, quarter)[1]


def _demo_series(unit: str, higher_is_better: bool, goal: float, n: int, rng: random.Random) -> list[Decimal]:
    """A noisy saturating path from a plausible start towards (and sometimes short of) the goal."""
    if n == 0:
        return []
    if unit == Unit.MILESTONE:
        done_at = rng.randint(max(1, n // 2), n + 2)
        return [Decimal(1 if i >= done_at else 0) for i in range(n)]
    if unit == Unit.RANK:
        start = rng.randint(8, 30)
        end = max(1, round(goal * rng.uniform(0.6, 2.2)))
        return [
            Decimal(max(1, round(start + (end - start) * (i + 1) / n + rng.uniform(-1.5, 1.5))))
            for i in range(n)
        ]
    reach = rng.uniform(0.7, 1.08)  # some series make it, some fall short
    if higher_is_better:
        start = goal * rng.uniform(0.25, 0.6)
        end = goal * reach
    else:
        start = goal / rng.uniform(0.7, 0.85)
        end = goal / reach
    out = []
    for i in range(n):
        share = 1 - math.exp(-3 * (i + 1) / n)
        v = start + (end - start) * share / (1 - math.exp(-3)) + rng.gauss(0, abs(goal) * 0.015)
        if unit == Unit.PERCENT:
            v = min(100.0, max(0.0, v))
        if unit in (Unit.COUNT,):
            v = max(0, round(v))
        if unit == Unit.PER_1000:
            v = max(0.0, v)
        out.append(Decimal(str(round(v, 2))))
    return out


# --------------------------------------------------------------------------- demo departments and accounts

DEMO_DEPARTMENTS: dict[str, list[tuple[str, str, str]]] = {
    # locality: (code, name, name_en)
    "hai-phong": [
        (
            "so-khcn",
            "Sở Khoa học và Công nghệ (cơ quan chuyển đổi số)",
            "Department of Science and Technology",
        ),
        ("so-tai-chinh", "Sở Tài chính", "Department of Finance"),
        ("van-phong-ubnd", "Văn phòng UBND thành phố", "Office of the People's Committee"),
        ("so-y-te", "Sở Y tế", "Department of Health"),
        ("so-cong-thuong", "Sở Công Thương", "Department of Industry and Trade"),
    ],
    "ha-noi": [
        (
            "so-khcn",
            "Sở Khoa học và Công nghệ (cơ quan chuyển đổi số)",
            "Department of Science and Technology",
        ),
        ("van-phong-ubnd", "Văn phòng UBND thành phố", "Office of the People's Committee"),
        ("so-tai-chinh", "Sở Tài chính", "Department of Finance"),
    ],
    "da-nang": [
        (
            "so-khcn",
            "Sở Khoa học và Công nghệ (cơ quan chuyển đổi số)",
            "Department of Science and Technology",
        ),
        ("van-phong-ubnd", "Văn phòng UBND thành phố", "Office of the People's Committee"),
        ("so-tai-chinh", "Sở Tài chính", "Department of Finance"),
    ],
}

# (username, password, [(locality, department code, role)], superuser)
DEMO_ACCOUNTS: list[tuple[str, str, list[tuple[str, str, str]], bool]] = [
    ("admin", "admin-demo-2026", [], True),
    (
        "hp.bientap",
        "hp-bientap-2026",
        [("hai-phong", "so-tai-chinh", Role.EDITOR), ("hai-phong", "van-phong-ubnd", Role.EDITOR)],
        False,
    ),
    ("hp.thamdinh", "hp-thamdinh-2026", [("hai-phong", "so-khcn", Role.REVIEWER)], False),
    ("hn.lanhdao", "hn-lanhdao-2026", [("ha-noi", "van-phong-ubnd", Role.VIEWER)], False),
    ("dn.bientap", "dn-bientap-2026", [("da-nang", "so-tai-chinh", Role.EDITOR)], False),
]


def demo_accounts_create() -> list[tuple[str, str, str]]:
    """Create the demo departments and accounts (development only). Returns (username, password, roles)."""
    if not settings.DEBUG and not getattr(settings, "ALLOW_DEMO_ACCOUNTS", False):
        raise RuntimeError("Demo accounts are for development only (DEBUG is off).")
    out = []
    with transaction.atomic():
        departments: dict[tuple[str, str], Department] = {}
        for slug, items in DEMO_DEPARTMENTS.items():
            loc = Locality.objects.get(slug=slug)
            for code, name, name_en in items:
                dept, _ = Department.objects.update_or_create(
                    locality=loc, code=code, defaults={"name": name, "name_en": name_en}
                )
                departments[(slug, code)] = dept
        for username, password, memberships, superuser in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).first() or User(username=username)
            user.is_staff = superuser
            user.is_superuser = superuser
            user.set_password(password)
            user.save()
            for slug, code, role in memberships:
                Membership.objects.update_or_create(
                    user=user, department=departments[(slug, code)], defaults={"role": role}
                )
            roles = ", ".join(
                f"{Role(role).label} · {departments[(s, c)].name} ({s})" for s, c, role in memberships
            )
            out.append((username, password, roles or "quản trị hệ thống"))
    return out
