"""The national frame (issue #21) — pure Python, no Django.

- `read_national_targets`: `fixtures/catalogue/national/national_targets.csv` (a copy of the reference file,
  unchanged) becomes targets of the country (`viet-nam`), each row read through `indicator_map.toml` and
  checked by the catalogue's own target checks (comparators, units, ranges, years). Quote, source and
  provenance are kept exactly as the file gives them.
- `read_national_links`: `fixtures/catalogue/national_links.toml`, each city target's national target.
- `below_floor`: whether a city target asks for less than the national target it derives from.

Everything is checked before anything is written: a problem anywhere refuses the whole catalogue.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

COUNTRY = "viet-nam"
NATIONAL_COLUMNS = (
    "document",
    "clause",
    "year",
    "pillar",
    "indicator_text",
    "comparator",
    "value",
    "unit",
    "quote",
    "source",
    "provenance",
)
PROVENANCES = ("official", "press", "english-source", "transcription")
QUALITATIVE_UNIVERSAL = "phổ cập"  # "universal": read as a milestone reached (= 1)

# The file's unit → the portal's unit. A unit not listed here refuses the file (add it here when a new
# programme uses one: that is the one code change a new unit needs).
_RANK = re.compile(r"^thứ hạng\b")
_UNITS: dict[str, str] = {
    "%/năm": "growth_rate",
    "(định tính: phổ cập)": "milestone",
    "HDI": "score",
    "doanh nghiệp/1000 dân": "per_1000",
    "người/vạn dân": "count",
    "Tbps": "count",
    "doanh nghiệp": "count",
    "tổ chức": "count",
    "tổ chức/doanh nghiệp": "count",
    "tuyến": "count",
    "trung tâm": "count",
    "sàn dữ liệu": "count",
    "thành phố/tỉnh": "count",
}


def portal_unit(unit: str) -> str | None:
    """The portal's unit for a unit as the national file writes it, or None if it is not known."""
    unit = unit.strip()
    if unit in _UNITS:
        return _UNITS[unit]
    if unit.startswith("%"):
        return "percent"
    if _RANK.match(unit):
        return "rank"
    return None


def _number(text: str) -> Decimal:
    """A number as the file writes it: "80", "0,7" (Vietnamese decimal comma)."""
    return Decimal(text.strip().replace(",", "."))


def parse_value(comparator: str, value: str) -> tuple[str, Decimal, Decimal | None]:
    """(comparator, value, value_max) of a row: `range` "40-50" → 40 and 50; "phổ cập" → "= 1".

    Raises ValueError with the reason."""
    value = value.strip()
    if value == QUALITATIVE_UNIVERSAL:
        if comparator != "=":
            raise ValueError(f"'{QUALITATIVE_UNIVERSAL}' is read as '= 1': the comparator must be '='")
        return "=", Decimal(1), None
    try:
        if comparator == "range":
            low, sep, high = value.partition("-")
            if not sep:
                raise ValueError(f"a range is written 'low-high' (got {value!r})")
            return "range", _number(low), _number(high)
        return comparator, _number(value), None
    except InvalidOperation:
        raise ValueError(f"value {value!r} is not a number") from None


def read_national_targets(
    national_dir: Path,
    cat: Any,
    indicators: dict[str, dict[str, Any]],
    documents: dict[str, dict[str, Any]],
    seen_targets: dict[tuple, str],
    errors: list[str],
) -> None:
    """Append the national targets to `cat.targets`; every problem goes to `errors` with file and line."""
    from .catalogue import _check_target, _load_toml, _records, check_record

    map_path = national_dir / "indicator_map.toml"
    readings: dict[tuple[str, str], dict[str, Any]] = {}
    for where, rec in _records(_load_toml(map_path, errors), "row", map_path, errors):
        if not check_record("national_row", rec, where, errors):
            continue
        key = (rec["text"], rec["unit"])
        if key in readings:
            errors.append(f"{where}: duplicate reading of {rec['text']!r} ({rec['unit']})")
            continue
        if rec["indicator"] not in indicators:
            errors.append(f"{where}: unknown indicator '{rec['indicator']}'")
            continue
        readings[key] = dict(rec, _where=where, _used=False)

    by_label = {doc["label"]: doc for doc in documents.values() if doc.get("label")}
    path = national_dir / "national_targets.csv"
    try:
        fh = path.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        errors.append(f"national/{path.name}: file not found")
        return
    with fh:
        try:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != NATIONAL_COLUMNS:
                errors.append(f"national/{path.name}: columns must be {', '.join(NATIONAL_COLUMNS)}")
                return
            rows = list(enumerate(reader, start=2))
        except (UnicodeDecodeError, csv.Error) as exc:
            errors.append(f"national/{path.name}: not a readable UTF-8 CSV ({exc})")
            return
    for line, row in rows:
        where = f"national/{path.name}: line {line}"
        if None in row or any(v is None for v in row.values()):
            errors.append(f"{where}: the row does not have the {len(NATIONAL_COLUMNS)} columns")
            continue
        doc = by_label.get(row["document"])
        if doc is None:
            errors.append(f"{where}: document {row['document']!r} is not a national document of country.toml")
            continue
        provenance = row["provenance"].strip()
        if provenance not in PROVENANCES:
            errors.append(f"{where}: provenance must be one of {', '.join(PROVENANCES)} (got {provenance!r})")
            continue
        if not row["source"].strip():
            errors.append(f"{where}: a national target needs the source its quote was read on")
            continue
        reading = readings.get((row["indicator_text"], row["unit"]))
        if reading is None:
            errors.append(
                f"{where}: no reading in indicator_map.toml for {row['indicator_text']!r} ({row['unit']})"
            )
            continue
        reading["_used"] = True
        indicator = indicators[reading["indicator"]]
        unit = portal_unit(row["unit"])
        if unit is None:
            errors.append(f"{where}: unknown unit {row['unit']!r}")
            continue
        if unit != indicator["unit"]:
            errors.append(
                f"{where}: unit {row['unit']!r} reads as '{unit}' but indicator "
                f"'{indicator['code']}' is in '{indicator['unit']}'"
            )
            continue
        try:
            comparator, value, value_max = parse_value(row["comparator"], row["value"])
        except ValueError as exc:
            errors.append(f"{where}: {exc}")
            continue
        year_text = row["year"].strip()
        if year_text:
            if "year" in reading:
                errors.append(f"{where}: the file gives the year; indicator_map.toml must not")
                continue
            try:
                year = int(year_text)
            except ValueError:
                errors.append(f"{where}: year {year_text!r} is not a year")
                continue
        elif "year" in reading:
            year = reading["year"]
        else:
            errors.append(f"{where}: no year in the file, and indicator_map.toml gives none")
            continue
        record = {
            "indicator": reading["indicator"],
            "year": year,
            "comparator": comparator,
            "value": float(value),
            "quote": row["quote"],
            "level": reading.get("level", ""),
            "note": f"{row['indicator_text']} — {reading['note']}",
        }
        if value_max is not None:
            record["value_max"] = float(value_max)
        if "ranked_among" in reading:  # read by a catalogue that records each rank target's ranking
            record["ranked_among"] = reading["ranked_among"]
        target = _check_target(record, where, indicators, None, errors)
        if target is None:
            continue
        target.update(
            document=doc["code"],
            locality=doc["locality"],
            quote=row["quote"],  # exactly as the file gives it
            provenance=provenance,
            quote_source=row["source"],
            clause=row["clause"],
        )
        key = (target["indicator"], doc["locality"], target["level"], target["year"], doc["code"])
        if key in seen_targets:
            errors.append(f"{target['_where']}: duplicate of {seen_targets[key]}")
            continue
        seen_targets[key] = target["_where"]
        cat.targets.append(target)
    for reading in readings.values():
        if not reading["_used"]:
            errors.append(f"{reading['_where']}: reads no row of national_targets.csv")


def read_national_links(path: Path, cat: Any, errors: list[str]) -> None:
    """Read the city → national target links into `cat.national_links`, each naming existing targets."""
    from .catalogue import _load_toml, _records, check_record

    if not path.exists():
        return
    # A city may set the same target in two documents (a resolution and a later plan): a link covers both.
    targets: dict[tuple, list[dict[str, Any]]] = {}
    for t in cat.targets:
        targets.setdefault((t["locality"], t["indicator"], t["level"], t["year"]), []).append(t)
    national = {
        (t["document"], t["indicator"], t["level"], t["year"]): t
        for t in cat.targets
        if t["locality"] == COUNTRY
    }
    seen: set[tuple] = set()
    for where, rec in _records(_load_toml(path, errors), "link", path, errors):
        if not check_record("national_link", rec, where, errors):
            continue
        level = rec.get("level", "")
        key = (rec["locality"], rec["indicator"], level, rec["year"])
        label = f"{where} ({rec['locality']} {rec['indicator']} {rec['year']}{' ' + level if level else ''})"
        if rec["locality"] == COUNTRY:
            errors.append(f"{label}: a link goes from a city target to a national one")
            continue
        city = targets.get(key)
        if not city:
            errors.append(f"{label}: no such city target")
            continue
        nkey = (
            rec["national_document"],
            rec.get("national_indicator", rec["indicator"]),
            rec.get("national_level", level),
            rec.get("national_year", rec["year"]),
        )
        nat = national.get(nkey)
        if nat is None:
            errors.append(f"{label}: no national target {nkey}")
            continue
        if key in seen:
            errors.append(f"{label}: linked twice")
            continue
        if not rec["note"].strip():
            errors.append(f"{label}: a link needs its note (why it derives from that national target)")
            continue
        seen.add(key)
        national_key = (nat["indicator"], COUNTRY, nat["level"], nat["year"], nat["document"])
        for t in city:
            city_key = (t["indicator"], t["locality"], t["level"], t["year"], t["document"])
            cat.national_links.append(
                {"city": city_key, "national": national_key, "note": rec["note"], "_where": label}
            )


# --------------------------------------------------------------------------- below the national floor


def below_floor(
    city: tuple[str, float, float | None],
    national: tuple[str, float, float | None],
    *,
    higher_is_better: bool,
) -> bool | None:
    """Whether a city target asks for less than its national floor. Each target is (comparator, value,
    value_max). None when the two cannot be compared (a `~` or a milestone's wording is no floor).

    The bar a target sets is the least result that meets it, in the indicator's good direction:
    - higher is better: `>= v` and `= v` (read as a level to reach) ask for v; `> v` asks for just above v;
      a range `a–b` asks for a (its low end).
    - lower is better (ranks, "remaining" shares): `<= v` and `= v` allow up to v; `< v` up to just below v;
      a range allows up to b.
    The city is below the floor when its bar is weaker than the national one: a lower bar where higher is
    better, a looser limit where lower is better. Equal bars are not below; `> 80` is stricter than `>= 80`.
    """
    c = _bar(*city, higher_is_better=higher_is_better)
    n = _bar(*national, higher_is_better=higher_is_better)
    if c is None or n is None:
        return None
    if higher_is_better:
        return c < n
    return c > n


def _bar(comparator: str, value: float, value_max: float | None, *, higher_is_better: bool):
    """(value, strictness) ordered so that tuples compare as bars: a strict `>` is a hair above its value."""
    if comparator == "~":
        return None
    if higher_is_better:
        if comparator in (">=", "="):
            return (value, 0)
        if comparator == ">":
            return (value, 1)
        if comparator == "range":
            return (value, 0)
        return None  # `<`, `<=` set a ceiling, not a floor, for a higher-is-better indicator
    if comparator in ("<=", "="):
        return (value, 0)
    if comparator == "<":
        return (value, -1)
    if comparator == "range":
        return (value_max if value_max is not None else value, 0)
    return None
