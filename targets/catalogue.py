"""Reading and checking the catalogue files in `fixtures/` — pure Python, no Django.

The catalogue is a set of TOML files (pillars, localities, indicators, documents, and one file of targets
per document) plus the source texts and the published figures CSV. `read_catalogue` parses every file and
checks it completely *before* anything is written, so that a broken fixture is reported with its file and
record and nothing is loaded. The service `targets.services.catalogue.catalogue_load` writes what this returns.

The national frame (issue #21) is read here too, when `catalogue/national/` exists: the country and its
documents (`national/country.toml`), the national-only indicators, the national targets (`targets.national`)
and the city → national links (`national_links.toml`), all checked before anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .periods import DISTRICT_LEVEL_ENDS

COMPARATORS = (">=", ">", "=", "~", "<=", "<", "range")
AGGREGATIONS = ("", "each_year", "period_average")
LEVELS = ("", "city", "district", "commune")
UNITS = ("percent", "count", "per_1000", "rank", "growth_rate", "score", "milestone", "index")
FREQUENCIES = ("quarterly", "annual")
MIN_YEAR, MAX_YEAR = 2020, 2035
# A target may look further ahead than the portal's reporting years: 57-NQ/TW sets a vision to 2045.
MAX_TARGET_YEAR = 2045

_WS = re.compile(r"\s+")


def normalise_ws(text: str) -> str:
    """Collapse every run of white space to one space: source lines break mid-sentence."""
    return _WS.sub(" ", text).strip()


class CatalogueError(Exception):
    """Every problem found in the catalogue files, each naming its file and record."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class Catalogue:
    pillars: list[dict[str, Any]] = field(default_factory=list)
    localities: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    # City target → the national target it derives from (issue #21), each with its note.
    national_links: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Schema:
    required: dict[str, type | tuple[type, ...]]
    optional: dict[str, type | tuple[type, ...]]


_NUMBER = (int, float)
_SCHEMAS: dict[str, _Schema] = {
    "pillar": _Schema({"slug": str, "name": str, "name_en": str, "order": int}, {}),
    "locality": _Schema(
        {"slug": str, "name": str},
        {
            "name_en": str,
            "valid_from": dt.date,
            "valid_to": dt.date,
            "predecessors": list,
            "is_demo": bool,
            "publishes": bool,
            "official_code": str,
            "is_country": bool,
        },
    ),
    "indicator": _Schema(
        # Every indicator has its definition: numerator, denominator, source (issue #16).
        {
            "code": str,
            "pillar": str,
            "name": str,
            "name_en": str,
            "unit": str,
            "frequency": str,
            "definition": str,
        },
        {"higher_is_better": bool},
    ),
    "document": _Schema(
        {"code": str, "locality": str, "title": str, "source_file": str},
        {
            "number": str,
            "issuer": str,
            "issued_on": dt.date,
            "source_url": str,
            "status_note": str,
            "status_note_en": str,
        },
    ),
    # A national decision whose signed text is not at hand (issue #21): no source file; `label` is how
    # national_targets.csv names it.
    "national_document": _Schema(
        {"code": str, "locality": str, "title": str, "label": str},
        {"number": str, "issuer": str, "issued_on": dt.date, "source_url": str, "source_file": str},
    ),
    "national_row": _Schema(
        {"text": str, "unit": str, "indicator": str, "note": str},
        # `ranked_among`: for a rank row, the number of countries the ranking ranks, where it is known.
        {"level": str, "year": int, "ranked_among": int},
    ),
    "national_link": _Schema(
        {"locality": str, "indicator": str, "year": int, "national_document": str, "note": str},
        {"level": str, "national_indicator": str, "national_year": int, "national_level": str},
    ),
    "target": _Schema(
        {"indicator": str, "year": int, "comparator": str, "value": _NUMBER, "quote": str},
        {
            "level": str,
            "value_max": _NUMBER,
            "baseline_year": int,
            "baseline_value": _NUMBER,
            "note": str,
            "applies_until": dt.date,
            "ranked_among": int,
            "pillar": str,
            "aggregation": str,
            "period_from": int,
        },
    ),
}


def check_record(
    kind: str, record: Any, where: str, errors: list[str], schemas: dict[str, _Schema] | None = None
) -> bool:
    """Required keys present, no unknown key, every value of its type; problems go to `errors` with `where`.

    `schemas` defaults to the catalogue's record kinds; other fixture readers (plans) pass their own.
    """
    if not isinstance(record, dict):
        errors.append(f"{where}: a {kind} must be a table of keys")
        return False
    schema = (schemas or _SCHEMAS)[kind]
    ok = True
    for key, typ in schema.required.items():
        if key not in record:
            errors.append(f"{where}: missing required key '{key}'")
            ok = False
        elif not _is_type(record[key], typ):
            errors.append(f"{where}: '{key}' has the wrong type ({type(record[key]).__name__})")
            ok = False
    for key, value in record.items():
        if key in schema.required:
            continue
        if key not in schema.optional:
            errors.append(f"{where}: unknown key '{key}'")
            ok = False
        elif not _is_type(value, schema.optional[key]):
            errors.append(f"{where}: '{key}' has the wrong type ({type(value).__name__})")
            ok = False
    return ok


def _is_type(value: Any, typ: type | tuple[type, ...]) -> bool:
    # bool is an int in Python; a number field must not accept true/false.
    if isinstance(value, bool) and typ in (int, _NUMBER):
        return False
    if typ is dt.date:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    return isinstance(value, typ)


def _load_toml(path: Path, errors: list[str]) -> dict[str, Any] | None:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        errors.append(f"{path.name}: file not found")
    except tomllib.TOMLDecodeError as exc:
        errors.append(f"{path.name}: not valid TOML ({exc})")
    except UnicodeDecodeError as exc:
        errors.append(f"{path.name}: not UTF-8 ({exc})")
    return None


def _records(data: dict[str, Any] | None, key: str, path: Path, errors: list[str]) -> list[tuple[str, Any]]:
    if data is None:
        return []
    items = data.get(key, [])
    if not isinstance(items, list):
        errors.append(f"{path.name}: '{key}' must be an array of tables ([[{key}]])")
        return []
    return [(f"{path.name}: {key} #{i}", item) for i, item in enumerate(items, start=1)]


def read_catalogue(root: Path) -> Catalogue:
    """Parse and check `root/catalogue/*.toml` and `root/sources/`; raise CatalogueError listing all problems."""
    errors: list[str] = []
    cat_dir = root / "catalogue"
    cat = Catalogue()

    seen_keys: dict[str, set[str]] = {}
    national_dir = cat_dir / "national"
    for kind, filename, key_field in (
        ("pillar", "pillars.toml", "slug"),
        ("locality", "localities.toml", "slug"),
        ("indicator", "indicators.toml", "code"),
        ("document", "documents.toml", "code"),
        # The national frame (issue #21): the country, its documents, its own indicators.
        ("locality", "national/country.toml", "slug"),
        ("indicator", "national/indicators.toml", "code"),
        ("document", "national/country.toml", "code"),
    ):
        path = cat_dir / filename
        if filename.startswith("national/") and not national_dir.is_dir():
            continue  # a catalogue without the national frame (older fixtures, tests)
        seen = seen_keys.setdefault(kind, set())
        schema_kind = (
            "national_document" if filename == "national/country.toml" and kind == "document" else kind
        )
        for where, record in _records(_load_toml(path, errors), kind, path, errors):
            if not check_record(schema_kind, record, where, errors):
                continue
            key = record[key_field]
            if key in seen:
                errors.append(f"{where} ({key}): duplicate {key_field} '{key}'")
                continue
            seen.add(key)
            record = dict(record, _where=f"{where} ({key})")
            {
                "pillar": cat.pillars,
                "locality": cat.localities,
                "indicator": cat.indicators,
                "document": cat.documents,
            }[kind].append(record)

    pillars = {p["slug"] for p in cat.pillars}
    localities = {loc["slug"] for loc in cat.localities}
    indicators = {i["code"]: i for i in cat.indicators}

    for loc in cat.localities:
        for pred in loc.get("predecessors", []):
            if pred not in localities:
                errors.append(f"{loc['_where']}: unknown predecessor '{pred}'")
    for ind in cat.indicators:
        if ind["pillar"] not in pillars:
            errors.append(f"{ind['_where']}: unknown pillar '{ind['pillar']}'")
        if ind["unit"] not in UNITS:
            errors.append(f"{ind['_where']}: unknown unit '{ind['unit']}' (one of {', '.join(UNITS)})")
        if ind["frequency"] not in FREQUENCIES:
            errors.append(f"{ind['_where']}: unknown frequency '{ind['frequency']}'")
        if "Nguồn" not in ind["definition"]:
            errors.append(f"{ind['_where']}: the definition must name the source of the figure ('Nguồn: …')")

    texts: dict[str, str] = {}
    documents: dict[str, dict[str, Any]] = {}
    for doc in cat.documents:
        if doc["locality"] not in localities:
            errors.append(f"{doc['_where']}: unknown locality '{doc['locality']}'")
        if not doc.get("source_file"):
            # A national decision without its signed text: its targets quote a named page instead.
            doc.update(source_file="", text="")
            documents[doc["code"]] = doc
            continue
        source = root / "sources" / doc["source_file"]
        try:
            doc["text"] = source.read_text(encoding="utf-8")
        except FileNotFoundError:
            errors.append(f"{doc['_where']}: source text '{doc['source_file']}' not found in sources/")
            continue
        except UnicodeDecodeError:
            errors.append(f"{doc['_where']}: source text '{doc['source_file']}' is not UTF-8")
            continue
        texts[doc["code"]] = normalise_ws(doc["text"])
        documents[doc["code"]] = doc

    seen_targets: dict[tuple[str, str, str, int, str], str] = {}
    for path in sorted((cat_dir / "targets").glob("*.toml")):
        data = _load_toml(path, errors)
        if data is None:
            continue
        doc_code = data.get("document")
        loc_slug = data.get("locality")
        if not isinstance(doc_code, str) or doc_code not in documents:
            errors.append(
                f"{path.name}: 'document' must name a document of documents.toml (got {doc_code!r})"
            )
            continue
        if not isinstance(loc_slug, str) or loc_slug not in localities:
            errors.append(
                f"{path.name}: 'locality' must name a locality of localities.toml (got {loc_slug!r})"
            )
            continue
        unknown = set(data) - {"document", "locality", "target"}
        if unknown:
            errors.append(f"{path.name}: unknown top-level keys {sorted(unknown)}")
        for where, record in _records(data, "target", path, errors):
            if not check_record("target", record, where, errors):
                continue
            target = _check_target(record, where, indicators, texts[doc_code], errors, pillars)
            if target is None:
                continue
            target.update(document=doc_code, locality=loc_slug)
            key = (target["indicator"], loc_slug, target["level"], target["year"], doc_code)
            if key in seen_targets:
                errors.append(f"{target['_where']}: duplicate of {seen_targets[key]}")
                continue
            seen_targets[key] = target["_where"]
            cat.targets.append(target)

    if national_dir.is_dir():
        from .national import read_national_links, read_national_targets

        read_national_targets(national_dir, cat, indicators, documents, seen_targets, errors)
        read_national_links(cat_dir / "national_links.toml", cat, errors)

    if errors:
        raise CatalogueError(errors)
    return cat


def _check_target(
    record: dict[str, Any],
    where: str,
    indicators: dict[str, dict[str, Any]],
    doc_text: str | None,
    errors: list[str],
    pillars: set[str] | None = None,
) -> dict[str, Any] | None:
    """Check one target record. `doc_text` None: the document's text is not at hand (a national decision);
    the quote is then kept exactly as given, with the page it was read on (checked by the caller)."""
    level = record.get("level", "")
    label = f"{where} ({record['indicator']} {record['year']}{' ' + level if level else ''})"
    before = len(errors)
    indicator = indicators.get(record["indicator"])
    if indicator is None:
        errors.append(f"{label}: unknown indicator '{record['indicator']}'")
        return None
    if level not in LEVELS:
        errors.append(f"{label}: unknown level '{level}' (one of city, district, commune, or none)")
    if not MIN_YEAR <= record["year"] <= MAX_TARGET_YEAR:
        errors.append(f"{label}: year {record['year']} outside {MIN_YEAR}–{MAX_TARGET_YEAR}")
    comparator = record["comparator"]
    if comparator not in COMPARATORS:
        errors.append(f"{label}: unknown comparator '{comparator}' (one of {' '.join(COMPARATORS)})")
    value = float(record["value"])
    value_max = record.get("value_max")
    if comparator == "range" and value_max is None:
        errors.append(f"{label}: a range needs 'value_max'")
    if comparator != "range" and value_max is not None:
        errors.append(f"{label}: only a range has 'value_max'")
    if value_max is not None and float(value_max) < value:
        errors.append(f"{label}: value_max {value_max} is below value {value}")
    unit = indicator["unit"]
    if unit == "percent" and not all(0 <= float(v) <= 100 for v in (value, value_max) if v is not None):
        errors.append(f"{label}: a percent target must lie within 0–100")
    if unit == "milestone" and (value != 1 or comparator != "="):
        errors.append(f"{label}: a milestone target is '= 1' (done)")
    if unit == "rank" and (value < 1 or value != int(value)):
        errors.append(f"{label}: a rank target is a whole number from 1")
    ranked_among = record.get("ranked_among")
    # A province's rank target names its ranking (63 units, or the 34 merged ones). A national target's world
    # ranking (EGDI, GII…) names it where its source says how many countries were ranked: the national
    # decisions do not (doc_text None: a national decision, read from a page that reproduces it).
    if unit == "rank" and ranked_among is None and doc_text is not None:
        errors.append(
            f"{label}: a rank target names the ranking it was set against ('ranked_among', e.g. 63)"
        )
    if unit != "rank" and ranked_among is not None:
        errors.append(f"{label}: only a rank target has 'ranked_among'")
    if ranked_among is not None and not value <= ranked_among:
        errors.append(f"{label}: rank {value:g} is beyond the {ranked_among} units ranked")
    pillar = record.get("pillar", indicator["pillar"])
    if pillars is not None and pillar not in pillars:
        errors.append(f"{label}: unknown pillar '{pillar}'")
    if "pillar" in record and record["pillar"] == indicator["pillar"]:
        errors.append(f"{label}: 'pillar' is the indicator's own; give it only where the document differs")
    aggregation = record.get("aggregation", "")
    period_from = record.get("period_from")
    if aggregation not in AGGREGATIONS:
        errors.append(f"{label}: unknown aggregation '{aggregation}' (each_year, period_average or none)")
    elif aggregation and (period_from is None or not MIN_YEAR <= period_from <= record["year"]):
        errors.append(f"{label}: a comparison over a period needs 'period_from', a year up to the target's")
    elif not aggregation and period_from is not None:
        errors.append(
            f"{label}: only a comparison over a period (each_year, period_average) has 'period_from'"
        )
    if ("baseline_year" in record) != ("baseline_value" in record):
        errors.append(f"{label}: a baseline needs both 'baseline_year' and 'baseline_value'")
    quote = normalise_ws(record["quote"])
    if not quote:
        errors.append(f"{label}: empty quote")
    elif doc_text is not None and quote not in doc_text:
        errors.append(f"{label}: quote does not appear verbatim in the document: {quote[:80]!r}")
    if len(errors) > before:
        return None
    applies_until = record.get("applies_until")
    if level == "district" and applies_until is None:
        # The district level was abolished on 2025-07-01: nothing reports at that level afterwards.
        applies_until = DISTRICT_LEVEL_ENDS
    return {
        "indicator": record["indicator"],
        "level": level,
        "year": record["year"],
        "comparator": comparator,
        "value": record["value"],
        "value_max": value_max,
        "baseline_year": record.get("baseline_year"),
        "baseline_value": record.get("baseline_value"),
        "quote": record["quote"],
        "note": record.get("note", ""),
        "applies_until": applies_until,
        "ranked_among": ranked_among,
        "pillar": pillar,
        "pillar_differs": pillar != indicator["pillar"],
        "aggregation": aggregation,
        "period_from": period_from,
        "unit": unit,
        "_where": label,
    }


@dataclass(frozen=True)
class PublishedFigure:
    locality: str
    indicator: str
    year: int
    value: float
    ranked_among: int | None
    note: str
    source: str
    where: str
    # `former`: the pre-merger unit in a year ranked for the merged ones; `merged`: the merged unit; "".
    unit_scope: str = ""
    published_on: dt.date | None = None  # the day it was first made public; None where unknown
    # From published_notes.toml (issue #16, #17 item 4): what the page says about the figure, in both
    # languages, its qualifier, and for a `former` row the former unit's name.
    qualifier: str = ""
    note_vi: str = ""
    note_en: str = ""
    unit_name: str = ""
    unit_name_en: str = ""


PUBLISHED_COLUMNS = (
    "locality",
    "indicator",
    "year",
    "value",
    "ranked_among",
    "unit_scope",
    "published_on",
    "note",
    "source",
)
UNIT_SCOPES = ("", "former", "merged")
QUALIFIERS = ("", ">", "~", "preliminary")
NOTES_FILE = "published_notes.toml"
_NOTE_SCHEMAS = {
    "figure": _Schema(
        {"locality": str, "indicator": str, "year": int, "note": str, "note_en": str},
        {"unit_scope": str, "qualifier": str, "unit_name": str, "unit_name_en": str},
    )
}


def read_published_notes(path: Path) -> dict[tuple[str, str, int, str], dict[str, str]]:
    """The published figures' display notes (`published_notes.toml`), keyed by (locality, indicator, year,
    unit_scope): each with a Vietnamese and an English note, a qualifier, and a `former` row's unit name."""
    errors: list[str] = []
    out: dict[tuple[str, str, int, str], dict[str, str]] = {}
    for where, record in _records(_load_toml(path, errors), "figure", path, errors):
        if not check_record("figure", record, where, errors, _NOTE_SCHEMAS):
            continue
        key = (record["locality"], record["indicator"], record["year"], record.get("unit_scope", ""))
        if key in out:
            errors.append(f"{where}: duplicate note for {key}")
        if not record["note"].strip() or not record["note_en"].strip():
            errors.append(f"{where}: a published figure needs its note in Vietnamese and in English")
        if record.get("qualifier", "") not in QUALIFIERS:
            errors.append(f"{where}: qualifier must be one of {QUALIFIERS}, not {record['qualifier']!r}")
        if key[3] == "former" and not (record.get("unit_name") and record.get("unit_name_en")):
            errors.append(f"{where}: a former unit's figure needs unit_name and unit_name_en")
        out[key] = {
            "qualifier": record.get("qualifier", ""),
            "note_vi": record["note"].strip(),
            "note_en": record["note_en"].strip(),
            "unit_name": record.get("unit_name", ""),
            "unit_name_en": record.get("unit_name_en", ""),
        }
    if errors:
        raise CatalogueError(errors)
    return out


def read_published(
    path: Path, *, localities: set[str], indicators: set[str], notes_path: Path | None = None
) -> list[PublishedFigure]:
    """Parse the published-figures CSV; every row must name a known locality and indicator and its source,
    and give `published_on` as an ISO date (or nothing, where it is unknown). A key (locality, indicator,
    year) appears once per `unit_scope`: a `former` and a `merged` row may share it (the merged one is the
    series' figure, the former one the predecessor's history). Every row has its notes in both languages
    in `notes_path` (default: `published_notes.toml` beside the CSV), and every note there has its row."""
    notes = read_published_notes(notes_path or path.parent / NOTES_FILE)
    errors: list[str] = []
    rows: list[PublishedFigure] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != PUBLISHED_COLUMNS:
                raise CatalogueError([f"{path.name}: columns must be {', '.join(PUBLISHED_COLUMNS)}"])
            seen: set[tuple[str, str, int, str]] = set()
            for line, row in enumerate(reader, start=2):
                where = f"{path.name}: line {line}"
                try:
                    year = int(row["year"])
                    value = float(row["value"])
                    ranked = int(row["ranked_among"]) if row["ranked_among"] else None
                except (TypeError, ValueError):
                    errors.append(f"{where}: year, value and ranked_among must be numbers")
                    continue
                if row["locality"] not in localities:
                    errors.append(f"{where}: unknown locality '{row['locality']}'")
                if row["indicator"] not in indicators:
                    errors.append(f"{where}: unknown indicator '{row['indicator']}'")
                if not (row["source"] or "").strip():
                    errors.append(f"{where}: a published figure needs its source")
                scope = (row.get("unit_scope") or "").strip()
                if scope not in UNIT_SCOPES:
                    errors.append(f"{where}: unit_scope must be empty, 'former' or 'merged', not '{scope}'")
                published_on = None
                if (row.get("published_on") or "").strip():
                    try:
                        published_on = dt.date.fromisoformat(row["published_on"].strip())
                    except ValueError:
                        errors.append(f"{where}: published_on must be a date (YYYY-MM-DD) or empty")
                key = (row["locality"], row["indicator"], year)
                if (*key, scope) in seen:
                    errors.append(f"{where}: duplicate figure for {key}")
                seen.add((*key, scope))
                note = notes.get((*key, scope))
                if note is None:
                    errors.append(
                        f"{where}: no note for {(*key, scope)} in {NOTES_FILE} (Vietnamese and English)"
                    )
                    note = {}
                rows.append(
                    PublishedFigure(
                        locality=row["locality"],
                        indicator=row["indicator"],
                        year=year,
                        value=value,
                        ranked_among=ranked,
                        note=row["note"] or "",
                        source=row["source"].strip(),
                        where=where,
                        unit_scope=scope,
                        published_on=published_on,
                        **note,
                    )
                )
            for key in set(notes) - seen:
                errors.append(f"{NOTES_FILE}: a note for {key}, which is not a row of {path.name}")
    except FileNotFoundError:
        errors.append(f"{path.name}: file not found")
    if errors:
        raise CatalogueError(errors)
    return rows
