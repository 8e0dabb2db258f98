"""The cache settings: chosen by name from the environment, refused when unknown, one prefix per database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from dtiportal.settings import base


def test_an_unknown_cache_backend_is_refused():
    with pytest.raises(ImproperlyConfigured, match="CACHE_BACKEND='memory'"):
        base.cache_settings("memory")


def test_the_default_cache_is_a_directory_shared_by_the_workers():
    settings = base.cache_settings("file")
    assert settings["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert settings["LOCATION"].endswith("dtiportal-cache")


def test_two_databases_never_share_cache_entries():
    one = {"ENGINE": "django.db.backends.postgresql", "HOST": "db", "PORT": 5432, "NAME": "dtiportal"}
    other = {**one, "NAME": "dtiportal_staging"}
    assert (
        base.cache_settings("file", database=one)["KEY_PREFIX"]
        != base.cache_settings("file", database=other)["KEY_PREFIX"]
    )


def test_cache_url_selects_djangos_redis_cache():
    settings = base.cache_from_environment({"CACHE_URL": "redis://cache.internal:6379/1"})
    assert settings["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert settings["LOCATION"] == "redis://cache.internal:6379/1"


def test_a_cache_url_that_is_not_redis_is_refused():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL='http://cache:6379'"):
        base.cache_from_environment({"CACHE_URL": "http://cache:6379"})


def test_without_cache_url_the_default_stays_a_directory():
    assert base.cache_from_environment({})["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"


def test_the_directory_keeps_thousands_of_entries_without_culling(tmp_path, monkeypatch):
    """Django's default of 300 entries culled a third of the cache on every write past it at national scale:
    warm pages went cold under load (issue #20). The default keeps 5,000; CACHE_MAX_ENTRIES sets another."""
    from django.core.cache.backends.filebased import FileBasedCache

    monkeypatch.delenv("CACHE_MAX_ENTRIES", raising=False)
    settings = base.cache_settings("file", str(tmp_path))
    assert settings["OPTIONS"]["MAX_ENTRIES"] == 5000
    cache = FileBasedCache(settings["LOCATION"], {k: v for k, v in settings.items() if k != "BACKEND"})
    for i in range(400):
        cache.set(f"k{i}", i)
    assert sum(cache.get(f"k{i}") == i for i in range(400)) == 400  # with 300: a third culled

    monkeypatch.setenv("CACHE_MAX_ENTRIES", "20000")
    assert base.cache_settings("file", str(tmp_path))["OPTIONS"]["MAX_ENTRIES"] == 20000
    for wrong in ("lots", "0", "-5"):
        monkeypatch.setenv("CACHE_MAX_ENTRIES", wrong)
        with pytest.raises(ImproperlyConfigured, match="CACHE_MAX_ENTRIES"):
            base.cache_settings("file", str(tmp_path))


def test_a_new_release_of_the_code_reads_nothing_its_predecessor_cached(tmp_path):
    """Rows, cells and pages are kept formatted (issue #20) in a cache that outlives a release (a directory,
    Redis): the key prefix carries a digest of the code that formats them, so a release that changes a
    template, a Python module or a translation starts from an empty cache."""
    (tmp_path / "reports").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "reports" / "display.py").write_text("ROW = '{}'\n")
    (tmp_path / "templates" / "row.html").write_text("<td>{{ x }}</td>\n")
    first = base.code_version(tmp_path)
    assert base.code_version(tmp_path) == first  # the same code: the same digest
    (tmp_path / "templates" / "row.html").write_text("<td class='num'>{{ x }}</td>\n")
    second = base.code_version(tmp_path)
    assert second != first
    (tmp_path / "reports" / "display.py").write_text("ROW = '[]'\n")
    assert base.code_version(tmp_path) not in (first, second)
    assert base.cache_settings("file")["KEY_PREFIX"].endswith("-" + base.code_version())
