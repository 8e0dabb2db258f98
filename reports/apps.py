"""The reports app: dashboards, the Excel report, the public pages and open data."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self) -> None:
        # The writes of targets/ keep the stored assessments current through this hook (targets never
        # imports reports).
        from targets.cache import register_reassess

        from . import jobs  # noqa: F401  (registers the Excel report's and the Báo cáo's job kinds)
        from .assessments import reassess

        register_reassess(reassess)
