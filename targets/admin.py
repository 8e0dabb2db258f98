"""Django admin for the catalogue. Model validation (`clean`) gives the messages; constraints back it up."""

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .cache import data_changed, everything_changed, figures_changed
from .models import (
    Actual,
    Assignment,
    Department,
    Document,
    Framework,
    FrameworkIndex,
    IndexLink,
    IndexScore,
    Indicator,
    Locality,
    LocalityPeriod,
    Membership,
    Pillar,
    Plan,
    PlanTask,
    ReportingPeriod,
    ReportNarrative,
    ReportSettings,
    Target,
)


class DataChangedMixin:
    """Admin edits go around the services, so they tell the cache themselves (see `targets.cache`) and keep
    the stored assessments current (`figures`, per admin class):

    - "series": a figure or a target: its series re-assessed, its locality's versions moved;
    - "all": what any assessment may depend on (an indicator's unit or direction, a locality, a pillar, a
      period's dates): every stored assessment recomputed (seconds at national scale);
    - "pages": what pages show beside the figures but no assessment depends on (the DTI frameworks, which
      name each DTI result's framework): every page kept under the figures' versions computed again, no
      assessment recomputed (as `services.frameworks` does);
    - "none": rows no figure depends on (departments, members, assignments, locks, the Báo cáo's texts and
      letterhead, whose job is versioned by their own rows): the data version only.
    """

    figures = "all"

    def _everything_changed(self) -> None:
        everything_changed(reassess=self.figures != "pages")

    def _figures_changed(self, obj: Model | None) -> None:
        if self.figures == "none":
            return
        if self.figures == "series" and isinstance(obj, Actual):
            figures_changed([(obj.locality_id, obj.indicator_id, obj.period.ends_on)])
        elif self.figures == "series" and isinstance(obj, Target):
            figures_changed([(obj.locality_id, obj.indicator_id, None)])  # every period of its locality
        else:
            self._everything_changed()

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if (
            change
            and self.figures == "series"
            and {"indicator", "locality", "level", "period"} & set(form.changed_data)
        ):
            request._figures_moved = True  # it left its series: the old one changes too
        super().save_model(request, obj, form, change)
        data_changed()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if getattr(request, "_figures_moved", False):
            everything_changed()
        else:
            self._figures_changed(form.instance)
        data_changed()

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        super().delete_model(request, obj)
        self._figures_changed(obj)
        data_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        if self.figures != "none":
            self._everything_changed()
        data_changed()


@admin.register(Locality)
class LocalityAdmin(DataChangedMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "valid_from", "valid_to", "is_demo", "is_country")
    search_fields = ("name", "slug")
    filter_horizontal = ("predecessors",)


@admin.register(Pillar)
class PillarAdmin(DataChangedMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "order")


@admin.register(Indicator)
class IndicatorAdmin(DataChangedMixin, admin.ModelAdmin):
    list_display = ("code", "name", "pillar", "unit", "higher_is_better", "frequency")
    list_filter = ("pillar", "unit", "frequency")
    search_fields = ("code", "name", "name_en")


@admin.register(Document)
class DocumentAdmin(DataChangedMixin, admin.ModelAdmin):
    list_display = ("code", "number", "title", "locality", "issued_on")
    list_filter = ("locality",)
    search_fields = ("code", "number", "title")


@admin.register(Target)
class TargetAdmin(DataChangedMixin, admin.ModelAdmin):
    figures = "series"
    list_display = ("indicator", "locality", "level", "year", "comparator", "value", "value_max", "document")
    list_filter = ("locality", "indicator__pillar", "year", "level", "comparator")
    search_fields = ("indicator__name", "indicator__code", "quote")
    list_select_related = ("indicator", "locality", "document")
    autocomplete_fields = ("indicator",)
    raw_id_fields = ("national_target",)  # set from national_links.toml (issue #21)


@admin.register(Department)
class DepartmentAdmin(DataChangedMixin, admin.ModelAdmin):
    figures = "none"
    list_display = ("name", "locality", "code")
    list_filter = ("locality",)
    search_fields = ("name", "code")


@admin.register(Membership)
class MembershipAdmin(DataChangedMixin, admin.ModelAdmin):
    figures = "none"
    list_display = ("user", "department", "role")
    list_filter = ("role", "department__locality")


@admin.register(Assignment)
class AssignmentAdmin(DataChangedMixin, admin.ModelAdmin):
    figures = "none"
    list_display = ("department", "indicator", "level")
    list_filter = ("department__locality",)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(DataChangedMixin, admin.ModelAdmin):
    list_display = ("code", "kind", "starts_on", "ends_on")


@admin.register(LocalityPeriod)
class LocalityPeriodAdmin(DataChangedMixin, SimpleHistoryAdmin):
    figures = "none"
    list_display = ("locality", "period", "deadline", "locked_at")


@admin.register(Actual)
class ActualAdmin(DataChangedMixin, SimpleHistoryAdmin):
    figures = "series"
    list_display = ("indicator", "locality", "level", "period", "value", "status", "origin")
    list_filter = ("locality", "status", "origin")
    list_select_related = ("indicator", "locality", "period")
    search_fields = ("indicator__code",)


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ("title", "locality", "year", "document", "copied_from")
    list_filter = ("locality", "year")
    list_select_related = ("locality", "document", "copied_from")


@admin.register(PlanTask)
class PlanTaskAdmin(SimpleHistoryAdmin):
    list_display = ("code", "plan", "pillar", "component", "lead", "deadline", "status")
    list_filter = ("plan__locality", "plan__year", "pillar", "component", "status")
    list_select_related = ("plan", "pillar", "lead")
    search_fields = ("code", "text")
    filter_horizontal = ("cooperating", "indicators")


@admin.register(ReportSettings)
class ReportSettingsAdmin(DataChangedMixin, SimpleHistoryAdmin):
    """A locality's Báo cáo letterhead, "Nơi nhận" and signer (reviewers edit them on /reports/narrative/)."""

    figures = "none"

    list_display = ("locality", "issuing_body", "number_suffix", "signer_title", "signer_name")
    list_select_related = ("locality",)


@admin.register(ReportNarrative)
class ReportNarrativeAdmin(DataChangedMixin, SimpleHistoryAdmin):
    figures = "none"
    list_display = ("locality", "period_code", "version", "updated_at", "updated_by")
    list_filter = ("locality", "period_code")
    list_select_related = ("locality", "updated_by")


# --- the national frame (issue #21): loaded from fixtures/catalogue/dti/; the files are the truth ---------------


@admin.register(Framework)
class FrameworkAdmin(DataChangedMixin, admin.ModelAdmin):
    figures = "pages"
    list_display = ("code", "name", "decision", "issued_on", "first_year", "last_year", "provincial")


@admin.register(FrameworkIndex)
class FrameworkIndexAdmin(DataChangedMixin, admin.ModelAdmin):
    figures = "pages"
    list_display = ("framework", "key", "level", "code", "name", "points")
    list_filter = ("framework", "level")
    search_fields = ("key", "name", "name_en")


@admin.register(IndexLink)
class IndexLinkAdmin(DataChangedMixin, admin.ModelAdmin):
    figures = "pages"
    list_display = ("index", "indicator", "task", "note")
    list_filter = ("index__framework",)
    raw_id_fields = ("index", "indicator", "task")


@admin.register(IndexScore)
class IndexScoreAdmin(DataChangedMixin, admin.ModelAdmin):
    figures = "pages"
    list_display = ("locality", "index", "year", "value", "source")
    list_filter = ("locality", "year")
