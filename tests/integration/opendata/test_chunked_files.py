"""The national open-data files are made a few localities at a time (issue #19: memory stays flat): the
chunked output is byte for byte the whole-frame output, whatever the chunk size, on the real catalogue and
the demo data."""

from __future__ import annotations

import datetime as dt

import pytest

from reports import opendata, pages, schema
from reports.display import AsOf
from targets.devdata import demo_data_generate
from targets.models import Actual, Locality, Status

AS_OF = AsOf(code="2026-Q3", time=2026.75)


def _csv(rows, dataset: str) -> bytes:
    return b"".join(opendata.csv_chunks(rows, schema.BY_NAME[dataset].columns))


@pytest.fixture
def demo(catalogue):
    demo_data_generate(today=dt.date(2026, 11, 22))
    publishing = Locality.objects.filter(publishes=True).count()
    assert publishing >= 3  # else a chunk of one would be the whole country and prove nothing
    return publishing


def test_progress_csv_in_chunks_of_one_locality_is_the_whole_frame_file(demo):
    whole = _csv(pages.open_data_progress(as_of=AS_OF), "progress")
    one = _csv(pages.open_data_progress_chunked(as_of=AS_OF, chunk=1), "progress")
    huge = _csv(pages.open_data_progress_chunked(as_of=AS_OF, chunk=10**6), "progress")
    assert one == whole
    assert huge == whole
    assert whole.count(b"\r\n") - 1 == len(pages.open_data_targets()) > 100


@pytest.mark.parametrize("as_of", [None, AS_OF], ids=["current", "known-at-2026-Q3"])
def test_actuals_csv_in_chunks_of_one_locality_is_the_whole_frame_file(demo, as_of):
    whole = _csv(pages.open_data_actuals(as_of=as_of, chunk=None), "actuals")
    one = _csv(pages.open_data_actuals(as_of=as_of, chunk=1), "actuals")
    huge = _csv(pages.open_data_actuals(as_of=as_of, chunk=10**6), "actuals")
    assert one == whole
    assert huge == whole
    if (
        as_of is None
    ):  # every approved figure (published ones are approved) of the publishing localities, one row each
        shown = Actual.objects.filter(locality__publishes=True, status=Status.APPROVED)
        assert whole.count(b"\r\n") - 1 == shown.count() > 100


def test_the_streamed_national_files_are_the_whole_frame_files(client, demo):
    progress = b"".join(client.get("/open-data/progress.csv", {"as_of": "2026-Q3"}).streaming_content)
    actuals = b"".join(client.get("/open-data/actuals.csv").streaming_content)
    as_of = AsOf(code="2026-Q3", time=2026.75, explicit=True, provisional=False)
    assert progress == _csv(pages.open_data_progress(as_of=as_of), "progress")
    assert actuals == _csv(pages.open_data_actuals(as_of=None, chunk=None), "actuals")


def test_the_chunked_progress_file_makes_two_queries_then_four_per_chunk(demo, django_assert_num_queries):
    # The indicators' DTI indices (issue #21) and the localities, then per chunk: the target rows, the
    # targets, the figures, the history of entered ones.
    chunks = -(-demo // 2)
    with django_assert_num_queries(2 + 4 * chunks):
        list(pages.open_data_progress_chunked(as_of=AS_OF, chunk=2))


def test_the_chunked_actuals_file_makes_one_query_then_three_per_chunk(demo, django_assert_num_queries):
    # The localities, then per chunk: the figures, the history of entered ones, the figures' details.
    chunks = -(-demo // 2)
    with django_assert_num_queries(1 + 3 * chunks):
        list(pages.open_data_actuals(as_of=None, chunk=2))
