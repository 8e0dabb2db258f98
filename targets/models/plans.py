"""DTI improvement plans and their tasks."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from ..limits import NOTE_MAX_CHARS, URL_MAX_CHARS
from .base import MAX_YEAR, MIN_YEAR, Versioned, _length_at_most, note_length
from .catalogue import (
    Document,
    Indicator,
    Locality,
    Pillar,
)
from .reporting import (
    Department,
    evidence_upload_to,
)

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


class PlanTask(Versioned):
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
