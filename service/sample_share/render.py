"""One writer per format, chosen by the document's file suffix."""

from __future__ import annotations

from collections.abc import Callable

from service.sample_share.content import DocumentDates, SampleDocument, SampleShareDataError
from service.sample_share.epub import render_epub
from service.sample_share.mail import render_eml
from service.sample_share.odt import render_odt
from service.sample_share.office import render_docx, render_pptx, render_xlsx
from service.sample_share.pdf import render_pdf
from service.sample_share.plain import render_csv, render_html, render_md, render_rtf, render_txt

Writer = Callable[[SampleDocument, DocumentDates], bytes]

WRITERS: dict[str, Writer] = {
    "pdf": render_pdf,
    "docx": render_docx,
    "pptx": render_pptx,
    "xlsx": render_xlsx,
    "html": render_html,
    "md": render_md,
    "txt": render_txt,
    "eml": render_eml,
    "odt": render_odt,
    "rtf": render_rtf,
    "epub": render_epub,
    "csv": render_csv,
}


def render_document(document: SampleDocument, dates: DocumentDates) -> bytes:
    """Return the bytes of ``document`` in the format its path's suffix names."""
    writer = WRITERS.get(document.file_format)
    if writer is None:
        raise SampleShareDataError(
            f"{document.path}: no writer for .{document.file_format}; "
            f"use one of {', '.join(sorted(WRITERS))}"
        )
    return writer(document, dates)
