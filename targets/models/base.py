"""What every model module shares: the years a target may have and the text limits as validators and checks."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from ..limits import COMMENT_MAX_CHARS, NOTE_MAX_CHARS

MIN_YEAR = 2020
MAX_YEAR = 2035
# A target may look further ahead than the reporting years: 57-NQ/TW sets a vision to 2045 (issue #21).
MAX_TARGET_YEAR = 2045


def _max_chars(limit: int, message) -> MaxLengthValidator:
    return MaxLengthValidator(limit, message=message)


# The limits of targets/limits.py as validators (full_clean, the services) and database checks; evidence
# links are URLFields whose max_length already validates.
note_length = _max_chars(
    NOTE_MAX_CHARS, _("Ghi chú dài tối đa %(limit_value)d ký tự (đang có %(show_value)d).")
)
comment_length = _max_chars(
    COMMENT_MAX_CHARS, _("Ý kiến, lý do dài tối đa %(limit_value)d ký tự (đang có %(show_value)d).")
)


def _length_at_most(field: str, limit: int, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=LessThanOrEqual(Length(field), limit), name=name)


class Versioned(models.Model):
    """A row people edit in forms: its version (optimistic locking: a save claims the version it was shown)
    and who changed it last, when."""

    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cập nhật bởi"),
    )

    class Meta:
        abstract = True
