"""Backups of the database and the evidence files, and restoring them.

A backup is a folder: the database (PostgreSQL `pg_dump --format=custom`; SQLite a copy made with the online
backup API, safe while the portal runs), the evidence files (MEDIA_ROOT) in a tar archive, and a manifest
with the row count of every table, the archive's file count and the SHA-256 of both files. It is written as
`….partial` and renamed when complete, so an interrupted backup is never taken for a finished one.

Row counts come from the very snapshot the dump holds (issue #14: counted after `pg_dump`, a backup taken
while people saved failed its own restore check, "historicalactual 1571 vs 1569"). On PostgreSQL a
REPEATABLE READ transaction exports its snapshot, `pg_dump --snapshot` dumps that snapshot and the counts are
taken in the same transaction; on SQLite they are counted in the copy itself. The database is dumped before
the files are archived: every file the dump refers to was on disk before its row was committed.

Restoring verifies the whole backup before it touches anything (checksums, the archive read to its end, the
dump readable, SQLite's copy checked and counted), unpacks the files into a new folder beside MEDIA_ROOT,
swaps it in, then replaces the database in one transaction that checks every row count before it commits.
If anything fails, the previous database and files are back in place: a failed restore leaves the system
exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from contextlib import closing
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections

from .cache import data_changed, figures_replaced

MANIFEST = "manifest.json"
FORMAT = 2  # 2: checksums, file counts and snapshot row counts (issue #14)
DATABASE_FILE = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
MEDIA_ARCHIVE = "media.tar.gz"
_TABLE_NAME = re.compile(r"^[A-Za-z0-9_]+$")


class BackupError(Exception):
    """A backup that cannot be restored, or a restore that failed and was undone: nothing was changed."""


def _tables() -> list[str]:
    tables = {
        model._meta.db_table for model in apps.get_models(include_auto_created=True) if model._meta.managed
    }
    return sorted(tables)


def _count(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--host", str(db.get("HOST") or "localhost"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return [*args, "--dbname", str(db["NAME"])], env


# --------------------------------------------------------------------------- backup


def _pg_dump_with_counts(path: Path) -> dict[str, int]:
    """Dump the database and count its rows in one snapshot."""
    args, env = _pg_env()
    tables = _tables()
    side = connections.create_connection(DEFAULT_DB_ALIAS)  # its own session, whatever the caller's state
    try:
        side.ensure_connection()  # in autocommit: the transaction is opened by hand, with the isolation it needs
        with side.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count(cursor, tables)  # what the snapshot holds, whatever is saved meanwhile
            subprocess.run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",  # the exporting transaction stays open until pg_dump ends
                    "--file",
                    str(path),
                    *args,
                ],
                check=True,
                env=env,
                capture_output=True,
                timeout=3600,
            )
            cursor.execute("COMMIT")
    finally:
        side.close()
    return counts


def _sqlite_copy_with_counts(path: Path) -> dict[str, int]:
    """Copy the database with the online backup API and count the rows of the copy."""
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
        return _count(copy.cursor(), _tables())


def _archive_media(archive: Path) -> dict[str, int]:
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(archive, "w:gz") as tar:
        if media.exists():
            tar.add(media, arcname="media")
        files = [m for m in tar.getmembers() if m.isfile()]
    return {"files": len(files), "bytes": sum(m.size for m in files)}


def backup(out_dir: Path) -> Path:
    """Write a new backup folder under `out_dir` and return it."""
    vendor = connection.vendor
    if vendor not in DATABASE_FILE:
        raise RuntimeError(f"backups are not supported for the {vendor} database")
    target = Path(out_dir) / dt.datetime.now().strftime("dtiportal-%Y%m%d-%H%M%S-%f")
    partial = target.with_name(target.name + ".partial")
    partial.mkdir(parents=True, exist_ok=False)
    try:
        database = partial / DATABASE_FILE[vendor]
        if vendor == "postgresql":
            counts = _pg_dump_with_counts(database)
        else:
            counts = _sqlite_copy_with_counts(database)
        media = _archive_media(partial / MEDIA_ARCHIVE)  # after the dump: see the module's docstring
        manifest = {
            "format": FORMAT,
            "created": dt.datetime.now().isoformat(timespec="seconds"),
            "vendor": vendor,
            "tables": counts,
            "media": media,
            "files": {
                p.name: {"bytes": p.stat().st_size, "sha256": _sha256(p)}
                for p in (database, partial / MEDIA_ARCHIVE)
            },
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1))
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return target


# --------------------------------------------------------------------------- verifying


def _read_archive(archive: Path, expected: dict) -> None:
    """Read the archive to its end (gzip checks its CRC and length there) and count its files."""
    files = size = 0
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                name = member.name
                if not (name == "media" or name.startswith("media/")) or ".." in Path(name).parts:
                    raise BackupError(f"{MEDIA_ARCHIVE}: unexpected entry {name!r}")
                if member.isfile():
                    with tar.extractfile(member) as f:
                        while f.read(1 << 20):
                            pass
                    files += 1
                    size += member.size
                elif not member.isdir():
                    raise BackupError(f"{MEDIA_ARCHIVE}: {name!r} is neither a file nor a folder")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(f"{MEDIA_ARCHIVE} is incomplete or damaged: {exc}") from exc
    if {"files": files, "bytes": size} != {"files": expected.get("files"), "bytes": expected.get("bytes")}:
        raise BackupError(
            f"{MEDIA_ARCHIVE} holds {files} files ({size} bytes), the manifest {expected.get('files')} "
            f"({expected.get('bytes')} bytes)"
        )


def _check_sqlite_copy(path: Path, tables: dict[str, int]) -> None:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            result = db.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise BackupError(f"{path.name} is damaged: {result}")
            counts = _count(db.cursor(), list(tables))
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path.name} is not a readable SQLite database: {exc}") from exc
    if counts != tables:
        differing = {t: (n, counts.get(t)) for t, n in tables.items() if counts.get(t) != n}
        raise BackupError(f"{path.name}: row counts differ from the manifest: {differing}")


def _check_pg_dump(path: Path) -> None:
    result = subprocess.run(
        ["pg_restore", "--list", str(path)], capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{path.name} is not a readable dump: {result.stderr.strip()[:500]}")


def verify(folder: Path) -> dict:
    """Check a backup completely without touching the portal; return its manifest, or raise BackupError."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"the manifest of {folder} cannot be read: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"{folder} has no checksums (written by an older version of the portal): it cannot be verified"
        )
    vendor = connection.vendor
    if manifest.get("vendor") != vendor:
        raise BackupError(
            f"this backup is of a {manifest.get('vendor')} database, the portal runs on {vendor}"
        )
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or not all(
        isinstance(t, str) and _TABLE_NAME.match(t) and isinstance(n, int) and n >= 0
        for t, n in tables.items()
    ):
        raise BackupError("the manifest's row counts are malformed")
    expected_files = {DATABASE_FILE[vendor], MEDIA_ARCHIVE}
    if set(manifest.get("files", {})) != expected_files:
        raise BackupError(f"the manifest must list exactly {sorted(expected_files)}")
    for name, meta in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from {folder}")
        if path.stat().st_size != meta.get("bytes"):
            raise BackupError(f"{name} is {path.stat().st_size} bytes, {meta.get('bytes')} when written")
        if _sha256(path) != meta.get("sha256"):
            raise BackupError(f"{name}: its SHA-256 differs from the one written at backup time")
    _read_archive(folder / MEDIA_ARCHIVE, manifest.get("media", {}))
    if vendor == "postgresql":
        _check_pg_dump(folder / DATABASE_FILE[vendor])
    else:
        _check_sqlite_copy(folder / DATABASE_FILE[vendor], tables)
    return manifest


# --------------------------------------------------------------------------- restoring


def _unpack_media(archive: Path, into: Path, expected: dict) -> None:
    into.mkdir()
    with tarfile.open(archive, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.name == "media" or m.name.startswith("media/")]
        for m in members:
            m.name = m.name.removeprefix("media").lstrip("/") or "."
        tar.extractall(into, members=members, filter="data")
    files = [p for p in into.rglob("*") if p.is_file()]
    if len(files) != expected.get("files") or sum(p.stat().st_size for p in files) != expected.get("bytes"):
        raise BackupError("the unpacked evidence files do not match the manifest")


def _count_check_sql(tables: dict[str, int]) -> str:
    """A statement that aborts the restoring transaction if any row count differs from the backup's."""
    checks = "\n".join(
        f'  SELECT count(*) INTO n FROM "{table}";\n'
        f"  IF n <> {count} THEN RAISE EXCEPTION 'restored row count of {table}: % (backup: {count})', n;"
        " END IF;"
        for table, count in sorted(tables.items())
    )
    return f"RESET search_path;\nDO $check$\nDECLARE n bigint;\nBEGIN\n{checks}\nEND\n$check$;\n"


def _restore_postgresql(dump: Path, tables: dict[str, int]) -> None:
    """pg_restore's SQL and the row-count check, run by psql in one transaction: all of it, or nothing."""
    args, env = _pg_env()
    connection.close()
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        restore = subprocess.Popen(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--file",
                "-",
                str(dump),
            ],
            stdout=subprocess.PIPE,
            stderr=restore_err,
            env=env,
        )
        psql = subprocess.Popen(
            ["psql", "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_err,
            env=env,
        )
        try:
            psql.stdin.write(b"SET client_min_messages = warning;\n")
            shutil.copyfileobj(restore.stdout, psql.stdin, 1 << 20)
            restored_ok = restore.wait(timeout=3600) == 0
            if restored_ok:
                psql.stdin.write(_count_check_sql(tables).encode())
                psql.stdin.close()
                psql_ok = psql.wait(timeout=3600) == 0
            else:  # a partial script is never committed: psql dies, the server rolls the transaction back
                psql.kill()
                psql.wait()
                psql_ok = False
        except BaseException:
            restore.kill()
            psql.kill()
            raise
        if not (restored_ok and psql_ok):
            restore_err.seek(0)
            psql_err.seek(0)
            detail = (restore_err.read() + psql_err.read()).decode(errors="replace").strip()
            raise BackupError(f"the database restore failed and was rolled back: {detail[-1000:]}")


def _restore_sqlite(copy: Path, tables: dict[str, int]) -> None:
    """Copy the backup into the live database; if the counts then differ, copy the previous one back."""
    connection.ensure_connection()
    live = connection.connection
    fd, kept_path = tempfile.mkstemp(prefix="dtiportal-before-restore-", suffix=".sqlite3")
    os.close(fd)
    try:
        with closing(sqlite3.connect(kept_path)) as kept:
            live.backup(kept)
            try:
                with closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as src:
                    src.backup(live)
                with connection.cursor() as cursor:
                    counts = _count(cursor, list(tables))
                if counts != tables:
                    differing = {t: (n, counts.get(t)) for t, n in tables.items() if counts.get(t) != n}
                    raise BackupError(f"restored row counts differ from the backup: {differing}")
            except BaseException:
                kept.backup(live)
                raise
    finally:
        Path(kept_path).unlink(missing_ok=True)


def restore(folder: Path) -> dict[str, int]:
    """Replace the database and the evidence files by a backup's, after verifying all of it.

    Returns the row count of every table. Raises BackupError with the portal unchanged if the backup does
    not verify or the restore fails.
    """
    folder = Path(folder)
    manifest = verify(folder)
    media = Path(settings.MEDIA_ROOT)
    token = secrets.token_hex(4)
    staging = media.with_name(f".{media.name}.restoring-{token}")  # beside it: renames stay on one disk
    retired = media.with_name(f".{media.name}.replaced-{token}")
    try:
        _unpack_media(folder / MEDIA_ARCHIVE, staging, manifest["media"])
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    had_media = media.exists()
    swapped = False
    try:
        if had_media:
            media.rename(retired)
        staging.rename(media)
        swapped = True
        database = folder / DATABASE_FILE[manifest["vendor"]]
        if manifest["vendor"] == "postgresql":
            _restore_postgresql(database, manifest["tables"])
        else:
            _restore_sqlite(database, manifest["tables"])
    except BaseException:
        if swapped:
            media.rename(staging)
        if had_media:
            retired.rename(media)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    # Every cached page was computed from the data just replaced. The stored assessments come with the
    # backup, consistent with its figures (a later quarter: `rebuild_assessments --if-needed`).
    figures_replaced()
    data_changed()
    return dict(manifest["tables"])
