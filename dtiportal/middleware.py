"""One structured log line per request: method, route, status, duration and the user's id — no personal data,
no query strings (they could carry values), no figures."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("dtiportal.request")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if logger.isEnabledFor(logging.INFO):
            user = getattr(request, "user", None)
            match = getattr(request, "resolver_match", None)
            logger.info(
                json.dumps(
                    {
                        "method": request.method,
                        "path": request.path,
                        "route": match.view_name if match else None,
                        "status": response.status_code,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "user": user.pk if user is not None and user.is_authenticated else None,
                    },
                    separators=(",", ":"),
                )
            )
        return response


PIN_COOKIE = "dti_primary"


class ReplicaPinMiddleware:
    """With a read replica (`DATABASE_REPLICA_URL`): a request that writes reads from the primary, and so do
    the same browser's requests for `REPLICA_PIN_SECONDS` after it (a cookie), so the page after a save
    shows the save whatever the replica's lag (`dtiportal.routers`). Without a replica: nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        from .routers import REPLICA, pinned

        if REPLICA not in settings.DATABASES:
            return self.get_response(request)
        writes = request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
        token = pinned.set(writes or PIN_COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            pinned.reset(token)
        if writes:
            seconds = int(getattr(settings, "REPLICA_PIN_SECONDS", 10))
            response.set_cookie(PIN_COOKIE, "1", max_age=seconds, httponly=True, samesite="Lax")
        return response
