"""Every write of the domain goes through here: validated (`full_clean`), atomic, audited.

Views, the Excel importer and management commands call these functions; nothing else changes a row.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from .cache import data_changed  # called after every write that changes what pages and reports show
from .catalogue import CatalogueError, read_catalogue, read_published
from .limits import CHANGE_REASON_MAX_CHARS, URL_MAX_CHARS, shorten
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
    comment_length,
    note_length,
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
            _clean_or_collect(actual, row.where, errors, exclude=["evidence_file"])
            if not errors:
                actual._change_reason = "published figure loaded"
                actual.save()
        if errors:
            transaction.set_rollback(True)
            raise CatalogueError(errors)
    data_changed()
    return PublishedReport(created=created, updated=updated, unchanged=unchanged, skipped=tuple(skipped))


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
    # A series with real published figures (e.g. the DTI rank) gets no demo values at all: demo points
    # between real ones would read as real history.
    published_series = set(
        Actual.objects.filter(origin=Origin.PUBLISHED).values_list("indicator_id", "locality_id", "level")
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
        if (ind_id, loc_id, level) in published_series:
            continue
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
    data_changed()
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
        # The lead agency of most tasks of Plan 86/KH-UBND (2022), as the plan names it.
        ("so-tttt", "Sở Thông tin và Truyền thông", "Department of Information and Communications"),
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

# Which demo department reports which pillar's indicators (every series with a target in the locality).
DEMO_PILLAR_OWNERS: dict[str, str] = {
    "chinh-quyen-so": "van-phong-ubnd",
    "kinh-te-so": "so-tai-chinh",
    "xa-hoi-so": "so-khcn",
    "dti": "so-khcn",
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
    ("hp.tttt", "hp-tttt-2026", [("hai-phong", "so-tttt", Role.EDITOR)], False),
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
        from .models import Assignment

        for slug, code, indicator_id, level in (
            Target.objects.filter(locality__slug__in=DEMO_DEPARTMENTS)
            .values_list("locality__slug", "indicator__pillar__slug", "indicator_id", "level")
            .distinct()
        ):
            owner = departments[(slug, DEMO_PILLAR_OWNERS[code])]
            if not Assignment.objects.filter(
                department__locality=owner.locality, indicator_id=indicator_id, level=level
            ).exists():
                Assignment.objects.create(department=owner, indicator_id=indicator_id, level=level)
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


# --------------------------------------------------------------------------- quarterly data entry


@dataclass
class EntryRow:
    """One field of the entry form as typed: the service parses and checks it."""

    key: str
    indicator: Indicator
    level: str
    raw_value: str
    note: str = ""
    evidence_url: str = ""
    evidence_file: object | None = None  # an UploadedFile
    version: int = 0  # the version the editor saw; 0 = there was no value
    confirm_outlier: bool = False
    # What the form showed for this row (`entry_fingerprint` of its value, note and link): a row sent back
    # exactly as shown is one the editor did not change. None (the Excel import, commands): changed.
    seen: str | None = None
    # After a conflict the form shows both values and asks: "mine" keeps the editor's, "theirs" the stored
    # one, decided against the stored version `theirs_version` the form showed beside the editor's.
    choice: str = ""
    theirs_version: int | None = None


@dataclass(frozen=True)
class Conflict:
    theirs: Decimal | None
    yours: str
    by: str
    at: dt.datetime | None
    version: int = 0  # the stored version, whose value is `theirs`
    # True: the editor changed the row too, and must choose (keep mine / take theirs). False: the editor
    # left the row as shown, it changed meanwhile; the form shows the current value in its place.
    mine: bool = True


def entry_fingerprint(value: str, note: str, evidence_url: str) -> str:
    """A short digest of a form row's value, note and evidence link as displayed: the form carries it, so
    the service can tell a row the editor changed from one sent back as shown (issue #14: a conflict on a
    row the editor never touched must not make their save write the stale value back)."""
    import hashlib

    def clean(text: str) -> str:  # browsers send a textarea's line breaks as CRLF
        return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()

    joined = "\x1f".join(clean(t) for t in (value, note, evidence_url))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


class EntryError(Exception):
    """A save refused as a whole: messages per row key and field; nothing was written."""

    def __init__(
        self,
        *,
        errors: dict[str, dict[str, list[str]]] | None = None,
        warnings: dict[str, str] | None = None,
        conflicts: dict[str, Conflict] | None = None,
        general: list[str] | None = None,
    ):
        self.errors = errors or {}
        self.warnings = warnings or {}
        self.conflicts = conflicts or {}
        self.general = general or []
        super().__init__("; ".join(self.general) or "entry refused")


@dataclass(frozen=True)
class SaveReport:
    saved: int
    submitted: int
    unchanged: int
    # Rows the editor left as shown that someone changed meanwhile: left as they are now, not written back.
    refreshed: tuple[str, ...] = ()


EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _length_errors(validator, text: str) -> list[str]:
    """The model's length validator's messages for `text` (targets/limits.py), empty when it fits."""
    try:
        validator(text)
    except ValidationError as exc:
        return [str(m) for m in exc.messages]
    return []


def _url_too_long(url: str) -> str | None:
    from django.utils.translation import gettext

    if len(url) <= URL_MAX_CHARS:
        return None
    return gettext("Đường dẫn minh chứng quá dài (tối đa %(n)d ký tự).") % {"n": URL_MAX_CHARS}


def _change_reason(text: str) -> str:
    """An audit label fits simple-history's varchar(100) column; the full text is in the row's own field."""
    return shorten(text, CHANGE_REASON_MAX_CHARS)


def _locality_period(locality: Locality, period: ReportingPeriod, *, for_update: bool = False):
    from .models import LocalityPeriod

    qs = LocalityPeriod.objects.filter(locality=locality, period=period)
    if for_update:
        qs = qs.select_for_update()
    return qs.first()


def _refuse_if_locked(locality: Locality, period: ReportingPeriod, *, for_update: bool = False) -> None:
    lp = _locality_period(locality, period, for_update=for_update)
    if lp is not None and lp.is_locked:
        raise EntryError(
            general=[f"Kỳ báo cáo {period.code} của {locality.name} đã khoá: không thể thay đổi số liệu."]
        )


def _refuse_if_not_started(period: ReportingPeriod, today: dt.date) -> None:
    if period.starts_on > today:
        raise EntryError(general=[f"Kỳ báo cáo {period.code} chưa bắt đầu: chưa thể nhập số liệu."])


def actuals_save(
    *,
    user,
    department: Department,
    period: ReportingPeriod,
    rows: list[EntryRow],
    submit: bool,
    origin: str = Origin.ENTERED,
    today: dt.date | None = None,
    dry_run: bool = False,
) -> SaveReport:
    """Save an entry form all-or-nothing: drafts, or drafts then submitted with `submit=True`.

    Every row is parsed and checked first (unit range, assignment, status, version, evidence, outlier
    confirmation); any problem raises EntryError with the message next to its row and writes nothing.
    Optimistic locking: a row whose stored version differs from the one the editor saw is a conflict
    showing both values — never a silent overwrite.
    """
    from django.utils import timezone
    from django.utils.translation import gettext

    from . import access
    from .evidence import check_evidence, stored_name
    from .models import Assignment, validate_value_for_unit
    from .numbers import NumberError, parse_number
    from .outliers import outlier_warning

    if not access.can_edit_for_department(user, department):
        raise EntryError(general=["Bạn không có quyền nhập số liệu cho đơn vị này."])
    today = today or timezone.localdate()
    locality = department.locality
    _refuse_if_not_started(period, today)
    _refuse_if_locked(locality, period)
    period_open = access.entry_period_open(period.code, today)
    closed_message = gettext(
        "Kỳ %(period)s không mở để nhập số liệu: chỉ các kỳ có trong danh sách việc cần làm, "
        "và các giá trị được trả lại để sửa, mới nhận số liệu."
    ) % {"period": period.code}

    assigned = set(Assignment.objects.filter(department=department).values_list("indicator_id", "level"))
    keys = [(r.indicator.pk, r.level) for r in rows]
    existing = {
        (a.indicator_id, a.level): a
        for a in Actual.objects.filter(
            locality=locality, period=period, indicator_id__in=[k[0] for k in keys]
        )
    }
    history = _previous_values(locality, period, keys)

    errors: dict[str, dict[str, list[str]]] = {}
    warnings: dict[str, str] = {}
    conflicts: dict[str, Conflict] = {}
    general: list[str] = []
    # row, stored, value, evidence kind, whether the editor changed the row
    plan: list[tuple[EntryRow, Actual | None, Decimal, str | None, bool]] = []

    def err(row: EntryRow, name: str, message: str) -> None:
        errors.setdefault(row.key, {}).setdefault(name, []).append(message)

    refreshed: list[str] = []
    for row in rows:
        touched = (
            row.seen is None
            or row.evidence_file is not None
            or entry_fingerprint(row.raw_value, row.note, row.evidence_url) != row.seen
        )
        # Control characters (pasted from other software) are dropped: they break exports and help nobody.
        row.note = _CONTROL_CHARS.sub("", row.note or "")
        row.evidence_url = _CONTROL_CHARS.sub("", row.evidence_url or "")
        # Length limits first (targets/limits.py): an over-long text is refused, never stored or cut.
        for message in _length_errors(note_length, row.note.strip()):
            err(row, "note", message)
        if message := _url_too_long(row.evidence_url.strip()):
            err(row, "evidence_url", message)
        ind = row.indicator
        current = existing.get((ind.pk, row.level))
        if (ind.pk, row.level) not in assigned:
            err(row, "value", "Chỉ tiêu này không được giao cho đơn vị của bạn.")
            continue
        if period.kind == PeriodKind.QUARTER and ind.frequency != "quarterly":
            err(row, "value", "Chỉ tiêu này báo cáo theo năm, không theo quý.")
            continue
        if period.kind == PeriodKind.YEAR and ind.frequency != "annual":
            err(row, "value", "Chỉ tiêu này báo cáo theo quý, không theo năm.")
            continue
        if row.level == Level.DISTRICT and period.starts_on > dt.date(2025, 6, 30):
            err(row, "value", "Cấp huyện đã chấm dứt hoạt động từ 01/7/2025: không còn báo cáo ở cấp này.")
            continue
        current_version = current.version if current else 0

        def conflict(mine: bool, row=row, current=current) -> None:
            conflicts[row.key] = Conflict(
                theirs=current.value if current else None,
                yours=(row.raw_value or "").strip(),
                by=str(current.updated_by) if current and current.updated_by else "",
                at=current.updated_at if current else None,
                version=current.version if current else 0,
                mine=mine,
            )

        if row.choice in ("mine", "theirs") and row.theirs_version is not None:
            if row.theirs_version != current_version:
                conflict(mine=touched)  # changed again since the choice was offered: offer it again
                continue
            row.version = row.theirs_version  # the choice was made against this version
            if row.choice == "theirs":  # the stored value stands, as if the editor had not touched it
                touched = False
                row.raw_value = _fmt(current.value) if current else ""
                row.note = current.note if current else ""
                row.evidence_url = ""
        if not touched and row.version != current_version:
            # Changed by someone else while this editor left it as shown. A draft save leaves it as it is
            # now (never writes the stale value back); a submission would send a value the editor has not
            # seen, so it is refused and the form shows the current value in place.
            if submit and access.value_accepts_entry(current, period_open=period_open):
                conflict(mine=False)
            else:
                refreshed.append(row.key)
            continue
        raw = (row.raw_value or "").strip()
        if (current is None or current.status in EDITABLE_STATUSES) and not access.value_accepts_entry(
            current, period_open=period_open
        ):
            err(row, "value", closed_message)
            general = [closed_message]
            continue
        if current is not None and current.status not in EDITABLE_STATUSES:
            if raw and _same_number(raw, current.value, ind.unit):
                continue  # a read-only value sent back unchanged
            if raw or row.note.strip() != current.note.strip():
                label = Status(current.status).label
                err(row, "value", f"Giá trị đang ở trạng thái “{label}”: không thể sửa.")
            continue
        if not raw:
            if current is not None:
                err(row, "value", f"Vui lòng nhập giá trị (giá trị đã lưu: {_fmt(current.value)}).")
            elif row.note.strip() or row.evidence_url.strip() or row.evidence_file:
                err(row, "value", "Có ghi chú hoặc minh chứng nhưng chưa nhập giá trị.")
            continue
        try:
            value = parse_number(raw, whole=ind.unit in (Unit.COUNT, Unit.RANK, Unit.MILESTONE))
            validate_value_for_unit(ind.unit, value)
        except NumberError as exc:
            err(row, "value", str(exc))
            continue
        except ValidationError as exc:
            err(row, "value", " ".join(exc.message_dict.get("value", exc.messages)))
            continue
        if row.version != current_version:
            conflict(mine=True)  # both changed it: the editor chooses, keep mine or take theirs
            continue
        url = row.evidence_url.strip()
        if url:
            from django.core.validators import URLValidator

            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                err(row, "evidence_url", "Đường dẫn minh chứng phải là một địa chỉ http(s) hợp lệ.")
        kind = None
        if row.evidence_file is not None:
            size = getattr(row.evidence_file, "size", 0) or 0
            if size > 10 * 1024 * 1024:
                err(row, "evidence_file", "Tệp minh chứng vượt quá 10 MB.")
            else:
                data = row.evidence_file.read()
                row.evidence_file.seek(0)
                kind, message = check_evidence(data, gettext=gettext)
                if message:
                    err(row, "evidence_file", message)
        changed_value = current is None or value != current.value
        if changed_value:
            previous = history.get((ind.pk, row.level), [])
            scale = 100.0 if ind.unit in (Unit.PERCENT, Unit.GROWTH_RATE) else max(abs(float(value)), 1.0)
            warning = (
                outlier_warning(previous, float(value), scale=scale) if ind.unit != Unit.MILESTONE else None
            )
            if warning:
                if not row.confirm_outlier:
                    warnings[row.key] = warning
                elif not row.note.strip():
                    err(row, "note", "Giá trị bất thường: vui lòng ghi chú lý do trước khi xác nhận.")
        plan.append((row, current, value, kind, touched))

    if not period_open and not plan and not refreshed:
        general = [closed_message]  # nothing to correct there: a closed period's save is refused outright
    if errors or warnings or conflicts or general:
        raise EntryError(errors=errors, warnings=warnings, conflicts=conflicts, general=general)
    if dry_run:  # the Excel preview: every check above, nothing written
        return SaveReport(
            saved=len(plan), submitted=len(plan) if submit else 0, unchanged=0, refreshed=tuple(refreshed)
        )

    saved = submitted = unchanged = 0
    now = timezone.now()
    reason = "Gửi duyệt" if submit else "Lưu nháp"
    if origin == Origin.IMPORTED:
        reason = f"Nhập từ Excel ({reason.lower()})"
    try:
        with transaction.atomic():
            _refuse_if_locked(locality, period, for_update=True)
            for row, current, value, kind, touched in plan:
                new_note = row.note.strip()
                changes = (
                    current is None
                    or value != current.value
                    or new_note != current.note
                    or (row.evidence_url.strip() and row.evidence_url.strip() != current.evidence_url)
                    or row.evidence_file is not None
                )
                if not changes and not submit:
                    unchanged += 1
                    continue
                if current is not None:
                    # Claim the row with a conditional UPDATE. On PostgreSQL and SQLite alike, of two saves
                    # that saw the same version exactly one matches; the other is a conflict showing both
                    # values — never a lost update (a plain re-read is not enough on SQLite).
                    claimed = Actual.objects.filter(
                        pk=current.pk, version=row.version, status__in=EDITABLE_STATUSES
                    ).update(version=F("version") + 1)
                    if not claimed:
                        latest = Actual.objects.select_related("updated_by").get(pk=current.pk)
                        raise EntryError(
                            conflicts={
                                row.key: Conflict(
                                    theirs=latest.value,
                                    yours=row.raw_value,
                                    by=str(latest.updated_by or ""),
                                    at=latest.updated_at,
                                    version=latest.version,
                                    mine=touched,
                                )
                            }
                        )
                    current.version = row.version  # the claimed version is this + 1, set below
                actual = current or Actual(
                    indicator=row.indicator, locality=locality, level=row.level, period=period, origin=origin
                )
                actual.value = value
                actual.note = new_note
                if row.evidence_url.strip():
                    actual.evidence_url = row.evidence_url.strip()
                if row.evidence_file is not None:
                    # Stored and offered under the type found by parsing it, never the uploader's extension.
                    name = stored_name(row.evidence_file.name, kind)
                    actual.evidence_file.save(name, row.evidence_file, save=False)
                    actual.evidence_name = name[:255]
                actual.outlier_confirmed = row.confirm_outlier
                actual.department = department
                actual.updated_by = user
                if origin != Origin.ENTERED or current is None:
                    actual.origin = origin
                if submit:
                    actual.status = Status.SUBMITTED
                    actual.submitted_at = now
                    submitted += 1
                elif current is None:
                    actual.status = Status.DRAFT
                if current is not None:
                    actual.version = current.version + 1
                actual._change_reason = reason
                actual._history_user = user  # recorded even outside a request (Excel import, commands)
                actual.save()
                saved += 1
    except IntegrityError as exc:
        # Someone created the same value between our check and our insert.
        raise EntryError(
            general=["Một giá trị vừa được người khác lưu cùng lúc. Vui lòng tải lại trang."]
        ) from exc
    if submitted:  # the series pages show submitted values; drafts appear on no cached page
        data_changed()
    return SaveReport(saved=saved, submitted=submitted, unchanged=unchanged, refreshed=tuple(refreshed))


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return format(value.normalize(), "f").replace(".", ",")


def _same_number(raw: str, stored: Decimal, unit: str) -> bool:
    from .numbers import NumberError, parse_number

    try:
        return parse_number(raw, whole=unit in (Unit.COUNT, Unit.RANK, Unit.MILESTONE)) == stored
    except NumberError:
        return False


def _previous_values(
    locality: Locality, period: ReportingPeriod, keys: list[tuple[int, str]]
) -> dict[tuple[int, str], list[float]]:
    """Each series' submitted/approved values before `period`, oldest first (one query)."""
    out: dict[tuple[int, str], list[float]] = {}
    rows = (
        Actual.objects.filter(
            locality=locality,
            indicator_id__in={k[0] for k in keys},
            period__kind=period.kind,
            period__ends_on__lt=period.starts_on,
            status__in=[Status.SUBMITTED, Status.APPROVED],
        )
        .order_by("period__year", "period__quarter")
        .values_list("indicator_id", "level", "value")
    )
    for ind_id, level, value in rows:
        out.setdefault((ind_id, level), []).append(float(value))
    return out


class ReviewError(Exception):
    """A review action refused; the message is for the reviewer. Nothing was written."""


def actuals_review(*, user, seen: dict[int, int], approve: bool, comment: str = "") -> int:
    """Approve submitted values, or return them with a required comment. All or nothing.

    `seen` maps each value's id to the version the reviewer was shown. A value that changed since (returned
    and resubmitted, edited, decided by another reviewer) is refused with its current figure: a reviewer
    never approves or returns a value they have not seen.
    """
    from django.utils import timezone
    from django.utils.translation import gettext

    from . import access

    comment = (comment or "").strip()
    if not approve and not comment:
        raise ReviewError("Vui lòng ghi ý kiến khi trả lại số liệu.")
    if not approve and (too_long := _length_errors(comment_length, comment)):
        raise ReviewError(" ".join(too_long))
    with transaction.atomic():
        actuals = list(
            Actual.objects.select_for_update()
            .filter(pk__in=list(seen))
            .select_related("locality", "period", "indicator")
            .order_by("pk")
        )
        if len(actuals) != len(seen) or not actuals:
            raise ReviewError("Không tìm thấy số liệu cần thẩm định.")
        for a in actuals:
            if not access.can_review(user, a.locality_id):
                raise ReviewError("Bạn không có quyền thẩm định số liệu này.")
        changed = [a for a in actuals if a.version != seen[a.pk]]
        if changed:
            raise ReviewError(
                gettext("Chưa thẩm định gì: số liệu đã thay đổi từ khi bạn mở trang, vui lòng xem lại")
                + " — "
                + "; ".join(
                    gettext("%(indicator)s (%(period)s): nay là %(value)s, trạng thái “%(status)s”")
                    % {
                        "indicator": a.indicator.name,
                        "period": a.period.code,
                        "value": _fmt(a.value),
                        "status": Status(a.status).label,
                    }
                    for a in changed
                )
                + "."
            )
        for a in actuals:
            if a.status != Status.SUBMITTED:
                raise ReviewError(
                    f"Chỉ số liệu “đã gửi” mới được thẩm định ({a.indicator_id}, {a.period.code})."
                )
        for lp_key in {(a.locality_id, a.period_id) for a in actuals}:
            a = next(x for x in actuals if (x.locality_id, x.period_id) == lp_key)
            try:
                _refuse_if_locked(a.locality, a.period, for_update=True)
            except EntryError as exc:
                raise ReviewError(exc.general[0]) from exc
        now = timezone.now()
        for a in actuals:
            a.status = Status.APPROVED if approve else Status.RETURNED
            a.review_comment = "" if approve else comment
            a.reviewed_at = now
            a.reviewed_by = user
            a.version += 1
            a._change_reason = "Duyệt" if approve else _change_reason(f"Trả lại: {comment}")
            a._history_user = user
            a.save()
    data_changed()
    return len(actuals)


def actual_reopen(*, user, actual_id: int, reason: str) -> Actual:
    """A reviewer reopens an approved value (it goes back to the editor as returned); the reason is audited."""
    from django.utils import timezone

    from . import access

    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("Vui lòng ghi lý do mở lại số liệu đã duyệt.")
    if too_long := _length_errors(comment_length, reason):
        raise ReviewError(" ".join(too_long))
    with transaction.atomic():
        a = (
            Actual.objects.select_for_update()
            .select_related("locality", "period")
            .filter(pk=actual_id)
            .first()
        )
        if a is None or not access.can_review(user, a.locality_id):
            raise ReviewError("Không tìm thấy số liệu.")
        if a.status != Status.APPROVED or a.origin in (Origin.PUBLISHED, Origin.DEMO):
            raise ReviewError("Chỉ số liệu đã duyệt do đơn vị nhập mới mở lại được.")
        try:
            _refuse_if_locked(a.locality, a.period, for_update=True)
        except EntryError as exc:
            raise ReviewError(exc.general[0]) from exc
        a.status = Status.RETURNED
        a.review_comment = reason
        a.reviewed_at = timezone.now()
        a.reviewed_by = user
        a.version += 1
        a._change_reason = _change_reason(f"Mở lại: {reason}")
        a._history_user = user
        a.save()
    data_changed()
    return a


def period_set_lock(*, user, locality: Locality, period: ReportingPeriod, locked: bool):
    """Lock or unlock a locality's period (reviewers); audited in the period's history."""
    from django.utils import timezone

    from . import access
    from .models import LocalityPeriod

    if not access.can_review(user, locality):
        raise ReviewError("Bạn không có quyền khoá kỳ báo cáo của địa phương này.")
    with transaction.atomic():
        lp = LocalityPeriod.objects.select_for_update().filter(locality=locality, period=period).first()
        lp = lp or LocalityPeriod(locality=locality, period=period)
        if locked == lp.is_locked:
            raise ReviewError(f"Kỳ {period.code} đã {'khoá' if locked else 'mở'} từ trước.")
        lp.locked_at = timezone.now() if locked else None
        lp.locked_by = user if locked else None
        lp._change_reason = "Khoá kỳ" if locked else "Mở khoá kỳ"
        lp._history_user = user
        lp.save()
    data_changed()
    return lp


def assignment_set(
    *, user, locality: Locality, indicator: Indicator, level: str, department: Department | None
):
    """Give an indicator (at a level) of a locality to one department, or to none (reviewers)."""
    from . import access
    from .models import Assignment

    if not access.can_review(user, locality):
        raise ReviewError("Bạn không có quyền phân công chỉ tiêu của địa phương này.")
    if department is not None and department.locality_id != locality.pk:
        raise ReviewError("Đơn vị không thuộc địa phương này.")
    with transaction.atomic():
        Assignment.objects.filter(department__locality=locality, indicator=indicator, level=level).exclude(
            department=department
        ).delete()
        if department is not None:
            Assignment.objects.get_or_create(department=department, indicator=indicator, level=level)
    data_changed()


@dataclass(frozen=True)
class Reminder:
    department: str
    period: str
    deadline: dt.date
    missing: int
    recipients: tuple[str, ...]


def reminders_send(*, today: dt.date, days: int = 7, dry_run: bool = False) -> list[Reminder]:
    """E-mail every department with unsubmitted indicators in an open quarter due within `days` or past."""
    from django.core.mail import send_mail

    from . import selectors
    from .models import Membership

    periods = [period_get_or_create(code=c) for c in selectors.entry_period_codes(today) if "-Q" in c]
    periods = [p for p in periods if p.starts_on <= today]
    departments = list(
        Department.objects.select_related("locality").filter(assignments__isnull=False).distinct()
    )
    editors: dict[int, list[str]] = {}
    for dept_id, email in Membership.objects.filter(
        role=Role.EDITOR, department__in=departments, user__is_active=True
    ).values_list("department_id", "user__email"):
        if email:
            editors.setdefault(dept_id, []).append(email)
    out = []
    for line in selectors.worklist(departments, periods):
        missing = line.assigned - line.submitted
        if missing <= 0 or line.state.locked or (line.state.deadline - today).days > days:
            continue
        recipients = tuple(
            sorted(
                {
                    *editors.get(line.department.pk, []),
                    *([line.department.email] if line.department.email else []),
                }
            )
        )
        reminder = Reminder(
            department=line.department.name,
            period=line.state.period.code,
            deadline=line.state.deadline,
            missing=missing,
            recipients=recipients,
        )
        out.append(reminder)
        if dry_run or not recipients:
            continue
        overdue = today > line.state.deadline
        subject = f"[DTI Portal] {'Quá hạn' if overdue else 'Sắp đến hạn'} báo cáo kỳ {reminder.period}: còn {missing} chỉ tiêu chưa gửi"
        body = (
            f"Kính gửi {line.department.name},\n\n"
            f"Kỳ báo cáo {reminder.period} ({line.department.locality.name}) có hạn nộp ngày {reminder.deadline:%d/%m/%Y}"
            f"{' và đã quá hạn' if overdue else ''}. Đơn vị còn {missing} chỉ tiêu chưa gửi duyệt.\n"
            f"Vui lòng đăng nhập DTI Portal, mục Nhập số liệu, để hoàn thành.\n\n"
            "Thư này được gửi tự động; vui lòng không trả lời."
        )
        send_mail(subject, body, None, list(recipients))
    return out


# --------------------------------------------------------------------------- Excel round-trip


@dataclass
class PreviewRow:
    excel_row: int
    key: str
    indicator: str
    level: str
    old: Decimal | None
    new: str
    note: str
    version: int
    state: str  # new | changed | unchanged | error
    messages: list[str]
    warning: str | None = None


_FIELD_COLUMN = {"value": "G", "note": "H", "evidence_url": "G", "evidence_file": "G"}


def actuals_import_preview(
    *, user, department: Department, period: ReportingPeriod, upload_rows, today: dt.date
):
    """What an uploaded workbook would change, row by row, checked by the same rules as the web form.

    Writes nothing. Returns (rows, general messages). Each row is new / changed / unchanged / error, and an
    error names its row and column.
    """
    from . import selectors
    from .numbers import NumberError, parse_number

    lines = {
        f"{line.assignment.indicator.code}|{line.assignment.level}": line
        for line in selectors.entry_lines(department, period)
    }
    out: list[PreviewRow] = []
    seen: set[str] = set()
    candidates: list[tuple[PreviewRow, EntryRow]] = []
    for up in upload_rows:
        line = lines.get(up.key)
        ind = line.assignment.indicator if line else None
        row = PreviewRow(
            excel_row=up.excel_row,
            key=up.key,
            indicator=ind.name if ind else up.key,
            level=str(line.assignment.get_level_display()) if line and line.assignment.level else "",
            old=line.actual.value if line and line.actual else None,
            new=up.raw_value,
            note=up.note,
            version=up.version,
            state="error",
            messages=list(up.errors),
        )
        out.append(row)
        if row.messages:
            continue
        where = f"Dòng {up.excel_row}"
        if line is None:
            row.messages.append(
                f"{where}, cột A: chỉ tiêu không có trong biểu mẫu của đơn vị (không còn được giao)."
            )
            continue
        if up.key in seen:
            row.messages.append(f"{where}: chỉ tiêu xuất hiện hai lần trong tệp.")
            continue
        seen.add(up.key)
        current = line.actual
        if (current.version if current else 0) != up.version:
            row.messages.append(
                f"{where}, cột G: giá trị đã thay đổi từ khi bạn tải biểu mẫu (hiện là {_fmt(current.value if current else None)}). "
                "Vui lòng tải biểu mẫu mới."
            )
            continue
        whole = ind.unit in (Unit.COUNT, Unit.RANK, Unit.MILESTONE)
        same_value = False
        if current is not None and up.raw_value:
            try:
                same_value = parse_number(up.raw_value, whole=whole) == current.value
            except NumberError:
                same_value = False
        if not up.raw_value and current is None:
            row.state = "unchanged"
            if up.note:
                row.state = "error"
                row.messages.append(f"{where}, cột H: có ghi chú nhưng chưa nhập giá trị.")
            continue
        if current is not None and same_value and up.note == current.note:
            row.state = "unchanged"
            continue
        row.state = "new" if current is None else "changed"
        candidates.append(
            (
                row,
                EntryRow(
                    key=up.key,
                    indicator=ind,
                    level=line.assignment.level,
                    raw_value=up.raw_value,
                    note=up.note,
                    version=up.version,
                ),
            )
        )
    general: list[str] = []
    if candidates:
        try:
            actuals_save(
                user=user,
                department=department,
                period=period,
                rows=[c[1] for c in candidates],
                submit=False,
                origin=Origin.IMPORTED,
                today=today,
                dry_run=True,
            )
        except EntryError as exc:
            general = exc.general
            for row, entry in candidates:
                for name, messages in exc.errors.get(entry.key, {}).items():
                    row.state = "error"
                    row.messages += [
                        f"Dòng {row.excel_row}, cột {_FIELD_COLUMN.get(name, 'G')}: {m}" for m in messages
                    ]
                if entry.key in exc.conflicts:
                    row.state = "error"
                    row.messages.append(f"Dòng {row.excel_row}, cột G: giá trị vừa được người khác thay đổi.")
                row.warning = exc.warnings.get(entry.key)
    return out, general


def actuals_import_confirm(
    *,
    user,
    department: Department,
    period: ReportingPeriod,
    rows: list[dict],
    confirmed: set[str],
    today: dt.date,
) -> SaveReport:
    """Write the previewed new/changed rows as drafts of origin `imported`, through `actuals_save`: all or nothing."""
    indicators = {
        ind.code: ind for ind in Indicator.objects.filter(code__in={r["key"].split("|")[0] for r in rows})
    }
    entries = []
    for r in rows:
        code, level = r["key"].split("|")
        if code not in indicators:
            raise EntryError(general=["Biểu mẫu đã thay đổi: vui lòng tải lên lại."])
        entries.append(
            EntryRow(
                key=r["key"],
                indicator=indicators[code],
                level=level,
                raw_value=r["new"],
                note=r["note"],
                version=r["version"],
                confirm_outlier=r["key"] in confirmed,
            )
        )
    report = actuals_save(
        user=user,
        department=department,
        period=period,
        rows=entries,
        submit=False,
        origin=Origin.IMPORTED,
        today=today,
    )
    data_changed()
    return report


# --------------------------------------------------------------------------- national-scale synthetic data


@dataclass(frozen=True)
class ScaleReport:
    localities: int
    departments: int
    users: int
    indicators: int
    targets: int
    actuals: int
    by_status: dict[str, int]


SCALE_DEPARTMENTS = (
    ("van-phong-ubnd", "Văn phòng UBND (minh hoạ)", "chinh-quyen-so"),
    ("so-tai-chinh", "Sở Tài chính (minh hoạ)", "kinh-te-so"),
    ("so-khcn", "Sở Khoa học và Công nghệ (minh hoạ)", "xa-hoi-so"),
    ("so-noi-vu", "Sở Nội vụ (minh hoạ)", "dti"),
)


def scale_data_generate(
    *,
    localities: int = 34,
    year_from: int = 2021,
    year_to: int = 2030,
    seed: int = 1,
    extra_indicators: int = 100,
    today: dt.date | None = None,
) -> ScaleReport:
    """A national-scale data set for benchmarks: synthetic localities (named and flagged demo), departments,
    users, the harmonised catalogue plus `extra_indicators` synthetic quarterly indicators, a target per
    series for every year from `year_from + 1` to `year_to`, and quarterly/annual actuals from `year_from`
    through the last closed quarter — mostly approved, some submitted, returned or missing, like real life.

    Deterministic for a seed. Bulk-inserted (no per-row history: it is synthetic). Requires the catalogue.
    """
    from django.contrib.auth.hashers import make_password

    from .models import Assignment, Locality, Pillar

    today = today or dt.date.today()
    rng = random.Random(seed)
    last_year, last_q = last_closed_quarter(today)
    pillars = {p.slug: p for p in Pillar.objects.all()}
    if not pillars:
        raise CatalogueError(["scale data needs the catalogue: run load_catalogue first"])
    document = Document.objects.order_by("pk").first()
    with transaction.atomic():
        start_order = Indicator.objects.count()
        for i in range(1, extra_indicators + 1):
            Indicator.objects.update_or_create(
                code=f"demo_indicator_{i:03d}",
                defaults={
                    "name": f"Chỉ tiêu minh hoạ {i:03d} (demo)",
                    "name_en": f"Demo indicator {i:03d}",
                    "pillar": pillars[("chinh-quyen-so", "kinh-te-so", "xa-hoi-so")[i % 3]],
                    "unit": Unit.PERCENT,
                    "frequency": "quarterly",
                    "order": start_order + i,
                },
            )
        indicators = [
            ind
            for ind in Indicator.objects.select_related("pillar").order_by("pk")
            if not ind.code.startswith("demo_indicator_") or int(ind.code[-3:]) <= extra_indicators
        ]
        password = make_password("scale-demo-2026")
        locs, departments, users = [], [], []
        for n in range(1, localities + 1):
            loc, _ = Locality.objects.update_or_create(
                slug=f"demo-{n:02d}",
                defaults={
                    "name": f"Tỉnh minh hoạ {n:02d}",
                    "name_en": f"Demo province {n:02d}",
                    "is_demo": True,
                },
            )
            locs.append(loc)
            for code, name, _pillar in SCALE_DEPARTMENTS:
                dept, _ = Department.objects.update_or_create(
                    locality=loc, code=code, defaults={"name": name}
                )
                departments.append(dept)
        Target.objects.filter(locality__in=locs).delete()
        Actual.objects.filter(locality__in=locs).delete()
        Assignment.objects.filter(department__locality__in=locs).delete()
        Membership.objects.filter(department__locality__in=locs).delete()

        owner = {
            (d.locality_id, p): d for d in departments for code, _, p in SCALE_DEPARTMENTS if d.code == code
        }
        for loc in locs:
            for role, dept_code in (("reviewer", "so-khcn"), ("viewer", "van-phong-ubnd")):
                username = f"{loc.slug}.{role}"
                user = User.objects.filter(username=username).first() or User(username=username)
                user.password = password
                user.save()
                users.append(user)
                dept = next(d for d in departments if d.locality_id == loc.pk and d.code == dept_code)
                Membership.objects.create(user=user, department=dept, role=role)
            for code, _, _ in SCALE_DEPARTMENTS:
                dept = next(d for d in departments if d.locality_id == loc.pk and d.code == code)
                username = f"{loc.slug}.{code}.editor"
                user = User.objects.filter(username=username).first() or User(username=username)
                user.password = password
                user.save()
                users.append(user)
                Membership.objects.create(user=user, department=dept, role="editor")

        series = []
        for ind in indicators:
            levels = ["city", "commune"] if ind.code == "work_dossiers_online" else [""]
            series += [(ind, level) for level in levels]
        Assignment.objects.bulk_create(
            [
                Assignment(department=owner[(loc.pk, ind.pillar.slug)], indicator=ind, level=level)
                for loc in locs
                for ind, level in series
            ],
            batch_size=2000,
        )
        targets = []
        for loc in locs:
            for ind, level in series:
                goal_2030 = _scale_goal(ind, rng)
                for year in range(year_from + 1, year_to + 1):
                    share = (year - year_from) / (year_to - year_from)
                    value = _scale_value(ind, goal_2030, share)
                    comparator = (
                        "<=" if not ind.higher_is_better else ("=" if ind.unit == Unit.MILESTONE else ">=")
                    )
                    targets.append(
                        Target(
                            indicator=ind,
                            locality=loc,
                            level=level,
                            year=year,
                            unit=ind.unit,
                            comparator=comparator,
                            value=value,
                            document=document,
                            quote="Mục tiêu minh hoạ (dữ liệu quy mô quốc gia, demo).",
                            note="demo",
                        )
                    )
        Target.objects.bulk_create(targets, batch_size=2000)

        codes_q = [
            f"{y}-Q{q}"
            for y in range(year_from, last_year + 1)
            for q in range(1, 5)
            if (y, q) <= (last_year, last_q)
        ]
        last_annual = last_year if last_q == 4 else last_year - 1
        codes_y = [str(y) for y in range(year_from, last_annual + 1)]
        periods = {c: period_get_or_create(code=c) for c in codes_q + codes_y}
        recent = set(codes_q[-2:])
        actuals = []
        counts = {s: 0 for s in ("approved", "submitted", "returned", "draft", "missing")}
        for loc in locs:
            for ind, level in series:
                codes = codes_q if ind.frequency == "quarterly" else codes_y
                goal = _scale_goal(ind, rng)
                values = _demo_series(ind.unit, ind.higher_is_better, goal, len(codes), rng)
                for code, value in zip(codes, values, strict=True):
                    roll = rng.random()
                    if code in recent:
                        status = (
                            "missing"
                            if roll < 0.10
                            else "returned"
                            if roll < 0.15
                            else "submitted"
                            if roll < 0.30
                            else "approved"
                        )
                    else:
                        status = "missing" if roll < 0.03 else "approved"
                    counts[status] += 1
                    if status == "missing":
                        continue
                    actuals.append(
                        Actual(
                            indicator=ind,
                            locality=loc,
                            level=level,
                            period=periods[code],
                            value=value,
                            status=status,
                            origin=Origin.DEMO,
                            note="demo",
                            department=owner[(loc.pk, ind.pillar.slug)],
                            review_comment="Đề nghị kiểm tra lại (demo)" if status == "returned" else "",
                        )
                    )
        Actual.objects.bulk_create(actuals, batch_size=2000)
    data_changed()
    return ScaleReport(
        localities=len(locs),
        departments=len(departments),
        users=len(users),
        indicators=len(indicators),
        targets=len(targets),
        actuals=len(actuals),
        by_status=counts,
    )


def _scale_goal(ind: Indicator, rng: random.Random) -> float:
    return {
        Unit.PERCENT: rng.uniform(60, 100),
        Unit.COUNT: float(rng.randint(50, 5000)),
        Unit.PER_1000: rng.uniform(1, 8),
        Unit.RANK: float(rng.randint(1, 10)),
        Unit.GROWTH_RATE: rng.uniform(5, 20),
        Unit.SCORE: rng.uniform(0.5, 0.95),
        Unit.MILESTONE: 1.0,
    }[ind.unit]


def _scale_value(ind: Indicator, goal_2030: float, share: float) -> Decimal:
    if ind.unit == Unit.MILESTONE:
        return Decimal(1)
    if ind.unit == Unit.RANK:
        return Decimal(max(1, round(goal_2030 + (1 - share) * 15)))
    if ind.unit == Unit.COUNT:
        return Decimal(round(goal_2030 * (0.3 + 0.7 * share)))
    return Decimal(str(round(goal_2030 * (0.5 + 0.5 * share), 2)))


# --------------------------------------------------------------------------- DTI improvement plans


@dataclass(frozen=True)
class PlanLoadReport:
    plans: int
    agencies: int
    tasks: int
    tasks_removed: int
    tasks_kept: int  # no longer in the file but already reported on: kept, never silently dropped


def plans_load(*, root: Path | None = None) -> PlanLoadReport:
    """Load (or update in place) the plans in `fixtures/catalogue/plans/`; the catalogue must be loaded first.

    Idempotent: running it twice changes nothing. Only what the document says is written (texts, grouping,
    agencies, deadlines, linked indicators); the progress agencies reported is never touched. A broken file
    raises CatalogueError naming the file and record, and nothing is written. A task that left the file is
    removed if nobody has reported on it yet, kept otherwise.
    """
    from .models import Component, Plan, PlanTask
    from .plans import read_plans

    root = root or Path(settings.CATALOGUE_DIR)
    documents = {d.code: d for d in Document.objects.select_related("locality")}
    pillars = {p.slug: p for p in Pillar.objects.all()}
    indicators = {i.code: i for i in Indicator.objects.all()}
    files = read_plans(
        root,
        documents={code: (d.locality.slug, d.text) for code, d in documents.items()},
        pillars=set(pillars),
        components=set(Component.values),
        indicators=set(indicators),
    )
    errors: list[str] = []
    agencies_seen = tasks_seen = removed = kept_stale = 0
    with transaction.atomic():
        for pf in files:
            document = documents[pf.document]
            locality = document.locality
            agencies: dict[str, Department] = {}
            for rec in pf.agencies:
                dept = Department.objects.filter(locality=locality, code=rec["code"]).first()
                dept = dept or Department(locality=locality, code=rec["code"])
                if dept.pk is None or (dept.name, dept.name_en) != (rec["name"], rec["name_en"]):
                    dept.name, dept.name_en = rec["name"], rec["name_en"]
                    _clean_or_collect(dept, rec["_where"], errors, exclude=["locality"])
                    if not errors:
                        dept.save()
                agencies[rec["code"]] = dept
            agencies_seen += len(agencies)

            plan = Plan.objects.filter(locality=locality, year=pf.year).first()
            if plan is not None and plan.document_id != document.pk:
                errors.append(
                    f"{pf.where}: {locality.slug} already has a plan for {pf.year} from another document"
                )
                continue
            plan = plan or Plan(locality=locality, year=pf.year, document=document)
            if plan.pk is None or (plan.title, plan.goals) != (pf.title, pf.goals):
                plan.title, plan.goals = pf.title, pf.goals
                _clean_or_collect(plan, pf.where, errors, exclude=["locality", "document"])
                if errors:
                    continue
                plan._change_reason = "Nạp kế hoạch từ văn bản"
                plan.save()

            existing = {
                t.code: t
                for t in PlanTask.objects.filter(plan=plan).prefetch_related("cooperating", "indicators")
            }
            for rec in pf.tasks:
                task = existing.pop(rec["code"], None) or PlanTask(plan=plan, code=rec["code"])
                fields = {
                    "order": rec["order"],
                    "pillar_id": pillars[rec["pillar"]].pk,
                    "component": rec["component"],
                    "section": rec["section"],
                    "text": rec["text"],
                    "lead_id": agencies[rec["lead"]].pk,
                    "lead_inferred": rec["lead_inferred"],
                    "assignment_note": rec["basis"],
                    "deadline": rec["deadline"],
                }
                cooperating = {agencies[c].pk for c in rec["cooperating"]}
                linked = {indicators[c].pk for c in rec["indicators"]}
                if task.pk is not None and all(getattr(task, k) == v for k, v in fields.items()):
                    same_m2m = {d.pk for d in task.cooperating.all()} == cooperating and {
                        i.pk for i in task.indicators.all()
                    } == linked
                    if same_m2m:
                        continue
                else:
                    for k, v in fields.items():
                        setattr(task, k, v)
                    _clean_or_collect(
                        task, rec["_where"], errors, exclude=["plan", "pillar", "lead"], db_checks=False
                    )
                    if errors:
                        continue
                    task._change_reason = "Nạp kế hoạch từ văn bản"
                    task.save()
                task.cooperating.set(cooperating)
                task.indicators.set(linked)
            tasks_seen += len(pf.tasks)
            for stale in existing.values():
                if stale.version == 1 and stale.status == "not_started":
                    stale.delete()
                    removed += 1
                else:
                    kept_stale += 1
        if errors:
            transaction.set_rollback(True)
            raise CatalogueError(errors)
    return PlanLoadReport(
        plans=len(files),
        agencies=agencies_seen,
        tasks=tasks_seen,
        tasks_removed=removed,
        tasks_kept=kept_stale,
    )


@dataclass(frozen=True)
class TaskConflict:
    """Someone saved the task since the form was opened: both versions, so nothing is silently lost."""

    their_status: str
    their_note: str
    your_status: str
    your_note: str
    by: str
    at: dt.datetime | None


class TaskUpdateError(Exception):
    """A task update refused as a whole: messages per field, or a conflict; nothing was written."""

    def __init__(
        self,
        *,
        errors: dict[str, list[str]] | None = None,
        conflict: TaskConflict | None = None,
        general: list[str] | None = None,
    ):
        self.errors = errors or {}
        self.conflict = conflict
        self.general = general or []
        super().__init__("; ".join(self.general) or "task update refused")


def plan_task_update(
    *,
    user,
    task_id: int,
    status: str,
    note: str,
    version: int,
    evidence_url: str = "",
    evidence_file=None,
) -> bool:
    """Report a task's progress: status, a progress note, evidence (a file or a link). True if it changed.

    The lead agency's editors and the locality's reviewers may; the note is required, a task reported done
    needs evidence, files are checked by content (as for actuals). Optimistic locking: if the stored version
    is not the one the form showed, TaskUpdateError carries both versions and nothing is written.
    """
    from django.core.validators import URLValidator
    from django.utils import translation
    from django.utils.translation import gettext

    from . import access
    from .evidence import MAX_EVIDENCE_BYTES, check_evidence, stored_name
    from .models import PlanTask, TaskStatus

    task = PlanTask.objects.select_related("plan").filter(pk=task_id).first()
    if task is None or not access.can_update_task(user, task):
        raise TaskUpdateError(general=[gettext("Bạn không có quyền cập nhật nhiệm vụ này.")])
    status = (status or "").strip()
    note = (note or "").strip()
    url = (evidence_url or "").strip()

    def conflict_with(current: PlanTask) -> TaskConflict:
        return TaskConflict(
            their_status=str(TaskStatus(current.status).label),
            their_note=current.progress_note,
            your_status=str(TaskStatus(status).label) if status in TaskStatus.values else status,
            your_note=note,
            by=str(current.updated_by or ""),
            at=current.updated_at,
        )

    if task.version != version:
        raise TaskUpdateError(conflict=conflict_with(task))

    errors: dict[str, list[str]] = {}
    if status not in TaskStatus.values:
        errors.setdefault("status", []).append(gettext("Vui lòng chọn một trạng thái hợp lệ."))
    if not note:
        errors.setdefault("note", []).append(gettext("Vui lòng ghi tiến độ, kết quả thực hiện."))
    for message in _length_errors(note_length, note):
        errors.setdefault("note", []).append(message)
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors.setdefault("evidence_url", []).append(
                gettext("Đường dẫn minh chứng phải là một địa chỉ http(s) hợp lệ.")
            )
        if message := _url_too_long(url):
            errors.setdefault("evidence_url", []).append(message)
    kind = None
    if evidence_file is not None:
        if (getattr(evidence_file, "size", 0) or 0) > MAX_EVIDENCE_BYTES:
            errors.setdefault("evidence_file", []).append(gettext("Tệp minh chứng vượt quá 10 MB."))
        else:
            data = evidence_file.read()
            evidence_file.seek(0)
            kind, message = check_evidence(data, gettext=gettext)
            if message:
                errors.setdefault("evidence_file", []).append(message)
    if status == TaskStatus.DONE and not (task.has_evidence or url or evidence_file is not None):
        errors.setdefault("evidence_url", []).append(
            gettext("Nhiệm vụ hoàn thành cần có minh chứng: tải tệp lên hoặc ghi đường dẫn.")
        )
    if errors:
        raise TaskUpdateError(errors=errors)
    if (
        status == task.status
        and note == task.progress_note
        and (not url or url == task.evidence_url)
        and evidence_file is None
    ):
        return False

    with transaction.atomic():
        current = PlanTask.objects.select_for_update().get(pk=task.pk)
        if current.version != version:  # saved by someone between our check and our lock
            raise TaskUpdateError(conflict=conflict_with(current))
        old_status = current.status
        current.status = status
        current.progress_note = note
        if url:
            current.evidence_url = url
        if evidence_file is not None:
            # Stored and offered under the type found by parsing it, never the uploader's extension.
            name = stored_name(evidence_file.name, kind)
            current.evidence_file.save(name, evidence_file, save=False)
            current.evidence_name = name[:255]
        current.version += 1
        current.updated_by = user
        reason = "Cập nhật tiến độ"
        if old_status != status:
            with translation.override("vi"):  # the audit trail is written in the source language
                reason += f": {TaskStatus(old_status).label} → {TaskStatus(status).label}"
        current._change_reason = reason
        current._history_user = user
        current.save()
    return True


class PlanError(Exception):
    """A plan action refused; the message is for the reviewer. Nothing was written."""


def _a_year_later(day: dt.date | None) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def plan_copy_to_next_year(*, user, plan_id: int):
    """Create next year's plan of the locality from this plan's open (not done) tasks (reviewers).

    Each open task is copied with its text, grouping, agencies and linked indicators, its status kept and
    its deadline a year later; the new task points back to the old one (whose history stays where it is).
    Refused if next year's plan exists already or nothing is open.
    """
    from django.utils.translation import gettext

    from . import access
    from .models import MAX_YEAR, Plan, PlanTask, TaskStatus

    plan = Plan.objects.select_related("locality").filter(pk=plan_id).first()
    if plan is None or not access.can_copy_plan(user, plan):
        raise PlanError(gettext("Bạn không có quyền lập kế hoạch cho địa phương này."))
    year = plan.year + 1
    if year > MAX_YEAR:
        raise PlanError(gettext("Không thể lập kế hoạch sau năm %(year)d.") % {"year": MAX_YEAR})
    if Plan.objects.filter(locality=plan.locality, year=year).exists():
        raise PlanError(
            gettext("%(locality)s đã có kế hoạch năm %(year)d.")
            % {"locality": plan.locality.name, "year": year}
        )
    open_tasks = list(
        plan.tasks.exclude(status=TaskStatus.DONE)
        .prefetch_related("cooperating", "indicators")
        .order_by("order")
    )
    if not open_tasks:
        raise PlanError(gettext("Mọi nhiệm vụ đã hoàn thành: không có nhiệm vụ nào để chuyển sang năm sau."))
    reason = f"Chuyển tiếp từ kế hoạch năm {plan.year}"
    try:
        with transaction.atomic():
            new = Plan(
                locality=plan.locality,
                year=year,
                document_id=plan.document_id,
                title=f"{plan.title} — nhiệm vụ chuyển tiếp sang năm {year}",
                goals=plan.goals,
                copied_from=plan,
                created_by=user,
            )
            new.full_clean(
                exclude=["locality", "document", "copied_from", "created_by"], validate_unique=False
            )
            new._change_reason = reason
            new._history_user = user
            new.save()
            for old in open_tasks:
                task = PlanTask(
                    plan=new,
                    code=old.code,
                    order=old.order,
                    pillar_id=old.pillar_id,
                    component=old.component,
                    section=old.section,
                    text=old.text,
                    lead_id=old.lead_id,
                    lead_inferred=old.lead_inferred,
                    assignment_note=old.assignment_note,
                    deadline=_a_year_later(old.deadline),
                    status=old.status,
                    copied_from=old,
                    updated_by=user,
                )
                task._change_reason = reason
                task._history_user = user
                task.save()
                task.cooperating.set(old.cooperating.all())
                task.indicators.set(old.indicators.all())
    except IntegrityError as exc:  # created meanwhile by another reviewer
        raise PlanError(
            gettext("%(locality)s đã có kế hoạch năm %(year)d.")
            % {"locality": plan.locality.name, "year": year}
        ) from exc
    return new
