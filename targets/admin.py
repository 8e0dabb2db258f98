"""Django admin for the catalogue. Model validation (`clean`) gives the messages; constraints back it up."""

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .cache import data_changed, everything_changed
from .models import (
    Actual,
    Assignment,
    Department,
    Document,
    Indicator,
    Locality,
    LocalityPeriod,
    Membership,
    Pillar,
    Plan,
    PlanTask,
    ReportingPeriod,
    Target,
)


class DataChangedMixin:
    """Admin edits go around the services, so they tell the cache themselves (see `targets.cache`) and have
    every stored assessment recomputed (an edit of a unit or a target may change any of them)."""

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        data_changed()  # the stored assessments are recomputed once, after the related rows (save_related)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        everything_changed()
        data_changed()

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        super().delete_model(request, obj)
        everything_changed()
        data_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        everything_changed()
        data_changed()


@admin.register(Locality)
class LocalityAdmin(DataChangedMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "valid_from", "valid_to", "is_demo")
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
    list_display = ("indicator", "locality", "level", "year", "comparator", "value", "value_max", "document")
    list_filter = ("locality", "indicator__pillar", "year", "level", "comparator")
    search_fields = ("indicator__name", "indicator__code", "quote")
    list_select_related = ("indicator", "locality", "document")
    autocomplete_fields = ("indicator",)


@admin.register(Department)
class DepartmentAdmin(DataChangedMixin, admin.ModelAdmin):
    list_display = ("name", "locality", "code")
    list_filter = ("locality",)
    search_fields = ("name", "code")


@admin.register(Membership)
class MembershipAdmin(DataChangedMixin, admin.ModelAdmin):
    list_display = ("user", "department", "role")
    list_filter = ("role", "department__locality")


@admin.register(Assignment)
class AssignmentAdmin(DataChangedMixin, admin.ModelAdmin):
    list_display = ("department", "indicator", "level")
    list_filter = ("department__locality",)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(DataChangedMixin, admin.ModelAdmin):
    list_display = ("code", "kind", "starts_on", "ends_on")


@admin.register(LocalityPeriod)
class LocalityPeriodAdmin(DataChangedMixin, SimpleHistoryAdmin):
    list_display = ("locality", "period", "deadline", "locked_at")


@admin.register(Actual)
class ActualAdmin(DataChangedMixin, SimpleHistoryAdmin):
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
