"""Security: login throttling, sessions, passwords, headers (CSP without inline scripts), health check, logs."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[3]


def _login(client, username: str, password: str):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7"
    )


def test_five_failed_logins_lock_the_user_at_that_address(client, ha_noi_viewer):
    for _ in range(4):
        response = _login(client, ha_noi_viewer.username, "sai-mat-khau")
        assert response.status_code == 200 and "không đúng" in response.content.decode()
    assert (
        _login(client, ha_noi_viewer.username, "sai-mat-khau").status_code == 429
    )  # the fifth failure locks
    response = _login(client, ha_noi_viewer.username, PASSWORD)  # even the right password is refused now
    assert response.status_code == 429
    assert "Tạm khoá đăng nhập" in response.content.decode()
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username=ha_noi_viewer.username)
    assert attempt.failures_since_start >= 5 and attempt.ip_address == "10.0.0.7"


def test_the_lock_is_per_user_and_address(client, ha_noi_viewer, hai_phong_reviewer):
    for _ in range(5):
        _login(client, ha_noi_viewer.username, "sai-mat-khau")
    assert _login(client, hai_phong_reviewer.username, PASSWORD).status_code == 302
    other = client.post(
        "/accounts/login/", {"username": ha_noi_viewer.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.8"
    )
    assert other.status_code == 302


def test_an_administrator_can_unlock(client, ha_noi_viewer):
    for _ in range(5):
        _login(client, ha_noi_viewer.username, "sai-mat-khau")
    call_command("axes_reset_username", ha_noi_viewer.username)
    assert not AccessAttempt.objects.filter(username=ha_noi_viewer.username).exists()
    assert _login(client, ha_noi_viewer.username, PASSWORD).status_code == 302


def test_the_admin_lists_access_attempts_for_unlocking(admin_client, ha_noi_viewer, client):
    _login(client, ha_noi_viewer.username, "sai-mat-khau")
    response = admin_client.get("/admin/axes/accessattempt/")
    assert response.status_code == 200 and ha_noi_viewer.username in response.content.decode()


def test_sessions_end_with_the_browser_and_within_eight_hours(client, ha_noi_viewer, settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True and settings.SESSION_COOKIE_AGE <= 8 * 3600
    _login(client, ha_noi_viewer.username, PASSWORD)
    cookie = client.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # a browser-session cookie
    assert cookie["httponly"]


def test_weak_passwords_are_refused(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    ha_noi_viewer.refresh_from_db()
    assert ha_noi_viewer.check_password(PASSWORD)


@pytest.mark.parametrize("path", ["/accounts/login/", "/open-data/", "/catalogue/"])
def test_every_page_sends_a_csp_without_inline_scripts_and_the_other_headers(client, ha_noi_viewer, path):
    client.force_login(ha_noi_viewer)
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_script_code():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for chunk in text.split("<script")[1:]:
            head, _, rest = chunk.partition(">")
            body = rest.split("</script>")[0].strip()
            if body and "application/json" not in head:
                offenders.append(str(path))
            if " on" in head:
                offenders.append(str(path))
    assert offenders == []


def test_healthz_reports_the_database_and_migrations(client, db, monkeypatch):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {
        "status": "ok",
        "database": "ok",
        "pending_migrations": 0,
    }
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(
        MigrationExecutor, "migration_plan", lambda self, targets: [("targets", "9999_future")]
    )
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["pending_migrations"] == 1


def test_each_request_is_logged_as_one_line_without_query_or_personal_data(client, ha_noi_viewer, caplog):
    client.force_login(ha_noi_viewer)
    with caplog.at_level(logging.INFO, logger="dtiportal.request"):
        client.get("/catalogue/", {"q": "bí mật 42"})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "dtiportal.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["path"] == "/catalogue/" and line["route"] == "targets:catalogue" and line["status"] == 200
    assert line["user"] == ha_noi_viewer.pk and isinstance(line["ms"], float)
    assert "bí mật" not in caplog.text and ha_noi_viewer.username not in caplog.text


def test_production_settings_pass_the_deploy_check():
    # The browser tests' fixture sets DJANGO_ALLOW_ASYNC_UNSAFE in this process when they share an xdist worker.
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="dtiportal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        DATABASE_URL="sqlite:////tmp/dtiportal-deploy-check.sqlite3",
        ALLOWED_HOSTS="dti.haiphong.gov.vn",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def shared_cache(settings):
    """The rate limit counts in the cache every worker shares (a directory or a server in production)."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pwreset"}
    }
    cache.clear()
    yield
    cache.clear()


def test_password_reset_sends_at_most_three_emails_an_hour_to_one_address(client, db, shared_cache):
    """The attack: 11 requests sent 11 e-mails to one inbox."""
    from django.contrib.auth import get_user_model
    from django.core import mail

    get_user_model().objects.create_user("lan.hp", email="lan@haiphong.gov.vn", password=PASSWORD)
    answers = [
        client.post("/accounts/password_reset/", {"email": "Lan@HaiPhong.gov.vn"}, REMOTE_ADDR=f"10.0.0.{i}")
        for i in range(11)  # from eleven addresses: the limit is the inbox's, not only the sender's
    ]
    assert len(mail.outbox) == 3
    assert [a.status_code for a in answers] == [302] * 3 + [429] * 8
    assert "quá nhiều yêu cầu đặt lại mật khẩu" in answers[-1].content.decode()


def test_password_reset_answers_at_most_ten_requests_an_hour_from_one_client(client, db, shared_cache):
    from django.contrib.auth import get_user_model
    from django.core import mail

    for i in range(11):
        get_user_model().objects.create_user(f"u{i}", email=f"u{i}@haiphong.gov.vn", password=PASSWORD)
    answers = [
        client.post("/accounts/password_reset/", {"email": f"u{i}@haiphong.gov.vn"}, REMOTE_ADDR="10.0.0.9")
        for i in range(11)
    ]
    assert len(mail.outbox) == 10
    assert answers[-1].status_code == 429
    # An address nobody has is limited the same way: the answer tells nothing about who has an account.
    unknown = client.post("/accounts/password_reset/", {"email": "ai@example.vn"}, REMOTE_ADDR="10.0.0.9")
    assert unknown.status_code == 429 and len(mail.outbox) == 10
