"""Reporting: departments and their members, assignments, reporting periods and the figures (actuals)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from ..limits import COMMENT_MAX_CHARS, NOTE_MAX_CHARS, URL_MAX_CHARS
from ..periods import end_time, parse_period_code, quarter_bounds
from .base import MAX_YEAR, MIN_YEAR, Versioned, _length_at_most, comment_length, note_length
from .catalogue import (
    Indicator,
    Level,
    Locality,
)


class Department(models.Model):
    """A unit (đơn vị) of a locality: a department, the Sở TTTT, a people's committee.

    Units change with the reorganisations (issue #16): the Sở Thông tin và Truyền thông merged into the Sở
    Khoa học và Công nghệ on 1 March 2025, the district people's committees ended on 1 July 2025. A unit has
    a validity period and a successor: from the day after `valid_to` its assignments, plan tasks and
    reminders go to the successor (`targets.services.review.department_successions_apply`), while its rows
    stay as they were — history keeps the name of the time. A group ("Các Sở, ban, ngành") is not an
    accountable unit: its tasks are shared, and `followed_up_by` names the unit that follows them up."""

    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="departments", verbose_name=_("địa phương")
    )
    code = models.SlugField(_("mã"), max_length=64)
    name = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    valid_from = models.DateField(_("hoạt động từ"), null=True, blank=True)
    valid_to = models.DateField(_("hoạt động đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("đơn vị kế nhiệm"),
    )
    is_group = models.BooleanField(_("nhóm cơ quan (không phải một đơn vị chịu trách nhiệm)"), default=False)
    followed_up_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị theo dõi, đôn đốc"),
    )

    class Meta:
        ordering = ["locality__name", "name"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["locality", "code"], name="department_code_per_locality"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="department_valid_range",
            ),
            # A successor takes over from a unit that ends.
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | Q(valid_to__isnull=False),
                name="department_successor_after_end",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def active_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


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


class Qualifier(models.TextChoices):
    """What a published figure's value is (issue #16): a lower bound ('trên 98%' → 98), an approximation, or a
    preliminary estimate; empty for an exact, final figure."""

    NONE = "", _("chính xác")
    LOWER_BOUND = ">", _("giới hạn dưới (trên)")
    APPROX = "~", _("xấp xỉ")
    PRELIMINARY = "preliminary", _("ước tính sơ bộ")


def evidence_upload_to(instance: Actual, filename: str) -> str:
    """Evidence is stored under a random name (the original name never reaches the file system)."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{uuid.uuid4().hex}{suffix}"


class Actual(Versioned):
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
    # A published figure's qualifier and its method note in both languages (`note` is the Vietnamese one).
    qualifier = models.CharField(
        _("tính chất số liệu"), max_length=16, choices=Qualifier.choices, blank=True, default=Qualifier.NONE
    )
    note_en = models.TextField(
        _("ghi chú tiếng Anh"), blank=True, max_length=NOTE_MAX_CHARS, validators=[note_length]
    )
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
            models.CheckConstraint(
                condition=Q(qualifier__in=Qualifier.values), name="actual_qualifier_known"
            ),
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


class FormerUnitFigure(models.Model):
    """A published figure of a pre-merger unit in a year ranked for the merged units — the former Đà Nẵng's
    2/63 in the 2024 ranking, beside the merged city's 17/34 (issue #16). It is the merged locality's
    predecessor history: shown, labelled with the former unit's name, and never part of the series the
    engine assesses (that series uses the merged unit's figure)."""

    locality = models.ForeignKey(
        Locality,
        on_delete=models.PROTECT,
        related_name="former_unit_figures",
        verbose_name=_("địa phương (sau sáp nhập)"),
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="former_unit_figures", verbose_name=_("chỉ tiêu")
    )
    year = models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(MIN_YEAR - 5), MaxValueValidator(MAX_YEAR)]
    )
    unit_name = models.CharField(_("đơn vị trước sáp nhập"), max_length=128)
    unit_name_en = models.CharField(_("đơn vị trước sáp nhập (tiếng Anh)"), max_length=128, blank=True)
    value = models.DecimalField(_("giá trị"), max_digits=14, decimal_places=4)
    ranked_among = models.PositiveSmallIntegerField(_("xếp hạng trong số"), null=True, blank=True)
    qualifier = models.CharField(
        _("tính chất số liệu"), max_length=16, choices=Qualifier.choices, blank=True, default=Qualifier.NONE
    )
    note = models.TextField(_("ghi chú"), blank=True, max_length=NOTE_MAX_CHARS, validators=[note_length])
    note_en = models.TextField(
        _("ghi chú tiếng Anh"), blank=True, max_length=NOTE_MAX_CHARS, validators=[note_length]
    )
    source = models.CharField(_("nguồn công bố"), max_length=500)
    published_on = models.DateField(_("ngày công bố"), null=True, blank=True)

    class Meta:
        ordering = ["locality__name", "indicator__code", "year"]
        verbose_name = _("số liệu của đơn vị trước sáp nhập")
        verbose_name_plural = _("số liệu của đơn vị trước sáp nhập")
        constraints = [
            models.UniqueConstraint(
                fields=["locality", "indicator", "year"], name="former_unit_figure_unique"
            ),
            models.CheckConstraint(condition=~Q(source=""), name="former_unit_figure_has_source"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}·{self.unit_name}·{self.year}={self.value}"
