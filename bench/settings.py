"""Settings for the benchmarks and the load test: the test settings (fast hashing, static files from the
finders, DEBUG off) with the cache switched on, as in production.

CACHE_URL (Redis), else CACHE_BACKEND / CACHE_LOCATION choose it (default: one process's memory, enough
in-process; the load test's gunicorn workers share a directory, or a Redis with `--cache redis`).
"""

import os

from dtiportal.settings.base import cache_from_environment
from dtiportal.settings.test import *  # noqa: F403

CACHES = {"default": cache_from_environment({"CACHE_BACKEND": "locmem", **os.environ})}
# As in production: the stored assessments kept and read (issue #20).
ASSESSMENTS_STORED = True
# As in production: jobs queued in the database (the bench runs them itself, as the worker would).
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
