"""Production settings for the fault run (bench/load/fault.py) on 127.0.0.1.

Everything comes from dtiportal.settings.production (SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS from the
environment, DEBUG off, the manifest storage of collected static files, persistent database connections,
the request log). Only what plain HTTP on loopback requires differs: production sits behind TLS, this run
talks HTTP to 127.0.0.1, so the cookies cannot be Secure and nothing redirects to https.
"""

import os
from pathlib import Path

from django.conf import global_settings

from dtiportal.settings.production import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
STATIC_ROOT = Path(os.environ["FAULT_STATIC_ROOT"])  # collected by the run into its temporary folder
# The bench accounts were created with the test settings' fast hasher; production's default stays first.
PASSWORD_HASHERS = [*global_settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]
