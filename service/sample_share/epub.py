"""The EPUB 3 writer: container, package document, navigation and one XHTML file per section."""

from __future__ import annotations

import uuid
from html import escape

from service.sample_share.archive import pack_zip
from service.sample_share.content import DocumentDates, SampleDocument, Section
from service.sample_share.plain import section_html

_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
_CONTAINER = (
    _XML + '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
    ' <rootfiles><rootfile full-path="EPUB/package.opf"'
    ' media-type="application/oebps-package+xml"/></rootfiles>\n</container>\n'
)
_XHTML = "application/xhtml+xml"


def render_epub(document: SampleDocument, dates: DocumentDates) -> bytes:
    """Return an EPUB 3 book whose package metadata names title, creator, language and dates."""
    chapters = [
        (f"EPUB/section_{number:02d}.xhtml", _chapter(document, section, number).encode())
        for number, section in enumerate(document.sections, start=1)
    ]
    return pack_zip(
        [
            ("mimetype", b"application/epub+zip"),
            ("META-INF/container.xml", _CONTAINER.encode()),
            ("EPUB/package.opf", _package(document, dates).encode()),
            ("EPUB/nav.xhtml", _navigation(document).encode()),
            *chapters,
        ],
        dates.modified,
    )


def _page(language: str, title: str, body: list[str], extra_ns: str = "") -> str:
    lang = escape(language)
    return (
        _XML + "<!DOCTYPE html>\n"
        f'<html xmlns="http://www.w3.org/1999/xhtml"{extra_ns} lang="{lang}" xml:lang="{lang}">\n'
        f'<head><meta charset="utf-8"/><title>{escape(title)}</title></head>\n<body>\n'
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _chapter(document: SampleDocument, section: Section, number: int) -> str:
    body = [f"<h1>{escape(document.title)}</h1>"] if number == 1 else []
    return _page(document.language, section.heading, [*body, *section_html(section)])


def _navigation(document: SampleDocument) -> str:
    links = [
        f'<li><a href="section_{number:02d}.xhtml">{escape(section.heading)}</a></li>'
        for number, section in enumerate(document.sections, start=1)
    ]
    body = [
        f"<h1>{escape(document.title)}</h1>",
        '<nav epub:type="toc" id="toc">',
        "<ol>",
        *links,
        "</ol>",
        "</nav>",
    ]
    return _page(
        document.language, document.title, body, ' xmlns:epub="http://www.idpf.org/2007/ops"'
    )


def _package(document: SampleDocument, dates: DocumentDates) -> str:
    numbers = range(1, len(document.sections) + 1)
    items = [
        f'<item id="section_{n:02d}" href="section_{n:02d}.xhtml" media-type="{_XHTML}"/>'
        for n in numbers
    ]
    spine = [f'<itemref idref="section_{n:02d}"/>' for n in numbers]
    return (
        _XML + '<package xmlns="http://www.idpf.org/2007/opf" version="3.0"'
        f' unique-identifier="book-id" xml:lang="{escape(document.language)}">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        + "\n".join(_metadata(document, dates))
        + "\n</metadata>\n<manifest>\n"
        f'<item id="nav" href="nav.xhtml" media-type="{_XHTML}" properties="nav"/>\n'
        + "\n".join(items)
        + "\n</manifest>\n<spine>\n"
        + "\n".join(spine)
        + "\n</spine>\n</package>\n"
    )


def _metadata(document: SampleDocument, dates: DocumentDates) -> list[str]:
    book_id = uuid.uuid5(uuid.NAMESPACE_URL, f"https://wegwijs.example/{document.path}")
    created = dates.created.strftime("%Y-%m-%dT%H:%M:%SZ")
    modified = dates.modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    return [
        f'<dc:identifier id="book-id">urn:uuid:{book_id}</dc:identifier>',
        f"<dc:title>{escape(document.title)}</dc:title>",
        f"<dc:language>{escape(document.language)}</dc:language>",
        f"<dc:creator>{escape(document.author)}</dc:creator>",
        f"<dc:contributor>{escape(document.last_modified_by)}</dc:contributor>",
        "<dc:publisher>Stichting Wegwijs</dc:publisher>",
        f"<dc:date>{created}</dc:date>",
        f'<meta property="dcterms:modified">{modified}</meta>',
    ]
