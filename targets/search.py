"""Text search that does not need diacritics (issue #17, item 8): people type "ho so" for "hồ sơ".

`fold` reduces a text to what search compares: letters without their marks (NFD, combining marks dropped),
"đ" as "d" (a letter of its own, not a marked "d", so Unicode does not decompose it), lower case, single
spaces. The catalogue stores each indicator's folded name (`Indicator.search_name`, kept on every save) and
folds the query the same way, so that a plain `contains` finds the same rows on SQLite and PostgreSQL, with
or without diacritics. Pure: no Django.
"""

from __future__ import annotations

import unicodedata

_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def fold(text: str) -> str:
    """'Tỷ lệ HỒ SƠ  được xử lý' → 'ty le ho so duoc xu ly'."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_LETTERS))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())
