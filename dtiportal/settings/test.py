"""Tests: fast hashing, in-memory e-mail, media in a temporary folder."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="dtiportal-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collected static folder outside production: whitenoise serves from the finders (app + package assets).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# No cache by default: tests write rows directly (not only through the services that change the data
# version), so a cached page could show figures from before. The cache's own tests switch it on.
CACHES = {"default": cache_settings("dummy")}  # noqa: F405
# Not kept nor read by default, for the same reason: the stored assessments' own tests switch them on.
ASSESSMENTS_STORED = False
# Background jobs run at once, in the process that asks (the worker's own test switches to the database
# backend and runs `db_worker` in-process).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
