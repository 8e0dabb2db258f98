"""The database keeps the invariants, whatever code writes the row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from targets.models import Actual, Document, Indicator, Locality, Origin, Target
from targets.services.catalogue import period_get_or_create


@pytest.fixture
def parts(catalogue):
    return {
        "percent": Indicator.objects.get(code="epayment_accounts"),
        "growth": Indicator.objects.get(code="labour_productivity_growth"),
        "hai_phong": catalogue["hai-phong"],
        "document": Document.objects.get(code="hp-nq-03-2021"),
        "period": period_get_or_create(code="2026-Q3"),
    }


def _target(parts, **overrides):
    fields = dict(
        indicator=parts["growth"],
        locality=parts["hai_phong"],
        year=2027,
        unit="growth_rate",
        comparator="range",
        value=Decimal("7"),
        value_max=Decimal("8"),
        document=parts["document"],
        quote="x",
    )
    fields.update(overrides)
    return Target(**fields)


def _refused(obj):
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def test_a_range_with_max_below_min_is_refused_by_the_database(parts):
    _refused(_target(parts, value_max=Decimal("6")))


def test_a_percent_target_over_100_is_refused_by_the_database(parts):
    _refused(
        _target(
            parts,
            indicator=parts["percent"],
            unit="percent",
            comparator=">",
            value=Decimal("120"),
            value_max=None,
        )
    )


def test_a_year_outside_2020_2045_is_refused_by_the_database(parts):
    # A target may look to 2045, the vision of 57-NQ/TW (issue #21); reporting years still end in 2035.
    _refused(_target(parts, year=2046))
    _refused(_target(parts, year=2019))


def test_an_unknown_comparator_is_refused_by_the_database(parts):
    _refused(_target(parts, comparator="about", value_max=None))


def test_a_range_needs_its_upper_bound(parts):
    _refused(_target(parts, value_max=None))


def test_a_valid_target_saves(parts):
    _target(parts).save()
    assert Target.objects.filter(year=2027).count() == 1


def test_one_actual_per_indicator_locality_level_and_period(parts):
    fields = dict(
        indicator=parts["percent"],
        locality=parts["hai_phong"],
        level="",
        period=parts["period"],
        value=Decimal("60"),
    )
    Actual.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Actual.objects.create(**fields)
    assert Actual.objects.filter(period=parts["period"]).count() == 1


def test_a_published_actual_without_a_source_is_refused(parts):
    _refused(
        Actual(
            indicator=parts["percent"],
            locality=parts["hai_phong"],
            period=parts["period"],
            value=Decimal("1"),
            origin=Origin.PUBLISHED,
        )
    )


def test_model_validation_gives_clear_messages(parts):
    with pytest.raises(ValidationError) as exc:
        _target(parts, value_max=Decimal("6")).full_clean()
    assert "Giá trị tối đa phải lớn hơn hoặc bằng giá trị tối thiểu." in exc.value.message_dict["value_max"]
    with pytest.raises(ValidationError) as exc:
        _target(
            parts, indicator=parts["percent"], comparator=">", value=Decimal("120"), value_max=None
        ).full_clean()
    assert "Chỉ tiêu tỷ lệ phần trăm phải từ 0 đến 100." in exc.value.message_dict["value"]


def test_period_codes_are_checked(db):
    q = period_get_or_create(code="2026-Q3")
    assert (q.kind, q.year, q.quarter, str(q.starts_on), str(q.ends_on), q.end_time) == (
        "quarter",
        2026,
        3,
        "2026-07-01",
        "2026-09-30",
        2026.75,
    )
    assert period_get_or_create(code="2024").end_time == 2025.0
    with pytest.raises(ValueError, match="không hợp lệ"):
        period_get_or_create(code="2026-Q5")


def test_locality_names_keep_their_diacritics(catalogue):
    assert Locality.objects.get(slug="viet-nam").name == "Việt Nam (toàn quốc)"  # the country (issue #21)
    provinces = Locality.objects.filter(valid_to__isnull=True, is_country=False)
    assert sorted(provinces.values_list("name", flat=True)) == [
        "Hà Nội",
        "Hải Phòng",
        "Đà Nẵng",
    ]
