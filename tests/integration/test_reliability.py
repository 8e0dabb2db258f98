"""Reliability: backup and restore every row; two simultaneous saves of one value never lose an update."""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, connections

from targets import backup, services
from targets.models import Actual, Indicator, Status


def _every_row() -> dict[str, list[tuple]]:
    out = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in out:
                continue
            cursor.execute(f'SELECT * FROM "{table}"')
            out[table] = sorted(cursor.fetchall(), key=repr)
    return out


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_empty_database_gives_back_every_row_and_file(
    tmp_path, hai_phong_finance_editor, finance_assignments, today
):
    services.demo_data_generate(today=today)
    services.actuals_save(
        user=hai_phong_finance_editor,
        department=finance_assignments[0].department,
        period=services.period_get_or_create(code="2026-Q4"),
        submit=True,
        today=today,
        rows=[
            services.EntryRow(
                key="a",
                indicator=Indicator.objects.get(code="epayment_accounts"),
                level="",
                raw_value="60",
                note="Số liệu NHNN",
                confirm_outlier=True,
            )
        ],
    )
    actual = Actual.objects.get(period__code="2026-Q4", indicator__code="epayment_accounts")
    actual.evidence_file.save("x.pdf", ContentFile(b"%PDF-1.4 minh chung"), save=True)
    before = _every_row()
    assert sum(len(rows) for rows in before.values()) > 1000

    folder = backup.backup(tmp_path)
    call_command("flush", "--noinput")  # an empty database
    (Path(settings.MEDIA_ROOT) / actual.evidence_file.name).unlink()
    assert Actual.objects.count() == 0

    counts = backup.restore(folder)
    assert _every_row() == before
    assert counts["targets_actual"] == len(before["targets_actual"])
    assert (Path(settings.MEDIA_ROOT) / actual.evidence_file.name).read_bytes() == b"%PDF-1.4 minh chung"


@pytest.mark.django_db(transaction=True)
def test_the_backup_commands_report_their_folder(tmp_path, capsys):
    call_command("backup", "--out", str(tmp_path))
    folder = Path(capsys.readouterr().out.strip())
    assert (folder / "manifest.json").exists() and (folder / "media.tar.gz").exists()
    call_command("restore", str(folder), "--yes")
    assert "Restored" in capsys.readouterr().out


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="true concurrency needs PostgreSQL (CI runs the suite on it); on SQLite the sequential case is tested",
)
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_one_value_exactly_one_wins(
    hai_phong_finance_editor, finance_assignments, today
):
    period = services.period_get_or_create(code="2026-Q4")
    indicator = Indicator.objects.get(code="epayment_accounts")
    department = finance_assignments[0].department
    services.actuals_save(
        user=hai_phong_finance_editor,
        department=department,
        period=period,
        submit=False,
        today=today,
        rows=[services.EntryRow(key="a", indicator=indicator, level="", raw_value="50")],
    )
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def save(name: str, value: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.actuals_save(
                user=hai_phong_finance_editor,
                department=department,
                period=period,
                submit=False,
                today=today,
                rows=[services.EntryRow(key="a", indicator=indicator, level="", raw_value=value, version=1)],
            )
            outcomes[name] = "saved"
        except services.EntryError as exc:
            outcomes[name] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n, v)) for n, v in (("lan", "61"), ("minh", "62"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    winners = [n for n, o in outcomes.items() if o == "saved"]
    losers = [o for o in outcomes.values() if isinstance(o, services.EntryError)]
    assert len(winners) == 1 and len(losers) == 1
    assert "a" in losers[0].conflicts
    stored = Actual.objects.get(period=period, indicator=indicator)
    assert stored.version == 2 and stored.status == Status.DRAFT
    assert stored.value == Decimal({"lan": "61", "minh": "62"}[winners[0]])
    assert losers[0].conflicts["a"].theirs == stored.value


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking; PostgreSQL's is tested above")
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_saves_on_a_sqlite_file_answer_saved_or_conflict_never_500(
    tmp_path, hai_phong_finance_editor, finance_assignments, today, fixed_today
):
    """Issue #14, item 11: on SQLite (the `make run` default) 38 of 50 simultaneous saves were HTTP 500
    "database is locked". Each request must wait its turn and answer: saved, or the conflict message."""
    import sqlite3

    from django.test import Client

    department = finance_assignments[0].department
    key = finance_assignments[0].pk
    period = services.period_get_or_create(code="2026-Q4")
    indicator = Indicator.objects.get(code="epayment_accounts")
    services.actuals_save(
        user=hai_phong_finance_editor,
        department=department,
        period=period,
        submit=False,
        today=today,
        rows=[services.EntryRow(key="a", indicator=indicator, level="", raw_value="50")],
    )
    clients = []
    for _ in range(50):
        c = Client(raise_request_exception=False)  # a 500 is an answer to count, not an exception
        c.force_login(hai_phong_finance_editor)
        clients.append(c)
    # The test database is in memory (shared cache, where SQLite locks differently): copy it into a file and
    # let the threads' connections open that file, with the settings' OPTIONS, as `make run` does.
    path = tmp_path / "portal.sqlite3"
    with sqlite3.connect(path) as dst:
        connection.connection.backup(dst)
    settings_dict = connections["default"].settings_dict  # the dict every new connection is made from
    assert settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    memory_name = settings_dict["NAME"]
    rounds = 3  # three rounds of fifty: each round, everyone saw the version the last round's winner left

    def save(c: Client, n: int, version: int, barrier: threading.Barrier, answers: list) -> None:
        try:
            barrier.wait(timeout=30)
            value = f"{n},{version}"  # never the stored value (whose decimal is the last round's)
            data = {"action": "draft", f"value-{key}": value, f"version-{key}": str(version)}
            response = c.post("/entry/2026-Q4/", data)
            answers.append((response.status_code, response.content.decode()))
        finally:
            connections.close_all()

    outcomes = []
    settings_dict["NAME"] = str(path)
    try:
        for version in range(1, rounds + 1):
            barrier, answers = threading.Barrier(50), []
            threads = [
                threading.Thread(target=save, args=(c, 50 + n, version, barrier, answers))
                for n, c in enumerate(clients)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
            outcomes.append(answers)
    finally:
        settings_dict["NAME"] = memory_name
    for answers in outcomes:
        statuses = sorted(status for status, _ in answers)
        assert statuses == [302] + [400] * 49, Counter(statuses)
        assert all("vừa được" in html for status, html in answers if status == 400)
    with sqlite3.connect(path) as db:
        (value, version), *_ = db.execute(
            "SELECT value, version FROM targets_actual WHERE indicator_id = ? AND period_id = ?",
            (indicator.pk, period.pk),
        ).fetchall()
        saves = db.execute(
            "SELECT COUNT(*) FROM targets_historicalactual WHERE indicator_id = ? AND period_id = ?",
            (indicator.pk, period.pk),
        ).fetchone()[0]
    assert version == 1 + rounds and Decimal(str(value)) % 1 == Decimal("0.3")  # the last round won once
    assert saves == 1 + rounds  # the first draft and each round's one winning save
