"""What the reviewer writes for the Báo cáo (issue #18): the narrative of a locality's quarter and the
locality's letterhead, recipients and signer. Both keep their history (django-simple-history, as Actual)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import Versioned, _length_at_most
from .catalogue import Locality

NARRATIVE_MAX_CHARS = 20_000  # one section of a Báo cáo: a few pages
PILLAR_NOTE_MAX_CHARS = 4_000
SETTING_MAX_CHARS = 255
RECIPIENTS_MAX_CHARS = 2_000


class ReportNarrative(Versioned):
    """The reviewer's text for one locality and quarter: section IV (shortcomings and their causes),
    section V (recommendations) and optional notes per pillar (shown under that pillar in section II)."""

    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="report_narratives", verbose_name=_("địa phương")
    )
    period_code = models.CharField(_("kỳ báo cáo"), max_length=7)  # "2026-Q3"
    shortcomings = models.TextField(_("tồn tại, hạn chế, nguyên nhân"), blank=True)
    recommendations = models.TextField(_("kiến nghị, đề xuất"), blank=True)
    # {pillar slug: note}; only known pillars, each note within PILLAR_NOTE_MAX_CHARS (the service checks).
    pillar_notes = models.JSONField(_("ghi chú theo trụ cột"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nội dung báo cáo")
        verbose_name_plural = _("nội dung báo cáo")
        constraints = [
            models.UniqueConstraint(fields=["locality", "period_code"], name="narrative_unique_per_quarter"),
            models.CheckConstraint(
                condition=Q(period_code__regex=r"^[0-9]{4}-Q[1-4]$"), name="narrative_period_is_a_quarter"
            ),
            _length_at_most("shortcomings", NARRATIVE_MAX_CHARS, "narrative_shortcomings_length"),
            _length_at_most("recommendations", NARRATIVE_MAX_CHARS, "narrative_recommendations_length"),
        ]

    def __str__(self) -> str:
        return f"{self.locality_id}·{self.period_code}"


class ReportSettings(Versioned):
    """A locality's letterhead and closing for its Báo cáo (Decree 30/2020/NĐ-CP): the issuing body, the
    document number's suffix, the place, the addressee, "Nơi nhận" and the signature block."""

    locality = models.OneToOneField(
        Locality, on_delete=models.PROTECT, related_name="report_settings", verbose_name=_("địa phương")
    )
    parent_body = models.CharField(_("cơ quan chủ quản"), max_length=SETTING_MAX_CHARS)
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=SETTING_MAX_CHARS)
    number_suffix = models.CharField(_("ký hiệu văn bản"), max_length=64)  # "BC-SKHCN"
    place = models.CharField(_("địa danh"), max_length=128)
    addressee = models.CharField(_("kính gửi"), max_length=SETTING_MAX_CHARS)
    recipients = models.TextField(_("nơi nhận"), max_length=RECIPIENTS_MAX_CHARS)  # one per line
    signer_authority = models.CharField(_("quyền hạn ký"), max_length=64, blank=True)  # "KT. GIÁM ĐỐC"
    signer_title = models.CharField(_("chức vụ người ký"), max_length=128)
    signer_name = models.CharField(_("họ tên người ký"), max_length=128, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thể thức báo cáo")
        verbose_name_plural = _("thể thức báo cáo")
        constraints = [
            _length_at_most("recipients", RECIPIENTS_MAX_CHARS, "report_settings_recipients_length"),
        ]

    def __str__(self) -> str:
        return f"{self.issuing_body} ({self.locality_id})"
