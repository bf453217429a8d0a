"""Opening our ODF files in LibreOffice, as a person's desktop would."""

import os
import shutil
import subprocess

import pytest

NEEDS_SOFFICE = pytest.mark.skipif(
    shutil.which("soffice") is None and os.environ.get("GUANKAO_REQUIRE_SOFFICE") != "1",
    reason="LibreOffice is not installed (CI sets GUANKAO_REQUIRE_SOFFICE=1 and installs it)",
)


def to_pdf_text(tmp_path, name: str, content: bytes) -> str:
    """Convert with LibreOffice; the PDF's text (if pdftotext is there).

    One LibreOffice profile per xdist worker (in the worker's base temporary directory, a
    parent of every `tmp_path` it hands out), as on a desktop: a new profile costs seconds
    of LibreOffice's first start on each conversion. The worker converts one file at a time."""
    source = tmp_path / name
    source.write_bytes(content)
    profile = tmp_path.parent / "soffice-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = source.with_suffix(".pdf")
    assert pdf.stat().st_size > 1000 and pdf.read_bytes()[:5] == b"%PDF-"
    if not shutil.which("pdftotext"):
        return ""
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
