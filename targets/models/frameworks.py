"""DTI frameworks as data (issue #21): each version of the index, its pillars, groups, main indices and
components; which index each indicator and each plan task feeds under each version; the main-index scores
a locality was given. Loaded from `fixtures/catalogue/dti/` by `load_catalogue`: a new framework is a data
change, not a code change."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .base import MAX_YEAR, MIN_YEAR
from .catalogue import Indicator, Locality
from .plans import PlanTask


class Framework(models.Model):
    """One version of an index: e.g. the provincial DTI of Decision 922/QĐ-BTTTT (2022).

    `first_year`–`last_year` are the ranking years it scored (a 2022 score is a 922 score); empty for a
    framework kept for context only (the national DTI)."""

    code = models.SlugField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("bộ chỉ số"), max_length=128)
    decision = models.CharField(_("quyết định"), max_length=64)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    first_year = models.PositiveSmallIntegerField(
        _("năm đánh giá đầu tiên"),
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
    )
    last_year = models.PositiveSmallIntegerField(
        _("năm đánh giá cuối cùng"),
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
    )
    provincial = models.BooleanField(_("xếp hạng cấp tỉnh"), default=True)
    note = models.TextField(_("ghi chú"), blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("khung chỉ số DTI")
        verbose_name_plural = _("khung chỉ số DTI")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__isnull=True)
                | Q(first_year__isnull=True)
                | Q(last_year__gte=F("first_year")),
                name="framework_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.decision}"


class IndexLevel(models.TextChoices):
    TOTAL = "total", _("tổng điểm")
    PILLAR = "pillar", _("trụ cột")
    GROUP = "group", _("nhóm chỉ số")
    MAIN = "main", _("chỉ số chính")
    COMPONENT = "component", _("chỉ số thành phần")


class FrameworkIndex(models.Model):
    """A node of a framework: its total, a pillar, a group, a main index or a component."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="indices", verbose_name=_("khung chỉ số")
    )
    key = models.CharField(
        _("mã tham chiếu"), max_length=255
    )  # unique in the framework; how the fixtures name it
    level = models.CharField(_("cấp"), max_length=16, choices=IndexLevel.choices)
    code = models.CharField(_("mã công bố"), max_length=16, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("thuộc"),
    )
    name = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    points = models.CharField(_("điểm hoặc trọng số"), max_length=64, blank=True)
    source = models.CharField(_("nguồn"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["framework__order", "order"]
        verbose_name = _("chỉ số của khung")
        verbose_name_plural = _("chỉ số của khung")
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="frameworkindex_key_unique"),
            models.CheckConstraint(
                condition=Q(level__in=IndexLevel.values), name="frameworkindex_level_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class IndexLink(models.Model):
    """What an indicator or a plan task feeds under one framework (a main index; a component where the
    framework file has one): a judgement, kept with its note."""

    index = models.ForeignKey(
        FrameworkIndex, on_delete=models.CASCADE, related_name="links", verbose_name=_("chỉ số")
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="index_links",
        verbose_name=_("chỉ tiêu"),
    )
    task = models.ForeignKey(
        PlanTask,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="index_links",
        verbose_name=_("nhiệm vụ"),
    )
    note = models.TextField(_("căn cứ"))

    class Meta:
        ordering = ["index__framework__order", "index__order"]
        verbose_name = _("liên kết chỉ số DTI")
        verbose_name_plural = _("liên kết chỉ số DTI")
        constraints = [
            # Exactly one of indicator and task.
            models.CheckConstraint(
                condition=(Q(indicator__isnull=False) & Q(task__isnull=True))
                | (Q(indicator__isnull=True) & Q(task__isnull=False)),
                name="indexlink_indicator_or_task",
            ),
            models.UniqueConstraint(fields=["index", "indicator"], name="indexlink_indicator_unique"),
            models.UniqueConstraint(fields=["index", "task"], name="indexlink_task_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id or self.task_id} → {self.index_id}"


class IndexScore(models.Model):
    """A main-index (or pillar) score a locality was given in a published ranking, with its source."""

    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="index_scores", verbose_name=_("địa phương")
    )
    index = models.ForeignKey(
        FrameworkIndex, on_delete=models.CASCADE, related_name="scores", verbose_name=_("chỉ số")
    )
    year = models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    value = models.DecimalField(_("điểm"), max_digits=8, decimal_places=4)
    source = models.CharField(_("nguồn"), max_length=500)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["locality__name", "year", "index__order"]
        verbose_name = _("điểm chỉ số chính")
        verbose_name_plural = _("điểm chỉ số chính")
        constraints = [
            models.UniqueConstraint(fields=["locality", "index", "year"], name="indexscore_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.locality_id}·{self.index_id}·{self.year}: {self.value}"
