"""No stampede (issue #20 point 3): while one caller computes a missing figure, the others wait for its
result instead of computing it too; a caller whose lock holder failed or is stuck computes it itself."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache

from targets import cache as figure_cache
from targets.cache import _full_key, cached


@pytest.fixture(autouse=True)
def with_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "stampede"}
    }
    cache.clear()
    yield
    cache.clear()


def test_concurrent_callers_compute_a_missing_figure_once():
    calls = []
    started = threading.Barrier(6)

    def compute():
        calls.append(1)
        time.sleep(0.3)  # long enough for every other caller to arrive while it runs
        return {"figure": 42}

    results = []

    def ask():
        started.wait()
        results.append(cached(("overview", "2026-Q3"), compute))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)

    assert len(calls) == 1
    assert results == [{"figure": 42}] * 6


def test_a_caller_waits_for_the_value_of_the_lock_holder():
    key = ("city", "ha-noi")
    full = _full_key(key, None)
    assert cache.add(f"{full}:lock", "held by another worker", timeout=60)  # another process computes it
    threading.Timer(0.2, lambda: cache.set(full, "computed elsewhere")).start()

    def compute():
        raise AssertionError("must not compute: another caller holds the lock")

    started = time.monotonic()
    assert cached(key, compute) == "computed elsewhere"
    assert 0.15 < time.monotonic() - started < 5


def test_a_caller_computes_itself_when_the_lock_is_released_without_a_value():
    key = ("pillar", "hai-phong")
    full = _full_key(key, None)
    cache.add(f"{full}:lock", "held", timeout=60)
    threading.Timer(0.2, lambda: cache.delete(f"{full}:lock")).start()  # its holder failed

    assert cached(key, lambda: "computed here") == "computed here"
    assert cache.get(full) == "computed here"
    assert cache.get(f"{full}:lock") is None  # released after storing


def test_a_stuck_lock_is_given_up_after_its_timeout(monkeypatch):
    monkeypatch.setattr(figure_cache, "LOCK_TIMEOUT", 0.3)
    key = ("overview", "stuck")
    cache.add(f"{_full_key(key, None)}:lock", "held forever", timeout=60)
    started = time.monotonic()
    assert cached(key, lambda: "computed after the timeout") == "computed after the timeout"
    assert time.monotonic() - started >= 0.3


def test_a_failed_computation_releases_its_lock():
    key = ("series", "broken")

    def broken():
        raise RuntimeError("engine failed")

    with pytest.raises(RuntimeError):
        cached(key, broken)
    assert cache.get(f"{_full_key(key, None)}:lock") is None
    assert cached(key, lambda: "second try") == "second try"
