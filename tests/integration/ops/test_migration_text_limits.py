"""The migration that adds the text limits (issue #14, item 3) runs on a database that already holds an
over-long note — as one attacked before the fix does (a 45 MB note was saved) — instead of failing on it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _limits_migration(executor: MigrationExecutor) -> tuple[tuple[str, str], tuple[str, str]]:
    """The migration by its subject (the lead may renumber it) and the one before it."""
    nodes = [key for key in executor.loader.graph.nodes if key[0] == "targets" and "text_limits" in key[1]]
    assert len(nodes) == 1
    parents = [p for p in executor.loader.graph.node_map[nodes[0]].parents if p.key[0] == "targets"]
    return nodes[0], parents[0].key


@pytest.mark.django_db(transaction=True)
def test_existing_over_long_texts_are_cut_to_the_limit_so_the_checks_can_be_added(empty_database):
    executor = MigrationExecutor(connection)
    target, before = _limits_migration(executor)
    executor.migrate([before])
    apps = executor.loader.project_state([before]).apps
    pillar = apps.get_model("targets", "Pillar").objects.create(slug="p", name="P", name_en="P", order=1)
    indicator = apps.get_model("targets", "Indicator").objects.create(
        code="i", name="I", name_en="I", pillar=pillar, unit="percent", frequency="quarterly"
    )
    locality = apps.get_model("targets", "Locality").objects.create(slug="hai-phong", name="Hải Phòng")
    period = apps.get_model("targets", "ReportingPeriod").objects.create(
        code="2026-Q3",
        kind="quarter",
        year=2026,
        quarter=3,
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 9, 30),
    )
    actual = apps.get_model("targets", "Actual").objects.create(
        indicator=indicator,
        locality=locality,
        period=period,
        value=1,
        note="n" * 50_000,
        review_comment="c" * 1500,
        evidence_url="https://haiphong.gov.vn/",
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])

    after = (
        executor.loader.project_state([target]).apps.get_model("targets", "Actual").objects.get(pk=actual.pk)
    )
    assert after.note == "n" * 1999 + "…"
    assert after.review_comment == "c" * 999 + "…"
    assert after.evidence_url == "https://haiphong.gov.vn/"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest, for the tests that follow
