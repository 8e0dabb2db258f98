"""The targets app: the catalogue, data entry, review and plans."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "targets"
    verbose_name = _("Chỉ tiêu chuyển đổi số")

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the reminders' and the large Excel import's job kinds)
