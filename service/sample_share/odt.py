"""The OpenDocument Text writer: the zip of XML parts per ODF 1.3, written by hand."""

from __future__ import annotations

from datetime import datetime
from html import escape

from service.sample_share.archive import pack_zip
from service.sample_share.content import DocumentDates, SampleDocument, Section

_MIMETYPE = "application/vnd.oasis.opendocument.text"
_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"'
)
_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
_MANIFEST = (
    _XML + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
    ' manifest:version="1.3">\n'
    f' <manifest:file-entry manifest:full-path="/" manifest:media-type="{_MIMETYPE}"'
    ' manifest:version="1.3"/>\n'
    ' <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>\n'
    ' <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>\n'
    ' <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>\n'
    "</manifest:manifest>\n"
)
_STYLES = _XML + f"<office:document-styles {_NS}><office:styles/></office:document-styles>\n"


def render_odt(document: SampleDocument, dates: DocumentDates) -> bytes:
    """Return an ODT file whose meta.xml carries title, creator, editor, language and dates."""
    return pack_zip(
        [
            ("mimetype", _MIMETYPE.encode()),
            ("content.xml", _content(document).encode()),
            ("styles.xml", _STYLES.encode()),
            ("meta.xml", _meta(document, dates).encode()),
            ("META-INF/manifest.xml", _MANIFEST.encode()),
        ],
        dates.modified,
    )


def _content(document: SampleDocument) -> str:
    body = [f'<text:h text:outline-level="1">{escape(document.title)}</text:h>']
    for number, section in enumerate(document.sections, start=1):
        body += _section(section, number)
    return (
        _XML
        + f"<office:document-content {_NS}>\n<office:body>\n<office:text>\n"
        + "\n".join(body)
        + "\n</office:text>\n</office:body>\n</office:document-content>\n"
    )


def _section(section: Section, number: int) -> list[str]:
    lines = [f'<text:h text:outline-level="2">{escape(section.heading)}</text:h>']
    lines += [f"<text:p>{escape(paragraph)}</text:p>" for paragraph in section.paragraphs]
    if section.bullets:
        items = (
            f"<text:list-item><text:p>{escape(b)}</text:p></text:list-item>"
            for b in section.bullets
        )
        lines += ["<text:list>", *items, "</text:list>"]
    if section.rows:
        columns = max(len(row) for row in section.rows)
        lines += [
            f'<table:table table:name="Tabel{number}">',
            f'<table:table-column table:number-columns-repeated="{columns}"/>',
            *(_table_row(row) for row in section.rows),
            "</table:table>",
        ]
    return lines


def _table_row(row: tuple[str, ...]) -> str:
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{escape(c)}</text:p>'
        "</table:table-cell>"
        for c in row
    )
    return f"<table:table-row>{cells}</table:table-row>"


def _meta(document: SampleDocument, dates: DocumentDates) -> str:
    fields = [
        "<meta:generator>Stichting Wegwijs</meta:generator>",
        f"<dc:title>{escape(document.title)}</dc:title>",
        f"<dc:language>{escape(document.language)}</dc:language>",
        f"<meta:initial-creator>{escape(document.author)}</meta:initial-creator>",
        f"<dc:creator>{escape(document.last_modified_by)}</dc:creator>",
        f"<meta:creation-date>{_iso(dates.created)}</meta:creation-date>",
        f"<dc:date>{_iso(dates.modified)}</dc:date>",
    ]
    return (
        _XML
        + f"<office:document-meta {_NS}>\n<office:meta>\n"
        + "\n".join(fields)
        + "\n</office:meta>\n</office:document-meta>\n"
    )


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
