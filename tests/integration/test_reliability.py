"""Reliability: backup and restore every row; two simultaneous saves of one value never lose an update."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection, connections

from targets import backup, services
from targets.models import Actual, Indicator, Status
from tests.hostile_files import real_pdf


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


# --------------------------------------------------------------------------- issue #14, items 9 and 10


def _media_files() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _leftovers() -> list[str]:
    media = Path(settings.MEDIA_ROOT)
    return sorted(p.name for p in media.parent.glob(f".{media.name}.*"))


def _save(user, department, indicator, value: str, version: int, evidence: bytes | None = None) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.actuals_save(
        user=user,
        department=department,
        period=services.period_get_or_create(code="2026-Q4"),
        submit=False,
        rows=[
            services.EntryRow(
                key="a",
                indicator=indicator,
                level="",
                raw_value=value,
                version=version,
                evidence_file=SimpleUploadedFile("bao-cao.pdf", evidence) if evidence else None,
            )
        ],
    )


@pytest.fixture
def backed_up_then_changed(tmp_path, hai_phong_finance_editor, finance_assignments, fixed_today):
    """A backup with one value and its evidence file; then the portal moved on: a new figure, a new file."""
    department, indicator = finance_assignments[0].department, finance_assignments[0].indicator
    _save(hai_phong_finance_editor, department, indicator, "60", 0, real_pdf("minh chung quy 4"))
    first = Actual.objects.get(period__code="2026-Q4").evidence_file.name
    folder = backup.backup(tmp_path / "backups")
    _save(hai_phong_finance_editor, department, indicator, "61", 1, real_pdf("minh chung bo sung"))
    later = Actual.objects.get(period__code="2026-Q4").evidence_file.name
    return SimpleNamespace(folder=folder, first_file=first, later_file=later)


def _rewrite_checksum(folder: Path, name: str) -> None:
    """Damage done before the checksums were written: the manifest agrees with the damaged file."""
    manifest = json.loads((folder / "manifest.json").read_text())
    path = folder / name
    manifest["files"][name] = {
        "bytes": path.stat().st_size,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _database_file(folder: Path) -> str:
    return "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(len(data) // 3, len(data) // 3 + 64):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


DAMAGES = {
    "truncated archive": lambda f: _truncate(f / "media.tar.gz"),
    "corrupt dump": lambda f: _flip(f / _database_file(f)),
    "wrong checksum": lambda f: (f / "manifest.json").write_text(
        (f / "manifest.json")
        .read_text()
        .replace(
            json.loads((f / "manifest.json").read_text())["files"][_database_file(f)]["sha256"], "0" * 64
        )
    ),
    "archive truncated before its checksum was written": lambda f: (
        _truncate(f / "media.tar.gz"),
        _rewrite_checksum(f, "media.tar.gz"),
    ),
    "dump truncated before its checksum was written": lambda f: (
        _truncate(f / _database_file(f)),
        _rewrite_checksum(f, _database_file(f)),
    ),
    "manifest missing": lambda f: (f / "manifest.json").unlink(),
    "manifest of an older version (no checksums)": lambda f: (f / "manifest.json").write_text(
        json.dumps({k: v for k, v in json.loads((f / "manifest.json").read_text()).items() if k != "format"})
    ),
    "archive missing": lambda f: (f / "media.tar.gz").unlink(),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_backup_is_refused_and_the_portal_is_left_exactly_as_it_was(backed_up_then_changed, damage):
    """Issue #14, item 9: restoring a backup whose media archive was damaged replaced the database, deleted
    MEDIA_ROOT, then failed in tar: the current evidence was gone."""
    folder = backed_up_then_changed.folder
    rows, files = _every_row(), _media_files()
    assert any(v == real_pdf("minh chung bo sung") for v in files.values())  # the file made after the backup
    DAMAGES[damage](folder)

    with pytest.raises(backup.BackupError):
        backup.restore(folder)

    assert _every_row() == rows
    assert _media_files() == files
    assert _leftovers() == []
    assert Actual.objects.get(period__code="2026-Q4").value == Decimal("61")


@pytest.mark.django_db(transaction=True)
def test_the_restore_command_says_nothing_was_changed(backed_up_then_changed):
    _truncate(backed_up_then_changed.folder / "media.tar.gz")
    rows, files = _every_row(), _media_files()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("restore", str(backed_up_then_changed.folder), "--yes")
    with pytest.raises(CommandError, match="does not verify"):
        call_command("restore", str(backed_up_then_changed.folder), "--verify-only")
    assert (_every_row(), _media_files()) == (rows, files)


@pytest.mark.django_db(transaction=True)
def test_a_restore_failing_in_the_database_puts_the_evidence_files_back(backed_up_then_changed, monkeypatch):
    """The files are swapped in before the database is replaced; if the database step fails (here: the disk
    is full), the previous files are put back and the database is unchanged."""
    rows, files = _every_row(), _media_files()

    def disk_full(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(backup, f"_restore_{connection.vendor}", disk_full)
    with pytest.raises(OSError, match="No space left"):
        backup.restore(backed_up_then_changed.folder)
    assert (_every_row(), _media_files(), _leftovers()) == (rows, files, [])


@pytest.mark.django_db(transaction=True)
def test_a_good_backup_restores_its_rows_and_only_its_files(backed_up_then_changed):
    manifest = backup.verify(backed_up_then_changed.folder)
    assert manifest["media"]["files"] >= 1
    assert set(manifest["files"]) == {_database_file(backed_up_then_changed.folder), "media.tar.gz"}
    counts = backup.restore(backed_up_then_changed.folder)
    assert counts == manifest["tables"]
    assert Actual.objects.get(period__code="2026-Q4").value == Decimal("60")
    files = _media_files()
    assert files[backed_up_then_changed.first_file] == real_pdf("minh chung quy 4")
    assert backed_up_then_changed.later_file not in files  # made after the backup: not in it
    assert _leftovers() == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump's snapshot; CI runs the suite on PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_people_save_passes_its_own_restore_check(
    tmp_path, hai_phong_finance_editor, finance_assignments, today
):
    """Issue #14, item 10: the row counts were taken after pg_dump, so a backup taken while people saved
    failed its own restore check ("historicalactual 1571 vs 1569"). They now come from the dump's snapshot."""
    import time

    from targets.models import HistoricalActual

    services.demo_data_generate(today=today)  # enough rows for pg_dump to take a while
    department, indicator = finance_assignments[0].department, finance_assignments[0].indicator
    stop, saves = threading.Event(), []

    def keep_saving() -> None:
        try:
            while not stop.is_set():
                services.actuals_save(
                    user=hai_phong_finance_editor,
                    department=department,
                    period=services.period_get_or_create(code="2026-Q4"),
                    submit=False,
                    today=today,
                    rows=[
                        services.EntryRow(
                            key="a",
                            indicator=indicator,
                            level="",
                            raw_value=str(40 + len(saves) % 20),
                            version=len(saves),
                            note="Kiểm thử sao lưu",
                            confirm_outlier=True,
                        )
                    ],
                )
                saves.append(time.monotonic())
        finally:
            connections.close_all()

    writer = threading.Thread(target=keep_saving)
    writer.start()
    try:
        deadline = time.monotonic() + 60
        while len(saves) < 3 and writer.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)  # saves are flowing
        assert len(saves) >= 3, "the writer does not save"
        started = time.monotonic()
        folder = backup.backup(tmp_path)
        ended = time.monotonic()
    finally:
        stop.set()
        writer.join(timeout=30)
    during = [t for t in saves if started < t < ended]
    assert len(during) >= 3, "no save landed during the backup: the test proves nothing"
    manifest = json.loads((folder / "manifest.json").read_text())
    written = HistoricalActual.objects.count()
    assert manifest["tables"]["targets_historicalactual"] < written  # later saves are not in this backup

    counts = backup.restore(folder)  # its own check passes: the counts are those of the dump

    assert counts == manifest["tables"]
    assert HistoricalActual.objects.count() == manifest["tables"]["targets_historicalactual"]
    restored = Actual.objects.get(period__code="2026-Q4", indicator=indicator)
    assert restored.history.count() == restored.version  # one history row per save in the snapshot
