"""Settings fail loudly on bad values instead of starting half-configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _import_settings(module: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DEBUG"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE=module)
    code = "import django; django.setup()"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _import_settings(
        "dtiportal.settings.production",
        DATABASE_URL="postgres://u@127.0.0.1/db",
        ALLOWED_HOSTS="dti.example.vn",
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_development_key():
    result = _import_settings(
        "dtiportal.settings.production",
        SECRET_KEY="dev-only-not-secret-dtiportal" + "x" * 40,
        DATABASE_URL="postgres://u@127.0.0.1/db",
        ALLOWED_HOSTS="dti.example.vn",
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_starts_with_everything_set():
    result = _import_settings(
        "dtiportal.settings.production",
        SECRET_KEY="k" * 20 + "Zq9!" * 10,
        DATABASE_URL="postgres://u@127.0.0.1/db",
        ALLOWED_HOSTS="dti.example.vn",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_boolean_setting_that_is_not_a_boolean_is_refused(value):
    result = _import_settings("dtiportal.settings.dev", DEBUG=value)
    assert result.returncode != 0
    assert "is not a boolean" in result.stderr


def test_production_answers_the_health_check_over_plain_http_and_redirects_the_rest(tmp_path):
    """Docker's HEALTHCHECK asks http://127.0.0.1/healthz: a 301 to https marked a healthy portal as down."""
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "c = Client(HTTP_HOST='dti.example.vn');"
        "h = c.get('/healthz'); d = c.get('/dashboard/');"
        "print(h.status_code, h.json()['database'], d.status_code, d['Location'])"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"}}
    clean.update(
        DJANGO_SETTINGS_MODULE="dtiportal.settings.production",
        SECRET_KEY="k" * 20 + "Zq9!" * 10,
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        ALLOWED_HOSTS="dti.example.vn",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    # An empty database: the health check itself answers (503, migrations pending), it is not redirected.
    assert result.stdout.split() == ["503", "ok", "301", "https://dti.example.vn/dashboard/"]
