"""Reading and checking the DTI framework files (issue #21) — pure Python, no Django.

`fixtures/catalogue/dti/`:
- `frameworks.toml`: one record per framework version (code, the `framework` and `decision` it has in the
  CSV, the ranking years it scored, a note);
- `dti_frameworks.csv`: the reference file's rows (pillars, groups, main indices, components), unchanged;
- `indicator_links.toml`: the index each indicator feeds under each framework, with its note; `[[unlinked]]`
  records an indicator that feeds none, and why;
- `task_links.toml`: the index each plan task feeds, by the task's pillar and (2020-grid) component;
- `index_scores.csv`: main-index scores a locality was given, with their source.

A new framework (or programme) is new rows and records in these files: no code changes. `read_frameworks`
checks everything before anything is written and raises CatalogueError listing every problem.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalogue import CatalogueError, _load_toml, _records, check_record
from .catalogue import _Schema as Schema

LEVELS = ("total", "pillar", "group", "main", "component")
FRAMEWORK_COLUMNS = (
    "framework",
    "decision",
    "date",
    "level",
    "code",
    "parent_code",
    "name_vi",
    "name_en",
    "max_points_or_weight",
    "source",
)
SCORE_COLUMNS = ("locality", "framework", "index", "year", "value", "source", "note")
_SCHEMAS = {
    "framework": Schema(
        {"code": str, "framework": str, "decision": str},
        {"first_year": int, "last_year": int, "provincial": bool, "note": str},
    ),
    "link": Schema({"indicator": str, "framework": str, "index": str, "note": str}, {}),
    "unlinked": Schema({"indicator": str, "note": str}, {}),
    "grid": Schema({"framework": str, "component": str, "index": str, "note": str}, {"pillar": str}),
}


@dataclass
class Frameworks:
    frameworks: list[dict[str, Any]] = field(default_factory=list)
    # (framework code, key, level, code, parent key or "", name, name_en, points, source)
    indices: list[dict[str, Any]] = field(default_factory=list)
    indicator_links: list[dict[str, Any]] = field(default_factory=list)
    unlinked: dict[str, str] = field(default_factory=dict)
    grid: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)


def index_key(row: dict[str, str], same_name: int) -> str:
    """How fixtures name an index: its published code where there is one, else its name, prefixed by its
    parent's name where the name repeats in the framework (1726 repeats its 7 main indices per pillar)."""
    if row["code"].strip():
        return row["code"].strip()
    parent = row["parent_code"].strip()
    if same_name > 1 and parent.startswith("name:"):
        return f"{parent[5:]} › {row['name_vi'].strip()}"
    return row["name_vi"].strip()


def read_frameworks(root: Path, *, indicators: set[str], localities: set[str]) -> Frameworks:
    """Parse and check `root/catalogue/dti/`; raise CatalogueError listing all problems."""
    errors: list[str] = []
    out = Frameworks()
    folder = root / "catalogue" / "dti"
    if not folder.is_dir():
        return out

    path = folder / "frameworks.toml"
    by_pair: dict[tuple[str, str], dict[str, Any]] = {}
    for where, rec in _records(_load_toml(path, errors), "framework", path, errors):
        if not check_record("framework", rec, where, errors, _SCHEMAS):
            continue
        pair = (rec["framework"], rec["decision"])
        if pair in by_pair or rec["code"] in {f["code"] for f in out.frameworks}:
            errors.append(f"{where}: duplicate framework {rec['code']} {pair}")
            continue
        first, last = rec.get("first_year"), rec.get("last_year")
        if first is not None and last is not None and last < first:
            errors.append(f"{where}: last_year {last} is before first_year {first}")
            continue
        fw = dict(rec, _where=where, _date=None)
        by_pair[pair] = fw
        out.frameworks.append(fw)

    rows = _read_csv(folder / "dti_frameworks.csv", FRAMEWORK_COLUMNS, errors)
    per_framework: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for where, row in rows:
        fw = by_pair.get((row["framework"], row["decision"]))
        if fw is None:
            errors.append(
                f"{where}: framework {row['framework']!r} {row['decision']!r} is not in frameworks.toml"
            )
            continue
        if row["level"] not in LEVELS:
            errors.append(f"{where}: level must be one of {', '.join(LEVELS)} (got {row['level']!r})")
            continue
        if not row["name_vi"].strip():
            errors.append(f"{where}: an index needs its name")
            continue
        try:
            date = dt.date.fromisoformat(row["date"])
        except ValueError:
            errors.append(f"{where}: date must be YYYY-MM-DD (got {row['date']!r})")
            continue
        if fw["_date"] not in (None, date):
            errors.append(f"{where}: date {date} differs from the framework's other rows ({fw['_date']})")
        fw["_date"] = date
        per_framework.setdefault(fw["code"], []).append((where, row))
    for fw in out.frameworks:
        fw_rows = per_framework.get(fw["code"], [])
        if not fw_rows:
            errors.append(f"{fw['_where']}: no row of dti_frameworks.csv")
            continue
        counts: dict[str, int] = {}
        for _, row in fw_rows:
            counts[row["name_vi"].strip()] = counts.get(row["name_vi"].strip(), 0) + 1
        keys: dict[str, dict[str, Any]] = {}
        by_code = {row["code"].strip(): row for _, row in fw_rows if row["code"].strip()}
        by_name: dict[str, list[dict[str, str]]] = {}
        for _, row in fw_rows:
            by_name.setdefault(row["name_vi"].strip(), []).append(row)
        for order, (where, row) in enumerate(fw_rows, start=1):
            key = index_key(row, counts[row["name_vi"].strip()])
            if key in keys:
                errors.append(f"{where}: index {key!r} twice in {fw['code']}")
                continue
            parent_ref = row["parent_code"].strip()
            parent_key = ""
            if parent_ref.startswith("name:"):
                parents = by_name.get(parent_ref[5:], [])
                if len(parents) != 1:
                    errors.append(f"{where}: parent {parent_ref!r} names {len(parents)} rows, not one")
                    continue
                parent_key = index_key(parents[0], counts[parents[0]["name_vi"].strip()])
            elif parent_ref:
                if parent_ref not in by_code:
                    errors.append(f"{where}: unknown parent code {parent_ref!r}")
                    continue
                parent_key = parent_ref
            keys[key] = {
                "framework": fw["code"],
                "key": key,
                "level": row["level"],
                "code": row["code"].strip(),
                "parent": parent_key,
                "name": row["name_vi"].strip(),
                "name_en": row["name_en"].strip(),
                "points": row["max_points_or_weight"].strip(),
                "source": row["source"].strip(),
                "order": order,
            }
        out.indices.extend(keys.values())
    index_keys = {(i["framework"], i["key"]) for i in out.indices}
    framework_codes = {fw["code"] for fw in out.frameworks}

    def check_index(where: str, rec: dict[str, Any]) -> bool:
        if rec["framework"] not in framework_codes:
            errors.append(f"{where}: unknown framework '{rec['framework']}'")
            return False
        if (rec["framework"], rec["index"]) not in index_keys:
            errors.append(f"{where}: framework {rec['framework']} has no index {rec['index']!r}")
            return False
        if not rec["note"].strip():
            errors.append(f"{where}: a link needs its note")
            return False
        return True

    path = folder / "indicator_links.toml"
    data = _load_toml(path, errors)
    seen: set[tuple[str, str]] = set()
    for where, rec in _records(data, "link", path, errors):
        if not check_record("link", rec, where, errors, _SCHEMAS):
            continue
        if rec["indicator"] not in indicators:
            errors.append(f"{where}: unknown indicator '{rec['indicator']}'")
            continue
        if not check_index(where, rec):
            continue
        pair = (rec["indicator"], rec["framework"])
        if pair in seen:
            errors.append(f"{where}: indicator {pair[0]} linked twice under {pair[1]}")
            continue
        seen.add(pair)
        out.indicator_links.append(dict(rec, _where=where))
    for where, rec in _records(data, "unlinked", path, errors):
        if not check_record("unlinked", rec, where, errors, _SCHEMAS):
            continue
        if rec["indicator"] not in indicators:
            errors.append(f"{where}: unknown indicator '{rec['indicator']}'")
            continue
        if any(link["indicator"] == rec["indicator"] for link in out.indicator_links):
            errors.append(f"{where}: indicator {rec['indicator']} is linked and unlinked")
            continue
        out.unlinked[rec["indicator"]] = rec["note"]

    path = folder / "task_links.toml"
    seen_grid: set[tuple[str, str, str]] = set()
    for where, rec in _records(_load_toml(path, errors), "grid", path, errors):
        if not check_record("grid", rec, where, errors, _SCHEMAS):
            continue
        if not check_index(where, rec):
            continue
        cell = (rec["framework"], rec.get("pillar", ""), rec["component"])
        if cell in seen_grid:
            errors.append(f"{where}: cell {cell} twice")
            continue
        seen_grid.add(cell)
        out.grid.append(dict(rec, pillar=rec.get("pillar", ""), _where=where))

    for where, row in _read_csv(folder / "index_scores.csv", SCORE_COLUMNS, errors):
        if row["locality"] not in localities:
            errors.append(f"{where}: unknown locality '{row['locality']}'")
            continue
        if (row["framework"], row["index"]) not in index_keys:
            errors.append(f"{where}: framework {row['framework']!r} has no index {row['index']!r}")
            continue
        try:
            year, value = int(row["year"]), float(row["value"])
        except ValueError:
            errors.append(f"{where}: year and value must be numbers")
            continue
        if not 0 <= value <= 1:
            errors.append(f"{where}: a DTI score lies within 0–1 (got {value})")
            continue
        if not row["source"].strip():
            errors.append(f"{where}: a published score needs its source")
            continue
        out.scores.append(dict(row, year=year, value=row["value"].strip(), _where=where))

    if errors:
        raise CatalogueError(errors)
    return out


def grid_index(grid: list[dict[str, Any]], *, framework: str, pillar: str, component: str) -> dict | None:
    """The grid record a task of (pillar, component) follows under a framework: the pillar's own cell
    first, then the cell for every pillar; None when the grid has neither."""
    for rec in grid:
        if rec["framework"] == framework and rec["component"] == component and rec["pillar"] == pillar:
            return rec
    for rec in grid:
        if rec["framework"] == framework and rec["component"] == component and rec["pillar"] == "":
            return rec
    return None


def framework_for_year(frameworks: list[dict[str, Any]], year: int) -> dict[str, Any] | None:
    """The provincial framework a ranking of `year` was computed under (a 2022 score is a 922 score). Where
    two cover the year (the current one has no last year yet), the one that started later wins: adding the
    next framework needs no change to the one before."""
    found = None
    for fw in frameworks:
        first, last = fw.get("first_year"), fw.get("last_year")
        covers = fw.get("provincial", True) and first is not None and first <= year <= (last or 9999)
        if covers and (found is None or first > found["first_year"]):
            found = fw
    return found


def _read_csv(path: Path, columns: tuple[str, ...], errors: list[str]) -> list[tuple[str, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != columns:
                errors.append(f"dti/{path.name}: columns must be {', '.join(columns)}")
                return []
            rows = []
            for line, row in enumerate(reader, start=2):
                where = f"dti/{path.name}: line {line}"
                if None in row or any(v is None for v in row.values()):
                    errors.append(f"{where}: the row does not have the {len(columns)} columns")
                    continue
                rows.append((where, row))
            return rows
    except FileNotFoundError:
        errors.append(f"dti/{path.name}: file not found")
    except (UnicodeDecodeError, csv.Error) as exc:
        errors.append(f"dti/{path.name}: not a readable UTF-8 CSV ({exc})")
    return []
