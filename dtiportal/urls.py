"""The project's URL map: each app's URLs under its prefix, the admin, login and password reset, /healthz."""

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before Django's own: the same URL and name, with a limit on how many e-mails it sends.
    path("accounts/password_reset/", views.RateLimitedPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("reports.urls")),
    path("", include("targets.urls")),
]
