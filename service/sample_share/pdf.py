"""The PDF writer: each section starts a new page; text flows onto more pages as needed."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from service.sample_share.content import DocumentDates, SampleDocument, Section

_MARGIN = 2 * cm
_WIDTH = A4[0] - 2 * _MARGIN
_BODY = ("Helvetica", 10.5, 14.0)
_HEADING = ("Helvetica-Bold", 13.0, 20.0)
_TITLE = ("Helvetica-Bold", 18.0, 26.0)
_TABLE = ("Helvetica", 9.0, 12.0)
_TABLE_HEADER = ("Helvetica-Bold", 9.0, 12.0)
_PAGE_WORD = {"nl": "pagina", "en": "page"}
_ORGANISATION = "Stichting Wegwijs"


class _Cursor:
    """Where the next line goes; starts a new page when the current one is full."""

    def __init__(self, canvas: Canvas, footer: str) -> None:
        self.canvas = canvas
        self.footer = footer
        self.page = 1
        self.y = A4[1] - _MARGIN

    def new_page(self) -> None:
        self._draw_footer()
        self.canvas.showPage()
        self.page += 1
        self.y = A4[1] - _MARGIN

    def finish(self) -> None:
        self._draw_footer()
        self.canvas.save()

    def lines(self, text: str, style: tuple[str, float, float], indent: float = 0) -> None:
        font, size, leading = style
        for line in simpleSplit(text, font, size, _WIDTH - indent):
            self.room_for(leading)
            self.canvas.setFont(font, size)
            self.canvas.drawString(_MARGIN + indent, self.y, line)
            self.y -= leading

    def room_for(self, height: float) -> None:
        if self.y - height < _MARGIN + 20:
            self.new_page()

    def _draw_footer(self) -> None:
        self.canvas.setFont("Helvetica", 8)
        self.canvas.drawString(_MARGIN, _MARGIN / 2, f"{self.footer} {self.page}")


def render_pdf(document: SampleDocument, dates: DocumentDates) -> bytes:
    """Return a PDF with the document's author, title and dates in its info dictionary."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setAuthor(document.author)
    canvas.setTitle(document.title)
    canvas.setSubject(document.title)
    canvas.setCreator(_ORGANISATION)
    canvas.setKeywords(document.language)
    stamp = dates.modified.strftime("D:%Y%m%d%H%M%S+00'00'")
    canvas.setDateFormatter(lambda *_: stamp)
    page_word = _PAGE_WORD.get(document.language, "pagina")
    cursor = _Cursor(canvas, f"{_ORGANISATION} - {document.title} - {page_word}")
    cursor.lines(document.title, _TITLE)
    cursor.y -= 8
    for number, section in enumerate(document.sections):
        if number:
            cursor.new_page()
        _draw_section(cursor, section)
    cursor.finish()
    return buffer.getvalue()


def _draw_section(cursor: _Cursor, section: Section) -> None:
    cursor.room_for(_HEADING[2] * 3)
    cursor.lines(section.heading, _HEADING)
    for paragraph in section.paragraphs:
        cursor.lines(paragraph, _BODY)
        cursor.y -= 6
    for bullet in section.bullets:
        cursor.lines(f"\u2022 {bullet}", _BODY, indent=12)
    if section.rows:
        cursor.y -= 4
        for index, row in enumerate(section.rows):
            _draw_row(cursor, row, _TABLE if index else _TABLE_HEADER)


def _draw_row(cursor: _Cursor, row: Sequence[str], style: tuple[str, float, float]) -> None:
    font, size, leading = style
    column = _WIDTH / max(len(row), 1)
    cells = [simpleSplit(text, font, size, column - 6) for text in row]
    height = leading * max((len(lines) for lines in cells), default=1)
    cursor.room_for(height)
    cursor.canvas.setFont(font, size)
    for index, lines in enumerate(cells):
        for offset, line in enumerate(lines):
            x = _MARGIN + index * column
            cursor.canvas.drawString(x, cursor.y - offset * leading, line)
    cursor.y -= height + 2
