"""One locality's stored assessments kept in the cache and brought up to date (issue #20): after a write, a
page reads again only the stored rows of the targets the write re-assessed, and gets the frame a full read
gives (the same values, the same column types, the same order).

The suite runs without a cache and without the stored table; these tests switch both on.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from reports import assessments, pages, selectors
from targets.cache import figures_changed, figures_replaced
from targets.models import Assessment, Locality, Target
from targets.periods import period_end_time
from targets.services.review import actuals_approve
from tests.integration.dashboard_data import approve, submit

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kept"}}
CODE = "2026-Q4"  # a live quarter of the pinned today: its assessments are stored
AS_OF = period_end_time(CODE)


@pytest.fixture
def stored(settings, catalogue, fixed_today):
    """Hà Nội's e-payment accounts: 45 % approved for 2025-Q3, 55 % waiting for 2025-Q4; the table built,
    the cache on."""
    settings.CACHES = LOCMEM
    settings.ASSESSMENTS_STORED = True
    cache.clear()
    approve("epayment_accounts", "ha-noi", "2025-Q3", "45")
    sent = submit("epayment_accounts", "ha-noi", "2025-Q4", "55")
    assessments.rebuild()
    yield sent
    cache.clear()


@pytest.fixture
def reads(monkeypatch):
    """The target ids each stored read asked for (None: every target of the locality)."""
    asked: list[list[int] | None] = []
    real = selectors.stored_assessments

    def spy(**kwargs):
        asked.append(None if kwargs.get("target_ids") is None else sorted(kwargs["target_ids"]))
        return real(**kwargs)

    monkeypatch.setattr(selectors, "stored_assessments", spy)
    return asked


def _ha_noi() -> int:
    return Locality.objects.get(slug="ha-noi").pk


def _page_frame(**narrow) -> pd.DataFrame:
    return pages._stored(AS_OF, locality_ids=[_ha_noi()], labels=True, **narrow)


# The real reader, taken before any spy replaces it.
_read = selectors.stored_assessments


def _full_read(**narrow) -> pd.DataFrame:
    """The frame read whole from the database (the path with no cache), without the stored rows' ids."""
    full = _read(as_of_code=CODE, locality_ids=[_ha_noi()], labels=True, **narrow)
    return full.drop(columns=selectors.STORED_ID)


def _series(indicator: str = "epayment_accounts") -> list[int]:
    return sorted(
        Target.objects.filter(locality__slug="ha-noi", indicator__code=indicator).values_list("id", flat=True)
    )


def test_after_an_approval_only_the_series_targets_are_read_again_and_the_frame_is_a_full_reads(
    stored, reads, ha_noi_reviewer
):
    first = _page_frame()
    assert reads == [None]  # nothing kept yet: every target of Hà Nội
    assert len(first) == Target.objects.filter(locality__slug="ha-noi").count()

    actuals_approve(user=ha_noi_reviewer, seen={stored.pk: stored.version})
    after = _page_frame()

    # The approval re-assessed the e-payment series: its targets, and only they, were read again.
    assert reads == [None, _series()]
    pd.testing.assert_frame_equal(after, _full_read())
    target = Target.objects.get(indicator__code="epayment_accounts", locality__slug="ha-noi", year=2025)
    assert first.loc[target.pk, "status"] != after.loc[target.pk, "status"]
    assert after.loc[target.pk, "latest"] == 55.0  # the approved 55 %, by hand
    assert Assessment.objects.get(target=target, as_of=CODE).latest == 55.0


def test_nothing_changed_is_one_small_query_and_a_change_two(stored, ha_noi_reviewer):
    narrow = {"locality_ids": [_ha_noi()], "labels": True}
    pages._stored(AS_OF, **narrow)
    with CaptureQueriesContext(connection) as unchanged:
        pages._stored(AS_OF, **narrow)
    assert len(unchanged) == 1  # the ids of the stored rows, nothing else
    actuals_approve(user=ha_noi_reviewer, seen={stored.pk: stored.version})
    with CaptureQueriesContext(connection) as changed:
        pages._stored(AS_OF, **narrow)
    assert len(changed) == 2  # the ids, then the changed targets' rows


def test_a_pillar_is_kept_apart_from_the_city_and_each_equals_its_full_read(stored, reads, ha_noi_reviewer):
    _page_frame()
    _page_frame(pillar="xa-hoi-so")
    actuals_approve(user=ha_noi_reviewer, seen={stored.pk: stored.version})
    pd.testing.assert_frame_equal(_page_frame(pillar="xa-hoi-so"), _full_read(pillar="xa-hoi-so"))
    pd.testing.assert_frame_equal(_page_frame(), _full_read())
    in_pillar = sorted(
        Target.objects.filter(
            locality__slug="ha-noi", indicator__code="epayment_accounts", indicator__pillar__slug="xa-hoi-so"
        ).values_list("id", flat=True)
    )
    assert reads == [None, None, in_pillar, _series()]


def _edit(target: Target, **fields) -> None:
    """A target changed as the admin changes it: the row, then its series re-assessed in the same
    transaction (`targets.admin.DataChangedMixin`)."""
    with transaction.atomic():
        Target.objects.filter(pk=target.pk).update(**fields)
        figures_changed([(target.locality_id, target.indicator_id, None)])


def test_a_column_whose_type_a_full_read_infers_from_all_rows_comes_out_as_a_full_read_gives_it(stored):
    """Hà Nội's targets have no baseline: a full read makes the column one of nothing (objects). A baseline
    given to one target makes it integers with missing values (floats); taken away, nothing again."""
    target = Target.objects.get(indicator__code="epayment_accounts", locality__slug="ha-noi", year=2025)
    before = _page_frame()
    assert before["baseline_year"].dtype == object and before["baseline_year"].isna().all()

    _edit(target, baseline_year=2020, baseline_value=Decimal("30"))
    given = _page_frame()
    pd.testing.assert_frame_equal(given, _full_read())
    assert given["baseline_year"].dtype == np.float64 and given.loc[target.pk, "baseline_year"] == 2020

    _edit(target, baseline_year=None, baseline_value=None)
    taken = _page_frame()
    pd.testing.assert_frame_equal(taken, _full_read())
    assert taken["baseline_year"].dtype == object


def test_a_deleted_target_leaves_the_kept_frame(stored):
    _page_frame()
    target = Target.objects.filter(indicator__code="epayment_accounts", locality__slug="ha-noi").first()
    with transaction.atomic():
        target.delete()
        figures_changed([(target.locality_id, target.indicator_id, None)])
    after = _page_frame()
    assert target.pk not in after.index
    assert not Target.objects.filter(pk=target.pk).exists()
    pd.testing.assert_frame_equal(after, _full_read())


def test_a_restore_forgets_every_kept_row(stored, reads):
    """Ids after a restore are another database's: the kept rows are read again in full."""
    _page_frame()
    figures_replaced()
    _page_frame()
    assert reads == [None, None]


# --- `_merged` on its own: the whole's types worked out by pandas from all the rows at once ---------------


def _whole(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", *columns]).set_index("id")


@pytest.mark.parametrize(
    ("kept_rows", "fresh_rows", "whole_rows"),
    [
        # integers with a missing value (floats), the missing one replaced: integers again
        (
            [(1, 2020, "a"), (2, None, "b"), (3, 2021, "c")],
            [(2, 2019, "b")],
            [(1, 2020, "a"), (2, 2019, "b"), (3, 2021, "c")],
        ),
        # integers, one replaced by a missing value: floats
        (
            [(1, 2020, "a"), (2, 2018, "b"), (3, 2021, "c")],
            [(2, None, "b")],
            [(1, 2020, "a"), (2, None, "b"), (3, 2021, "c")],
        ),
        # the only value replaced by a missing one: a column of nothing (objects)
        (
            [(1, None, "a"), (2, 2018, "b"), (3, None, "c")],
            [(2, None, "b")],
            [(1, None, "a"), (2, None, "b"), (3, None, "c")],
        ),
        # text, the only text replaced by nothing
        (
            [(1, 5, None), (2, 6, "x"), (3, 7, None)],
            [(2, 6, None)],
            [(1, 5, None), (2, 6, None), (3, 7, None)],
        ),
        # a target gone (3) and one come (4)
        (
            [(1, 1.5, "a"), (2, 2.5, "b"), (3, 3.5, "c")],
            [(4, 4.5, "d")],
            [(1, 1.5, "a"), (2, 2.5, "b"), (4, 4.5, "d")],
        ),
    ],
)
def test_merged_gives_the_types_and_values_of_a_full_read(kept_rows, fresh_rows, whole_rows):
    """The expected frame is pandas' own reading of all the rows at once, as the database read makes it."""
    columns = ["year", "text"]
    order = pd.Index([r[0] for r in whole_rows])
    merged = pages._merged(_whole(kept_rows, columns), _whole(fresh_rows, columns), order)
    pd.testing.assert_frame_equal(merged, _whole(whole_rows, columns))


def test_merged_declines_what_it_cannot_tell():
    """A column of nothing kept, numbers come: a full read decides (None)."""
    kept = _whole([(1, None), (2, None)], ["year"])
    fresh = _whole([(2, 2020)], ["year"])
    assert pages._merged(kept, fresh, pd.Index([1, 2])) is None
