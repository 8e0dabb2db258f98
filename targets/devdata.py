"""Development and benchmark data — never used by a page: the demo figures, the demo departments and
accounts (with their passwords), and the national-scale synthetic data. Called by the management commands
(`generate_demo_data`, `create_demo_accounts`, `generate_scale_data`), the benchmarks and the tests."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from .cache import (
    data_changed,  # called after every write that changes what pages and reports show
    everything_changed,  # generated figures: every stored assessment recomputed
)
from .catalogue import CatalogueError
from .models import (
    Actual,
    Assignment,
    Department,
    Document,
    Indicator,
    Level,
    Locality,
    Membership,
    Origin,
    Pillar,
    ReportingPeriod,
    Role,
    Status,
    Target,
    Unit,
)
from .periods import (
    DISTRICT_LEVEL_ENDS,
    last_closed_quarter,
    period_end_date,
)
from .services.catalogue import period_get_or_create

User = get_user_model()


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
        # The whole country (issue #21) holds national targets: nobody reports for it, no demo figures.
        Target.objects.filter(locality__valid_to__isnull=True, locality__is_country=False)
        .values_list("indicator_id", "locality_id", "level")
        .distinct()
        .order_by("indicator_id", "locality_id", "level")
    )
    indicators = {i.pk: i for i in Indicator.objects.all()}
    goals: dict[tuple[int, int, str], float] = {}
    for ind_id, loc_id, level, value in (
        Target.objects.filter(locality__valid_to__isnull=True, locality__is_country=False)
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
            codes = [c for c in codes if period_end_date(c) <= DISTRICT_LEVEL_ENDS]
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
    everything_changed()
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
    if unit == Unit.INDEX:  # against a base year = 100: starts near 100
        start = 100 * rng.uniform(0.97, 1.03)
        end = 100 + (goal - 100) * reach
    elif higher_is_better:
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

# Hà Nội and Đà Nẵng get the same three demo departments.
_CITY_DEPARTMENTS = [
    (
        "so-khcn",
        "Sở Khoa học và Công nghệ (cơ quan chuyển đổi số)",
        "Department of Science and Technology",
    ),
    ("van-phong-ubnd", "Văn phòng UBND thành phố", "Office of the People's Committee"),
    ("so-tai-chinh", "Sở Tài chính", "Department of Finance"),
]
DEMO_DEPARTMENTS: dict[str, list[tuple[str, str, str]]] = {
    # locality: (code, name, name_en)
    # The names Plan 86's file gives the same agencies (fixtures/catalogue/plans/), so that loading the plans
    # and creating the demo accounts do not rename them back and forth.
    "hai-phong": [
        ("so-khcn", "Sở Khoa học và Công nghệ", "Department of Science and Technology"),
        ("so-tai-chinh", "Sở Tài chính", "Department of Finance"),
        ("van-phong-ubnd", "Văn phòng Ủy ban nhân dân thành phố", "Office of the city People's Committee"),
        ("so-y-te", "Sở Y tế", "Department of Health"),
        ("so-cong-thuong", "Sở Công Thương", "Department of Industry and Trade"),
        # The lead agency of most tasks of Plan 86/KH-UBND (2022), as the plan names it; ended 28/02/2025.
        ("so-tttt", "Sở Thông tin và Truyền thông", "Department of Information and Communications"),
    ],
    "ha-noi": _CITY_DEPARTMENTS,
    "da-nang": _CITY_DEPARTMENTS,
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
    # Once of the Sở TTTT, now of the Sở KH&CN, which answers for the Sở TTTT's tasks from 1/3/2025 (issue #16).
    ("hp.tttt", "hp-tttt-2026", [("hai-phong", "so-khcn", Role.EDITOR)], False),
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
        # The national-only indicators (issue #21: targets of the whole country and of no province) are not
        # the provinces' catalogue: the scale set stays the cities' harmonised indicators.
        national = set(
            Target.objects.filter(locality__is_country=True).values_list("indicator_id", flat=True)
        )
        provincial = set(
            Target.objects.filter(locality__is_country=False).values_list("indicator_id", flat=True)
        )
        indicators = [
            ind
            for ind in Indicator.objects.select_related("pillar").order_by("pk")
            if (not ind.code.startswith("demo_indicator_") or int(ind.code[-3:]) <= extra_indicators)
            and (ind.pk not in national or ind.pk in provincial)
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
    everything_changed()
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
        Unit.INDEX: rng.uniform(110, 150),
    }[ind.unit]


def _scale_value(ind: Indicator, goal_2030: float, share: float) -> Decimal:
    if ind.unit == Unit.MILESTONE:
        return Decimal(1)
    if ind.unit == Unit.RANK:
        return Decimal(max(1, round(goal_2030 + (1 - share) * 15)))
    if ind.unit == Unit.COUNT:
        return Decimal(round(goal_2030 * (0.3 + 0.7 * share)))
    return Decimal(str(round(goal_2030 * (0.5 + 0.5 * share), 2)))
