"""Figures at their indicator's precision, and an unusual jump told in plain words — pure Python, no Django.

A figure is shown with the decimals its unit is reported in (percentages and rates to 2 places, a 0–1
score to 4, counts, ranks and milestones whole), rounded half up from the stored decimal, so that a change
computed from two stored values never shows float noise ("+1,5499" for 79,5 − 77,95). The outlier
explanation says what the series usually does and what it did this time, in words an officer reads
("Thường tăng khoảng 0,5 điểm mỗi quý; lần này tăng 12 điểm (47,55% → 59,55%)"); the caller gives the
gettext and the number formats of the active language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .numbers import decimals_for
from .outliers import jump_limit


def gettext_noop(message: str) -> str:
    """Marks a message for `make messages`; `explain_jump` translates it with the caller's gettext."""
    return message


def ngettext_lazy(singular: str, plural: str) -> tuple[str, str]:
    """Marks a message with plural forms for `make messages` (which knows the name, as Django's); nothing is
    translated here: `explain_jump` chooses the form with the caller's ngettext."""
    return (singular, plural)


def _untranslated_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def places(unit: str) -> int:
    """How many decimals a figure of `unit` is shown with: its unit's precision (`numbers.UNIT_DECIMALS`, the
    one table the upload, the pages and the workbook share)."""
    return decimals_for(unit)


def rounded(value: Decimal | float | int | str, unit: str) -> Decimal:
    """`value` rounded half up to its unit's precision (a float is read through its shortest text)."""
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return exact.quantize(Decimal(1).scaleb(-places(unit)), rounding=ROUND_HALF_UP)


def change(new: Decimal | float, old: Decimal | float, unit: str) -> Decimal:
    """new − old, computed in decimal and rounded to the unit's precision."""
    return rounded(Decimal(str(new)) - Decimal(str(old)), unit)


@dataclass(frozen=True)
class Jump:
    """An unusual change: the last and new value, the change, and the usual change per period."""

    last: Decimal
    new: Decimal
    change: Decimal
    usual: Decimal


def unusual_jump(previous: Sequence[float], new: float, *, unit: str, scale: float) -> Jump | None:
    """The jump from the last previous value to `new` when it is beyond the series' usual spread
    (`outliers.jump_limit`), rounded to the unit's precision; None when it is usual or there is no basis."""
    limit = jump_limit(previous, scale=scale)
    if limit is None:
        return None
    expected, allowed = limit
    last = previous[-1]
    if abs((new - last) - expected) <= allowed:
        return None
    return Jump(
        last=rounded(last, unit),
        new=rounded(new, unit),
        change=change(new, last, unit),
        usual=rounded(expected, unit),
    )


# The usual change per period, and this period's change; "điểm" for percentages is percentage points.
_USUAL = {
    ("up", "quarter"): gettext_noop("Thường tăng khoảng %(amount)s mỗi quý"),
    ("down", "quarter"): gettext_noop("Thường giảm khoảng %(amount)s mỗi quý"),
    ("flat", "quarter"): gettext_noop("Thường gần như không đổi giữa các quý"),
    ("up", "year"): gettext_noop("Thường tăng khoảng %(amount)s mỗi năm"),
    ("down", "year"): gettext_noop("Thường giảm khoảng %(amount)s mỗi năm"),
    ("flat", "year"): gettext_noop("Thường gần như không đổi giữa các năm"),
}
_THIS = {
    "up": gettext_noop("lần này tăng %(amount)s (%(last)s → %(new)s)."),
    "down": gettext_noop("lần này giảm %(amount)s (%(last)s → %(new)s)."),
    "flat": gettext_noop("lần này không đổi (%(last)s → %(new)s)."),
}
_AMOUNT = {
    "percent": gettext_noop("%(n)s điểm"),
    "growth_rate": gettext_noop("%(n)s điểm"),
}
# A number of places has plural forms ("1 place", "2 places"): the same text twice in Vietnamese.
_PLACES = ngettext_lazy("%(n)s bậc", "%(n)s bậc")


def _direction(x: Decimal) -> str:
    return "up" if x > 0 else "down" if x < 0 else "flat"


def explain_jump(
    jump: Jump,
    *,
    unit: str,
    yearly: bool,
    gettext: Callable[[str], str],
    number: Callable[[Decimal], str],
    figure: Callable[[Decimal], str],
    ngettext: Callable[[str, str, int], str] | None = None,
) -> str:
    """The jump in plain words: what the series usually does per period, and what it did this time.
    `number` formats a bare number, `figure` a value with its unit, in the active language; `ngettext`
    chooses a plural form (a number of rank places)."""

    def amount(x: Decimal) -> str:
        if unit == "rank":
            return (ngettext or _untranslated_plural)(*_PLACES, int(abs(x))) % {"n": number(abs(x))}
        return gettext(_AMOUNT.get(unit, "%(n)s")) % {"n": number(abs(x))}

    per = "year" if yearly else "quarter"
    usual = gettext(_USUAL[(_direction(jump.usual), per)]) % {"amount": amount(jump.usual)}
    this = gettext(_THIS[_direction(jump.change)]) % {
        "amount": amount(jump.change),
        "last": figure(jump.last),
        "new": figure(jump.new),
    }
    return f"{usual}; {this}"
