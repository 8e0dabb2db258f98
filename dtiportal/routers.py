"""Reads from a read replica, writes to the primary (issue #20): set `DATABASE_REPLICA_URL` and
`dtiportal.settings.base` adds the `replica` database and this router.

A read goes to the primary whenever what it reads must be current:
- inside a transaction on the primary (a service's checks and `select_for_update`: the replica may lag and
  cannot lock);
- during a request that writes (POST and the other unsafe methods), and for `REPLICA_PIN_SECONDS` after it
  in the same browser (`dtiportal.middleware.ReplicaPinMiddleware` sets a cookie), so that the page shown
  after a save (redirect after POST) shows the save;
- for the models listed in `PRIMARY_ONLY` (sessions, login throttling, background jobs' progress): read
  right after they are written, by another request.
"""

from __future__ import annotations

import contextvars

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PRIMARY_ONLY = {"sessions", "axes", "django_tasks_database", "django_tasks_db"}
PRIMARY_ONLY_MODELS = {("targets", "job")}

# Set by the middleware for the current request: read from the primary.
pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("dtiportal_pinned_to_primary", default=False)


class ReplicaRouter:
    """Every write and every migration on `default`; reads on `replica` unless they must be current."""

    def db_for_read(self, model, **hints) -> str:
        if REPLICA not in settings.DATABASES:
            return DEFAULT_DB_ALIAS
        meta = model._meta
        if meta.app_label in PRIMARY_ONLY or (meta.app_label, meta.model_name) in PRIMARY_ONLY_MODELS:
            return DEFAULT_DB_ALIAS
        if pinned.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the same rows on both: the replica is a copy of the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
