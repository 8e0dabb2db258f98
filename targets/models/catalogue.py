"""The catalogue: localities, pillars, indicators, documents and the targets they set."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..search import fold
from .base import MAX_TARGET_YEAR, MAX_YEAR, MIN_YEAR


class Locality(models.Model):
    """A provincial unit (tỉnh / thành phố trực thuộc trung ương), with its history of mergers."""

    slug = models.SlugField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên"), max_length=128)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=128, blank=True)
    valid_from = models.DateField(_("có hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("có hiệu lực đến"), null=True, blank=True)
    predecessors = models.ManyToManyField(
        "self", symmetrical=False, related_name="successors", blank=True, verbose_name=_("đơn vị tiền thân")
    )
    is_demo = models.BooleanField(_("dữ liệu minh hoạ"), default=False)
    # Whether its approved and published figures are shown on the public pages (issue #19): off for a new one.
    publishes = models.BooleanField(_("công khai số liệu"), default=False)
    # The official two-digit province code (Decision 124/2004/QĐ-TTg and its 2025 update), a stable identifier.
    official_code = models.CharField(_("mã đơn vị hành chính"), max_length=2, blank=True)
    # The whole country (`viet-nam`, issue #21): it holds the national targets the cities' targets derive
    # from. Nobody reports for it; it is never listed among the provincial units.
    is_country = models.BooleanField(_("toàn quốc"), default=False)
    quarterly_deadline_day = models.PositiveSmallIntegerField(
        _("ngày hạn báo cáo quý"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Ngày của tháng cuối quý (Thông tư 02/2023/TT-BTTTT: ngày 6)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("địa phương")
        verbose_name_plural = _("địa phương")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="locality_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Pillar(models.Model):
    """Digital government, digital economy, digital society; `dti` holds the overall index and its rank."""

    slug = models.SlugField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=128)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=128)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("trụ cột")
        verbose_name_plural = _("trụ cột")

    def __str__(self) -> str:
        return self.name


class Unit(models.TextChoices):
    PERCENT = "percent", _("%")
    COUNT = "count", _("số lượng")
    PER_1000 = "per_1000", _("trên 1.000 dân")
    RANK = "rank", _("thứ hạng")
    GROWTH_RATE = "growth_rate", _("% tăng trưởng")
    SCORE = "score", _("điểm (0–1)")
    MILESTONE = "milestone", _("mốc hoàn thành")
    # A figure against a base year = 100 ("tăng 30%" → ≥ 130): the target names its baseline (issue #16).
    INDEX = "index", _("chỉ số (năm gốc = 100)")


class Frequency(models.TextChoices):
    QUARTERLY = "quarterly", _("hằng quý")
    ANNUAL = "annual", _("hằng năm")


class Indicator(models.Model):
    """One harmonised concept shared by every locality, so cities can be compared on it."""

    code = models.SlugField(_("mã chỉ tiêu"), max_length=64, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255)
    pillar = models.ForeignKey(
        Pillar, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("trụ cột")
    )
    unit = models.CharField(pgettext_lazy("unit of measure", "đơn vị"), max_length=16, choices=Unit.choices)
    higher_is_better = models.BooleanField(_("càng cao càng tốt"), default=True)
    definition = models.TextField(_("định nghĩa"), blank=True)
    frequency = models.CharField(_("tần suất báo cáo"), max_length=16, choices=Frequency.choices)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    # The name without diacritics, lower case (`targets.search.fold`), kept on every save: what the
    # catalogue's search compares, so "ho so" finds what "hồ sơ" finds on SQLite and PostgreSQL alike.
    search_name = models.CharField(
        _("tên không dấu (để tìm kiếm)"), max_length=255, blank=True, editable=False
    )

    class Meta:
        ordering = ["pillar__order", "order", "code"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        constraints = [
            models.CheckConstraint(condition=Q(unit__in=Unit.values), name="indicator_unit_known"),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="indicator_frequency_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_name = fold(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)


class Level(models.TextChoices):
    NONE = "", _("toàn địa phương")
    CITY = "city", _("cấp tỉnh/thành phố")
    DISTRICT = "district", _("cấp huyện")
    COMMUNE = "commune", _("cấp xã")


class Document(models.Model):
    """A source document (resolution, plan, report) with its full text."""

    code = models.SlugField(_("mã"), max_length=64, unique=True)
    number = models.CharField(_("số hiệu"), max_length=64, blank=True)
    title = models.CharField(_("tiêu đề"), max_length=500)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="documents", verbose_name=_("địa phương")
    )
    # A national decision whose signed text is not at hand has no file and no text (issue #21): each of its
    # targets then names the page its quote was taken from, and that quote's provenance.
    source_file = models.CharField(_("tệp văn bản"), max_length=255, blank=True)
    source_url = models.URLField(_("nguồn"), max_length=500, blank=True)
    text = models.TextField(_("nội dung"), blank=True)
    # What a reader must know about the document's standing (a draft, superseded by later plans…), in both
    # languages; shown with every target it sets (issue #16).
    status_note = models.TextField(_("tình trạng văn bản"), blank=True)
    status_note_en = models.TextField(_("tình trạng văn bản (tiếng Anh)"), blank=True)

    class Meta:
        ordering = ["locality__name", "issued_on", "code"]
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")

    def __str__(self) -> str:
        return f"{self.number} — {self.title}" if self.number else self.title


class Comparator(models.TextChoices):
    GTE = ">=", "≥"
    GT = ">", ">"
    EQ = "=", "="
    APPROX = "~", "≈"
    LTE = "<=", "≤"
    LT = "<", "<"
    RANGE = "range", _("khoảng")


class Provenance(models.TextChoices):
    """Where a target's quote comes from (issue #21). The cities' targets quote their document's own text
    (`document`); a national target may quote a page that reproduces the decision."""

    DOCUMENT = "", _("nguyên văn văn bản")
    OFFICIAL = "official", _("trích từ trang chính thức")
    PRESS = "press", _("trích từ báo chí")
    ENGLISH = "english-source", _("nguồn tiếng Anh")
    TRANSCRIPTION = "transcription", _("bản chép chưa đối chiếu")


class Aggregation(models.TextChoices):
    """What a target's figure is compared on (issue #16: labour productivity)."""

    YEAR = "", _("số liệu của năm mục tiêu")
    EACH_YEAR = "each_year", _("từng năm trong giai đoạn")
    PERIOD_AVERAGE = "period_average", _("bình quân giai đoạn")


class Target(models.Model):
    """Indicator × locality × level × year: what a document commits the locality to."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="targets", verbose_name=_("chỉ tiêu")
    )
    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="targets", verbose_name=_("địa phương")
    )
    level = models.CharField(_("cấp"), max_length=16, choices=Level.choices, blank=True, default=Level.NONE)
    year = models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_TARGET_YEAR)]
    )
    # The indicator's unit, copied here so the database itself can keep percent targets within 0–100.
    unit = models.CharField(
        pgettext_lazy("unit of measure", "đơn vị"), max_length=16, choices=Unit.choices, editable=False
    )
    comparator = models.CharField(_("so sánh"), max_length=8, choices=Comparator.choices)
    value = models.DecimalField(_("giá trị"), max_digits=14, decimal_places=4)
    value_max = models.DecimalField(
        _("giá trị tối đa"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("năm gốc"), null=True, blank=True, validators=[MinValueValidator(2015), MaxValueValidator(MAX_YEAR)]
    )
    baseline_value = models.DecimalField(
        _("giá trị gốc"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="targets", verbose_name=_("văn bản")
    )
    quote = models.TextField(_("trích dẫn nguyên văn"))
    note = models.TextField(_("ghi chú"), blank=True)
    applies_until = models.DateField(_("áp dụng đến"), null=True, blank=True)
    # A rank target: how many units the ranking it was set against had (63 before the 2024 ranking of the 34
    # merged units; issue #16). Empty for other units.
    ranked_among = models.PositiveSmallIntegerField(
        _("đặt trên bảng xếp hạng số đơn vị"), null=True, blank=True
    )
    # Issue #21: where the quote was read when it is not the document's own text, and how far to trust it.
    provenance = models.CharField(
        _("nguồn trích dẫn"), max_length=16, choices=Provenance.choices, blank=True, default=""
    )
    quote_source = models.CharField(_("trang trích dẫn"), max_length=500, blank=True)
    clause = models.CharField(_("điều, mục"), max_length=255, blank=True)
    # The national target this (city) target derives from, a judgement noted in `national_note`.
    national_target = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="derived_targets",
        verbose_name=_("mục tiêu quốc gia"),
    )
    national_note = models.TextField(_("căn cứ liên kết mục tiêu quốc gia"), blank=True)
    # The pillar the document lists the target under; empty: the indicator's (issue #16).
    pillar = models.ForeignKey(
        Pillar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("trụ cột theo văn bản"),
    )
    # "hằng năm tăng tối thiểu 15%" is every year of the period; "tăng bình quân trên 7,5%/năm" the average
    # over the period; both from `period_from` to the target's year.
    aggregation = models.CharField(
        _("cách so sánh"), max_length=16, choices=Aggregation.choices, blank=True, default=Aggregation.YEAR
    )
    period_from = models.PositiveSmallIntegerField(
        _("giai đoạn từ năm"),
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
    )

    class Meta:
        ordering = ["indicator__pillar__order", "indicator__order", "locality__name", "level", "year"]
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "locality", "level", "year", "document"],
                name="target_unique_per_document",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR) & Q(year__lte=MAX_TARGET_YEAR), name="target_year_2020_2045"
            ),
            models.CheckConstraint(
                condition=Q(comparator__in=Comparator.values), name="target_comparator_known"
            ),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="target_level_known"),
            models.CheckConstraint(
                condition=Q(provenance__in=Provenance.values), name="target_provenance_known"
            ),
            models.CheckConstraint(
                condition=Q(value_max__isnull=True) | Q(value_max__gte=F("value")),
                name="target_value_max_gte_value",
            ),
            # A range needs its upper bound; nothing else may have one.
            models.CheckConstraint(
                condition=(Q(comparator="range") & Q(value_max__isnull=False))
                | (~Q(comparator="range") & Q(value_max__isnull=True)),
                name="target_range_has_max",
            ),
            models.CheckConstraint(
                condition=~Q(unit="percent")
                | (Q(value__gte=0) & Q(value__lte=100) & (Q(value_max__isnull=True) | Q(value_max__lte=100))),
                name="target_percent_within_0_100",
            ),
            models.CheckConstraint(
                condition=Q(aggregation__in=Aggregation.values), name="target_aggregation_known"
            ),
            # A comparison over a period names where the period starts; a single year has none.
            models.CheckConstraint(
                condition=(Q(aggregation="") & Q(period_from__isnull=True))
                | (~Q(aggregation="") & Q(period_from__isnull=False) & Q(period_from__lte=F("year"))),
                name="target_period_from_with_aggregation",
            ),
            models.CheckConstraint(
                condition=(Q(baseline_year__isnull=True) & Q(baseline_value__isnull=True))
                | (Q(baseline_year__isnull=False) & Q(baseline_value__isnull=False)),
                name="target_baseline_complete",
            ),
        ]
        indexes = [
            # Dashboards and the progress selector: all targets of a locality, per pillar.
            models.Index(fields=["locality", "year"], name="target_locality_year"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}·{self.locality_id}·{self.level or '-'}·{self.year}"

    def get_absolute_url(self) -> str:
        return reverse("targets:target_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.indicator_id is not None:
            self.unit = self.indicator.unit
        if self.unit == Unit.PERCENT:
            for name in ("value", "value_max"):
                v = getattr(self, name)
                if v is not None and not (0 <= v <= 100):
                    errors.setdefault(name, []).append(_("Chỉ tiêu tỷ lệ phần trăm phải từ 0 đến 100."))
        if self.comparator and self.comparator not in Comparator.values:
            errors.setdefault("comparator", []).append(_("Phép so sánh không hợp lệ."))
        if self.comparator == Comparator.RANGE and self.value_max is None:
            errors.setdefault("value_max", []).append(_("Khoảng giá trị cần có giá trị tối đa."))
        if self.comparator != Comparator.RANGE and self.value_max is not None:
            errors.setdefault("value_max", []).append(_("Chỉ khoảng giá trị mới có giá trị tối đa."))
        if self.value_max is not None and self.value is not None and self.value_max < self.value:
            errors.setdefault("value_max", []).append(
                _("Giá trị tối đa phải lớn hơn hoặc bằng giá trị tối thiểu.")
            )
        if (self.baseline_year is None) != (self.baseline_value is None):
            errors.setdefault("baseline_value", []).append(_("Giá trị gốc cần có cả năm gốc và giá trị."))
        if errors:
            raise ValidationError(errors)

    @property
    def is_range(self) -> bool:
        return self.comparator == Comparator.RANGE

    @property
    def secondary_source(self) -> bool:
        """The quote is not the decision's wording as published officially: label it wherever shown."""
        return self.provenance not in (Provenance.DOCUMENT, Provenance.OFFICIAL)


def validate_value_for_unit(unit: str, value: Decimal | float | None, *, field: str = "value") -> None:
    """Raise ValidationError when a value cannot be a figure of this unit (percent 0–100, …)."""
    if value is None:
        return
    v = Decimal(str(value))
    bounds: dict[str, tuple[Decimal | None, Decimal | None, str]] = {
        Unit.PERCENT: (Decimal(0), Decimal(100), _("Tỷ lệ phần trăm phải từ 0 đến 100.")),
        Unit.COUNT: (Decimal(0), None, _("Số lượng phải là số nguyên không âm.")),
        Unit.PER_1000: (Decimal(0), None, _("Giá trị trên 1.000 dân không được âm.")),
        Unit.RANK: (Decimal(1), Decimal(63), _("Thứ hạng phải là số nguyên từ 1 đến 63.")),
        Unit.SCORE: (Decimal(0), Decimal(1), _("Điểm phải từ 0 đến 1.")),
        Unit.GROWTH_RATE: (Decimal(-100), Decimal(1000), _("Tốc độ tăng trưởng phải từ -100% đến 1.000%.")),
        Unit.MILESTONE: (Decimal(0), Decimal(1), _("Mốc hoàn thành là 0 (chưa) hoặc 1 (đã hoàn thành).")),
        Unit.INDEX: (Decimal(0), Decimal(100000), _("Chỉ số (năm gốc = 100) phải từ 0 đến 100.000.")),
    }
    if unit not in bounds:
        raise ValidationError({field: _("Đơn vị không hợp lệ.")})
    low, high, message = bounds[unit]
    whole = unit in (Unit.COUNT, Unit.RANK, Unit.MILESTONE)
    if (
        (low is not None and v < low)
        or (high is not None and v > high)
        or (whole and v != v.to_integral_value())
    ):
        raise ValidationError({field: message})
