"""Load test of the portal: leaders reading dashboards, officers saving entry forms, the public downloading
open data. Run by bench/load/run.py (gunicorn on 127.0.0.1 against PostgreSQL); it refuses any other host.

Think times are those of people at work: a leader reads a dashboard for 3–8 s before the next one; an
officer saves a 40-value form every 20–40 s (typing 40 figures takes longer still); the public downloads a
file every 5–15 s. With 50 users that is about 8 requests a second, each user's visits back to back.

Accounts are those of the national-scale data (`targets.devdata.scale_data_generate`): per synthetic
province `demo-NN.viewer` (leadership), `demo-NN.<department>.editor`, and the superuser `bench`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

PASSWORD = "scale-demo-2026"
BENCH_PASSWORD = "bench-pass-2026"
AS_OF = "2026-Q3"
PILLARS = ("chinh-quyen-so", "kinh-te-so", "xa-hoi-so")
DEPARTMENTS = ("van-phong-ubnd", "so-tai-chinh", "so-khcn")  # the pillars' quarterly indicators
PROVINCES = 34
SERIES = ("work_dossiers_online", "epayment_accounts", "demo_indicator_001", "demo_indicator_002")
VALUES_PER_SAVE = 40
_editor_seats = itertools.count()  # each editor its own department: no two users edit the same form


@events.init.add_listener
def loopback_only(environment, **_kwargs) -> None:
    host = urlparse(environment.host or "").hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"this load test runs against 127.0.0.1 only, not {environment.host!r}")


def _current_quarter() -> str:
    today = dt.date.today()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


class Portal(HttpUser):
    abstract = True

    def login(self, username: str, password: str) -> None:
        page = self.client.get("/accounts/login/", name="login (form)")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.client.post(
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login of {username} failed: {response.status_code}")


class Leader(Portal):
    """A province's leadership (or, one in five, the national view): the overview, the city, its pillars."""

    weight = 6
    wait_time = between(3, 8)

    def on_start(self) -> None:
        self.province = f"demo-{random.randint(1, PROVINCES):02d}"
        if random.random() < 0.2:
            self.login("bench", BENCH_PASSWORD)
        else:
            self.login(f"{self.province}.viewer", PASSWORD)

    @task(2)
    def overview(self) -> None:
        self.client.get(f"/dashboard/?as_of={AS_OF}", name="/dashboard/")

    @task(2)
    def city(self) -> None:
        self.client.get(f"/dashboard/{self.province}/?as_of={AS_OF}", name="/dashboard/[city]/")

    @task(3)
    def pillar(self) -> None:
        pillar = random.choice(PILLARS)
        self.client.get(
            f"/dashboard/{self.province}/{pillar}/?as_of={AS_OF}", name="/dashboard/[city]/[pillar]/"
        )

    @task(1)
    def sorted_pillar(self) -> None:
        self.client.get(
            f"/dashboard/{self.province}/{random.choice(PILLARS)}/?as_of={AS_OF}&sort=gap",
            name="/dashboard/[city]/[pillar]/?sort",
        )

    @task(2)
    def series(self) -> None:
        code = random.choice(SERIES)
        self.client.get(
            f"/indicators/{code}/{self.province}/?as_of={AS_OF}", name="/indicators/[code]/[city]/"
        )


class Officer(Portal):
    """A department's officer: opens the quarter's entry form and saves 40 values as drafts."""

    weight = 3
    wait_time = between(20, 40)

    def on_start(self) -> None:
        seat = next(_editor_seats)
        province = seat % PROVINCES + 1
        department = DEPARTMENTS[(seat // PROVINCES) % len(DEPARTMENTS)]
        self.login(f"demo-{province:02d}.{department}.editor", PASSWORD)
        worklist = self.client.get("/entry/", name="/entry/")
        self.department = re.search(r"department=(\d+)", worklist.text).group(1)
        self.url = f"/entry/{_current_quarter()}/?department={self.department}"

    @task
    def save_form(self) -> None:
        form = self.client.get(self.url, name="/entry/[period]/ (form)")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        versions = re.findall(r'name="version-(\d+)" value="(\d+)"', form.text)[:VALUES_PER_SAVE]
        data = {"csrfmiddlewaretoken": token, "action": "draft"}
        for key, version in versions:
            # 0 or 1 is a valid figure of every unit; confirmed with a note in case it reads as an outlier.
            data[f"value-{key}"] = random.choice(("0", "1"))
            data[f"version-{key}"] = version
            data[f"confirm-{key}"] = "1"
            data[f"note-{key}"] = "Kiểm thử tải (load test)"
        with self.client.post(
            self.url, data, name="/entry/[period]/ (save)", catch_response=True
        ) as response:
            if "Đã lưu nháp" not in response.text:  # the message shown after the redirect
                response.failure("the form was not saved")


class Public(Portal):
    """Anyone downloading the open data (no login)."""

    weight = 1
    wait_time = between(5, 15)

    @task(3)
    def progress(self) -> None:
        self.client.get(f"/open-data/progress.json?as_of={AS_OF}", name="/open-data/progress.json")

    @task(1)
    def targets(self) -> None:
        self.client.get("/open-data/targets.csv", name="/open-data/targets.csv")
