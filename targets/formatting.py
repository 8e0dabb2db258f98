"""Figures and targets as text, in one place: numbers in the active language's format (12,5), a figure
with its unit ('53,2%', 'hạng 3'), a target as the document states it ('≥ 50%', '7–7,5%'), and a stored
value as an officer types it ('61,5'). The template filters (`targets/templatetags/dti.py`), the pages, the
Excel report and the services' messages call these."""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import figures
from .models import Comparator, Qualifier, Unit

_SYMBOLS = {">=": "≥", ">": ">", "=": "", "~": "≈", "<=": "≤", "<": "<"}
_UNIT_SUFFIX = {
    Unit.PERCENT: "%",
    Unit.GROWTH_RATE: "%",
    Unit.PER_1000: "/1.000 dân",
}


def unit_suffix(unit: str) -> str:
    """What follows a figure of `unit`: '%', '/1.000 dân', or nothing."""
    return _UNIT_SUFFIX.get(unit, "")


def _plain(value) -> str:
    """A number in the active language's format, without meaningless trailing zeros: 7.5000 → '7,5'."""
    if value is None or value == "":
        return "—"
    return _plain_text(str(value), get_language())


@functools.lru_cache(maxsize=65536)
def _plain_text(text: str, language: str | None) -> str:
    """`_plain` of a number's text in `language` (the format depends on nothing else but the settings):
    remembered, as a national page formats thousands of figures, most of them the same as before a write
    (issue #20)."""
    try:
        d = Decimal(text)
    except (InvalidOperation, ValueError):
        return text
    if not d.is_finite():
        return "—"
    d = d.normalize()
    places = max(0, -d.as_tuple().exponent)
    return number_format(d, decimal_pos=min(places, 4), use_l10n=True, force_grouping=abs(d) >= 10000)


@receiver(setting_changed)
def _formats_changed(**kwargs) -> None:  # a test overriding the format settings
    _plain_text.cache_clear()


def num(value) -> str:
    return _plain(value)


def with_unit(value, unit: str) -> str:
    if value is None or value == "":
        return "—"
    if unit == Unit.MILESTONE:
        return _("đã hoàn thành") if Decimal(str(value)) >= 1 else _("chưa hoàn thành")
    if unit == Unit.RANK:
        return _("hạng %(rank)s") % {"rank": _plain(value)}
    return f"{_plain(value)}{_UNIT_SUFFIX.get(unit, '')}"


def figure(value, unit: str) -> str:
    """A figure with its unit, rounded to the indicator's precision (`targets.figures`): '76,92%'."""
    if value is None or value == "":
        return "—"
    return with_unit(figures.rounded(value, unit), unit)


def target_text(target) -> str:
    """'≥ 50%', '7–7,5%', 'hạng ≤ 5', 'hoàn thành' — the target as the document states it."""
    unit = target.unit
    if unit == Unit.MILESTONE:
        return _("hoàn thành")
    if target.comparator == Comparator.RANGE:
        text = f"{_plain(target.value)}–{_plain(target.value_max)}{_UNIT_SUFFIX.get(unit, '')}"
    else:
        symbol = _SYMBOLS.get(target.comparator, target.comparator)
        text = (
            f"{symbol} {with_unit(target.value, unit) if unit != Unit.RANK else _plain(target.value)}".strip()
        )
    if unit == Unit.RANK:
        return _("hạng %(target)s") % {"target": text}
    aggregation = getattr(target, "aggregation", "")
    period_from = getattr(target, "period_from", None)
    if aggregation == "each_year" and period_from:
        return _("%(target)s mỗi năm %(start)s–%(end)s") % {
            "target": text,
            "start": period_from,
            "end": target.year,
        }
    if aggregation == "period_average" and period_from:
        return _("%(target)s bình quân %(start)s–%(end)s") % {
            "target": text,
            "start": period_from,
            "end": target.year,
        }
    return text


def typed_number(value: Decimal | None) -> str:
    """A stored value as an officer types it: Vietnamese decimal comma, no trailing zeros ('61,5'); '—'
    when there is none."""
    if value is None:
        return "—"
    return format(value.normalize(), "f").replace(".", ",")


def rank_with_basis(value, among=None, former_unit: str = "") -> str:
    """A rank with the ranking it belongs to (issue #16): 'hạng 17/34'; a former (pre-merger) unit's rank
    labelled with its name: 'hạng 2/63 — Đà Nẵng cũ'; 'hạng 3' where the number ranked is unknown."""
    if value is None or value == "":
        return "—"
    if among:
        text = _("hạng %(rank)s/%(among)s") % {"rank": _plain(value), "among": _plain(among)}
    else:
        text = _("hạng %(rank)s") % {"rank": _plain(value)}
    return f"{text} — {former_unit}" if former_unit else text


_QUALIFIER_PREFIX = {Qualifier.LOWER_BOUND: "> ", Qualifier.APPROX: "≈ "}


def figure_text(value, unit: str, *, among=None, qualifier: str = "", former_unit: str = "") -> str:
    """A figure with its unit, its qualifier ('> 98%', '≈ 30%') and, for a rank, its basis ('hạng 17/34')."""
    if unit == Unit.RANK:
        return rank_with_basis(value, among, former_unit)
    text = f"{_QUALIFIER_PREFIX.get(qualifier, '')}{with_unit(value, unit)}"
    return f"{text} — {former_unit}" if former_unit else text


def qualifier_label(qualifier: str) -> str:
    """'sơ bộ', 'giới hạn dưới' …: how a qualified figure is labelled beside it; '' for an exact one."""
    labels = {
        Qualifier.LOWER_BOUND: _("giới hạn dưới"),
        Qualifier.APPROX: _("xấp xỉ"),
        Qualifier.PRELIMINARY: _("ước tính sơ bộ"),
    }
    return str(labels.get(qualifier, ""))


def in_language(row, key: str) -> str:
    """`row[key]` (Vietnamese) or, in English, `row[key + '_en']` when there is one. A dict or an object."""
    get = row.get if isinstance(row, dict) else (lambda k: getattr(row, k, ""))
    if (get_language() or "vi").startswith("en") and get(f"{key}_en"):
        return str(get(f"{key}_en"))
    return str(get(key) or "")


def figure_note(figure) -> str:
    """A published figure's note in the page's language (issue #17 item 4): `note_en` in English when there
    is one, else `note` (Vietnamese). Takes a model instance or a row dict."""
    return in_language(figure, "note")


# --- the national frame (issue #21) ----------------------------------------------------------------------------


def provenance_badge(provenance: str) -> str:
    """A quote's provenance as its label ("trích từ báo chí", "nguồn tiếng Anh", "bản chép chưa đối chiếu"),
    or "" where the quote is the decision's own wording (its document, or an official page reproducing it)."""
    from .models import Provenance

    if provenance in ("", Provenance.OFFICIAL):
        return ""
    return str(Provenance(provenance).label) if provenance in Provenance.values else provenance


def national_floor(national: dict, *, city: dict | None = None, higher_is_better: bool = True) -> dict:
    """The national target beside a city's, as the pages show it: its text, document, provenance label,
    the note of the link, and whether the city's target is below it (`targets.national.below_floor`).

    `national` and `city` are plain values: comparator, value, value_max, unit (the national one also
    year, document number and title, provenance, id)."""
    from types import SimpleNamespace

    from .national import below_floor

    below = None
    if city is not None and city.get("unit") == national["unit"]:
        below = below_floor(
            (city["comparator"], float(city["value"]), _float(city.get("value_max"))),
            (national["comparator"], float(national["value"]), _float(national.get("value_max"))),
            higher_is_better=higher_is_better,
        )
    return {
        "id": national["id"],
        "text": target_text(SimpleNamespace(**{k: national.get(k) for k in _TARGET_FIELDS})),
        "year": national["year"],
        "document": national.get("document_number") or national.get("document_title", ""),
        "provenance": national.get("provenance", ""),
        "provenance_label": provenance_badge(national.get("provenance", "")),
        "note": (city or {}).get("national_note", ""),
        "below": bool(below),
    }


_TARGET_FIELDS = ("unit", "comparator", "value", "value_max")


def _float(value) -> float | None:
    return None if value is None else float(value)


def national_floor_of(target) -> dict | None:
    """`national_floor` of a Target whose `national_target` (with its document) and `indicator` are loaded:
    the catalogue table's column and the target page read the same answer. None without a national target."""
    nat = target.national_target
    if nat is None:
        return None
    return national_floor(
        {
            "id": nat.pk,
            "comparator": nat.comparator,
            "value": nat.value,
            "value_max": nat.value_max,
            "unit": nat.unit,
            "year": nat.year,
            "provenance": nat.provenance,
            "document_number": nat.document.number,
            "document_title": nat.document.title,
        },
        city={
            "comparator": target.comparator,
            "value": target.value,
            "value_max": target.value_max,
            "unit": target.unit,
            "national_note": target.national_note,
        },
        higher_is_better=target.indicator.higher_is_better,
    )
