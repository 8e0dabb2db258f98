"""Project-level views: the health check for the load balancer, the rate-limited password reset."""

from __future__ import annotations

import hashlib

from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and every migration is applied; 503 otherwise (take me out of rotation)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    if pending:
        return JsonResponse(
            {"status": "error", "database": "ok", "pending_migrations": len(pending)}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok", "pending_migrations": 0})


# --------------------------------------------------------------------------- password reset, rate-limited

# At most this many reset e-mails per hour for one address, and reset requests from one client address:
# enough for someone who mistyped, too few to flood an inbox (issue #14: 11 requests sent 11 e-mails).
PASSWORD_RESET_PER_EMAIL = 3
PASSWORD_RESET_PER_CLIENT = 10
PASSWORD_RESET_WINDOW = 3600  # seconds


def _over_limit(key: str, limit: int) -> bool:
    """Count one more request under `key` for the window; True once the count passes `limit`."""
    cache.add(key, 0, timeout=PASSWORD_RESET_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=PASSWORD_RESET_WINDOW)
        count = 1
    return count > limit


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, sending at most PASSWORD_RESET_PER_EMAIL e-mails per address and answering
    at most PASSWORD_RESET_PER_CLIENT requests per client address in an hour (counted in the shared cache,
    the same for every worker). Refused the same way whether or not the address has an account."""

    def form_valid(self, form):
        from axes.helpers import get_client_ip_address

        email = form.cleaned_data["email"].strip().lower()
        digest = hashlib.sha256(email.encode()).hexdigest()[:32]  # no address in a cache key
        client = get_client_ip_address(self.request) or "unknown"
        over_client = _over_limit(f"pwreset:client:{client}", PASSWORD_RESET_PER_CLIENT)
        over_email = _over_limit(f"pwreset:email:{digest}", PASSWORD_RESET_PER_EMAIL)
        if over_client or over_email:
            form.add_error(
                "email",
                _(
                    "Đã có quá nhiều yêu cầu đặt lại mật khẩu trong một giờ qua: vui lòng thử lại sau %(n)d phút."
                )
                % {"n": PASSWORD_RESET_WINDOW // 60},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
