"""The Excel report assesses a quarter that is not stored a few localities at a time (issue #20: the
engine's working frame of the whole country was most of the job's memory): the same rows, in the same order,
as assessing every locality at once."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from reports import pages, selectors
from targets.devdata import demo_data_generate
from targets.models import Locality


def test_assessing_a_few_localities_at_a_time_gives_the_same_rows_in_the_same_order(catalogue):
    demo_data_generate(
        seed=7, today=dt.date(2026, 11, 22)
    )  # figures for every city (demo values), so every status can occur
    inputs = selectors.progress_inputs(labels="slugs")
    localities = inputs.targets["locality_id"].nunique()
    assert (
        localities == Locality.objects.filter(is_country=False, targets__isnull=False).distinct().count() > 2
    )

    for as_of in (2025.5, 2026.5):  # 2025-Q2 and 2026-Q2
        whole = pages.assess(inputs, as_of)
        for size in (1, 2):
            chunked = pages.assess_by_localities(inputs, as_of, size=size)
            pd.testing.assert_frame_equal(chunked, whole, check_dtype=False)
        assert whole["status"].nunique() >= 3  # not a trivial comparison


def test_a_single_chunk_is_the_plain_assessment(catalogue):
    inputs = selectors.progress_inputs(labels="slugs")
    pd.testing.assert_frame_equal(
        pages.assess_by_localities(inputs, 2026.5, size=100), pages.assess(inputs, 2026.5)
    )


def test_the_quarter_before_is_assessed_without_descriptions_with_the_same_figures_and_statuses(catalogue):
    # The report shows each target's figure and status at the quarter before its as-of (the change column,
    # the Báo cáo's "newly achieved"): the engine's columns alone, the same as the full assessment's.
    demo_data_generate(seed=7, today=dt.date(2026, 11, 22))
    inputs = selectors.progress_inputs(labels="slugs")
    whole = pages.assess(inputs, 2026.5)
    for size in (1, 100):
        bare = pages.assess_by_localities(inputs, 2026.5, size=size, described=False)
        assert "latest_period" not in bare.columns and "locality" not in bare.columns
        pd.testing.assert_frame_equal(bare[["latest", "status"]], whole[["latest", "status"]])
    assert whole["latest"].notna().sum() > 10 and whole["status"].nunique() >= 3
