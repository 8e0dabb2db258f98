"""What keeps the figures fresh and fast (issue #20): each target's stored assessment at the live quarters,
the log of figure changes that versions every cached figure per locality and period, and background jobs.

- `Assessment`: the engine's result for one target at one live as-of quarter (the last closed quarter and
  the current one), kept current by the writes that change figures (`reports.assessments`), rebuilt by
  `manage.py rebuild_assessments`, compared with a full recomputation by `manage.py check_assessments`.
- `FigureChange`: one row per write that changed a locality's figures of a period (or every locality's and
  every period's: a catalogue load). A cached figure of a locality at an as-of is keyed by the rows of
  that locality up to that as-of (`targets.cache.figure_versions`): editing Hải Phòng does not cool Hà Nội.
- `Job`: a long piece of work run by the background worker (`targets.jobs`), its progress and its file.
"""

# The stored texts are null where the engine gives none (NaN), which is not the empty text: DJ001 does not apply.
# ruff: noqa: DJ001
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .catalogue import Indicator, Locality, Target

# The stored columns: the engine's results (`targets.progress.RESULT_COLUMNS`), the indicator's domain
# (`BOUND_COLUMNS`) and what the figures are (`reports.pages.DESCRIBED`, for the latest and the
# after-deadline figure). Kept in this order by `reports.assessments`.
ASSESSMENT_FLOATS = (
    "latest",
    "latest_time",
    "gap",
    "completion",
    "expected_completion",
    "projected",
    "projected_completion",
    "required_pace_per_year",
    "slope",
    "opensdg_value",
    "latest_after_deadline",
    "latest_after_deadline_time",
    "lower",
    "upper",
    "latest_ranked_among",
    "after_ranked_among",
)
ASSESSMENT_TEXTS = (
    "status",
    "opensdg_status",
    "provisional_status",
    "latest_period",
    "latest_origin",
    "latest_known_on",
    "latest_known_basis",
    "after_period",
    "after_origin",
    "after_known_on",
    "after_known_basis",
)


class Assessment(models.Model):
    """One target's assessment at one live as-of quarter, as `reports.pages.assess` computes it."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("mục tiêu")
    )
    # The target's locality, kept beside it so that one locality's rows are read through an index (a page
    # of one city reads its 1,500 rows, not a scan of the country's 100,000).
    locality = models.ForeignKey(Locality, on_delete=models.CASCADE, related_name="+", db_index=False)
    as_of = models.CharField(_("tính đến kỳ"), max_length=8)
    status = models.CharField(_("trạng thái"), max_length=32)
    latest = models.FloatField(null=True)
    latest_time = models.FloatField(null=True)
    gap = models.FloatField(null=True)
    completion = models.FloatField(null=True)
    expected_completion = models.FloatField(null=True)
    projected = models.FloatField(null=True)
    projected_completion = models.FloatField(null=True)
    required_pace_per_year = models.FloatField(null=True)
    slope = models.FloatField(null=True)
    opensdg_value = models.FloatField(null=True)
    opensdg_status = models.CharField(max_length=32, null=True)
    latest_after_deadline = models.FloatField(null=True)
    latest_after_deadline_time = models.FloatField(null=True)
    provisional_status = models.CharField(max_length=32, null=True)
    lower = models.FloatField(null=True)
    upper = models.FloatField(null=True)
    latest_period = models.CharField(max_length=8, null=True)
    latest_origin = models.CharField(max_length=16, null=True)
    latest_known_on = models.CharField(max_length=10, null=True)
    latest_known_basis = models.CharField(max_length=32, null=True)
    after_period = models.CharField(max_length=8, null=True)
    after_origin = models.CharField(max_length=16, null=True)
    after_known_on = models.CharField(max_length=10, null=True)
    after_known_basis = models.CharField(max_length=32, null=True)
    # A rank's basis: how many units the ranking of the latest (and the after-deadline) figure ranked.
    latest_ranked_among = models.FloatField(null=True)
    after_ranked_among = models.FloatField(null=True)

    class Meta:
        verbose_name = _("đánh giá hiện hành")
        verbose_name_plural = _("đánh giá hiện hành")
        constraints = [models.UniqueConstraint(fields=["as_of", "target"], name="assessment_one_per_as_of")]
        indexes = [models.Index(fields=["locality", "as_of"], name="assessment_locality_as_of")]

    def __str__(self) -> str:
        return f"{self.target_id} @ {self.as_of}: {self.status}"


class FigureChange(models.Model):
    """A write changed the figures (or targets) of `indicator` in `locality` for the period ending
    `period_ends_on`: every cached figure of that locality at an as-of on or after that day is stale, and of
    that series (a series page). Null locality: every locality; null indicator: every indicator; null period:
    every period (a catalogue load, a method change, a restore)."""

    locality = models.ForeignKey(
        Locality, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    period_ends_on = models.DateField(null=True, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["locality", "period_ends_on"], name="figurechange_loc_period")]

    def __str__(self) -> str:
        return f"{self.locality_id or '*'} ≤ {self.period_ends_on or '*'}"


class JobState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job state", "đang chờ")
    RUNNING = "running", pgettext_lazy("job state", "đang chạy")
    DONE = "done", pgettext_lazy("job state", "hoàn thành")
    FAILED = "failed", pgettext_lazy("job state", "lỗi")


class Job(models.Model):
    """A background job (`targets.jobs.KINDS`): who asked, with which parameters, how far it is, its file.

    A finished file is found again by `key` (the kind, the parameters and the data version they read), so
    the same request on the same data is answered at once."""

    kind = models.CharField(_("loại việc"), max_length=64)
    params = models.JSONField(_("tham số"), default=dict)
    key = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=JobState.choices, default=JobState.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="jobs/", blank=True, max_length=200)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # Why the job refused its input, in the user's words (Vietnamese, `targets.jobs.JobRefused`): shown on
    # the job page; nothing was written.
    refusal = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("việc chạy nền")
        verbose_name_plural = _("việc chạy nền")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        # Never past 100 (nor below 0) whatever the worker reported.
        return max(0, min(100, int(100 * self.done / self.total))) if self.total else 0
