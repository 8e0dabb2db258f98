"""The domain of DTI Portal: where targets come from, what they are, and the figures reported against them.

Model methods use only the row's own fields; anything across relations lives in selectors or services.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .limits import COMMENT_MAX_CHARS, NOTE_MAX_CHARS, URL_MAX_CHARS
from .periods import end_time, parse_period_code, quarter_bounds

MIN_YEAR = 2020
MAX_YEAR = 2035


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
    source_file = models.CharField(_("tệp văn bản"), max_length=255)
    source_url = models.URLField(_("nguồn"), max_length=500, blank=True)
    text = models.TextField(_("nội dung"))

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
        _("năm"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
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
                condition=Q(year__gte=MIN_YEAR) & Q(year__lte=MAX_YEAR), name="target_year_2020_2035"
            ),
            models.CheckConstraint(
                condition=Q(comparator__in=Comparator.values), name="target_comparator_known"
            ),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="target_level_known"),
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


class Department(models.Model):
    """A unit (đơn vị) of a locality: a department, the Sở TTTT, a people's committee."""

    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="departments", verbose_name=_("địa phương")
    )
    code = models.SlugField(_("mã"), max_length=64)
    name = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)

    class Meta:
        ordering = ["locality__name", "name"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["locality", "code"], name="department_code_per_locality")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    EDITOR = "editor", _("cán bộ nhập liệu")
    REVIEWER = "reviewer", _("cán bộ thẩm định")
    VIEWER = "viewer", _("lãnh đạo (xem)")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("người dùng"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("đơn vị")
    )
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("thành viên")
        verbose_name_plural = _("thành viên")
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="membership_one_role_per_department"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department} · {self.role}"


class Assignment(models.Model):
    """Which department reports an indicator (at a level) for its locality."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("đơn vị")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("chỉ tiêu")
    )
    level = models.CharField(_("cấp"), max_length=16, choices=Level.choices, blank=True, default=Level.NONE)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        constraints = [
            models.UniqueConstraint(fields=["department", "indicator", "level"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.indicator_id} · {self.level or '-'}"


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("quý")
    YEAR = "year", _("năm")


class ReportingPeriod(models.Model):
    """A quarter (`2026-Q3`) or a year (`2024`, for annual figures such as the DTI rank)."""

    code = models.CharField(_("mã kỳ"), max_length=8, unique=True)
    kind = models.CharField(_("loại kỳ"), max_length=8, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(MIN_YEAR - 5), MaxValueValidator(MAX_YEAR)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("quý"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))

    class Meta:
        ordering = ["year", "quarter"]
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="quarter") & Q(quarter__gte=1) & Q(quarter__lte=4))
                | (Q(kind="year") & Q(quarter__isnull=True)),
                name="period_quarter_matches_kind",
            ),
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="period_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.code

    @classmethod
    def from_code(cls, code: str) -> ReportingPeriod:
        """The period a code stands for, built and not saved (`2026-Q3`, `2024`). ValueError on a bad code."""
        year, quarter = parse_period_code(code)
        if quarter is None:
            return cls(
                code=code,
                kind=PeriodKind.YEAR,
                year=year,
                starts_on=dt.date(year, 1, 1),
                ends_on=dt.date(year, 12, 31),
            )
        starts, ends = quarter_bounds(year, quarter)
        return cls(
            code=code, kind=PeriodKind.QUARTER, year=year, quarter=quarter, starts_on=starts, ends_on=ends
        )

    @property
    def end_time(self) -> float:
        """Decimal years at the end of the period: 2026-Q3 → 2026.75, the year 2024 → 2025.0."""
        return end_time(self.year, self.quarter if self.kind == PeriodKind.QUARTER else None)


class LocalityPeriod(models.Model):
    """A locality's own view of a period: its deadline (if not the default rule) and its lock."""

    locality = models.ForeignKey(
        Locality, on_delete=models.CASCADE, related_name="periods", verbose_name=_("địa phương")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.CASCADE,
        related_name="locality_periods",
        verbose_name=_("kỳ báo cáo"),
    )
    deadline = models.DateField(_("hạn nộp"), null=True, blank=True)
    locked_at = models.DateTimeField(_("khoá lúc"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("khoá bởi"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kỳ báo cáo của địa phương")
        verbose_name_plural = _("kỳ báo cáo của địa phương")
        constraints = [models.UniqueConstraint(fields=["locality", "period"], name="locality_period_unique")]

    def __str__(self) -> str:
        return f"{self.locality_id}·{self.period_id}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Status(models.TextChoices):
    DRAFT = "draft", _("nháp")
    SUBMITTED = "submitted", _("đã gửi")
    APPROVED = "approved", _("đã duyệt")
    RETURNED = "returned", pgettext_lazy("status", "trả lại")


class Origin(models.TextChoices):
    ENTERED = "entered", _("nhập trên web")
    IMPORTED = "imported", _("nhập từ Excel")
    PUBLISHED = "published", _("số liệu công bố")
    DEMO = "demo", _("dữ liệu minh hoạ")


def evidence_upload_to(instance: Actual, filename: str) -> str:
    """Evidence is stored under a random name (the original name never reaches the file system)."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{uuid.uuid4().hex}{suffix}"


class Actual(models.Model):
    """A reported figure: indicator × locality × level × period."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="actuals", verbose_name=_("chỉ tiêu")
    )
    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="actuals", verbose_name=_("địa phương")
    )
    level = models.CharField(_("cấp"), max_length=16, choices=Level.choices, blank=True, default=Level.NONE)
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="actuals", verbose_name=_("kỳ báo cáo")
    )
    value = models.DecimalField(_("giá trị"), max_digits=14, decimal_places=4)
    note = models.TextField(_("ghi chú"), blank=True, max_length=NOTE_MAX_CHARS, validators=[note_length])
    evidence_file = models.FileField(
        _("tệp minh chứng"), upload_to=evidence_upload_to, blank=True, max_length=200
    )
    evidence_name = models.CharField(_("tên tệp minh chứng"), max_length=255, blank=True)
    evidence_url = models.URLField(_("đường dẫn minh chứng"), max_length=URL_MAX_CHARS, blank=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    origin = models.CharField(_("nguồn gốc"), max_length=16, choices=Origin.choices, default=Origin.ENTERED)
    source = models.CharField(_("nguồn công bố"), max_length=500, blank=True)
    # A published figure is not known before the day it was made public (time travel: `targets.known`);
    # empty where that day is unknown (the figure then counts from the end of its period).
    published_on = models.DateField(_("ngày công bố"), null=True, blank=True)
    ranked_among = models.PositiveSmallIntegerField(_("xếp hạng trong số"), null=True, blank=True)
    department = models.ForeignKey(
        "Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị nhập"),
    )
    outlier_confirmed = models.BooleanField(_("đã xác nhận giá trị bất thường"), default=False)
    review_comment = models.TextField(
        _("ý kiến thẩm định"), blank=True, max_length=COMMENT_MAX_CHARS, validators=[comment_length]
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("thẩm định lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thẩm định bởi"),
    )
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
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("số liệu thực hiện")
        verbose_name_plural = _("số liệu thực hiện")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "locality", "level", "period"], name="actual_unique_per_period"
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="actual_status_known"),
            models.CheckConstraint(condition=Q(origin__in=Origin.values), name="actual_origin_known"),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="actual_level_known"),
            # A published figure always carries its source.
            models.CheckConstraint(
                condition=~Q(origin="published") | ~Q(source=""), name="actual_published_has_source"
            ),
            # Free text stays within the limits of targets/limits.py, whoever writes the row.
            _length_at_most("note", NOTE_MAX_CHARS, "actual_note_length"),
            _length_at_most("review_comment", COMMENT_MAX_CHARS, "actual_review_comment_length"),
            _length_at_most("evidence_url", URL_MAX_CHARS, "actual_evidence_url_length"),
        ]
        indexes = [
            # Progress selector: every actual of a locality (optionally by status), joined to its period.
            models.Index(fields=["locality", "status"], name="actual_locality_status"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}·{self.locality_id}·{self.level or '-'}·{self.period_id}={self.value}"


# --------------------------------------------------------------------------- DTI improvement plans


class Component(models.TextChoices):
    """The DTI components (chỉ số thành phần) each pillar is scored on; tasks are grouped by them.

    "" holds what a plan assigns outside the pillar × component grid (its "tổ chức thực hiện" section).
    """

    AWARENESS = "nhan-thuc", _("Chuyển đổi nhận thức")
    INSTITUTIONS = "the-che", _("Kiến tạo thể chế")
    INFRASTRUCTURE = "ha-tang", _("Hạ tầng và nền tảng số")
    DATA = "du-lieu", _("Thông tin và dữ liệu số")
    ACTIVITIES = "hoat-dong", _("Hoạt động")
    SECURITY = "an-toan", _("An toàn thông tin mạng")
    INSPECTION = "kiem-tra", _("Kiểm tra, giám sát qua môi trường số")
    HUMAN_RESOURCES = "nhan-luc", _("Đào tạo và phát triển nhân lực")
    IMPLEMENTATION = "", _("Tổ chức thực hiện")


class TaskStatus(models.TextChoices):
    """What an agency reports. "Overdue" is not stored: it is derived from the deadline (see `state_on`)."""

    NOT_STARTED = "not_started", pgettext_lazy("task status", "Chưa triển khai")
    IN_PROGRESS = "in_progress", pgettext_lazy("task status", "Đang thực hiện")
    DONE = "done", pgettext_lazy("task status", "Hoàn thành")


class TaskState(models.TextChoices):
    """What the board shows: the reported status, or overdue once the deadline has passed undone."""

    NOT_STARTED = "not_started", pgettext_lazy("task status", "Chưa triển khai")
    IN_PROGRESS = "in_progress", pgettext_lazy("task status", "Đang thực hiện")
    DONE = "done", pgettext_lazy("task status", "Hoàn thành")
    OVERDUE = "overdue", pgettext_lazy("task status", "Quá hạn")


class Plan(models.Model):
    """A locality's DTI improvement plan for one year (e.g. Hải Phòng's Plan 86/KH-UBND for 2022)."""

    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="plans", verbose_name=_("địa phương")
    )
    year = models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="plans", verbose_name=_("văn bản")
    )
    title = models.CharField(_("tiêu đề"), max_length=500)
    goals = models.TextField(_("mục đích, mục tiêu"), blank=True)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("chuyển tiếp từ kế hoạch"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tạo bởi"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["locality__name", "-year"]
        verbose_name = _("kế hoạch nâng cao DTI")
        verbose_name_plural = _("kế hoạch nâng cao DTI")
        constraints = [
            # One plan per locality and year: the board's URL is /plans/<locality>/<year>/.
            models.UniqueConstraint(fields=["locality", "year"], name="plan_one_per_locality_year"),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR) & Q(year__lte=MAX_YEAR), name="plan_year_2020_2035"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class PlanTask(models.Model):
    """One task (nhiệm vụ, giải pháp) of a plan, quoted verbatim, with its agencies and reported progress."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("kế hoạch"))
    code = models.SlugField(_("mã"), max_length=64)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    pillar = models.ForeignKey(
        Pillar, on_delete=models.PROTECT, related_name="plan_tasks", verbose_name=_("trụ cột")
    )
    component = models.CharField(
        _("thành phần DTI"), max_length=16, choices=Component.choices, blank=True, default=""
    )
    section = models.CharField(_("mục trong kế hoạch"), max_length=255)
    text = models.TextField(_("nội dung nguyên văn"))
    lead = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="led_tasks", verbose_name=_("cơ quan chủ trì")
    )
    cooperating = models.ManyToManyField(
        Department, blank=True, related_name="cooperating_tasks", verbose_name=_("cơ quan phối hợp")
    )
    lead_inferred = models.BooleanField(_("cơ quan chủ trì được suy ra"), default=False)
    assignment_note = models.TextField(_("căn cứ phân công"), blank=True)
    deadline = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    progress_note = models.TextField(
        _("ghi chú tiến độ"), blank=True, max_length=NOTE_MAX_CHARS, validators=[note_length]
    )
    evidence_file = models.FileField(
        _("tệp minh chứng"), upload_to=evidence_upload_to, blank=True, max_length=200
    )
    evidence_name = models.CharField(_("tên tệp minh chứng"), max_length=255, blank=True)
    evidence_url = models.URLField(_("đường dẫn minh chứng"), max_length=URL_MAX_CHARS, blank=True)
    indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="plan_tasks", verbose_name=_("chỉ tiêu liên quan")
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chuyển tiếp từ nhiệm vụ"),
    )
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
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "code"]
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        constraints = [
            # Also the index of the board and the Excel sheet: every task of a plan, in the plan's order.
            models.UniqueConstraint(fields=["plan", "code"], name="plantask_code_per_plan"),
            models.CheckConstraint(condition=Q(status__in=TaskStatus.values), name="plantask_status_known"),
            models.CheckConstraint(
                condition=Q(component__in=Component.values), name="plantask_component_known"
            ),
            # A task reported done carries its evidence (a file or a link).
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(evidence_file="") | ~Q(evidence_url=""),
                name="plantask_done_has_evidence",
            ),
            _length_at_most("progress_note", NOTE_MAX_CHARS, "plantask_progress_note_length"),
            _length_at_most("evidence_url", URL_MAX_CHARS, "plantask_evidence_url_length"),
        ]
        indexes = [
            # "Tasks my agency leads" (board filter by agency, an editor's own tasks).
            models.Index(fields=["lead", "status"], name="plantask_lead_status"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("targets:plan_task", args=[self.pk])

    def state_on(self, today: dt.date) -> str:
        """The board's state: overdue when the deadline has passed and the task is not done."""
        if self.status != TaskStatus.DONE and self.deadline is not None and self.deadline < today:
            return TaskState.OVERDUE
        return self.status

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_file) or bool(self.evidence_url)
