"""How long a free text typed into the portal may be — one place for the models, the services, the forms'
`maxlength` and the Excel reader (pure Python, no Django). The README's "What the portal refuses and why"
states the same figures.

Chosen so that a department's whole entry form stays far below `DATA_UPLOAD_MAX_MEMORY_SIZE` (a form that
the server refuses as too big loses what the user typed) and a note still holds a real explanation: the
longest note among the published figures and demo data is under 300 characters.
"""

from __future__ import annotations

NOTE_MAX_CHARS = 2000  # an actual's note (web form and Excel), a plan task's progress note
COMMENT_MAX_CHARS = 1000  # a reviewer's comment when returning values, a reason to reopen an approved one
URL_MAX_CHARS = 500  # an evidence link (the column's max_length)
CHANGE_REASON_MAX_CHARS = 100  # simple-history's history_change_reason column (varchar(100))


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, with "…" when something was cut (for audit labels only)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
