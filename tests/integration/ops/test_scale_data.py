"""The national-scale synthetic data set: marked demo, deterministic, with real-life statuses."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from targets.devdata import scale_data_generate
from targets.models import Actual, Locality, Target


def test_scale_data_is_demo_deterministic_and_sized_as_reported(catalogue, capsys):
    day = dt.date(2026, 11, 22)
    report = scale_data_generate(localities=2, extra_indicators=3, seed=7, today=day)
    demo = Locality.objects.filter(is_demo=True)
    assert sorted(demo.values_list("name", flat=True)) == ["Tỉnh minh hoạ 01", "Tỉnh minh hoạ 02"]
    assert report.targets == Target.objects.filter(locality__in=demo).count()
    assert report.actuals == Actual.objects.filter(locality__in=demo).count()
    assert set(Actual.objects.filter(locality__in=demo).values_list("origin", flat=True)) == {"demo"}
    statuses = set(Actual.objects.filter(locality__in=demo).values_list("status", flat=True))
    assert statuses == {"approved", "submitted", "returned"}
    assert report.by_status["missing"] > 0
    assert not Actual.objects.filter(locality__in=demo, period__code="2026-Q4").exists()  # not closed yet
    first = sorted(
        Actual.objects.filter(locality__in=demo).values_list(
            "locality__slug", "indicator__code", "period__code", "value", "status"
        )
    )
    again = scale_data_generate(localities=2, extra_indicators=3, seed=7, today=day)
    assert again.actuals == report.actuals
    assert (
        sorted(
            Actual.objects.filter(locality__in=demo).values_list(
                "locality__slug", "indicator__code", "period__code", "value", "status"
            )
        )
        == first
    )
    # The real cities are untouched.
    assert Target.objects.filter(locality__slug="hai-phong").count() == 56
    call_command(
        "generate_scale_data", "--localities", "1", "--extra-indicators", "1", "--today", "2026-11-22"
    )
    assert "1 localities" in capsys.readouterr().out
