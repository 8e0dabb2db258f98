"""Reads for dashboards, reports and open data: database rows → plain frames → the progress engine.

One code path for every consumer (pages, Excel, open data): `progress_table` makes two queries whatever
the number of localities, indicators and quarters, and hands plain data to the pure engine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from targets import progress
from targets import selectors as target_selectors
from targets.models import Actual, Status, Target, Unit
from targets.periods import date_to_time

from . import opendata

_TARGET_FIELDS = (
    "id",
    "indicator_id",
    "locality_id",
    "level",
    "year",
    "comparator",
    "value",
    "value_max",
    "unit",
    "baseline_year",
    "baseline_value",
    "applies_until",
    "indicator__higher_is_better",
)


def open_data_targets() -> list[dict]:
    """The open-data target rows: one query."""
    return opendata.target_rows(target_selectors.targets_for_open_data())


def observations_frame(*, locality_ids: list[int] | None = None) -> pd.DataFrame:
    """Approved actuals (entered, imported, published, demo) as (series, time, value, period code, origin).

    One query (`values()` into pandas); the time is the decimal year at the end of the period.
    """
    qs = Actual.objects.filter(status=Status.APPROVED)
    if locality_ids is not None:
        qs = qs.filter(locality_id__in=locality_ids)
    rows = list(
        qs.values_list(
            "indicator_id",
            "locality_id",
            "level",
            "value",
            "period__code",
            "period__year",
            "period__quarter",
            "origin",
        )
    )
    frame = pd.DataFrame(
        rows,
        columns=[
            "indicator_id",
            "locality_id",
            "level",
            "obs_value",
            "obs_period",
            "year",
            "quarter",
            "origin",
        ],
    )
    quarter = frame["quarter"].astype(float)
    frame["obs_time"] = np.where(quarter.notna(), frame["year"] + quarter.fillna(0) / 4, frame["year"] + 1.0)
    frame["obs_value"] = frame["obs_value"].astype(float)
    return frame.drop(columns=["year", "quarter"])


def targets_frame(*, locality_ids: list[int] | None = None) -> pd.DataFrame:
    """Targets as the engine's target columns. One query."""
    qs = Target.objects.all()
    if locality_ids is not None:
        qs = qs.filter(locality_id__in=locality_ids)
    frame = pd.DataFrame(list(qs.values_list(*_TARGET_FIELDS)), columns=list(_TARGET_FIELDS))
    out = pd.DataFrame(
        {
            "target_id": frame["id"],
            "indicator_id": frame["indicator_id"],
            "locality_id": frame["locality_id"],
            "level": frame["level"],
            "comparator": frame["comparator"],
            "target_value": frame["value"].astype(float),
            "target_value_max": frame["value_max"].astype(float),
            "target_time": frame["year"].astype(float) + 1.0,  # a target "by 2025" is due at 2026.0
            "higher_is_better": frame["indicator__higher_is_better"].astype(bool),
            "applies_until": [date_to_time(d) if d is not None else np.nan for d in frame["applies_until"]],
            "milestone": frame["unit"] == Unit.MILESTONE,
            # A baseline "of year Y" stands at the end of that year, like an annual figure.
            "baseline_time": frame["baseline_year"].astype(float) + 1.0,
            "baseline_value": frame["baseline_value"].astype(float),
        }
    )
    return out


def progress_table(*, as_of: float, locality_ids: list[int] | None = None) -> pd.DataFrame:
    """Every target's assessment at `as_of`, indexed by target_id, with `latest_period` and `latest_origin`.

    Two queries. Observations after `as_of` are ignored (time travel: the page as it stood then).
    """
    targets = targets_frame(locality_ids=locality_ids)
    if targets.empty:
        return pd.DataFrame(columns=[*progress.RESULT_COLUMNS, "latest_period", "latest_origin"])
    obs = observations_frame(locality_ids=locality_ids)
    obs = obs[obs["obs_time"] <= as_of + 1e-9]
    long = targets.merge(obs, on=["indicator_id", "locality_id", "level"], how="left")
    assessed = progress.assess_frame(long[list(progress.FRAME_COLUMNS)], as_of=as_of)
    # Where the latest value comes from: the newest observation (a quarter wins over the year ending with it).
    known = long.dropna(subset=["obs_time"]).assign(is_quarter=lambda f: f["obs_period"].str.contains("-Q"))
    newest = known.sort_values(["target_id", "obs_time", "is_quarter"]).groupby("target_id").tail(1)
    newest = newest.set_index("target_id")[["obs_period", "origin"]]
    assessed["latest_period"] = newest["obs_period"].reindex(assessed.index)
    assessed["latest_origin"] = newest["origin"].reindex(assessed.index)
    return assessed


def open_data_progress(*, as_of_code: str, as_of: float) -> list[dict]:
    """Open-data target rows with the progress columns for `as_of`: three queries."""
    rows = open_data_targets_with_ids()
    table = progress_table(as_of=as_of)
    return opendata.progress_rows(rows, table, as_of_code=as_of_code)


def open_data_targets_with_ids() -> list[tuple[int, dict]]:
    values = target_selectors.targets_for_open_data(with_id=True)
    ids = [v.pop("id") for v in values]
    return list(zip(ids, opendata.target_rows(values), strict=True))


def progress_with_groups(*, as_of: float, locality_ids: list[int] | None = None) -> pd.DataFrame:
    """`progress_table` joined with locality and pillar slugs, ready for `progress.rollup`. Four queries."""
    table = progress_table(as_of=as_of, locality_ids=locality_ids)
    groups = pd.DataFrame(
        list(
            Target.objects.filter(pk__in=list(table.index)).values_list(
                "id", "locality__slug", "indicator__pillar__slug", "indicator__code", "year", "level"
            )
        ),
        columns=["target_id", "locality", "pillar", "indicator_code", "year", "level"],
    ).set_index("target_id")
    return table.join(groups)


def progress_rollups(*, as_of: float, locality_ids: list[int] | None = None) -> dict[str, pd.DataFrame]:
    """Per locality × pillar and per locality: status counts, share on track, the targets most behind."""
    assessed = progress_with_groups(as_of=as_of, locality_ids=locality_ids)
    return {
        "by_pillar": progress.rollup(assessed, by=["locality", "pillar"]),
        "by_locality": progress.rollup(assessed, by=["locality"]),
        "most_behind": progress.most_behind(assessed, n=3, by=["locality", "pillar"]),
    }
