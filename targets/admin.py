"""Django admin for the catalogue. Model validation (`clean`) gives the messages; constraints back it up."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

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
    ReportingPeriod,
    Target,
)


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "valid_from", "valid_to", "is_demo")
    search_fields = ("name", "slug")
    filter_horizontal = ("predecessors",)


@admin.register(Pillar)
class PillarAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "pillar", "unit", "higher_is_better", "frequency")
    list_filter = ("pillar", "unit", "frequency")
    search_fields = ("code", "name", "name_en")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("code", "number", "title", "locality", "issued_on")
    list_filter = ("locality",)
    search_fields = ("code", "number", "title")


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("indicator", "locality", "level", "year", "comparator", "value", "value_max", "document")
    list_filter = ("locality", "indicator__pillar", "year", "level", "comparator")
    search_fields = ("indicator__name", "indicator__code", "quote")
    list_select_related = ("indicator", "locality", "document")
    autocomplete_fields = ("indicator",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "locality", "code")
    list_filter = ("locality",)
    search_fields = ("name", "code")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "department", "role")
    list_filter = ("role", "department__locality")


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("department", "indicator", "level")
    list_filter = ("department__locality",)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "starts_on", "ends_on")


@admin.register(LocalityPeriod)
class LocalityPeriodAdmin(SimpleHistoryAdmin):
    list_display = ("locality", "period", "deadline", "locked_at")


@admin.register(Actual)
class ActualAdmin(SimpleHistoryAdmin):
    list_display = ("indicator", "locality", "level", "period", "value", "status", "origin")
    list_filter = ("locality", "status", "origin")
    list_select_related = ("indicator", "locality", "period")
    search_fields = ("indicator__code",)
