"""Shared test data, built in code, with named people so that a test reads like a story."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from targets.models import Department, Locality, Membership, Role
from targets.services.catalogue import catalogue_load, published_figures_load
from targets.services.frameworks import frameworks_load

User = get_user_model()
PASSWORD = "s3cret-pass-for-tests"


def _load_catalogue() -> None:
    catalogue_load()
    frameworks_load()  # the DTI frameworks and the indicators' links (issue #21)
    published_figures_load()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Each worker's test database, migrated, with the catalogue and the published figures loaded ONCE.

    Every test runs in a transaction that is rolled back, so it starts from this state and cannot leave
    anything behind. A test about loading itself asks for `empty_database` instead.
    """
    with django_db_blocker.unblock():
        _load_catalogue()


@pytest.fixture
def catalogue(db):
    """The real catalogue from fixtures/ (136 targets of the five documents) and the published figures.

    Loaded once per test database (`django_db_setup`). A transactional test (browser tests, backup and
    restore) ends with a flush that empties the database; the next test that needs the catalogue loads it
    again, within its own transaction.
    """
    if not Locality.objects.exists():
        _load_catalogue()
    return Locality.objects.in_bulk(field_name="slug")


@pytest.fixture
def empty_database(db):
    """A database with no catalogue, no figures, no plans: for the tests of loading itself and of migrations.

    Deletes every row of the portal's own tables in one transaction (foreign keys are checked at its end, so
    the order of the deletes does not matter): inside the test's own transaction, rolled back afterwards; in
    a transactional test, committed, and the database is flushed after the test anyway.
    """
    from django.apps import apps
    from django.db import transaction

    with transaction.atomic():
        for model in apps.get_app_config("targets").get_models(include_auto_created=True):
            model._base_manager.all()._raw_delete(model._base_manager.db)
    assert not Locality.objects.exists()


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
