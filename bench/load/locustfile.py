"""Load test of the portal at the end of a quarter: leaders reading dashboards while officers enter and submit
the quarter's figures and reviewers approve them, officers saving drafts, the public downloading open data.
Run by bench/load/run.py (gunicorn on 127.0.0.1 against PostgreSQL); it refuses any other host.

The mix (50 users; weights 6:1:1:1:1):

- 30 leaders: a province's leadership (one in five the national superuser) reading the overview, the city,
  its pillars (also sorted) and series of the quarter just closed (`AS_OF`, the dashboards' default), 3–8 s
  apart.
- 5 submitters and 5 reviewers, "entering and approving continuously": in each of the `BUSY` provinces one
  officer of `SUBMIT_DEPARTMENT` enters 1–2 missing figures of `AS_OF` and submits them (the form's "Gửi duyệt",
  its confirmation, "Xác nhận gửi duyệt"), and the province's reviewer opens the review page and approves
  what waits (one department's "Duyệt tất cả" per visit), each 2–5 s apart. Every approval re-assesses the
  approved series and changes the province's figures of `AS_OF`: the pages the leaders read next are
  computed again. run.py prepares the queue first (the department's approved figures of `AS_OF` removed so
  that there is something to enter, and a backlog of submitted values for the reviewers).
- 5 officers saving a 40-value form of the current quarter as drafts every 20–40 s (drafts change no cached
  page).
- 5 members of the public downloading `progress.json` and `targets.csv` every 5–15 s.

The leaders read the busy provinces only: every dashboard they ask for is one the writes cool. With 50 users
that is about 12 requests a second, about one approval a second (docs/performance.md, "Load test with
continuous writes").

Accounts are those of the national-scale data (`targets.devdata.scale_data_generate`): per synthetic
province `demo-NN.viewer` (leadership), `demo-NN.reviewer`, `demo-NN.<department>.editor`, and the superuser
`bench`.

With `LOAD_LOG=path`, every request (start, name, time, failure, URL) and every approval and submission is
written there as JSON when locust quits: run.py computes the percentiles of the dashboards from it.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import os
import random
import re
import time
from urllib.parse import urlparse

from load_mix import (
    AS_OF,
    BENCH_PASSWORD,
    BUSY,
    DRAFT_DEPARTMENT,
    PASSWORD,
    PILLARS,
    SERIES,
    SUBMIT_DEPARTMENT,
    WRITERS,
)
from locust import HttpUser, between, events, task

VALUES_PER_SAVE = 40
# LOAD_WRITES=0 (run.py --no-writes): the writers open their pages but post nothing, for comparison.
WRITES = os.environ.get("LOAD_WRITES", "1") == "1"
_seats: dict[str, itertools.count] = {}  # per kind of user: each its own province
_log: dict[str, list] = {"requests": [], "approvals": [], "submissions": []}


def _seat(kind: str) -> int:
    return next(_seats.setdefault(kind, itertools.count()))


@events.init.add_listener
def loopback_only(environment, **_kwargs) -> None:
    host = urlparse(environment.host or "").hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"this load test runs against 127.0.0.1 only, not {environment.host!r}")


@events.request.add_listener
def _record(request_type, name, response_time, exception=None, start_time=None, url=None, **_kwargs) -> None:
    _log["requests"].append(
        [
            start_time or time.time(),
            f"{request_type} {name}",
            round(response_time, 1),
            exception is not None,
            url,
        ]
    )


@events.quitting.add_listener
def _write_log(**_kwargs) -> None:
    if path := os.environ.get("LOAD_LOG"):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(_log, f)


def _current_quarter() -> str:
    today = dt.date.today()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def _token(text: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)


class Portal(HttpUser):
    abstract = True

    def login(self, username: str, password: str) -> None:
        page = self.client.get("/accounts/login/", name="login (form)")
        response = self.client.post(
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": _token(page.text)},
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
        self.province = BUSY[_seat("leader") % len(BUSY)]
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


def _entry_url(client, period: str) -> str:
    worklist = client.get("/entry/", name="/entry/")
    department = re.search(r"department=(\d+)", worklist.text).group(1)
    return f"/entry/{period}/?department={department}"


_ROW = re.compile(
    r'name="value-(\d+)" id="value-\1" value="([^"]*)".*?'
    r'name="version-\1" value="(\d+)">\s*<input type="hidden" name="seen-\1" value="([^"]*)">.*?'
    r'<textarea name="note-\1"[^>]*>([^<]*)</textarea>',
    re.S,
)


def _editable_rows(form: str) -> list[tuple[str, str, str, str, str]]:
    """The form's editable rows as a browser holds them: (key, value, version, seen, note)."""
    return [
        (key, html.unescape(value), version, html.unescape(seen), html.unescape(note))
        for key, value, version, seen, note in _ROW.findall(form)
    ]


class Submitter(Portal):
    """A department's officer entering the quarter just closed: 1–2 missing figures at a time, submitted."""

    weight = 1
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.province = WRITERS[_seat("submitter") % len(WRITERS)]
        self.login(f"{self.province}.{SUBMIT_DEPARTMENT}.editor", PASSWORD)
        self.url = _entry_url(self.client, AS_OF)

    @task
    def enter_and_submit(self) -> None:
        form = self.client.get(self.url, name="/entry/[period]/ (form)")
        if not WRITES:
            return
        rows = _editable_rows(form.text)
        missing = [row for row in rows if not row[1]]
        data = {"csrfmiddlewaretoken": _token(form.text), "action": "submit"}
        filled = {row[0] for row in random.sample(missing, min(len(missing), random.choice((1, 2))))}
        for key, value, version, seen, note in rows:
            # Values already there (returned to be corrected) are sent as shown; missing ones are entered.
            if key in filled:
                value, note = random.choice(("0", "1")), "Kiểm thử tải (load test)"
                data[f"confirm-{key}"] = (
                    "1"  # 0 or 1 is valid in every unit; confirmed if it reads as an outlier
                )
            data[f"value-{key}"], data[f"version-{key}"], data[f"seen-{key}"] = value, version, seen
            data[f"note-{key}"] = note
        if not filled and not any(row[1] for row in rows):
            return  # nothing left to enter or correct: the officer only looked
        with self.client.post(
            self.url, data, name="/entry/[period]/ (submit: confirm)", catch_response=True
        ) as response:
            if 'value="submit-confirmed"' not in response.text:
                response.failure("no confirmation offered")
                return
        data["csrfmiddlewaretoken"] = _token(response.text)
        data["action"] = "submit-confirmed"
        posted = time.time()
        with self.client.post(
            self.url, data, name="/entry/[period]/ (submit)", catch_response=True
        ) as response:
            sent = re.search(r"Đã gửi duyệt (\d+) giá trị", response.text)
            if not sent:
                response.failure("the values were not submitted")
            else:
                redirect = response.history[0].elapsed.total_seconds() if response.history else 0
                _log["submissions"].append([posted + redirect, self.province, int(sent.group(1))])


_DECIDE_ALL = re.compile(r'<form method="post" action="([^"]+)" class="decide-all">(.*?)</form>', re.S)


class Reviewer(Portal):
    """A province's reviewer: opens the review page of the quarter and approves what waits, a department's
    values at a time ("Duyệt tất cả giá trị của đơn vị")."""

    weight = 1
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.province = WRITERS[_seat("reviewer") % len(WRITERS)]
        self.login(f"{self.province}.reviewer", PASSWORD)
        self.url = f"/review/{AS_OF}/?locality={self.province}"

    @task
    def approve(self) -> None:
        page = self.client.get(self.url, name="/review/[period]/")
        forms = _DECIDE_ALL.findall(page.text)
        if not forms or not WRITES:
            return  # nothing waits
        action, body = forms[0]
        data = {"csrfmiddlewaretoken": _token(page.text), "decision": "approve", "comment": ""}
        data["locality"] = re.search(r'name="locality" value="([^"]+)"', body).group(1)
        data["actual"] = re.findall(r'name="actual" value="(\d+)"', body)
        data.update(dict(re.findall(r'name="(version-\d+)" value="(\d+)"', body)))
        posted = time.time()
        with self.client.post(
            html.unescape(action), data, name="/review/[period]/decide/ (approve)", catch_response=True
        ) as response:
            done = re.search(r"Đã duyệt (\d+) giá trị", response.text)
            if not done:
                response.failure("nothing was approved")
            else:
                # Committed when the redirect was sent: the approval's time as the readers see it.
                redirect = response.history[0].elapsed.total_seconds() if response.history else 0
                _log["approvals"].append([posted + redirect, self.province, int(done.group(1))])


class Officer(Portal):
    """A department's officer: opens the current quarter's entry form and saves 40 values as drafts."""

    weight = 1
    wait_time = between(20, 40)

    def on_start(self) -> None:
        self.province = WRITERS[_seat("officer") % len(WRITERS)]
        self.login(f"{self.province}.{DRAFT_DEPARTMENT}.editor", PASSWORD)
        self.url = _entry_url(self.client, _current_quarter())

    @task
    def save_form(self) -> None:
        form = self.client.get(self.url, name="/entry/[period]/ (form)")
        if not WRITES:
            return
        versions = re.findall(r'name="version-(\d+)" value="(\d+)"', form.text)[:VALUES_PER_SAVE]
        data = {"csrfmiddlewaretoken": _token(form.text), "action": "draft"}
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
