"""GET filters of the catalogue page (city, pillar, year, level, text search)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Level, Locality, Pillar, Target
from .search import fold


class TargetFilter(django_filters.FilterSet):
    """Catalogue filters: city, pillar, year, level, and free text over the indicator's name."""

    locality = django_filters.ModelChoiceFilter(
        field_name="locality",
        queryset=Locality.objects.all(),
        to_field_name="slug",
        label=_("Địa phương"),
        empty_label=_("Tất cả"),
    )
    pillar = django_filters.ModelChoiceFilter(
        field_name="indicator__pillar",
        queryset=Pillar.objects.all(),
        to_field_name="slug",
        label=_("Trụ cột"),
        empty_label=_("Tất cả"),
        method="filter_pillar",
    )
    year = django_filters.ChoiceFilter(
        field_name="year",
        label=_("Năm"),
        # The cities' target years, and 2045: the vision of 57-NQ/TW among the national targets (issue #21).
        choices=[(y, y) for y in (2022, 2023, 2025, 2030, 2045)],
        empty_label=_("Tất cả"),
    )
    level = django_filters.ChoiceFilter(
        field_name="level",
        label=_("Cấp"),
        choices=[c for c in Level.choices if c[0]],
        empty_label=_("Tất cả"),
    )
    q = django_filters.CharFilter(method="filter_text", label=_("Tìm chỉ tiêu"))

    class Meta:
        model = Target
        fields = ["locality", "pillar", "year", "level", "q"]

    def filter_text(self, queryset, name, value):
        """The indicator's name contains the words, with or without diacritics ("ho so" finds "hồ sơ")."""
        folded = fold(value)
        return queryset.filter(indicator__search_name__contains=folded) if folded else queryset

    def filter_pillar(self, queryset, name, value):
        """A target's pillar is the one its document lists it under, the indicator's by default (issue #16)."""
        if not value:
            return queryset
        return queryset.filter(Q(pillar=value) | Q(pillar__isnull=True, indicator__pillar=value))
