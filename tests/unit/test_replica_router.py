"""The database router (issue #20): with `DATABASE_REPLICA_URL`, reads go to the replica unless they must
be current; writes and migrations always go to the primary; without a replica, everything is `default`."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import connections

from dtiportal.routers import ReplicaRouter, pinned
from targets.models import Actual, Job

PRIMARY = {"ENGINE": "django.db.backends.postgresql", "NAME": "dtiportal", "HOST": "primary"}
REPLICA = {**PRIMARY, "HOST": "replica", "TEST": {"MIRROR": "default"}}


@pytest.fixture
def with_replica(settings):
    settings.DATABASES = {"default": PRIMARY, "replica": REPLICA}


def test_reads_go_to_the_replica_and_writes_to_the_primary(with_replica):
    router = ReplicaRouter()
    assert router.db_for_read(Actual) == "replica"
    assert router.db_for_write(Actual) == "default"


def test_reads_that_must_be_current_go_to_the_primary(with_replica, monkeypatch):
    router = ReplicaRouter()
    assert router.db_for_read(Session) == "default"  # a session written by the previous request
    assert router.db_for_read(Job) == "default"  # a job's progress, written by the worker
    token = pinned.set(True)  # a request that writes, or the same browser just after
    try:
        assert router.db_for_read(Actual) == "default"
    finally:
        pinned.reset(token)
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)  # a service's transaction
    assert router.db_for_read(Actual) == "default"


def test_migrations_run_on_the_primary_only(with_replica):
    router = ReplicaRouter()
    assert router.allow_migrate("default", "targets")
    assert not router.allow_migrate("replica", "targets")
    assert router.allow_relation(object(), object())


def test_without_a_replica_everything_reads_the_primary(settings):
    settings.DATABASES = {"default": PRIMARY}
    assert ReplicaRouter().db_for_read(Actual) == "default"


def test_the_setting_adds_the_replica_and_the_router(monkeypatch):
    import importlib

    from dtiportal.settings import base

    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader:pw@replica.internal:5432/dtiportal")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.DATABASES["replica"]["HOST"] == "replica.internal"
        assert reloaded.DATABASES["replica"]["TEST"] == {"MIRROR": "default"}
        assert reloaded.DATABASE_ROUTERS == ["dtiportal.routers.ReplicaRouter"]
    finally:
        monkeypatch.delenv("DATABASE_REPLICA_URL")
        importlib.reload(base)


def _seen_pin(request) -> tuple[bool, object]:
    from django.http import HttpResponse

    from dtiportal.middleware import ReplicaPinMiddleware

    seen = {}

    def view(req):
        seen["pinned"] = pinned.get()
        return HttpResponse("ok")

    response = ReplicaPinMiddleware(view)(request)
    return seen["pinned"], response


def test_a_save_and_the_same_browsers_next_pages_read_the_primary(with_replica, rf):
    from dtiportal.middleware import PIN_COOKIE

    was_pinned, response = _seen_pin(rf.post("/entry/2026-Q3/"))
    assert was_pinned
    assert response.cookies[PIN_COOKIE]["max-age"] == 10  # REPLICA_PIN_SECONDS
    after = rf.get("/entry/2026-Q3/")
    after.COOKIES[PIN_COOKIE] = "1"
    assert _seen_pin(after)[0]
    assert not _seen_pin(rf.get("/dashboard/"))[0]  # another browser, no recent save: the replica
    assert pinned.get() is False  # reset after the request


def test_without_a_replica_the_middleware_sets_no_cookie(settings, rf):
    settings.DATABASES = {"default": PRIMARY}
    from dtiportal.middleware import PIN_COOKIE

    was_pinned, response = _seen_pin(rf.post("/entry/2026-Q3/"))
    assert not was_pinned
    assert PIN_COOKIE not in response.cookies
