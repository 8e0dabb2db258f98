"""English is complete and the committed .mo matches the .po (Vietnamese is the source language)."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"


def _entries() -> list[dict]:
    entries, current, key = [], None, None
    for raw in (LOCALE / "django.po").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            if current:
                entries.append(current)
            current, key = None, None
            continue
        if line.startswith("#"):
            current = current or {"flags": ""}
            if line.startswith("#,"):
                current["flags"] += line
            continue
        current = current or {"flags": ""}
        if line.startswith('"'):
            current[key] += ast.literal_eval(line)
            continue
        key, _, value = line.partition(" ")
        current[key] = ast.literal_eval(value)
    if current:
        entries.append(current)
    return [e for e in entries if e.get("msgid")]


def test_every_message_has_an_english_translation():
    entries = _entries()
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == [] and fuzzy == []


def test_the_compiled_catalogue_matches_the_source():
    with (LOCALE / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for e in _entries():
        context = e.get("msgctxt")
        if "msgid_plural" in e:
            one = (
                compiled.npgettext(context, e["msgid"], e["msgid_plural"], 1)
                if context
                else compiled.ngettext(e["msgid"], e["msgid_plural"], 1)
            )
            assert one == e["msgstr[0]"]
        elif context:
            assert compiled.pgettext(context, e["msgid"]) == e["msgstr"], e["msgid"]
        else:
            assert compiled.gettext(e["msgid"]) == e["msgstr"], e["msgid"]


def test_a_number_of_rank_places_reads_in_the_singular_and_the_plural_in_english():
    """Found in review: "1 places", "up 1 places", "The 1 targets furthest behind"."""
    from django.template import Context, Template
    from django.utils import translation

    from reports.display import delta_text
    from targets.models import Unit

    with translation.override("en"):
        assert delta_text(1, Unit.RANK) == "1 place"
        assert delta_text(-3, Unit.RANK, signed=True) == "−3 places"
        brief = Template(
            "{% load i18n %}{% blocktranslate count n=by %}tăng {{ n }} bậc{% plural %}tăng {{ n }} bậc"
            "{% endblocktranslate %}"
        )
        assert brief.render(Context({"by": 1})) == "up 1 place"
        assert brief.render(Context({"by": 2})) == "up 2 places"
    with translation.override("vi"):
        assert delta_text(1, Unit.RANK) == "1 bậc"
