"""Evidence files kept across a refused save (issue #17): a form that fails on one field must not make the
editor choose every file again.

A file chosen on an entry form whose save is refused is checked as at a save (size, type found by parsing
it, `targets.rules.evidence_file_problems`) and, if acceptable, staged: written under `staging/<user>/` in
the default storage and recorded in the user's session under the form's key (department and period) and
the row's key, with a random token. The re-shown form carries the token; the next POST of that form, by
that user, from that session, gets the file back for its row (`staged_file`), and a successful save
commits it to the value (the service stores a copy) and discards the staged copy. Staged files older than
`MAX_AGE` are swept whenever a new file is staged, so abandoned forms leave nothing behind for long.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import secrets
from dataclasses import dataclass

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from ..rules import evidence_file_problems

SESSION_KEY = "dti-staged-evidence"
STAGING_DIR = "staging"
MAX_AGE = dt.timedelta(hours=24)


@dataclass(frozen=True)
class StagedFile:
    """A staged file as the form shows it: its name as chosen and the token the form carries back."""

    token: str
    name: str
    size: int


def form_key(department_id: int, period_code: str) -> str:
    """The key of one entry form in the session: one department's form for one period."""
    return f"{department_id}:{period_code}"


def _user_dir(user) -> str:
    return posixpath.join(STAGING_DIR, str(user.pk))


def _entries(session, form: str) -> dict:
    return session.get(SESSION_KEY, {}).get(form, {})


def uploads_stage(*, session, user, form: str, row_key: str, upload) -> tuple[StagedFile | None, list[str]]:
    """Stage `upload` for one row of a form: (the staged file, []) or (None, the reasons it is refused).
    A file staged earlier for the row is replaced."""
    _kind, problems = evidence_file_problems(upload)
    if problems:
        return None, problems
    uploads_sweep(now=timezone.now())
    token = secrets.token_urlsafe(16)
    # Stored under a random name: the uploader's name is only shown, never used as a path.
    path = default_storage.save(posixpath.join(_user_dir(user), token), upload)
    name = posixpath.basename((upload.name or "").replace("\\", "/"))[:255] or "tep"
    uploads_discard(session=session, form=form, row_keys=[row_key])
    staged = session.setdefault(SESSION_KEY, {})
    staged.setdefault(form, {})[row_key] = {
        "token": token,
        "name": name,
        "path": path,
        "size": int(upload.size or 0),
        "user": user.pk,
    }
    session.modified = True
    return StagedFile(token=token, name=name, size=int(upload.size or 0)), []


def staged_files(*, session, user, form: str) -> dict[str, StagedFile]:
    """The files staged for a form by this user, by row key (read only)."""
    return {
        row_key: StagedFile(token=e["token"], name=e["name"], size=e["size"])
        for row_key, e in _entries(session, form).items()
        if e.get("user") == user.pk
    }


def staged_file(*, session, user, form: str, row_key: str, token: str) -> File | None:
    """The staged file of a row, opened, when `token` is the one the form was given; else None."""
    entry = _entries(session, form).get(row_key)
    if not entry or not token or entry.get("user") != user.pk:
        return None
    if not secrets.compare_digest(str(entry["token"]), token):
        return None
    path = entry["path"]
    if not path.startswith(_user_dir(user) + "/") or not default_storage.exists(path):
        return None
    return File(default_storage.open(path, "rb"), name=entry["name"])


def uploads_discard(*, session, form: str, row_keys: list[str] | None = None) -> None:
    """Delete the staged files of a form (all of them, or those of `row_keys`) and forget them."""
    entries = _entries(session, form)
    for row_key in list(entries) if row_keys is None else row_keys:
        entry = entries.pop(row_key, None)
        if entry:
            default_storage.delete(entry["path"])
            session.modified = True
    if not entries and form in session.get(SESSION_KEY, {}):
        del session[SESSION_KEY][form]
        session.modified = True


def uploads_sweep(*, now: dt.datetime) -> int:
    """Delete staged files older than MAX_AGE (forms abandoned after a refused save). Returns how many."""
    removed = 0
    try:
        user_dirs, _files = default_storage.listdir(STAGING_DIR)
    except FileNotFoundError:
        return 0
    for user_dir in user_dirs:
        _dirs, files = default_storage.listdir(posixpath.join(STAGING_DIR, user_dir))
        for name in files:
            path = posixpath.join(STAGING_DIR, user_dir, name)
            if now - default_storage.get_modified_time(path) > MAX_AGE:
                default_storage.delete(path)
                removed += 1
    return removed
