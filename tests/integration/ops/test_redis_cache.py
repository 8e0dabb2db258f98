"""The shared cache on a real Redis (issue #20 point 5): `CACHE_URL=redis://…` gives Django's built-in
RedisCache, and what the portal keeps in it (the data version, the figures, the computation locks) is
shared by every process and host that points at it.

Needs a redis-server: `REDIS_URL` (CI starts one on loopback, `.ci/run`). Without it the tests are skipped
locally and FAIL under `CI=true`.
"""

from __future__ import annotations

import os
import threading
import time

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache

from dtiportal.settings.base import cache_from_environment
from targets.cache import _full_key, cached, data_changed, data_version

REDIS_URL = os.environ.get("REDIS_URL", "")


def _redis_or_fail() -> str:
    if REDIS_URL:
        return REDIS_URL
    if os.environ.get("CI") == "true":
        pytest.fail("REDIS_URL is not set: CI must start a redis-server on loopback (.ci/run)")
    pytest.skip("REDIS_URL not set: start a redis-server and set REDIS_URL=redis://127.0.0.1:6379/0 to run")


@pytest.fixture(autouse=True)
def with_redis(settings):
    url = _redis_or_fail()
    settings.CACHES = {"default": cache_from_environment({"CACHE_URL": url})}
    cache.clear()
    yield
    cache.clear()


def _other_host() -> RedisCache:
    """A second process's (or host's) connection to the same Redis."""
    from django.conf import settings

    config = settings.CACHES["default"]
    return RedisCache(config["LOCATION"], {"KEY_PREFIX": config["KEY_PREFIX"], "TIMEOUT": 60})


def test_the_cache_is_djangos_redis_cache():
    from django.core.cache import caches

    assert isinstance(caches["default"], RedisCache)
    cache.set("dti:probe", {"figure": 1.5})
    assert _other_host().get("dti:probe") == {"figure": 1.5}


@pytest.mark.django_db
def test_a_data_change_on_one_host_is_seen_by_another():
    version = data_version()
    other = _other_host()
    assert other.get("dti:data-version") == version
    data_changed()
    assert other.get("dti:data-version") == data_version() != version


def test_a_figure_computed_on_one_host_is_served_to_another():
    calls = []
    assert cached(("overview", "redis"), lambda: calls.append(1) or "computed") == "computed"
    assert _other_host().get(_full_key(("overview", "redis"), None)) == "computed"
    assert cached(("overview", "redis"), lambda: calls.append(1) or "again") == "computed"
    assert calls == [1]


def test_no_stampede_across_connections():
    calls = []
    barrier = threading.Barrier(5)
    results = []

    def compute():
        calls.append(1)
        time.sleep(0.3)
        return "once"

    def ask():
        barrier.wait()
        results.append(cached(("progress", "redis"), compute))

    threads = [threading.Thread(target=ask) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert calls == [1]
    assert results == ["once"] * 5


def test_a_lock_held_by_another_host_is_waited_for():
    key = ("city", "redis")
    full = _full_key(key, None)
    other = _other_host()
    assert other.add(f"{full}:lock", "host-2", timeout=60)
    threading.Timer(0.2, lambda: other.set(full, "from host 2")).start()
    assert cached(key, lambda: "computed here") == "from host 2"
