"""Backups of the database and the evidence files, and restoring them.

PostgreSQL: `pg_dump --format=custom` / `pg_restore --clean`; SQLite: the online backup API (safe while the
portal runs). Evidence files (MEDIA_ROOT) go into a tar archive beside the dump, and a manifest records the
row count of every table so that a restore can be checked.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

from .cache import data_changed

MANIFEST = "manifest.json"


def _table_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in counts or not model._meta.managed:
                continue
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--host", str(db.get("HOST") or "localhost"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return [*args, "--dbname", str(db["NAME"])], env


def backup(out_dir: Path) -> Path:
    """Write a new backup folder under `out_dir` and return it."""
    target = Path(out_dir) / dt.datetime.now().strftime("dtiportal-%Y%m%d-%H%M%S-%f")
    target.mkdir(parents=True, exist_ok=False)
    vendor = connection.vendor
    if vendor == "postgresql":
        args, env = _pg_env()
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(target / "database.dump"),
                *args,
            ],
            check=True,
            env=env,
            capture_output=True,
            timeout=3600,
        )
    elif vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target / "database.sqlite3") as dst:
            connection.connection.backup(dst)
    else:
        raise RuntimeError(f"backups are not supported for the {vendor} database")
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target / "media.tar.gz", "w:gz") as tar:
        if media.exists():
            tar.add(media, arcname="media")
    manifest = {
        "created": dt.datetime.now().isoformat(timespec="seconds"),
        "vendor": vendor,
        "tables": _table_counts(),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return target


def restore(folder: Path) -> dict[str, int]:
    """Replace the database and the evidence files by a backup's; check every table's row count against it."""
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST).read_text())
    vendor = connection.vendor
    if manifest["vendor"] != vendor:
        raise RuntimeError(f"this backup is of a {manifest['vendor']} database, the portal runs on {vendor}")
    if vendor == "postgresql":
        args, env = _pg_env()
        connection.close()
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                *args,
                str(folder / "database.dump"),
            ],
            check=True,
            env=env,
            capture_output=True,
            timeout=3600,
        )
    else:
        connection.ensure_connection()
        with sqlite3.connect(folder / "database.sqlite3") as src:
            src.backup(connection.connection)
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.rmtree(media)
    with tarfile.open(folder / "media.tar.gz", "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.name == "media" or m.name.startswith("media/")]
        for m in members:
            m.name = m.name.removeprefix("media").lstrip("/") or "."
        media.mkdir(parents=True, exist_ok=True)
        tar.extractall(media, members=members, filter="data")
    data_changed()  # every cached page was computed from the data just replaced
    counts = _table_counts()
    differing = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if differing:
        raise RuntimeError(f"restored row counts differ from the backup: {differing}")
    return counts
