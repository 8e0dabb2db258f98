"""Users of the fault run (bench/load/fault.py): officers saving their department's form every few seconds,
leaders reading dashboards. Every request is logged with its time and outcome, every acknowledged save with
what it saved, so that the run can check afterwards that no acknowledged save was lost.

An acknowledged save is a POST of the entry form answered by the redirect back to the form (the value is
committed before that answer). Each save carries a note unique to it ("fault-run <seat>-<n>"), so the save
can be found in the audit history (every committed save adds one history row per value it changed).

Files (JSON lines), from the environment: FAULT_REQUESTS (t, name, status, ok, error) and FAULT_ACKS
(t, department, period, note, values {row key: value}). Refuses any host but 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import time
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

PASSWORD = "scale-demo-2026"
PROVINCES = 34
DEPARTMENTS = ("van-phong-ubnd", "so-tai-chinh", "so-khcn")
PILLARS = ("chinh-quyen-so", "kinh-te-so", "xa-hoi-so")
VALUES_PER_SAVE = 10
AS_OF = "2026-Q3"
_seats = itertools.count()
_requests = open(os.environ["FAULT_REQUESTS"], "a", buffering=1, encoding="utf-8")  # noqa: SIM115
_acks = open(os.environ["FAULT_ACKS"], "a", buffering=1, encoding="utf-8")  # noqa: SIM115


@events.init.add_listener
def loopback_only(environment, **_kwargs) -> None:
    host = urlparse(environment.host or "").hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"the fault run runs against 127.0.0.1 only, not {environment.host!r}")


@events.request.add_listener
def log_request(request_type, name, response_time, response_length, response=None, exception=None, **kw):
    status = getattr(response, "status_code", 0) if response is not None else 0
    _requests.write(
        json.dumps(
            {
                "t": time.time(),
                "name": f"{request_type} {name}",
                "status": status,
                "ok": exception is None,
                "error": type(exception).__name__ if exception is not None else None,
                "ms": round(response_time or 0, 1),
            }
        )
        + "\n"
    )


def _quarter() -> str:
    today = dt.date.today()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


class Portal(HttpUser):
    abstract = True

    def login(self, username: str) -> None:
        page = self.client.get("/accounts/login/", name="login (form)")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.client.post(
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login of {username} failed: {response.status_code}")


class Officer(Portal):
    """Saves 10 values of its own department's form (no two officers share a form) every 2–4 s."""

    weight = 2
    wait_time = between(2, 4)

    def on_start(self) -> None:
        self.seat = next(_seats)
        self.saves = 0
        province = self.seat % PROVINCES + 1
        department = DEPARTMENTS[(self.seat // PROVINCES) % len(DEPARTMENTS)]
        self.login(f"demo-{province:02d}.{department}.editor")
        worklist = self.client.get("/entry/", name="/entry/")
        self.department = re.search(r"department=(\d+)", worklist.text).group(1)
        self.period = _quarter()
        self.path = f"/entry/{self.period}/"

    @task
    def save_form(self) -> None:
        form = self.client.get(f"{self.path}?department={self.department}", name="/entry/[period]/ (form)")
        if form.status_code != 200:
            return
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        versions = re.findall(r'name="version-(\d+)" value="(\d+)"', form.text)[:VALUES_PER_SAVE]
        if not token or not versions:
            return
        self.saves += 1
        note = f"fault-run {self.seat}-{self.saves}"
        values = {key: random.choice(("0", "1")) for key, _ in versions}
        data = {"csrfmiddlewaretoken": token.group(1), "action": "draft"}
        for key, version in versions:
            data[f"value-{key}"] = values[key]
            data[f"version-{key}"] = version
            data[f"confirm-{key}"] = "1"
            data[f"note-{key}"] = note  # a new note on every row: every save changes every row it posts
        with self.client.post(
            f"{self.path}?department={self.department}",
            data,
            name="/entry/[period]/ (save)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302 and response.headers.get("Location", "").startswith(self.path):
                _acks.write(
                    json.dumps(
                        {
                            "t": time.time(),
                            "department": int(self.department),
                            "period": self.period,
                            "note": note,
                            "values": values,
                        }
                    )
                    + "\n"
                )
            elif response.status_code == 400:
                response.failure("refused (400)")
            else:
                response.failure(f"not saved ({response.status_code})")


class Leader(Portal):
    """A province's leadership reading its dashboards, 2–5 s apart."""

    weight = 1
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.province = f"demo-{random.randint(1, PROVINCES):02d}"
        self.login(f"{self.province}.viewer")

    @task(2)
    def city(self) -> None:
        self.client.get(f"/dashboard/{self.province}/?as_of={AS_OF}", name="/dashboard/[city]/")

    @task(3)
    def pillar(self) -> None:
        pillar = random.choice(PILLARS)
        self.client.get(
            f"/dashboard/{self.province}/{pillar}/?as_of={AS_OF}", name="/dashboard/[city]/[pillar]/"
        )
