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
