"""Reading and checking the improvement-plan files (`fixtures/catalogue/plans/*.toml`) — pure Python, no Django.

A plan file holds one plan of a locality for a year: its document, goals, the agencies (departments) it
assigns work to, and its tasks, each quoted verbatim from the document. `read_plans` checks every file
completely before anything is written, so that a broken file is reported with its file and record and
nothing is loaded; `targets.services.plans.plans_load` writes what it returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalogue import MAX_YEAR, MIN_YEAR, CatalogueError, _load_toml, _records, check_record, normalise_ws
from .catalogue import _Schema as Schema

LEAD_BASES = ("stated", "inferred")

_SCHEMAS: dict[str, Schema] = {
    # An agency the plan names has its `quote`; one the plan does not name (the agency the law gives the job,
    # or a successor after the 2025 reorganisations) has its `basis` instead (issue #16).
    "agency": Schema(
        {"code": str, "name": str},
        {
            "name_en": str,
            "quote": str,
            "basis": str,
            "valid_from": dt.date,
            "valid_to": dt.date,
            "successor": str,
            "group": bool,
            "followed_up_by": str,
        },
    ),
    "task": Schema(
        {
            "code": str,
            "pillar": str,
            "component": str,
            "section": str,
            "text": str,
            "lead": str,
            "lead_basis": str,
        },
        {"cooperating": list, "basis": str, "indicators": list, "deadline": dt.date},
    ),
}
_TOP_LEVEL = {"document", "locality", "year", "title", "goals", "deadline", "agency", "task"}


@dataclass
class PlanFile:
    """One checked plan file; `where` names it in messages."""

    where: str
    document: str
    locality: str
    year: int
    title: str
    goals: str
    agencies: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)


def _check(kind: str, record: Any, where: str, errors: list[str]) -> bool:
    """Required keys present, no unknown key, every value of its type — the catalogue's own check."""
    return check_record(kind, record, where, errors, _SCHEMAS)


def read_plans(
    root: Path,
    *,
    documents: dict[str, tuple[str, str]],
    pillars: set[str],
    components: set[str],
    indicators: set[str],
) -> list[PlanFile]:
    """Parse and check `root/catalogue/plans/*.toml`; raise CatalogueError listing every problem.

    `documents` maps a document code to (locality slug, full text); the other sets are the known codes.
    """
    errors: list[str] = []
    plans: list[PlanFile] = []
    seen_plans: dict[tuple[str, int], str] = {}
    for path in sorted((root / "catalogue" / "plans").glob("*.toml")):
        data = _load_toml(path, errors)
        if data is None:
            continue
        plan = _read_plan(path, data, documents, pillars, components, indicators, errors)
        if plan is None:
            continue
        key = (plan.locality, plan.year)
        if key in seen_plans:
            errors.append(
                f"{path.name}: a plan for {plan.locality} {plan.year} is already in {seen_plans[key]}"
            )
            continue
        seen_plans[key] = path.name
        plans.append(plan)
    if errors:
        raise CatalogueError(errors)
    return plans


def _read_plan(
    path: Path,
    data: dict[str, Any],
    documents: dict[str, tuple[str, str]],
    pillars: set[str],
    components: set[str],
    indicators: set[str],
    errors: list[str],
) -> PlanFile | None:
    name = path.name
    before = len(errors)
    unknown = set(data) - _TOP_LEVEL
    if unknown:
        errors.append(f"{name}: unknown top-level keys {sorted(unknown)}")
    doc_code = data.get("document")
    if not isinstance(doc_code, str) or doc_code not in documents:
        errors.append(f"{name}: 'document' must name a loaded document (got {doc_code!r})")
        return None
    doc_locality, doc_text = documents[doc_code]
    text = normalise_ws(doc_text)
    locality = data.get("locality")
    if locality != doc_locality:
        errors.append(
            f"{name}: 'locality' must be the document's locality '{doc_locality}' (got {locality!r})"
        )
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        errors.append(f"{name}: 'year' must be a year within {MIN_YEAR}–{MAX_YEAR} (got {year!r})")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append(f"{name}: 'title' is required")
    goals = data.get("goals", "")
    if not isinstance(goals, str):
        errors.append(f"{name}: 'goals' must be text")
    else:
        for line in filter(None, (normalise_ws(g) for g in goals.splitlines())):
            if line not in text:
                errors.append(f"{name}: goals do not appear verbatim in the document: {line[:80]!r}")
    default_deadline = data.get("deadline")
    if default_deadline is not None and (
        not isinstance(default_deadline, dt.date) or isinstance(default_deadline, dt.datetime)
    ):
        errors.append(f"{name}: 'deadline' must be a date")

    agencies: dict[str, dict[str, Any]] = {}
    for where, record in _records(data, "agency", path, errors):
        if not _check("agency", record, where, errors):
            continue
        label = f"{where} ({record['code']})"
        if record["code"] in agencies:
            errors.append(f"{label}: duplicate agency code")
            continue
        if "quote" in record and normalise_ws(record["quote"]) not in text:
            errors.append(
                f"{label}: quote does not appear verbatim in the document: {record['quote'][:80]!r}"
            )
        if "quote" not in record and not record.get("basis", "").strip():
            errors.append(f"{label}: an agency the plan does not name needs its 'basis'")
        if "successor" in record and "valid_to" not in record:
            errors.append(f"{label}: a successor takes over from a unit that ends: give 'valid_to'")
        if "valid_from" in record and "valid_to" in record and record["valid_to"] < record["valid_from"]:
            errors.append(f"{label}: 'valid_to' is before 'valid_from'")
        if record.get("followed_up_by") and not record.get("group"):
            errors.append(f"{label}: only a group of agencies ('group = true') is followed up by another")
        agencies[record["code"]] = {
            "code": record["code"],
            "name": record["name"],
            "name_en": record.get("name_en", ""),
            "valid_from": record.get("valid_from"),
            "valid_to": record.get("valid_to"),
            "successor": record.get("successor", ""),
            "is_group": record.get("group", False),
            "followed_up_by": record.get("followed_up_by", ""),
            "_where": label,
        }
    for agency in agencies.values():
        for key in ("successor", "followed_up_by"):
            if agency[key] and agency[key] not in agencies:
                errors.append(f"{agency['_where']}: {key} '{agency[key]}' is not an [[agency]] of the file")

    tasks: list[dict[str, Any]] = []
    codes: set[str] = set()
    for order, (where, record) in enumerate(_records(data, "task", path, errors), start=1):
        if not _check("task", record, where, errors):
            continue
        label = f"{where} ({record['code']})"
        task = _check_task(record, label, text, agencies, pillars, components, indicators, errors)
        if task is None:
            continue
        if task["code"] in codes:
            errors.append(f"{label}: duplicate task code")
            continue
        codes.add(task["code"])
        task["order"] = order
        task["deadline"] = record.get("deadline", default_deadline)
        tasks.append(task)
    if not tasks and len(errors) == before:
        errors.append(f"{name}: a plan needs at least one [[task]]")
    if len(errors) > before:
        return None
    return PlanFile(
        where=name,
        document=doc_code,
        locality=locality,
        year=year,
        title=title.strip(),
        goals=goals.strip(),
        agencies=list(agencies.values()),
        tasks=tasks,
    )


def _check_task(
    record: dict[str, Any],
    label: str,
    text: str,
    agencies: dict[str, dict[str, Any]],
    pillars: set[str],
    components: set[str],
    indicators: set[str],
    errors: list[str],
) -> dict[str, Any] | None:
    before = len(errors)
    for key in ("cooperating", "indicators"):
        if not all(isinstance(code, str) for code in record.get(key, [])):
            errors.append(f"{label}: '{key}' must be a list of codes")
            return None
    if record["pillar"] not in pillars:
        errors.append(f"{label}: unknown pillar '{record['pillar']}'")
    if record["component"] not in components:
        errors.append(f"{label}: unknown DTI component '{record['component']}'")
    for key in ("text", "section"):
        quoted = normalise_ws(record[key])
        if not quoted:
            errors.append(f"{label}: empty {key}")
        elif quoted not in text:
            errors.append(f"{label}: {key} does not appear verbatim in the document: {quoted[:80]!r}")
    if record["lead"] not in agencies:
        errors.append(f"{label}: lead '{record['lead']}' is not an [[agency]] of the file")
    cooperating = record.get("cooperating", [])
    for code in cooperating:
        if code not in agencies:
            errors.append(f"{label}: co-operating agency '{code}' is not an [[agency]] of the file")
        elif code == record["lead"]:
            errors.append(f"{label}: the lead agency '{code}' is also listed as co-operating")
    if len(set(cooperating)) != len(cooperating):
        errors.append(f"{label}: a co-operating agency is listed twice")
    for code in record.get("indicators", []):
        if code not in indicators:
            errors.append(f"{label}: unknown indicator '{code}'")
    if record["lead_basis"] not in LEAD_BASES:
        errors.append(f"{label}: 'lead_basis' must be one of {', '.join(LEAD_BASES)}")
    elif record["lead_basis"] == "inferred" and not record.get("basis", "").strip():
        errors.append(f"{label}: an inferred lead agency needs its 'basis'")
    if len(errors) > before:
        return None
    return {
        "code": record["code"],
        "pillar": record["pillar"],
        "component": record["component"],
        "section": normalise_ws(record["section"]),
        "text": record["text"].strip(),
        "lead": record["lead"],
        "cooperating": list(cooperating),
        "lead_inferred": record["lead_basis"] == "inferred",
        "basis": record.get("basis", "").strip(),
        "indicators": list(record.get("indicators", [])),
        "_where": label,
    }


def successor_on(
    department_id: int, day: dt.date, links: dict[int, tuple[dt.date | None, int | None]]
) -> int:
    """The department that answers on `day` for `department_id`'s work (issue #16): the department itself
    while it is active, else its successor — followed as long as each one has ended by `day`. `links`:
    id → (valid_to, successor id). A unit that ended without a successor still answers (nobody else does)."""
    seen = {department_id}
    current = department_id
    while True:
        valid_to, successor = links.get(current, (None, None))
        if valid_to is None or day <= valid_to or successor is None or successor in seen:
            return current
        seen.add(successor)
        current = successor
