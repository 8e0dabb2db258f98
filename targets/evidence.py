"""Evidence files: the type is decided by parsing the whole file, not by its name or first bytes — no Django.

A file is accepted only when a real parser reads it as what its first bytes claim: a PDF's cross-reference
and pages (pypdf), an image decoded in full (Pillow: verify, then load every frame), an Office Open XML
package whose [Content_Types].xml declares the main part of a Word, Excel or PowerPoint document and
whose main part is there and is XML (defusedxml), an OpenDocument package with its mimetype, manifest
and content, an Office 97–2003 compound file with its document stream and no macros (olefile). The file
is then stored and offered for download under the extension of the type found (`extension_for`), never
the uploader's: a page of HTML with "%PDF-" in front is refused, and a real PDF named "x.html" is kept as
"x.pdf".
"""

from __future__ import annotations

import io
import posixpath
import struct
import warnings
import zipfile
from pathlib import PurePath
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
# An Office package is a zip: its members' declared sizes are checked before any is inflated.
MAX_PACKAGE_MEMBERS = 2000
MAX_PACKAGE_BYTES = 200 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000  # per frame: a 10 MB file that decodes into gigabytes is a decompression bomb
MAX_IMAGE_FRAMES = 500


def gettext_noop(message: str) -> str:
    """Marks a message for `make messages`; `check_evidence` translates it with the caller's gettext."""
    return message


# kind → (label, extension)
KINDS = {
    "pdf": (gettext_noop("PDF"), ".pdf"),
    "png": (gettext_noop("ảnh PNG"), ".png"),
    "jpeg": (gettext_noop("ảnh JPEG"), ".jpg"),
    "gif": (gettext_noop("ảnh GIF"), ".gif"),
    "webp": (gettext_noop("ảnh WebP"), ".webp"),
    "docx": (gettext_noop("Word"), ".docx"),
    "xlsx": (gettext_noop("Excel"), ".xlsx"),
    "pptx": (gettext_noop("PowerPoint"), ".pptx"),
    "odt": (gettext_noop("OpenDocument văn bản"), ".odt"),
    "ods": (gettext_noop("OpenDocument bảng tính"), ".ods"),
    "odp": (gettext_noop("OpenDocument trình chiếu"), ".odp"),
    "doc": (gettext_noop("Word 97–2003"), ".doc"),
    "xls": (gettext_noop("Excel 97–2003"), ".xls"),
    "ppt": (gettext_noop("PowerPoint 97–2003"), ".ppt"),
}


# Other spellings of a kind's extension that an uploaded name may keep.
_ALIASES = {".jpeg": "jpeg", ".jpe": "jpeg"}

REFUSED = gettext_noop("Tệp minh chứng phải là PDF, ảnh (PNG, JPEG, GIF, WebP) hoặc tài liệu Office.")
DAMAGED = gettext_noop(
    "Tệp minh chứng không phải %(label)s hợp lệ (tệp bị hỏng hoặc chỉ giả dạng %(label)s): không lưu."
)
MACROS = gettext_noop("Tài liệu Office có chứa macro: vui lòng lưu lại dưới dạng không có macro.")

_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
_OLE_STREAMS = (("WordDocument", "doc"), ("Workbook", "xls"), ("Book", "xls"), ("PowerPoint Document", "ppt"))
_IMAGE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}


class _Invalid(Exception):
    """The file is not what its first bytes claim; `message` (Vietnamese) says why."""

    def __init__(self, message: str, **params: str) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


def sniff(head: bytes) -> str | None:
    """What the first bytes claim the file is (a claim only: `check_evidence` parses the whole file)."""
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
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise _Invalid(
                gettext_noop(
                    "PDF có mật khẩu: vui lòng dùng bản không đặt mật khẩu để người thẩm định mở được."
                )
            )
        pages = reader.pages
        if len(pages) == 0:
            raise _Invalid(gettext_noop("Tệp PDF không có trang nào."))
        for page in pages:  # every page object and its content stream resolve
            page.get_contents()
    except _Invalid:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise _Invalid(DAMAGED, label=gettext_noop("PDF")) from exc
    if data[data.rfind(b"%%EOF") + 5 :].strip(b"\r\n\t \x00"):
        raise _Invalid(DAMAGED, label=gettext_noop("PDF"))  # something hides after the end of the PDF
    return "pdf"


def _image(data: bytes, kind: str) -> str:
    from PIL import Image, UnidentifiedImageError

    label = KINDS[kind][0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[_IMAGE_FORMATS[kind]]) as image:
                image.verify()  # the file's structure and checksums
            with Image.open(io.BytesIO(data), formats=[_IMAGE_FORMATS[kind]]) as image:
                frames = getattr(image, "n_frames", 1)
                if frames > MAX_IMAGE_FRAMES:
                    raise _Invalid(DAMAGED, label=label)
                for frame in range(frames):  # every frame decoded, pixel by pixel
                    image.seek(frame)
                    if image.width * image.height > MAX_IMAGE_PIXELS:
                        raise _Invalid(DAMAGED, label=label)
                    image.load()
    except _Invalid:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _Invalid(DAMAGED, label=label) from exc
    except (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError, struct.error) as exc:
        raise _Invalid(DAMAGED, label=label) from exc
    if kind == "png" and not data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"):
        raise _Invalid(DAMAGED, label=label)  # something hides after the image's last chunk
    if kind == "gif" and not data.rstrip(b"\x00").endswith(b";"):
        raise _Invalid(DAMAGED, label=label)  # the GIF trailer must end the file
    return kind


def _parse_xml(archive: zipfile.ZipFile, name: str, handler: ContentHandler | None = None) -> None:
    from defusedxml.expatreader import DefusedExpatParser

    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setContentHandler(handler or ContentHandler())
    with archive.open(name) as source:
        parser.parse(source)


class _ContentTypes(ContentHandler):
    """[Content_Types].xml: each part named in an <Override> with its content type."""

    def __init__(self) -> None:
        super().__init__()
        self.overrides: dict[str, str] = {}

    def startElement(self, name: str, attrs) -> None:
        if name.rpartition(":")[2] == "Override":
            self.overrides[(attrs.get("PartName") or "").lstrip("/")] = (
                attrs.get("ContentType") or ""
            ).strip()


def _package(data: bytes) -> str:
    from defusedxml import DefusedXmlException

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if len(infos) > MAX_PACKAGE_MEMBERS or sum(i.file_size for i in infos) > MAX_PACKAGE_BYTES:
            raise _Invalid(DAMAGED, label=gettext_noop("tài liệu Office"))
        names = {i.filename for i in infos}
        if any(posixpath.basename(n).lower() == "vbaproject.bin" for n in names):
            raise _Invalid(MACROS)
        if "[Content_Types].xml" in names:
            types = _ContentTypes()
            _parse_xml(archive, "[Content_Types].xml", types)
            mains = [(part, _OOXML_MAIN[t]) for part, t in types.overrides.items() if t in _OOXML_MAIN]
            if len(mains) != 1 or mains[0][0] not in names:
                raise _Invalid(DAMAGED, label=gettext_noop("tài liệu Office"))
            part, kind = mains[0]
            _parse_xml(archive, part)  # the document itself is XML
            return kind
        if "mimetype" in names:
            kind = _ODF_MIMETYPES.get(archive.read("mimetype").strip())
            if kind is None or not {"content.xml", "META-INF/manifest.xml"} <= names:
                raise _Invalid(DAMAGED, label=gettext_noop("tài liệu OpenDocument"))
            _parse_xml(archive, "META-INF/manifest.xml")
            _parse_xml(archive, "content.xml")
            return kind
    except _Invalid:
        raise
    except (
        zipfile.BadZipFile,
        SAXException,
        DefusedXmlException,
        KeyError,
        ValueError,
        OSError,
        EOFError,
    ) as exc:
        raise _Invalid(DAMAGED, label=gettext_noop("tài liệu Office")) from exc
    raise _Invalid(REFUSED)  # a zip, but no document: a renamed archive


def _ole(data: bytes) -> str:
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            if ole.exists("Macros") or ole.exists("_VBA_PROJECT_CUR") or ole.exists("_VBA_PROJECT"):
                raise _Invalid(MACROS)
            for stream, kind in _OLE_STREAMS:
                if ole.exists(stream) and ole.get_type(stream) == olefile.STGTY_STREAM:
                    return kind
    except _Invalid:
        raise
    except (OSError, ValueError, IndexError, TypeError, struct.error) as exc:
        raise _Invalid(DAMAGED, label=gettext_noop("tài liệu Office 97–2003")) from exc
    raise _Invalid(REFUSED)  # a compound file, but no Word, Excel or PowerPoint document (an .msi, say)


_CLAIMED = {"pdf": "PDF", "zip": "tài liệu Office", "ole": "tài liệu Office 97–2003"}


def detect(data: bytes) -> str:
    """The kind of an evidence file, after parsing all of it; raises _Invalid with the reason."""
    claim = sniff(data[:16])
    if claim is None:
        raise _Invalid(REFUSED)
    try:
        if claim == "pdf":
            return _pdf(data)
        if claim in _IMAGE_FORMATS:
            return _image(data, claim)
        if claim == "zip":
            return _package(data)
        return _ole(data)
    except _Invalid:
        raise
    except Exception as exc:  # hostile input: whatever a parser raises, the file is not what it claims
        label = KINDS[claim][0] if claim in KINDS else _CLAIMED[claim]
        raise _Invalid(DAMAGED, label=label) from exc


def check_evidence(data: bytes, *, gettext=None) -> tuple[str | None, str | None]:
    """(kind, None) for an accepted file, (None, message) otherwise: Vietnamese, or translated by `gettext`."""
    translate = gettext or (lambda message: message)
    if len(data) > MAX_EVIDENCE_BYTES:
        return None, translate(gettext_noop("Tệp minh chứng vượt quá 10 MB."))
    if not data:
        return None, translate(gettext_noop("Tệp minh chứng rỗng."))
    try:
        return detect(data), None
    except _Invalid as refused:
        params = {k: translate(v) for k, v in refused.params.items()}
        return None, translate(refused.message) % params if params else translate(refused.message)


def extension_for(kind: str) -> str:
    return KINDS[kind][1]


def stored_name(uploaded_name: str, kind: str) -> str:
    """The name a file is stored and offered for download under: the uploader's stem, the detected type's
    extension ("báo cáo.html" holding a PDF becomes "báo cáo.pdf"; "ảnh.jpeg" stays)."""
    path = PurePath(uploaded_name or "minh-chung")
    suffix = path.suffix.lower()
    stem = path.stem if suffix else path.name
    keep = suffix == extension_for(kind) or _ALIASES.get(suffix) == kind
    return (stem or "minh-chung")[:200] + (suffix if keep else extension_for(kind))
