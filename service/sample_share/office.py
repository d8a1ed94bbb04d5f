"""Writers for the Office Open XML formats: docx, pptx and xlsx, with core properties set."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from typing import Any

import docx
import openpyxl
import pptx
from openpyxl.writer.excel import ExcelWriter
from pptx.util import Inches, Pt

from service.sample_share.archive import restamp_zip
from service.sample_share.content import DocumentDates, SampleDocument, Section

_SHEET_TITLE_MAX = 31
_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]+")


def render_docx(document: SampleDocument, dates: DocumentDates) -> bytes:
    """Return a Word document: title, a heading per section, paragraphs, bullets, tables."""
    word = docx.Document()
    if document.title:
        word.add_heading(document.title, level=0)
    for section in document.sections:
        word.add_heading(section.heading, level=1)
        for paragraph in section.paragraphs:
            word.add_paragraph(paragraph)
        for bullet in section.bullets:
            word.add_paragraph(bullet, style="List Bullet")
        if section.rows:
            _add_word_table(word, section.rows)
    _set_core_properties(word.core_properties, document, dates)
    buffer = io.BytesIO()
    word.save(buffer)
    return restamp_zip(buffer.getvalue(), dates.modified)


def render_pptx(document: SampleDocument, dates: DocumentDates) -> bytes:
    """Return a presentation: a title slide, then one slide per section."""
    deck = pptx.Presentation()
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = document.title
    cover.placeholders[1].text = document.author or "Stichting Wegwijs"
    for section in document.sections:
        _add_slide(deck, section)
    _set_core_properties(deck.core_properties, document, dates)
    buffer = io.BytesIO()
    deck.save(buffer)
    return restamp_zip(buffer.getvalue(), dates.modified)


def render_xlsx(document: SampleDocument, dates: DocumentDates) -> bytes:
    """Return a workbook with one sheet per section: its paragraphs as notes, then its rows."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for section in document.sections:
        sheet = book.create_sheet(section.heading[:_SHEET_TITLE_MAX])
        for paragraph in section.paragraphs:
            sheet.append([paragraph])
        if section.paragraphs:
            sheet.append([])
        for row in section.rows:
            sheet.append([_cell_value(cell) for cell in row])
    props = book.properties
    props.creator = document.author
    props.lastModifiedBy = document.last_modified_by
    props.title = document.title
    props.language = document.language
    props.created = _naive(dates.created)
    props.modified = _naive(dates.modified)
    buffer = io.BytesIO()
    # ExcelWriter directly: openpyxl's save() would overwrite ``modified`` with the time now.
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return restamp_zip(buffer.getvalue(), dates.modified)


def _add_word_table(word: Any, rows: tuple[tuple[str, ...], ...]) -> None:
    table = word.add_table(rows=len(rows), cols=max(len(row) for row in rows))
    table.style = "Table Grid"
    for row_cells, row in zip(table.rows, rows, strict=True):
        for cell, text in zip(row_cells.cells, row, strict=False):
            cell.text = text


def _add_slide(deck: Any, section: Section) -> None:
    if section.rows:
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = section.heading
        rows, cols = len(section.rows), max(len(row) for row in section.rows)
        shape = slide.shapes.add_table(rows, cols, Inches(0.5), Inches(1.6), Inches(9), Inches(4))
        for r, row in enumerate(section.rows):
            for c, text in enumerate(row):
                cell = shape.table.cell(r, c)
                cell.text = text
                cell.text_frame.paragraphs[0].font.size = Pt(12)
        return
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = section.heading
    frame = slide.placeholders[1].text_frame
    lines = [*section.paragraphs, *section.bullets]
    frame.text = lines[0] if lines else ""
    for line in lines[1:]:
        frame.add_paragraph().text = line
    for paragraph in frame.paragraphs:
        paragraph.font.size = Pt(16)


def _set_core_properties(props: Any, document: SampleDocument, dates: DocumentDates) -> None:
    props.author = document.author
    props.last_modified_by = document.last_modified_by
    props.title = document.title
    props.language = document.language
    props.revision = 1 + (document.created_age_days - document.age_days) // 30
    props.created = _naive(dates.created)
    props.modified = _naive(dates.modified)


def _cell_value(cell: str) -> str | int | float:
    """Numbers in the data become numeric cells, so the budget sheet can be summed."""
    if _INTEGER.fullmatch(cell):
        return int(cell)
    if _DECIMAL.fullmatch(cell):
        return float(cell)
    return cell


def _naive(moment: datetime) -> datetime:
    """Office libraries expect naive UTC datetimes."""
    return moment.replace(tzinfo=None)
