"""Malformed, truncated, encrypted and bomb PDFs for the hostile corpus."""

from __future__ import annotations

import io
import zlib
from functools import cache


def good_pdf(title: str, body: str, encrypt: str | None = None) -> bytes:
    """A real one-page PDF (reportlab) with ``title`` in its metadata and ``body`` as text."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, encrypt=encrypt)
    page.setTitle(title)
    page.setAuthor(title)
    page.setFont("Helvetica", 11)
    for line_number, line in enumerate([body[i : i + 80] for i in range(0, len(body), 80)]):
        page.drawString(50, 780 - 14 * line_number, line)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _objects(*bodies: bytes, root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """Assemble numbered objects with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\n" % (len(bodies) + 1, root, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
_PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
_PAGE = (
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
    b"/Resources << /Font << /F1 5 0 R >> >> >>"
)
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
_TEXT = b"BT /F1 12 Tf 72 720 Td (Fietsenstalling in een kapot bestand) Tj ET"


@cache
def flate_bomb(unpacked_bytes: int = 64 * 1024 * 1024) -> bytes:
    """A page whose content stream inflates from kilobytes to ``unpacked_bytes``, twice packed."""
    packed = zlib.compress(zlib.compress(b" " * unpacked_bytes, 9), 9)
    content = _stream(packed, b"/Filter [/FlateDecode /FlateDecode] ")
    return _objects(_CATALOG, _PAGES, _PAGE, content, _FONT)


def malformed_pdfs() -> dict[str, bytes]:
    """Hand-written broken PDFs, each breaking one thing a parser relies on."""
    nested = b"[" * 50_000 + b"]" * 50_000
    return {
        "header-only": b"%PDF-1.7\n",
        "no-xref": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        "garbage-xref": _objects(_CATALOG, _PAGES, _PAGE, _stream(_TEXT), _FONT)[:-40]
        + b"startxref\n999999999\n%%EOF\n",
        "huge-length": _objects(
            _CATALOG, _PAGES, _PAGE, b"<< /Length 999999999999 >>\nstream\nBT ET", _FONT
        ),
        "negative-length": _objects(
            _CATALOG, _PAGES, _PAGE, b"<< /Length -5 >>\nstream\nBT ET\nendstream", _FONT
        ),
        "self-parent-pages": _objects(
            _CATALOG, b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>", _PAGE, _stream(_TEXT), _FONT
        ),
        "page-cycle": _objects(
            _CATALOG,
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Parent 2 0 R /Count 1 >>",
            _stream(_TEXT),
            _FONT,
        ),
        "deep-nesting": _objects(_CATALOG, _PAGES, _PAGE, _stream(nested), _FONT),
        "deep-dict": _objects(
            _CATALOG, _PAGES, _PAGE, _stream(b"<<" * 20_000 + b">>" * 20_000), _FONT
        ),
        "inline-image-no-ei": _objects(
            _CATALOG,
            _PAGES,
            _PAGE,
            _stream(b"BI /W 10 /H 10 /BPC 8 /CS /G ID " + b"\xff" * 5000),
            _FONT,
        ),
        "bad-filter": _objects(
            _CATALOG,
            _PAGES,
            _PAGE,
            _stream(b"not deflate at all", b"/Filter /FlateDecode "),
            _FONT,
        ),
        "unknown-filter": _objects(
            _CATALOG, _PAGES, _PAGE, _stream(b"xx", b"/Filter /NoSuchDecode "), _FONT
        ),
        "missing-objects": _objects(_CATALOG, b"<< /Type /Pages /Kids [9 0 R] /Count 1 >>"),
        "javascript-action": _objects(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
            _PAGES,
            _PAGE,
            _stream(_TEXT),
            _FONT,
            b"<< /S /JavaScript /JS (app.launchURL('http://canary.wegwijs.invalid/')) >>",
        ),
        "huge-mediabox": _objects(
            _CATALOG,
            _PAGES,
            _PAGE.replace(b"612 792", b"1e308 1e308"),
            _stream(_TEXT),
            _FONT,
        ),
        "html-inside": b"%PDF-1.4\n<html><script>window.__xss=30</script></html>\n%%EOF\n",
        "flate-bomb": flate_bomb(),
    }
