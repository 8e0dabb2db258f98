"""Shared test data, built in code, with named people so that a test reads like a story."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from targets import services
from targets.models import Department, Locality, Membership, Role

User = get_user_model()
PASSWORD = "s3cret-pass-for-tests"


@pytest.fixture
def catalogue(db):
    """The real catalogue from fixtures/ (136 targets of the five documents) and the published figures."""
    services.catalogue_load()
    services.published_figures_load()
    _publishing_from_fixture()
    return Locality.objects.in_bulk(field_name="slug")


def _publishing_from_fixture() -> None:
    """`publishes` and `official_code` as fixtures/catalogue/localities.toml states them.

    The catalogue loader does not read these two keys yet (issue #19: `targets/services.py` was being moved
    when they were added); once it does, this only repeats what it wrote.
    """
    import tomllib
    from pathlib import Path

    from django.conf import settings

    path = Path(settings.BASE_DIR) / "fixtures" / "catalogue" / "localities.toml"
    for rec in tomllib.loads(path.read_text(encoding="utf-8"))["locality"]:
        Locality.objects.filter(slug=rec["slug"]).update(
            publishes=rec.get("publishes", False), official_code=rec.get("official_code", "")
        )


def _member(username: str, locality: Locality, dept_code: str, dept_name: str, role: str):
    dept, _ = Department.objects.get_or_create(
        locality=locality, code=dept_code, defaults={"name": dept_name}
    )
    user = User.objects.filter(username=username).first() or User.objects.create_user(
        username, password=PASSWORD
    )
    Membership.objects.create(user=user, department=dept, role=role)
    return user


@pytest.fixture
def hai_phong_finance_editor(catalogue):
    """An officer of Hải Phòng's Department of Finance who enters its figures."""
    return _member("lan.hp.taichinh", catalogue["hai-phong"], "so-tai-chinh", "Sở Tài chính", Role.EDITOR)


@pytest.fixture
def hai_phong_reviewer(catalogue):
    """An officer of Hải Phòng's Sở KH&CN (formerly Sở TTTT) who reviews and approves."""
    return _member(
        "minh.hp.khcn", catalogue["hai-phong"], "so-khcn", "Sở Khoa học và Công nghệ", Role.REVIEWER
    )


@pytest.fixture
def ha_noi_viewer(catalogue):
    """A member of Hà Nội's leadership who reads the dashboards."""
    return _member("hung.hn.lanhdao", catalogue["ha-noi"], "van-phong-ubnd", "Văn phòng UBND", Role.VIEWER)


@pytest.fixture
def da_nang_editor(catalogue):
    return _member("thu.dn.taichinh", catalogue["da-nang"], "so-tai-chinh", "Sở Tài chính", Role.EDITOR)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("quantri", "quantri@example.vn", PASSWORD)


@pytest.fixture
def finance_assignments(hai_phong_finance_editor):
    """Hải Phòng's Department of Finance reports e-payment accounts and the city/commune dossier rates."""
    from targets.models import Assignment, Indicator

    dept = Department.objects.get(locality__slug="hai-phong", code="so-tai-chinh")
    items = [("epayment_accounts", ""), ("work_dossiers_online", "city"), ("work_dossiers_online", "commune")]
    return [
        Assignment.objects.create(department=dept, indicator=Indicator.objects.get(code=code), level=level)
        for code, level in items
    ]


@pytest.fixture
def today():
    """Entry tests run on a fixed day: 2026-11-22, in 2026-Q4 (deadline 2026-12-06)."""
    import datetime as dt

    return dt.date(2026, 11, 22)


@pytest.fixture
def fixed_today(monkeypatch, today):
    """Views ask timezone.localdate(); pin it so deadlines and open quarters do not drift with the calendar."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today)
    return today
