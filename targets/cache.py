"""Computed figures cached under a data version that every write service changes: never stale.

`targets.services` calls `data_changed()` after each write that can change what a dashboard, the open data
or a report shows (an approval, a return, a reopen, an import, a catalogue or published-figures load,
generated data). Readers key their cache entries by `data_version()`, so an entry made before a change is
never read after it: it is simply left to expire.

The version is a random token, not a counter: two processes changing data at once each write a token no
reader has seen, whereas two increments racing could both write the same number. It lives in Django's
`default` cache, which must therefore be shared by every process serving the site (see
`dtiportal/settings/base.py`, CACHES).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

VERSION_KEY = "dti:data-version"


def data_version() -> str:
    """The current data version (created on first use)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
        # Still none (no cache, or evicted at once): a token of its own, so nothing is shared by mistake.
        version = cache.get(VERSION_KEY) or secrets.token_hex(8)
    return version


def _bump() -> None:
    cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)


def data_changed() -> None:
    """Forget every cached figure: now, and again once the surrounding transaction commits.

    Now, so that a reader in the same transaction (or a test) sees the change; after the commit, so that a
    reader in another process who computed from the rows as they were before the commit cannot have
    stored its result under the version that follows the change.
    """
    _bump()
    transaction.on_commit(_bump)


def cached(key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """`compute()`, or its result stored under `key` for the current data version."""
    # Hashed: a key may carry a long list of locality ids, and memcached refuses keys over 250 characters.
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    full_key = f"dti:{data_version()}:{digest}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value)
    return value
