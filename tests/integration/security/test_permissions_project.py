"""The rest of the URL conf (admin, accounts, language switch, health check) × roles.

Together with test_permissions.py (every URL of the targets and reports apps) this covers every URL of the
project: a new URL outside those apps without a rule here fails `test_every_project_url_has_a_rule`.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ("anonymous", "editor", "reviewer", "viewer", "superuser")
LOGIN = 302

# name → (method, kwargs, {role: status}, default)
RULES: dict[str, tuple[str, dict, dict, int]] = {
    "healthz": ("GET", {}, {}, 200),
    "set_language": ("POST", {}, {}, 302),
    "login": ("GET", {}, {}, 200),
    "logout": ("POST", {}, {}, 302),
    "password_change": ("GET", {}, {"anonymous": LOGIN}, 200),
    "password_change_done": ("GET", {}, {"anonymous": LOGIN}, 200),
    "password_reset": ("GET", {}, {}, 200),
    "password_reset_done": ("GET", {}, {}, 200),
    "password_reset_confirm": ("GET", {"uidb64": "MQ", "token": "sai"}, {}, 200),
    "password_reset_complete": ("GET", {}, {}, 200),
}


def _patterns(resolver: URLResolver, namespace: str = "") -> list[tuple[str, URLPattern]]:
    out = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns in ("targets", "reports"):
                continue
            out += _patterns(p, ns)
        elif p.name:
            out.append((f"{namespace}:{p.name}" if namespace else p.name, p))
    return out


def test_every_project_url_has_a_rule():
    names = {name for name, _ in _patterns(get_resolver())}
    admin = {n for n in names if n.startswith("admin:")}
    assert names - admin - set(RULES) == set()
    assert "admin:index" in admin


@pytest.fixture
def people(hai_phong_finance_editor, hai_phong_reviewer, ha_noi_viewer, superuser):
    return {
        "editor": hai_phong_finance_editor,
        "reviewer": hai_phong_reviewer,
        "viewer": ha_noi_viewer,
        "superuser": superuser,
    }


@pytest.mark.parametrize("name", sorted(RULES))
def test_project_urls_per_role(client, people, name):
    method, kwargs, expect, default = RULES[name]
    url = reverse(name, kwargs=kwargs)
    failures = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(people[role])
        response = client.post(url, {"language": "vi", "next": "/"}) if method == "POST" else client.get(url)
        expected = expect.get(role, default)
        if response.status_code != expected:
            failures.append(f"{role}: {response.status_code} (expected {expected})")
    assert failures == []


def test_every_admin_list_is_for_superusers_only(client, people):
    names = [
        n
        for n, p in _patterns(get_resolver())
        if (n.startswith("admin:") and n.endswith(("_changelist", "_add"))) or n == "admin:index"
    ]
    assert len(names) > 20
    failures = []
    for name in names:
        url = reverse(name)
        for role in ROLES:
            client.logout()
            if role != "anonymous":
                client.force_login(people[role])
            status = client.get(url).status_code
            expected = 200 if role == "superuser" else 302  # everyone else is sent to the admin login
            if (
                role == "superuser"
                and name.startswith(("admin:axes_", "admin:django_tasks_database_"))
                and name.endswith("_add")
            ):
                expected = 403  # login attempts and queued tasks are written by django-axes / the queue only
            if status != expected:
                failures.append(f"{name} {role}: {status}")
    assert failures == []
