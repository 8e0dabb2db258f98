"""The English catalogue follows the glossary (docs/glossary.md): one English word per Vietnamese term, and no
two actions or statuses share a label (issue 17: "Lưu nháp" read "draft", "Gửi duyệt" "approved", "Khoá kỳ"
and "Mở khoá kỳ" both "locked by")."""

from __future__ import annotations

import ast
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
CHECKED_KINDS = {"action", "status"}  # rule 3: these must never share an English label


@dataclass(frozen=True)
class Term:
    vi: str
    english: tuple[str, ...]  # accepted forms, the first is the preferred one
    kind: str
    context: str
    stem: str  # "" when the term is not checked inside sentences


@dataclass(frozen=True)
class Entry:
    context: str
    msgid: str
    msgstrs: tuple[str, ...]  # msgstr, or msgstr[0], msgstr[1]... for plurals
    fuzzy: bool


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _table(text: str, heading: str) -> list[list[str]]:
    """The rows of the first Markdown table after `heading`, as lists of stripped cells (header skipped)."""
    lines = text.splitlines()
    start = lines.index(heading)
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    assert rows, f"no table under {heading!r}"
    header, separator, *body = rows
    assert set("".join(separator)) <= set("-: "), f"the table under {heading!r} lacks its separator row"
    assert all(len(row) == len(header) for row in body), f"a row under {heading!r} has the wrong column count"
    return body


def parse_glossary(text: str) -> tuple[list[Term], set[tuple[str, str]]]:
    """(terms, exceptions) from the glossary's two tables; an exception is (msgid, term)."""
    text = _nfc(text)
    terms = [
        Term(
            vi=vi,
            english=tuple(e.strip() for e in english.split(";")),
            kind=kind,
            context=context,
            stem="" if stem in {"", "—"} else stem,
        )
        for vi, english, kind, context, stem in _table(text, "## Terms")
    ]
    exceptions = {(msgid.strip("`"), term) for msgid, term, _why in _table(text, "## Exceptions")}
    return terms, exceptions


def parse_po(text: str) -> list[Entry]:
    """The translated entries of a .po file (the header and obsolete entries left out)."""
    entries: list[Entry] = []
    for block in _nfc(text).split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        fuzzy = False
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            if not line or line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[key] += ast.literal_eval(line)
                continue
            key, _, value = line.partition(" ")
            fields[key] = ast.literal_eval(value)
        if fields.get("msgid"):
            strs = tuple(v for k, v in sorted(fields.items()) if k.startswith("msgstr"))
            entries.append(Entry(fields.get("msgctxt", ""), fields["msgid"], strs, fuzzy))
    return entries


def _in_case_of(english: str, vietnamese: str) -> str:
    """The English with its first letter upper-cased when the Vietnamese message starts with a capital."""
    return english[:1].upper() + english[1:] if vietnamese[:1].isupper() else english


def _matches(term: Term, entry: Entry) -> bool:
    return entry.msgid.casefold() == term.vi.casefold() and entry.context == term.context


def exact_term_errors(terms: list[Term], entries: list[Entry]) -> list[str]:
    """A message that is a glossary term is translated by the term's English."""
    errors = []
    for entry in entries:
        for term in terms:
            if _matches(term, entry):
                allowed = {_in_case_of(e, entry.msgid) for e in term.english}
                errors += [
                    f"{entry.msgid!r} → {s!r}, glossary says {sorted(allowed)}"
                    for s in entry.msgstrs
                    if s not in allowed
                ]
    return errors


def sentence_errors(terms: list[Term], exceptions: set[tuple[str, str]], entries: list[Entry]) -> list[str]:
    """A message containing a checked term has the term's English stem in its translation; longer terms first,
    and a matched term hides the shorter terms inside it."""
    by_length = sorted({t.vi for t in terms}, key=len, reverse=True)
    stems: dict[str, set[str]] = {}
    for t in terms:
        stems.setdefault(t.vi, set())
        if t.stem:
            stems[t.vi].add(t.stem.casefold())
    errors = []
    for entry in entries:
        rest = entry.msgid
        for vi in by_length:
            pattern = re.compile(rf"(?<!\w){re.escape(vi)}(?!\w)", re.IGNORECASE)
            if not pattern.search(rest):
                continue
            rest = pattern.sub("\0", rest)
            if (entry.msgid, vi) in exceptions:
                continue
            for stem in stems[vi]:
                errors += [
                    f"{entry.msgid!r} contains {vi!r} but {s!r} lacks {stem!r}"
                    for s in entry.msgstrs
                    if stem not in s.casefold()
                ]
    return errors


def shared_label_errors(terms: list[Term], entries: list[Entry]) -> list[str]:
    """No English label stands for two different actions or statuses, in the glossary or in the catalogue."""
    labels: dict[str, set[str]] = {}
    for t in terms:
        if t.kind in CHECKED_KINDS:
            for e in t.english:
                labels.setdefault(e.casefold(), set()).add(t.vi)
    for entry in entries:
        for t in terms:
            if t.kind in CHECKED_KINDS and _matches(t, entry):
                for s in entry.msgstrs:
                    labels.setdefault(s.casefold(), set()).add(t.vi)
    return [f"{label!r} is used for {sorted(vis)}" for label, vis in sorted(labels.items()) if len(vis) > 1]


def blank_or_fuzzy(entries: list[Entry]) -> list[str]:
    return [e.msgid for e in entries if e.fuzzy or not all(e.msgstrs)]


@pytest.fixture(scope="module")
def glossary() -> tuple[list[Term], set[tuple[str, str]]]:
    return parse_glossary(GLOSSARY.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return parse_po(PO.read_text(encoding="utf-8"))


def test_the_glossary_names_the_workflow_and_the_domain(glossary):
    terms, _ = glossary
    english = {(t.vi, t.context): t.english[0] for t in terms}
    assert english[("lưu nháp", "")] == "save draft"
    assert english[("gửi duyệt", "")] == "submit for review"
    assert english[("duyệt", "")] == "approve"
    assert english[("trả lại", "")] == "return"
    assert english[("trả lại", "status")] == "returned"
    assert english[("khoá kỳ", "")] == "lock the period"
    assert english[("mở khoá kỳ", "")] == "unlock the period"
    assert english[("mở lại", "")] == "reopen"
    assert english[("minh chứng", "")] == "evidence"
    assert english[("thẩm định", "")] == "review"
    assert english[("tạm tính", "")] == "provisional"
    assert english[("chỉ tiêu", "")] == "indicator"
    assert english[("mục tiêu", "")] == "target"
    assert english[("trụ cột", "")] == "pillar"
    assert english[("đơn vị", "")] == "department"
    assert english[("quý", "")] == "quarter"
    assert len(terms) > 80
    assert all(t.kind in {"action", "status", "term", "role", "organisation", "document"} for t in terms)


def test_a_message_that_is_a_glossary_term_uses_its_english(glossary, catalogue):
    terms, _ = glossary
    assert exact_term_errors(terms, catalogue) == []


def test_a_message_containing_a_workflow_term_says_it_in_english(glossary, catalogue):
    terms, exceptions = glossary
    assert sentence_errors(terms, exceptions, catalogue) == []


def test_no_two_actions_or_statuses_share_an_english_label(glossary, catalogue):
    terms, _ = glossary
    assert shared_label_errors(terms, catalogue) == []


def test_no_translation_is_empty_or_fuzzy(catalogue):
    assert len(catalogue) > 400
    assert blank_or_fuzzy(catalogue) == []


def test_every_exception_names_a_real_message_and_term(glossary, catalogue):
    terms, exceptions = glossary
    msgids = {e.msgid for e in catalogue}
    vis = {t.vi for t in terms}
    assert [(m, t) for m, t in exceptions if m not in msgids or t not in vis] == []


# The checks themselves, on the mistakes issue 17 reported (a catalogue in the shape main had).
REPORTED = """
msgid "Lưu nháp"
msgstr "draft"

msgid "Gửi duyệt"
msgstr "approved"

msgid "Duyệt"
msgstr "approved"

msgid "Khoá kỳ"
msgstr "locked by"

msgid "Mở khoá kỳ"
msgstr "locked by"

msgid "Đã nhập"
msgstr "Log in"

msgid "Ý kiến khi trả lại"
msgstr "returned"

#, fuzzy
msgid "Mở lại"
msgstr "returned"

msgid "Đã gửi duyệt %(n)d giá trị."
msgstr ""
"""


def test_the_checks_catch_the_mistakes_issue_17_reported(glossary):
    terms, exceptions = glossary
    entries = parse_po(REPORTED)
    exact = exact_term_errors(terms, entries)
    assert len(exact) == 7  # every entry but the comment and the empty one
    assert any("'Lưu nháp' → 'draft'" in e for e in exact)
    assert any("'Đã nhập' → 'Log in'" in e for e in exact)
    sentences = sentence_errors(terms, exceptions, entries)
    assert any("'Đã gửi duyệt %(n)d giá trị.'" in e for e in sentences)
    shared = shared_label_errors(terms, entries)
    assert any(e.startswith("'locked by'") and "khoá kỳ" in e and "mở khoá kỳ" in e for e in shared)
    assert any(e.startswith("'approved'") and "duyệt" in e and "gửi duyệt" in e for e in shared)
    assert any(e.startswith("'returned'") and "mở lại" in e for e in shared)
    assert blank_or_fuzzy(entries) == ["Mở lại", "Đã gửi duyệt %(n)d giá trị."]
