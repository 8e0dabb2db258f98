"""What was known when (method v2, rule 4): `targets.known`, pure pandas, no database.

Every expected time is worked out by hand: a day d of month m in year y is y + (m − 1)/12 + d/(days in m)/12.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from targets import known

TZ = "Asia/Ho_Chi_Minh"  # UTC+7


def figure(actual_id: int, **values) -> dict:
    row = {
        "actual_id": actual_id,
        "indicator_id": 1,
        "locality_id": 1,
        "level": "",
        "obs_value": 0.0,
        "obs_period": "2025-Q3",
        "obs_time": 2025.75,
        "period_end": dt.date(2025, 9, 30),
        "origin": "entered",
        "status": "approved",
        "ranked_among": None,
        "reviewed_at": None,
        "published_on": None,
    }
    row.update(values)
    return row


def frame(rows: list[dict], history: bool = False) -> pd.DataFrame:
    columns = [*known.FIGURE_COLUMNS, "published_on"]
    if history:
        columns = [*known.FIGURE_COLUMNS, "history_id", "history_date", "history_type"]
        rows = [{"history_type": "~", **row} for row in rows]
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(rows)[columns]


def versions(current: list[dict], history: list[dict] = (), **kwargs) -> pd.DataFrame:
    return known.known_versions(frame(list(current)), frame(list(history), history=True), tz=TZ, **kwargs)


# The DTI 2024 rank, published on 21/10/2025: 2025 + 9/12 + 21/31/12.
OCT_21_2025 = 2025 + 9 / 12 + 21 / 31 / 12


def test_a_published_figure_counts_from_its_publication_date() -> None:
    rank = figure(1, origin="published", obs_period="2024", obs_time=2025.0, period_end=dt.date(2024, 12, 31))
    rank["published_on"] = dt.date(2025, 10, 21)
    (row,) = versions([rank]).to_dict(orient="records")
    assert row["known_time"] == pytest.approx(OCT_21_2025)
    assert (row["known_on"], row["known_basis"], row["until_time"]) == (
        "2025-10-21",
        "published_on",
        math.inf,
    )
    v = versions([rank])
    assert known.known_at(v, 2025.75).empty  # the end of 2025-Q3: not published yet
    assert len(known.known_at(v, 2026.0)) == 1  # the end of 2025-Q4


def test_a_published_figure_without_a_date_counts_from_the_end_of_its_period() -> None:
    share = figure(
        1, origin="published", obs_period="2022", obs_time=2023.0, period_end=dt.date(2022, 12, 31)
    )
    (row,) = versions([share]).to_dict(orient="records")
    assert (row["known_time"], row["known_on"], row["known_basis"]) == (2023.0, "2022-12-31", "period_end")


def test_a_demo_figure_counts_from_the_end_of_its_period() -> None:
    (row,) = versions([figure(1, origin="demo")]).to_dict(orient="records")
    assert (row["known_time"], row["known_basis"]) == (2025.75, "period_end")


def test_an_entered_figure_without_history_counts_from_its_approval_time_or_the_end_of_its_period() -> None:
    approved = figure(1, reviewed_at="2026-04-01 18:30:00")  # UTC: 2 April 01:30 in Hà Nội
    loaded = figure(2)
    rows = versions([approved, loaded]).set_index("actual_id")
    assert rows.loc[1, "known_on"] == "2026-04-02" and rows.loc[1, "known_basis"] == "approval"
    assert rows.loc[1, "known_time"] == pytest.approx(2026 + 3 / 12 + 2 / 30 / 12)
    assert (rows.loc[2, "known_time"], rows.loc[2, "known_basis"]) == (2025.75, "period_end")


def test_a_figure_corrected_later_shows_the_value_it_had_then() -> None:
    # 2025-Q3: sent 2/10, approved (50) 5/10 — 4/10 20:00 UTC is 5/10 in Hà Nội —, reopened 10/1/2026,
    # approved again (48) 12/1/2026.
    def record(history_id, when, status, value, reviewed=None, kind="~"):
        return figure(
            7,
            obs_value=value,
            status=status,
            reviewed_at=reviewed,
            history_id=history_id,
            history_date=when,
            history_type=kind,
        )

    history = [
        record(1, "2025-10-02 03:00:00", "submitted", 50.0, kind="+"),
        record(2, "2025-10-04 20:00:00", "approved", 50.0, reviewed="2025-10-04 20:00:00"),
        record(3, "2026-01-10 02:00:00", "returned", 50.0, reviewed="2026-01-10 02:00:00"),
        record(4, "2026-01-12 02:00:00", "approved", 48.0, reviewed="2026-01-12 02:00:00"),
    ]
    current = [figure(7, obs_value=48.0, reviewed_at="2026-01-12 02:00:00")]
    v = versions(current, history)
    assert sorted(v["obs_value"]) == [48.0, 50.0]  # the history's approved versions, not the current row
    first = v[v["obs_value"] == 50.0].iloc[0]
    assert first["known_time"] == pytest.approx(2025 + 9 / 12 + 5 / 31 / 12)
    assert first["until_time"] == pytest.approx(2026 + 10 / 31 / 12)
    assert known.known_at(v, 2025.75).empty  # end of 2025-Q3: approved only in October
    assert known.known_at(v, 2026.0)["obs_value"].tolist() == [50.0]  # end of 2025-Q4: the first value
    assert known.known_at(v, 2026.25)["obs_value"].tolist() == [48.0]  # end of 2026-Q1: the correction


def test_a_figure_reopened_and_not_approved_again_is_no_longer_known() -> None:
    history = [
        figure(3, history_id=1, history_date="2025-09-20 03:00:00", reviewed_at="2025-09-20 03:00:00"),
        figure(
            3,
            status="returned",
            history_id=2,
            history_date="2026-02-03 03:00:00",
            reviewed_at="2026-02-03 03:00:00",
        ),
    ]
    v = versions([], history)
    assert len(known.known_at(v, 2025.75)) == 1  # approved 20/9/2025: known at the end of 2025-Q3
    assert known.known_at(v, 2026.25).empty  # reopened on 3/2/2026


def test_a_deleted_figure_is_no_longer_known_after_its_deletion() -> None:
    history = [
        figure(4, history_id=1, history_date="2025-09-20 03:00:00", reviewed_at="2025-09-20 03:00:00"),
        figure(4, history_id=2, history_date="2025-11-03 03:00:00", history_type="-"),
    ]
    v = versions([], history)
    assert len(known.known_at(v, 2025.75)) == 1
    assert known.known_at(v, 2026.0).empty


def test_a_value_awaiting_review_is_kept_only_when_asked_for() -> None:
    sent = figure(5, status="submitted")
    assert versions([sent]).empty
    (row,) = versions([sent], statuses=("approved", "submitted")).to_dict(orient="records")
    assert row["status"] == "submitted"


def test_a_figure_is_not_known_before_its_period_has_ended() -> None:
    # Approved on 21/12/2022 for the year 2022 (ends 2023.0): known at the end of 2022-Q4, not of 2022-Q3.
    early = figure(
        6,
        obs_period="2022",
        obs_time=2023.0,
        period_end=dt.date(2022, 12, 31),
        reviewed_at="2022-12-21 03:00",
    )
    v = versions([early])
    assert known.known_at(v, 2022.75).empty
    assert len(known.known_at(v, 2023.0)) == 1
