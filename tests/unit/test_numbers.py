"""Typed figures: Vietnamese and English formats accepted, everything else refused with a message."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from targets.numbers import NumberError, parse_number


@pytest.mark.parametrize(
    ("typed", "whole", "expected"),
    [
        ("12,5", False, "12.5"),
        ("12.5", False, "12.5"),
        (" 12,5 % ", False, "12.5"),
        ("1.234,5", False, "1234.5"),
        ("1,234.5", False, "1234.5"),
        ("1.000", True, "1000"),
        ("1,000", True, "1000"),
        ("1.000.000", False, "1000000"),
        ("-3,25", False, "-3.25"),
        ("0", True, "0"),
        ("7", False, "7"),
    ],
)
def test_accepted_formats(typed, whole, expected):
    assert parse_number(typed, whole=whole) == Decimal(expected)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Vui lòng nhập một số."),
        ("abc", "không phải là số"),
        ("1,2,3", "nhiều dấu thập phân"),
        ("1.2.3", "nhiều dấu thập phân"),
        ("NaN", "không phải là số"),
        ("Infinity", "không phải là số"),
        ("1e9", "không phải là số"),
        ("١٢٣", "không phải là số"),  # Arabic-Indic digits
        ("１２", "không phải là số"),  # full-width digits
        ("12345678901", "quá lớn"),
        ("1,23456", "Tối đa 4 chữ số"),
        ("--5", "không phải là số"),
    ],
)
def test_refused_inputs_say_why(typed, message):
    with pytest.raises(NumberError, match=message):
        parse_number(typed)


def test_whole_number_units_refuse_fractions():
    with pytest.raises(NumberError, match="số nguyên"):
        parse_number("2,5", whole=True)


@given(st.text(max_size=40))
def test_any_text_is_a_number_or_a_clear_refusal(text):
    try:
        value = parse_number(text)
    except NumberError as exc:
        assert str(exc)
    else:
        assert value.is_finite()
        assert abs(value) < Decimal(10) ** 10


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_vietnamese_and_english_writings_of_a_number_agree(value):
    english = f"{value:.2f}"
    vietnamese = english.replace(".", ",")
    assert parse_number(english) == parse_number(vietnamese) == value
