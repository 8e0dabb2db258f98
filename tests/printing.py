"""Render a file the portal makes the way a Sở prints it: LibreOffice headless → PDF, then read the text
back with pdftotext, or the first page as a picture with pdftoppm (the README's pictures come from here)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")


def to_pdf(path: Path) -> Path:
    """`path` converted to PDF beside it, with a LibreOffice profile of its own (parallel runs do not share
    one)."""
    profile = Path("/tmp") / f"dti-lo-{uuid.uuid4().hex}"
    try:
        subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(path.parent),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=240,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = path.with_suffix(".pdf")
    assert pdf.exists(), f"LibreOffice made no PDF of {path.name}"
    return pdf


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext -layout; pages end with a form feed)."""
    out = subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode("utf-8")
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def first_page_png(pdf: Path, out: Path, dpi: int = 70) -> Path:
    """The PDF's first page as a PNG at `out`."""
    stem = out.with_suffix("")
    subprocess.run(
        [PDFTOPPM, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return stem.with_suffix(".png")
