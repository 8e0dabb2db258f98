"""The stored assessments (`targets.models.Assessment`, issue #20): every target's assessment at the live
quarters (`targets.periods.live_quarters`: the last closed quarter and the current one), kept current by
the writes that change figures, so the dashboards and the progress file read rows instead of running the
engine over the country after each approval.

- `reassess(series)`: the writes call it (through `targets.cache.figures_changed`, in their transaction)
  with the (locality, indicator) series they touched; it re-assesses those series only, with the same
  engine path as every page (`reports.pages.assess`). `reassess(None)` rebuilds every row.
- `rebuild()`: the whole table (`manage.py rebuild_assessments`: after a catalogue reload, a change of
  method, at the start of a quarter).
- `differences()`: the table against a full recomputation (`manage.py check_assessments`).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from targets.models import ASSESSMENT_FLOATS, ASSESSMENT_TEXTS, Assessment
from targets.periods import live_quarters, period_end_time

from . import pages, selectors

_BATCH = 2000


def _rows(assessed: pd.DataFrame, code: str, localities: pd.Series) -> list[Assessment]:
    """The engine's results of `assessed` (indexed by target_id) as unsaved rows for `code`; `localities`:
    each target's locality id, by target_id."""
    if assessed.empty:
        return []
    floats = {c: assessed[c].to_numpy(dtype=float, na_value=np.nan) for c in ASSESSMENT_FLOATS}
    texts = {c: assessed[c].to_numpy(dtype=object) for c in ASSESSMENT_TEXTS}
    localities = localities.reindex(assessed.index).to_numpy()
    out = []
    for i, target_id in enumerate(assessed.index.to_numpy()):
        fields = {c: (None if math.isnan(v[i]) else float(v[i])) for c, v in floats.items()}
        fields.update({c: (None if pd.isna(v[i]) else str(v[i])) for c, v in texts.items()})
        out.append(Assessment(target_id=int(target_id), locality_id=int(localities[i]), as_of=code, **fields))
    return out


def _write(inputs: selectors.ProgressInputs, codes: tuple[str, ...]) -> int:
    written = 0
    localities = inputs.targets.set_index("target_id")["locality_id"]
    for code in codes:
        rows = _rows(pages.assess(inputs, period_end_time(code)), code, localities)
        Assessment.objects.bulk_create(rows, batch_size=_BATCH)
        written += len(rows)
    return written


def reassess(series: set[tuple[int, int]] | None, *, today: dt.date | None = None) -> int:
    """Re-assess the targets of `series` ((locality id, indicator id) pairs; None: every target) at the live
    quarters and replace their stored rows. Runs in the caller's transaction. Returns the rows written."""
    codes = live_quarters(today or timezone.localdate())
    with transaction.atomic():
        if series is None:
            Assessment.objects.all().delete()  # also the rows of quarters no longer live
            return _write(selectors.progress_inputs(), codes)
        localities = sorted({loc for loc, _ in series})
        indicators = sorted({ind for _, ind in series})
        # The localities × indicators of the series: a few more series than touched at most, assessed on
        # their own as always (narrowing changes no figure).
        inputs = selectors.progress_inputs(locality_ids=localities, indicator_ids=indicators)
        Assessment.objects.filter(
            as_of__in=codes, target__locality_id__in=localities, target__indicator_id__in=indicators
        ).delete()
        return _write(inputs, codes)


def current(*, today: dt.date | None = None) -> bool:
    """Whether the table holds the live quarters of `today` and no other (two queries); a new quarter makes
    it False until `rebuild` (`manage.py rebuild_assessments --if-needed`, daily)."""
    codes = set(live_quarters(today or timezone.localdate()))
    stored = set(Assessment.objects.values_list("as_of", flat=True).distinct())
    return stored == codes and not Assessment.objects.exclude(as_of__in=codes).exists()


def rebuild(*, today: dt.date | None = None) -> int:
    """The whole table, for the live quarters of `today`. Returns the rows written."""
    return reassess(None, today=today)


def _plain(value: object) -> object:
    """A value as Python shows it (numpy's floats print as np.float64(…) otherwise); None when missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return float(value) if isinstance(value, np.floating | float | int) else str(value)


def differences(*, today: dt.date | None = None, limit: int = 20) -> list[str]:
    """Where the stored rows differ from a full recomputation (the same engine path as the pages), as
    readable lines; empty when they agree. At most `limit` lines per quarter."""
    out: list[str] = []
    inputs = selectors.progress_inputs()
    for code in live_quarters(today or timezone.localdate()):
        expected = pages.assess(inputs, period_end_time(code))
        stored = selectors.stored_assessments(as_of_code=code)
        if stored is None:
            missing = len(inputs.targets) - Assessment.objects.filter(as_of=code).count()
            out.append(f"{code}: {missing} target(s) without a stored assessment")
            continue
        extra = set(stored.index) ^ set(expected.index)
        if extra:
            out.append(f"{code}: targets differ: {sorted(extra)[:limit]}")
            continue
        stored = stored.reindex(expected.index)
        found = 0
        for column in (*ASSESSMENT_TEXTS, *ASSESSMENT_FLOATS):
            want, got = expected[column], stored[column]
            if column in ASSESSMENT_FLOATS:
                a = want.to_numpy(dtype=float, na_value=np.nan)
                b = got.to_numpy(dtype=float, na_value=np.nan)
                same = (np.isnan(a) & np.isnan(b)) | np.isclose(a, b, rtol=1e-12, atol=0.0)
            else:
                same = (want.isna() & got.isna()).to_numpy() | (
                    want.astype(str).to_numpy() == got.astype(str).to_numpy()
                )
            for target_id in expected.index[~same][: max(0, limit - found)]:
                out.append(
                    f"{code}: target {target_id} {column}: stored {_plain(got[target_id])!r}, "
                    f"computed {_plain(want[target_id])!r}"
                )
            found += int((~same).sum())
        if found > limit:
            out.append(f"{code}: … {found} differences in all")
    return out
