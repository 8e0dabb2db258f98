"""Outlier check for a new figure against the series' recent history — pure Python, no Django.

DHIS2 calls this min-max / outlier checking: a value that jumps more than the indicator's usual spread is
not refused, it is a warning the editor confirms with a note. `targets.figures` rounds the jump to the
indicator's precision and tells it in plain words.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence

MIN_HISTORY = 3  # fewer previous values: no basis for a usual spread
WINDOW = 8  # the last eight values (two years of quarters)
SPREAD_FACTOR = 3.0


def jump_limit(previous: Sequence[float], *, scale: float) -> tuple[float, float] | None:
    """(expected change, allowed deviation) from the previous values, oldest first; None if too few.

    The usual change is the mean of the quarter-to-quarter changes; the allowed deviation is three times
    their spread (standard deviation, or mean absolute change when the changes are all equal), never less
    than 2 % of the indicator's scale so that a flat series does not flag every small move.
    """
    values = list(previous)[-WINDOW:]
    if len(values) < MIN_HISTORY:
        return None
    changes = [b - a for a, b in itertools.pairwise(values)]
    mean_change = statistics.fmean(changes)
    spread = statistics.pstdev(changes) if len(changes) > 1 else 0.0
    spread = max(spread, statistics.fmean(abs(c) for c in changes))
    return mean_change, max(SPREAD_FACTOR * spread, 0.02 * abs(scale))
