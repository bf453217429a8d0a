"""ODF text documents (CNS 15251) for every app's reports, built with odfdo.

A report is a title, headings, paragraphs and tables whose header row repeats on each
page, on A4 paper. No font file is embedded: the styles name Noto Sans CJK TC (what
Debian and most Linux desktops ship) or 標楷體 (DFKai-SB, the usual font of official
documents on Windows), and an office suite that lacks the named font substitutes a
Chinese font it has. Text is tagged zh-TW so that it is laid out as Chinese.

    doc = TextDocument("嘉義市政府 115 年度施政績效報告")
    doc.heading("一、強化為民服務")
    doc.table(["指標", "目標值"], [["受訓人次", "≧4000"]], widths=[3, 1])
    content = doc.to_bytes()
"""

import io
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import quoteattr

import odfdo

from guankao.core.validation import for_output

ODT_MIME = "application/vnd.oasis.opendocument.text"
SANS = "Noto Sans CJK TC"
KAI = "標楷體"
FONTS = {
    SANS: "swiss",
    KAI: "script",
}
# A4 portrait with 2 cm margins leaves 17 cm for text and tables.
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 21.0, 29.7, 2.0

_TEXT = (
    'style:font-name={font} fo:font-size="{size}" style:font-name-asian={font} '
    'style:font-size-asian="{size}" style:font-name-complex={font} '
    'style:font-size-complex="{size}" fo:language="zh" fo:country="TW" '
    'style:language-asian="zh" style:country-asian="TW"'
)
_BOLD = 'fo:font-weight="bold" style:font-weight-asian="bold" style:font-weight-complex="bold"'
_NOT_ITALIC = 'fo:font-style="normal" style:font-style-asian="normal"'
_BORDER = "0.5pt solid #000000"


def _text_properties(font: str, size: str, extra: str = "") -> str:
    attributes = _TEXT.format(font=quoteattr(font), size=size)
    return f"<style:text-properties {attributes} {extra}/>"


def _paragraph_style(name: str, display: str, properties: str, text: str, parent="") -> str:
    parent_attr = f" style:parent-style-name={quoteattr(parent)}" if parent else ""
    return (
        f"<style:style style:name={quoteattr(name)} style:display-name={quoteattr(display)} "
        f'style:family="paragraph"{parent_attr} style:class="text">'
        f"<style:paragraph-properties {properties}/>{text}</style:style>"
    )


class TextDocument:
    """An .odt report being built; add content in reading order, then call to_bytes()."""

    def __init__(self, title: str, *, font: str = SANS, subtitle: str = ""):
        if font not in FONTS:
            raise ValueError(f"font must be one of {', '.join(FONTS)}, not {font!r}")
        self.font = font
        self.document = odfdo.Document("text")
        self.document.body.clear()
        self.document.meta.set_title(for_output(title))
        self.document.meta.set_language("zh-TW")
        self._tables = 0
        self._install_styles()
        self.document.body.append(odfdo.Paragraph(for_output(title), style="Title"))
        if subtitle:
            self.document.body.append(odfdo.Paragraph(for_output(subtitle), style="Subtitle"))

    # Styles ------------------------------------------------------------------------------

    def _install_styles(self) -> None:
        doc, font = self.document, self.font
        for name, generic in FONTS.items():
            face = (
                f"<style:font-face style:name={quoteattr(name)} "
                f"svg:font-family={quoteattr(name)} style:font-family-generic={quoteattr(generic)} "
                'style:font-pitch="variable"/>'
            )
            doc.insert_style(face, default=True)  # styles.xml, for the common styles
            doc.insert_style(face)  # content.xml, for the automatic ones
        doc.insert_style(
            '<style:default-style style:family="paragraph">'
            '<style:paragraph-properties style:line-break="strict" '
            'style:punctuation-wrap="hanging" style:text-autospace="ideograph-alpha"/>'
            f"{_text_properties(font, '12pt')}</style:default-style>",
            default=True,
        )
        heading_text = _text_properties(font, "14pt", f"{_BOLD} {_NOT_ITALIC}")
        keep = 'fo:margin-top="0.42cm" fo:margin-bottom="0.21cm" fo:keep-with-next="always"'
        styles = [
            _paragraph_style(
                "Title",
                "Title",
                'fo:text-align="center" fo:margin-bottom="0.42cm"',
                _text_properties(font, "18pt", _BOLD),
            ),
            _paragraph_style(
                "Subtitle",
                "Subtitle",
                'fo:text-align="center" fo:margin-bottom="0.42cm"',
                _text_properties(font, "12pt"),
            ),
            _paragraph_style("Heading", "Heading", keep, heading_text),
            _paragraph_style(
                "Text_20_body",
                "Text body",
                'fo:margin-top="0.21cm" fo:margin-bottom="0.21cm"',
                "",
                parent="Standard",
            ),
            _paragraph_style(
                "Table_20_Contents",
                "Table Contents",
                'fo:margin="0cm"',
                _text_properties(font, "10.5pt"),
            ),
            _paragraph_style(
                "Table_20_Heading",
                "Table Heading",
                'fo:margin="0cm" fo:text-align="center"',
                _text_properties(font, "10.5pt", _BOLD),
            ),
        ]
        sizes = {1: "16pt", 2: "14pt", 3: "12pt"}
        for level, size in sizes.items():
            styles.append(
                f'<style:style style:name="Heading_20_{level}" style:display-name='
                f'"Heading {level}" '
                f'style:family="paragraph" style:parent-style-name="Heading" '
                f'style:default-outline-level="{level}" style:class="chapter">'
                f'<style:text-properties fo:font-size="{size}" style:font-size-asian="{size}" '
                f'style:font-size-complex="{size}" {_BOLD} {_NOT_ITALIC}/></style:style>'
            )
        for style in styles:
            doc.insert_style(style)
        # Reports number their headings in their own words (一、…), not 1.1.
        for level in doc.styles.get_elements("//text:outline-level-style"):
            level.set_attribute("style:num-format", "")
            for attribute in ("style:num-suffix", "loext:num-list-format"):
                level.del_attribute(attribute)
        doc.insert_style(
            '<style:page-layout style:name="Mpm1"><style:page-layout-properties '
            f'fo:page-width="{PAGE_WIDTH}cm" fo:page-height="{PAGE_HEIGHT}cm" '
            'style:print-orientation="portrait" style:num-format="1" '
            f'fo:margin-top="{MARGIN}cm" fo:margin-bottom="{MARGIN}cm" '
            f'fo:margin-left="{MARGIN}cm" fo:margin-right="{MARGIN}cm" '
            'style:writing-mode="lr-tb"/></style:page-layout>'
        )
        for name, properties in (
            ("GK_Cell", f'fo:border="{_BORDER}" fo:padding="0.1cm"'),
            (
                "GK_HeadCell",
                f'fo:border="{_BORDER}" fo:padding="0.1cm" fo:background-color="#e6e6e6"',
            ),
        ):
            doc.insert_style(
                f'<style:style style:name="{name}" style:family="table-cell">'
                f"<style:table-cell-properties {properties}/></style:style>",
                automatic=True,
            )

    # Content -----------------------------------------------------------------------------

    def heading(self, text: str, level: int = 1) -> None:
        if level not in (1, 2, 3):
            raise ValueError("heading level must be 1, 2 or 3")
        self.document.body.append(
            odfdo.Header(level, for_output(text), style=f"Heading_20_{level}")
        )

    def paragraph(self, text: str) -> None:
        """A paragraph; line breaks in text are kept."""
        self.document.body.append(odfdo.Paragraph(for_output(text), style="Text_20_body"))

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[str]],
        *,
        widths: Sequence[int] | None = None,
    ) -> None:
        """A full-width table; its header row repeats on every page it spans.

        widths: relative column widths (e.g. [3, 1, 1]); equal when not given.
        """
        widths = list(widths or [1] * len(header))
        if len(widths) != len(header):
            raise ValueError("one width per column")
        self._tables += 1
        name = f"Table{self._tables}"
        self.document.insert_style(
            f'<style:style style:name="{name}" style:family="table">'
            f'<style:table-properties style:width="{PAGE_WIDTH - 2 * MARGIN}cm" '
            'table:align="margins"/></style:style>',
            automatic=True,
        )
        table = odfdo.Table(name, style=name)
        total = sum(widths)
        for index, width in enumerate(widths):
            column_style = f"{name}.C{index}"
            self.document.insert_style(
                f'<style:style style:name="{column_style}" style:family="table-column">'
                "<style:table-column-properties style:rel-column-width="
                f'"{width * 65535 // total}*"/>'
                "</style:style>",
                automatic=True,
            )
            table.append(odfdo.Column(style=column_style))
        header_rows = odfdo.HeaderRows()
        header_rows.append(self._row(header, "GK_HeadCell", "Table_20_Heading"))
        table.append(header_rows)
        for values in rows:
            if len(values) != len(header):
                raise ValueError("every row needs one value per column")
            table.append(self._row(values, "GK_Cell", "Table_20_Contents"))
        self.document.body.append(table)

    @staticmethod
    def _row(values: Sequence[str], cell_style: str, paragraph_style: str) -> odfdo.Row:
        row = odfdo.Row()
        for value in values:
            cell = odfdo.Cell(style=cell_style)
            cell.set_attribute("office:value-type", "string")
            cell.append(
                odfdo.Paragraph(
                    "" if value is None else for_output(str(value)), style=paragraph_style
                )
            )
            row.append(cell)
        return row

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()
