"""Evidence files: the type is decided by the content, not the name — pure Python, no Django."""

from __future__ import annotations

import io
import zipfile

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024

# kind → (label, extension)
KINDS = {
    "pdf": ("PDF", ".pdf"),
    "png": ("ảnh PNG", ".png"),
    "jpeg": ("ảnh JPEG", ".jpg"),
    "gif": ("ảnh GIF", ".gif"),
    "webp": ("ảnh WebP", ".webp"),
    "docx": ("Word", ".docx"),
    "xlsx": ("Excel", ".xlsx"),
    "pptx": ("PowerPoint", ".pptx"),
    "odf": ("OpenDocument", ".odt"),
    "ole": ("Office 97–2003", ".doc"),
}


def sniff(head: bytes, whole: bytes | None = None) -> str | None:
    """The evidence kind of a file from its first bytes (and, for zip-based Office files, its members)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04") and whole is not None:
        try:
            names = set(zipfile.ZipFile(io.BytesIO(whole)).namelist())
        except zipfile.BadZipFile:
            return None
        if "mimetype" in names:
            return "odf"
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
            if any(n.startswith("ppt/") for n in names):
                return "pptx"
    return None


def check_evidence(data: bytes) -> tuple[str | None, str | None]:
    """(kind, None) for an accepted file, (None, Vietnamese message) otherwise."""
    if len(data) > MAX_EVIDENCE_BYTES:
        return None, "Tệp minh chứng vượt quá 10 MB."
    if not data:
        return None, "Tệp minh chứng rỗng."
    kind = sniff(data[:16], data)
    if kind is None:
        return None, "Tệp minh chứng phải là PDF, ảnh (PNG, JPEG, GIF, WebP) hoặc tài liệu Office."
    return kind, None
