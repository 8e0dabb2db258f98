"""What was known when — pure pandas, no Django (method v2, rule 4: docs/progress-method.md).

`?as_of=Q` shows what was known at the end of quarter Q. Each figure is turned into *versions*, each
known from one day until (not including) another:

- a **published** figure counts from its publication date (`published_on`); where that date is unknown,
  from the end of its period (and pages say the publication date is unknown);
- a **demo** figure counts from the end of its period (it stands in for a figure entered on time);
- an **entered or imported** figure counts from its approval: every approved version in its history
  (django-simple-history) is known from the day it was approved until the day it was next changed
  (reopened, corrected, deleted), so a figure corrected later shows the value it had then. An approved
  version without an approval time (loaded directly, without review) counts from the end of its period;
  a figure without any history record likewise, from its approval time if it has one.

Days are local days; a day is on the same decimal-year scale as period ends (`periods.date_to_time`):
a figure approved on 2025-06-30 is known at the end of 2025-Q2 (2025.5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PUBLISHED, DEMO = "published", "demo"
APPROVED, SUBMITTED = "approved", "submitted"
# Why a version is known from its day.
BASIS_PUBLISHED = "published_on"  # the publication date
BASIS_APPROVAL = "approval"  # the day it was approved (submitted, for a value awaiting review)
BASIS_PERIOD_END = "period_end"  # no date known: the end of its period
_EPS = 1e-9

# The figure columns both inputs carry (the selector's names).
FIGURE_COLUMNS: tuple[str, ...] = (
    "actual_id",
    "indicator_id",
    "locality_id",
    "level",
    "obs_value",
    "obs_period",
    "obs_time",
    "period_end",
    "origin",
    "status",
    "ranked_among",
    "reviewed_at",
)
VERSION_COLUMNS: tuple[str, ...] = (
    *(c for c in FIGURE_COLUMNS if c not in ("period_end", "reviewed_at")),
    "known_time",
    "until_time",
    "known_on",
    "known_basis",
)


def local_days(column: pd.Series, tz: str) -> pd.Series:
    """Timestamps (aware, or naive UTC as SQLite returns them; text or datetimes) → local midnight days."""
    stamps = pd.to_datetime(column, utc=True, errors="coerce", format="ISO8601")
    return stamps.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()


def days(column: pd.Series) -> pd.Series:
    """Dates (date objects, ISO text or None) → midnight timestamps (NaT where missing)."""
    return pd.to_datetime(column, errors="coerce", format="ISO8601").dt.normalize()


def day_times(day: pd.Series) -> np.ndarray:
    """`periods.date_to_time` for a column of days, vectorised (NaT → NaN)."""
    years = day.dt.year + (day.dt.month - 1) / 12 + day.dt.day / day.dt.days_in_month / 12
    return years.to_numpy(dtype=float, na_value=np.nan)


def _iso(day: pd.Series) -> pd.Series:
    return day.dt.strftime("%Y-%m-%d").astype(object).where(day.notna(), None)


def known_versions(
    current: pd.DataFrame,
    history: pd.DataFrame,
    *,
    tz: str,
    statuses: tuple[str, ...] = (APPROVED,),
    published_on: str = "published_on",
) -> pd.DataFrame:
    """Every version of every figure with the time it became known and the time it stopped being current.

    `current`: the figures as they are now, with `FIGURE_COLUMNS` and `published_on` (one row per actual,
    of the wanted `statuses`). `history`: the history records of the entered and imported figures
    (`FIGURE_COLUMNS` as they were, plus `history_date`, `history_id` and `history_type` — "-" for a
    deletion), every status. A figure with history records is taken from them; any other from `current`.
    Returns `VERSION_COLUMNS`: `known_time`/`until_time` in decimal years (until: +inf while current),
    `known_on` the ISO day it became known and `known_basis` why (`BASIS_*`).
    """
    parts = []
    if not history.empty:
        h = history.sort_values(["actual_id", "history_date", "history_id"], kind="stable").copy()
        changed = local_days(h["history_date"], tz)
        nxt = changed.groupby(h["actual_id"].to_numpy()).shift(-1)
        h["until_time"] = np.where(nxt.notna(), day_times(nxt), np.inf)
        keep = h["status"].isin(statuses) & (h["history_type"] != "-")
        # An approved version counts from its approval; one never reviewed (loaded directly) from the end
        # of its period; a submitted one from the day it was submitted.
        reviewed = h["reviewed_at"].notna() | (h["status"] != APPROVED)
        since = changed.where(reviewed, days(h["period_end"]))
        h["known_time"] = day_times(since)
        h["known_on"] = _iso(since)
        h["known_basis"] = np.where(reviewed, BASIS_APPROVAL, BASIS_PERIOD_END)
        parts.append(h.loc[keep])
        covered = set(h["actual_id"].tolist())
    else:
        covered = set()
    c = current.loc[current["status"].isin(statuses) & ~current["actual_id"].isin(covered)].copy()
    if not c.empty:
        period_end = days(c["period_end"])
        published = days(c[published_on]) if published_on in c.columns else pd.Series(pd.NaT, index=c.index)
        approved_on = local_days(c["reviewed_at"], tz)
        is_published = (c["origin"] == PUBLISHED) & published.notna()
        is_reviewed = ~c["origin"].isin([PUBLISHED, DEMO]) & approved_on.notna() & (c["status"] == APPROVED)
        since = period_end.where(~is_published, published).where(~is_reviewed, approved_on)
        c["known_time"] = day_times(since)
        c["until_time"] = np.inf
        c["known_on"] = _iso(since)
        c["known_basis"] = np.select(
            [is_published, is_reviewed], [BASIS_PUBLISHED, BASIS_APPROVAL], default=BASIS_PERIOD_END
        )
        parts.append(c)
    if not parts:
        return pd.DataFrame(columns=list(VERSION_COLUMNS))
    out = pd.concat([p[list(VERSION_COLUMNS)] for p in parts], ignore_index=True)
    out["obs_value"] = out["obs_value"].astype(float)
    out["obs_time"] = out["obs_time"].astype(float)
    return out


def known_at(versions: pd.DataFrame, as_of: float) -> pd.DataFrame:
    """The versions known at the end of the period ending at `as_of`: the figure's period has ended, it
    had become known, and it had not been replaced yet."""
    t = as_of + _EPS
    mask = (versions["obs_time"] <= t) & (versions["known_time"] <= t) & (versions["until_time"] > t)
    return versions.loc[mask.to_numpy(dtype=bool)]
