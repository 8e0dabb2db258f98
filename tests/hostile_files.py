"""Hostile files as the adversarial test of issue #14 built them — for the tests and bench/bench_hostile_upload.py.

Plain Python (no Django): each function takes a department's template (the .xlsx bytes the portal gives)
or nothing, and returns the bytes an attacker would upload.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable

SHEET_XML = "xl/worksheets/sheet1.xml"  # "Biểu nhập", the template's first sheet


def rewrite_member(xlsx: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The same archive with one member's bytes changed (the others copied as they are)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, change(data) if info.filename == name else data)
    return out.getvalue()


def far_row(template: bytes, row: int = 2_000_000_000) -> bytes:
    """The 7 KB attack: `<dimension>` deleted and one cell added at row `row` (2,000,000,000)."""

    def change(xml: bytes) -> bytes:
        xml = re.sub(rb"<dimension [^>]*/>", b"", xml)
        cell = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (row, row)
        return xml.replace(b"</sheetData>", cell + b"</sheetData>")

    return rewrite_member(template, SHEET_XML, change)


def far_dimension(template: bytes) -> bytes:
    """Only the declared range is huge (`<dimension ref="A1:H2000000000"/>`), the cells are the template's."""
    return rewrite_member(
        template,
        SHEET_XML,
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:H2000000000"', xml),
    )


def _with_note(template: bytes, xml_text: bytes, doctype: bytes = b"") -> bytes:
    """The first data row's note cell (H7) holding `xml_text` as raw XML, the sheet prefixed by `doctype`."""

    def change(xml: bytes) -> bytes:
        cell = b'<c r="H7" t="inlineStr"><is><t>' + xml_text + b"</t></is></c>"
        xml = re.sub(rb'<c r="H7"[^>]*?(/>|>.*?</c>)', cell, xml, count=1)
        if doctype:
            declaration = re.match(rb"<\?xml[^>]*\?>", xml)
            head = declaration.group(0) if declaration else b""
            xml = head + doctype + xml[len(head) :]
        return xml

    return rewrite_member(template, SHEET_XML, change)


def huge_note(template: bytes, characters: int) -> bytes:
    """The first data row's note (H7) `characters` long (the attack: 45 MB in a 54 KB workbook)."""
    return _with_note(template, b"a" * characters)


def billion_laughs(template: bytes) -> bytes:
    """Nested entities: expanded by a naive parser into 10^9 "lol" (about 3 GB)."""
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)
    )
    return _with_note(template, b"&lol9;", b"<!DOCTYPE worksheet [" + entities + b"]>")


def external_entity(template: bytes) -> bytes:
    """An entity that names a file of the server."""
    return _with_note(template, b"&xxe;", b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')


def undefined_entity(template: bytes) -> bytes:
    """An entity that nothing declares."""
    return _with_note(template, b"&undefined;")


def control_character(template: bytes) -> bytes:
    """`&#x1b;` (escape): a character XML 1.0 does not allow, even as a reference."""
    return _with_note(template, b"Ghi ch&#x1b;u")


def nan_value(template: bytes) -> bytes:
    """The value cell G7 holding `<v>NaN</v>`."""

    def change(xml: bytes) -> bytes:
        return re.sub(rb'<c r="G7"[^>]*?(/>|>.*?</c>)', b'<c r="G7"><v>NaN</v></c>', xml, count=1)

    return rewrite_member(template, SHEET_XML, change)


def many_members(template: bytes, count: int = 5000) -> bytes:
    """The template plus thousands of tiny members."""
    out = io.BytesIO(template)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        for i in range(count):
            archive.writestr(f"customXml/item{i}.xml", b"<a/>")
    return out.getvalue()


def zip_bomb(template: bytes, megabytes: int = 200) -> bytes:
    """The template plus one member of `megabytes` MB of spaces (a few hundred KB compressed)."""
    out = io.BytesIO(template)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/bomb.xml", b"<a>" + b" " * (megabytes * 1024 * 1024) + b"</a>")
    return out.getvalue()


# --------------------------------------------------------------------------- evidence files

HTML_PAYLOAD = b"<html><body><script>alert(document.cookie)</script></body></html>\n"


def pdf_with_html() -> bytes:
    """Starts like a PDF, and is an HTML page after the first line."""
    return b"%PDF-1.7\n" + HTML_PAYLOAD * 20


def gif_with_javascript() -> bytes:
    """A GIF header followed by JavaScript: a browser told it is a script runs it."""
    return b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(document.domain);//" + b"A" * 64


def zip_named_docx() -> bytes:
    """A plain zip with an HTML page in it, named .docx by the uploader."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("index.html", HTML_PAYLOAD)
        archive.writestr("word/readme.txt", b"not a document")
    return out.getvalue()


def docx_without_main_part() -> bytes:
    """[Content_Types].xml present, but it declares no Word main document (a renamed zip of anything)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="html" ContentType="text/html"/></Types>',
        )
        archive.writestr("word/index.html", HTML_PAYLOAD)
    return out.getvalue()


def real_png(width: int = 4, height: int = 3) -> bytes:
    """A valid PNG built by hand (no image library needed to make one)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def real_pdf(text: str = "Bao cao so 12/BC-UBND") -> bytes:
    """A minimal valid one-page PDF with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


_OOXML = {
    "docx": (
        "word/document.xml",
        "wordprocessingml.document.main+xml",
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Báo cáo</w:t></w:r></w:p></w:body></w:document>',
    ),
    "xlsx": (
        "xl/workbook.xml",
        "spreadsheetml.sheet.main+xml",
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
    ),
    "pptx": (
        "ppt/presentation.xml",
        "presentationml.presentation.main+xml",
        '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
    ),
}


def real_ooxml(kind: str = "docx") -> bytes:
    """A minimal Word / Excel / PowerPoint package: content types declaring the main part, the part itself."""
    part, content_type, body = _OOXML[kind]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-officedocument.{content_type}"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/officeDocument" Target="{part}"/></Relationships>',
        )
        archive.writestr(part, '<?xml version="1.0" encoding="UTF-8"?>' + body)
    return out.getvalue()


def real_odt() -> bytes:
    """A minimal OpenDocument text: mimetype first and stored, manifest, content."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
        )
    return out.getvalue()


def image(fmt: str) -> bytes:
    """A small real image written by Pillow ("JPEG", "GIF", "WEBP", "PNG")."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 114, 178)).save(out, fmt)
    return out.getvalue()


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A minimal Office 97–2003 compound file (OLE2, version 3) holding `streams`, built by hand.

    512-byte sectors: sector 0 is the FAT, sector 1 the directory, the streams follow (each padded to at
    least 4,096 bytes, so none lives in the mini stream). Enough for olefile to read it as Word ("WordDocument"),
    Excel ("Workbook"), PowerPoint ("PowerPoint Document"), or to find macros ("Macros")."""
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    bodies = [(name, data.ljust(4096, b"\x00")) for name, data in streams.items()]
    assert len(bodies) <= 3, "one directory sector holds the root and three streams"
    fat = [fat_sector, end]
    starts, sector = [], 2
    for _, body in bodies:
        count = (len(body) + 511) // 512
        starts.append(sector)
        fat += [sector + i + 1 for i in range(count - 1)] + [end]
        sector += count
    assert len(fat) <= 128, "one FAT sector"
    fat_bytes = struct.pack("<128I", *(fat + [free] * (128 - len(fat))))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", no_stream, right, child)
            + b"\x00" * 16
            + struct.pack("<I", 0)
            + b"\x00" * 16
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1 if bodies else no_stream, no_stream, end, 0)
    for i, ((name, body), start) in enumerate(zip(bodies, starts, strict=True), start=1):
        directory += entry(name, 2, no_stream, i + 1 if i < len(bodies) else no_stream, start, len(body))
    directory += entry("", 0, no_stream, no_stream, 0, 0) * (4 - 1 - len(bodies))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )
    assert len(header) == 512 and len(directory) == 512
    return header + fat_bytes + directory + b"".join(body for _, body in bodies)


def png_bomb(side: int = 20_000) -> bytes:
    """A black-and-white PNG of side × side pixels (400 million by default) in about 50 KB: a decoder
    that trusts it allocates gigabytes. Built row by row, so making it needs no such memory."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor, parts = zlib.compressobj(9), []
    row = b"\x00" * (1 + (side + 7) // 8)
    for _ in range(side):
        parts.append(compressor.compress(row))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")
    )
