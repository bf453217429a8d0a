"""Hostile spreadsheets, built by hand so that they stay as small as an attacker makes them."""

import io
import zipfile

NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods_of(tables: str) -> bytes:
    """An ODS file whose spreadsheet body is `tables` (table:table elements as XML)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {NAMESPACES} office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", MANIFEST, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def text_cell(text: str, repeat: int = 1) -> str:
    return (
        f'<table:table-cell table:number-columns-repeated="{repeat}" '
        f'office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
    )


def repeated_ods(rows: int = 90_000, columns: int = 100, text: str = "x") -> bytes:
    """The issue's file: under a kilobyte, declaring rows × columns cells of text."""
    row = f'<table:table-row table:number-rows-repeated="{rows}">{text_cell(text, columns)}'
    return ods_of(f'<table:table table:name="s">{row}</table:table-row></table:table>')
