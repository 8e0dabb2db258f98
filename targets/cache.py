"""Computed figures cached under versions that the writes change: never stale, and only as cold as a write
makes them (issue #20).

Two kinds of version:

- `data_version()`: one random token for the whole site, changed by `data_changed()` after every write that
  can change what any cached page shows (submissions included: the series page draws submitted values).
  Pages that are not versioned per locality key their entries by it.
- `figure_versions(locality_ids, as_of)`: per locality, what changed its figures for periods ending on or
  before the as-of (`FigureChange` rows, written in the same transaction as the figures by
  `figures_changed()`). The dashboards and the progress file key their entries by it, so approving a value
  of Hải Phòng for 2026-Q3 cools neither Hà Nội's pages nor Hải Phòng's history before 2026-Q3. With an
  `indicator_id`, only the changes of that series (and those of every indicator): a series page's version.

`cached()` lets one process compute a missing entry while the others wait for it (no stampede): the first
takes a lock (`cache.add`, which only one caller can win), the others poll for the value until the lock is
released or its timeout passes.

The version token lives in Django's `default` cache, which must therefore be shared by every process
serving the site (see `dtiportal/settings/base.py`, CACHES).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.db import transaction
from django.db.models import Count, Max, Q

T = TypeVar("T")

VERSION_KEY = "dti:data-version"
EPOCH_KEY = "dti:figure-epoch"  # changed only when the figure changes themselves are replaced (a restore)
# How long a computation may hold its lock before another caller computes anyway (seconds), and how often a
# waiting caller looks for the value.
LOCK_TIMEOUT = 60
LOCK_POLL = 0.05


def _token(key: str) -> str:
    version = cache.get(key)
    if version is None:
        cache.add(key, secrets.token_hex(8), timeout=None)
        # Still none (no cache, or evicted at once): a token of its own, so nothing is shared by mistake.
        version = cache.get(key) or secrets.token_hex(8)
    return version


def data_version() -> str:
    """The current data version (created on first use)."""
    return _token(VERSION_KEY)


def _bump(key: str = VERSION_KEY) -> None:
    cache.set(key, secrets.token_hex(8), timeout=None)


def figures_replaced() -> None:
    """The database was replaced wholesale (a restore): its `FigureChange` rows are another history, whose
    counts may repeat versions seen before. Every figure version is forgotten (now and after the commit)."""
    _bump(EPOCH_KEY)
    transaction.on_commit(lambda: _bump(EPOCH_KEY))


def figure_epoch() -> str:
    """The token a restore changes (`figures_replaced`): what was read from the database before it, ids
    included, is another history."""
    return _token(EPOCH_KEY)


def data_changed() -> None:
    """Forget every figure cached under the data version: now, and again once the surrounding transaction
    commits.

    Now, so that a reader in the same transaction (or a test) sees the change; after the commit, so that a
    reader in another process who computed from the rows as they were before the commit cannot have
    stored its result under the version that follows the change.
    """
    _bump()
    transaction.on_commit(_bump)


def _submissions_key(locality_id: int, indicator_id: int) -> str:
    return f"dti:submissions:{locality_id}:{indicator_id}"


def submissions_changed(series: Iterable[tuple[int, int]]) -> None:
    """Values were sent for review in these (locality id, indicator id) series (they show, hollow, on their
    series pages to the localities' members): their submission tokens change now and again after the commit,
    as `data_changed`."""
    keys = [_submissions_key(loc, ind) for loc, ind in set(series)]

    def bump() -> None:
        for key in keys:
            _bump(key)

    bump()
    transaction.on_commit(bump)


def submissions_version(locality_id: int, indicator_id: int) -> str:
    """The token `submissions_changed` changes for a series (created on first use)."""
    return _token(_submissions_key(locality_id, indicator_id))


# --- figure versions per locality and period ----------------------------------------------------------------

# Set by the reports app (`reports.apps`): re-assesses the stored assessments of the series a write touched
# (`reports.assessments.reassess`), or all of them (None). targets never imports reports.
_reassess: Callable[[set[tuple[int, int]] | None], None] | None = None


def register_reassess(function: Callable[[set[tuple[int, int]] | None], None]) -> None:
    global _reassess
    _reassess = function


def stored_assessments_on() -> bool:
    """Whether the assessments table is kept and read (`ASSESSMENTS_STORED`; the tests' default is off,
    since most tests write rows directly; the table's own tests switch it on)."""
    return bool(getattr(settings, "ASSESSMENTS_STORED", True))


def figures_changed(touched: Iterable[tuple[int, int, dt.date | None]]) -> None:
    """A write changed figures: `touched` holds (locality id, indicator id, period end) of each (period end
    None: every period of that locality, e.g. a target changed).

    Called inside the write's transaction: records one `FigureChange` per series and period, and
    re-assesses the touched series' stored assessments, so both become visible with the figures, at commit.
    """
    from .models import FigureChange

    touched = list(touched)
    if not touched:
        return
    FigureChange.objects.bulk_create(
        [
            FigureChange(locality_id=loc, indicator_id=ind, period_ends_on=end)
            for loc, ind, end in sorted(set(touched), key=lambda t: (t[0], t[1], t[2] or dt.date.min))
        ]
    )
    if _reassess is not None and stored_assessments_on():
        _reassess({(t[0], t[1]) for t in touched})


def everything_changed(*, reassess: bool = True) -> None:
    """Targets or figures changed everywhere (a catalogue load, generated data, a restore, an admin edit):
    one `FigureChange` for every locality and period, and every stored assessment recomputed."""
    from .models import FigureChange

    FigureChange.objects.create(locality=None, period_ends_on=None)
    if reassess and _reassess is not None and stored_assessments_on():
        _reassess(None)


def figure_versions(
    locality_ids: Iterable[int], as_of_ends_on: dt.date, *, indicator_id: int | None = None
) -> tuple:
    """The version of the figures of `locality_ids` known at an as-of ending on `as_of_ends_on`: per
    locality, the count and the newest id of the changes to its periods up to then and of the changes to
    every locality. With `indicator_id`, of that indicator's series only (the changes to it and to every
    indicator). One query.

    The count is part of it because ids are not handed out in commit order (PostgreSQL): a change committed
    after a newer one still adds one to the count. The first part also holds the epoch that a restore
    changes (`figures_replaced`)."""
    from .models import FigureChange

    changes = FigureChange.objects.filter(
        Q(period_ends_on__isnull=True) | Q(period_ends_on__lte=as_of_ends_on)
    )
    if indicator_id is not None:
        changes = changes.filter(Q(indicator__isnull=True) | Q(indicator_id=indicator_id))
    rows = (
        changes.values("locality_id")
        .annotate(n=Count("id"), newest=Max("id"))
        .values_list("locality_id", "n", "newest")
    )
    found = {loc: (n, newest) for loc, n, newest in rows}
    # Without a cache nothing is kept, so there is no epoch to follow (and the versions stay comparable).
    epoch = figure_epoch() if caching() else ""
    everywhere = (epoch, *found.get(None, (0, 0)))
    return (everywhere, tuple((loc, found.get(loc, (0, 0))) for loc in sorted(set(locality_ids))))


# --- the cache of computed figures ----------------------------------------------------------------------


def _full_key(key: tuple[Hashable, ...], version: str | None) -> str:
    # Hashed: a key may carry a long list of locality ids, and memcached refuses keys over 250 characters.
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    return f"dti:{data_version() if version is None else version}:{digest}"


def caching() -> bool:
    """Whether a cache is configured (the tests' default is Django's dummy cache: nothing is kept)."""
    return not isinstance(caches["default"], DummyCache)


def full_key(key: tuple[Hashable, ...]) -> str:
    """The cache key of `key` when it carries its own versions (as `cached(..., versioned=False)`)."""
    return _full_key(key, "v")


def cached(
    key: tuple[Hashable, ...],
    compute: Callable[[], T],
    *,
    versioned: bool = True,
    versions: Callable[[], Hashable] | None = None,
) -> T:
    """`compute()`, or its result stored under `key` for the current data version; with `versions`, under
    `key` and what `versions()` returns instead (e.g. `figure_versions`: asked only when a cache is
    configured); with `versioned` False, under `key` alone (it carries its own versions).

    While one caller computes a missing entry the others wait for its result instead of computing it too:
    the computing caller holds a lock (`cache.add`: one winner) until it has stored the value; a waiting
    caller polls for the value and computes only if the lock is gone (its holder failed) or outlives
    `LOCK_TIMEOUT`."""
    if not caching():
        return compute()
    if versions is not None:
        key, versioned = (*key, versions()), False
    full_key = _full_key(key, None if versioned else "v")
    value = cache.get(full_key)
    if value is not None:
        return value
    lock_key = f"{full_key}:lock"
    deadline = time.monotonic() + LOCK_TIMEOUT
    while not cache.add(lock_key, secrets.token_hex(4), timeout=LOCK_TIMEOUT):
        # Someone else computes it: wait for their value.
        time.sleep(LOCK_POLL)
        value = cache.get(full_key)
        if value is not None:
            return value
        if time.monotonic() > deadline:
            break  # its holder is stuck: compute it here rather than wait longer
    try:
        value = cache.get(full_key)  # stored between our miss and our lock
        if value is None:
            value = compute()
            cache.set(full_key, value)
        return value
    finally:
        cache.delete(lock_key)


def remembered(
    key: tuple[Hashable, ...],
    fingerprints: Mapping[Hashable, Hashable],
    build: Callable[[list[Hashable]], Mapping[Hashable, T]],
) -> dict[Hashable, T]:
    """Each item's value (items: the keys of `fingerprints`): the value kept under `key` when the item's
    fingerprint is the one it was built from, else built — the missing ones only, in one call of `build`,
    which returns each given item's value. A write that re-assesses one series changes the fingerprints of
    that series' targets only, so a page of 500 targets re-formats those and reuses the rest (issue #20).

    The fingerprint must cover everything a value is built from besides `key` (e.g. a target's whole
    assessed row; `key` the language and the as-of): a kept value is used only if its fingerprint matches,
    so nothing stale is ever returned, whatever the data version. Without a cache, everything is built."""
    if not caching():
        return dict(build(list(fingerprints)))
    full = full_key(("remembered", *key))
    kept = cache.get(full) or {}
    out: dict[Hashable, T] = {}
    missing = []
    for item, fingerprint in fingerprints.items():
        hit = kept.get(item)
        if hit is not None and hit[0] == fingerprint:
            out[item] = hit[1]
        else:
            missing.append(item)
    if missing:
        built = build(missing)
        for item in missing:
            out[item] = built[item]
        cache.set(full, {item: (fingerprint, out[item]) for item, fingerprint in fingerprints.items()})
    return out
