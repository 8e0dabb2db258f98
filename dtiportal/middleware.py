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
