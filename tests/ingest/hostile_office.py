"""Office containers (docx, xlsx, pptx, odt) rebuilt with hostile XML, for the hostile corpus.

A clean base file of each type is made once with its real library (or by hand for odt) around two
markers; a variant replaces a marker in one XML part and may put a DOCTYPE before its root.
"""

from __future__ import annotations

import io
import re
import zipfile
from functools import cache

BODY_MARKER = "HOSTILEBODYMARKER"
TITLE_MARKER = "HOSTILETITLEMARKER"
OFFICE_TYPES = ("docx", "xlsx", "pptx", "odt")
_DECLARATION = re.compile(rb"^<\?xml[^>]*\?>\s*")
_ROOT = re.compile(rb"<([A-Za-z_][\w:.-]*)[\s>/]")


@cache
def base_members(file_type: str) -> tuple[tuple[zipfile.ZipInfo, bytes], ...]:
    """The parts of a clean file of ``file_type`` holding both markers."""
    data = {"docx": _docx, "xlsx": _xlsx, "pptx": _pptx, "odt": _odt}[file_type]()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return tuple((info, archive.read(info)) for info in archive.infolist())


def base_file(file_type: str) -> bytes:
    """A clean, valid file of ``file_type``."""
    return pack(base_members(file_type))


def pack(members: tuple[tuple[zipfile.ZipInfo, bytes], ...]) -> bytes:
    """Zip the parts again, keeping their order and compression (odt's stored mimetype first)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, payload in members:
            archive.writestr(info, payload, compress_type=info.compress_type)
    return buffer.getvalue()


def variant(file_type: str, marker: str, text: str, doctype: str = "") -> bytes:
    """The base file with ``marker`` replaced by ``text`` (raw XML) and ``doctype`` inserted."""
    members = []
    for info, payload in base_members(file_type):
        if marker.encode() in payload:
            payload = payload.replace(marker.encode(), text.encode())
            if doctype:
                payload = _with_doctype(payload, doctype)
        members.append((info, payload))
    return pack(tuple(members))


def _with_doctype(payload: bytes, doctype: str) -> bytes:
    declaration = _DECLARATION.match(payload)
    head = declaration.group(0) if declaration else b""
    rest = payload[len(head) :]
    root = _ROOT.search(rest)
    name = root.group(1).decode() if root else "root"
    return head + doctype.replace("ROOTNAME", name).encode() + b"\n" + rest


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = TITLE_MARKER
    document.add_heading("Vijandig bestand", level=1)
    document.add_paragraph(f"Gewone tekst over de fietsenstalling. {BODY_MARKER}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.properties.title = TITLE_MARKER
    sheet = book.active
    sheet["A1"] = "Onderwerp"
    sheet["A2"] = f"Fietsenstalling {BODY_MARKER}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _pptx() -> bytes:
    import pptx

    deck = pptx.Presentation()
    deck.core_properties.title = TITLE_MARKER
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Vijandige dia"
    slide.placeholders[1].text = f"Fietsenstalling {BODY_MARKER}"
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"'
)
_ODT_MIME = "application/vnd.oasis.opendocument.text"


def _odt() -> bytes:
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n'
    content = (
        f"{xml}<office:document-content {_ODT_NS}><office:body><office:text>"
        f"<text:p>Gewone tekst over de fietsenstalling. {BODY_MARKER}</text:p>"
        "</office:text></office:body></office:document-content>"
    )
    meta = (
        f"{xml}<office:document-meta {_ODT_NS}><office:meta>"
        f"<dc:title>{TITLE_MARKER}</dc:title></office:meta></office:document-meta>"
    )
    styles = f"{xml}<office:document-styles {_ODT_NS}><office:styles/></office:document-styles>"
    manifest = (
        f'{xml}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
        'manifest:1.0" manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{_ODT_MIME}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", _ODT_MIME, compress_type=zipfile.ZIP_STORED)
        for name, text in (
            ("content.xml", content),
            ("styles.xml", styles),
            ("meta.xml", meta),
            ("META-INF/manifest.xml", manifest),
        ):
            archive.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def ratio_bomb(file_type: str, unpacked_bytes: int = 64 * 1024 * 1024) -> bytes:
    """The base file plus one member of zeros that expands far beyond any sane ratio."""
    members = base_members(file_type)
    buffer = io.BytesIO(pack(members))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as handle:
            block = bytes(1 << 20)
            for _ in range(unpacked_bytes >> 20):
                handle.write(block)
    return buffer.getvalue()


def lying_sizes(file_type: str) -> bytes:
    """The base file whose central directory understates every member's size."""
    data = bytearray(base_file(file_type))
    position = data.find(b"PK\x01\x02")
    while position != -1:
        data[position + 24 : position + 28] = (1).to_bytes(4, "little")
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)


def many_members(file_type: str, count: int = 3000) -> bytes:
    """The base file plus thousands of empty parts."""
    buffer = io.BytesIO(base_file(file_type))
    with zipfile.ZipFile(buffer, "a") as archive:
        for number in range(count):
            archive.writestr(f"customXml/hostile{number}.xml", b"")
    return buffer.getvalue()


def nested_zip(file_type: str) -> bytes:
    """The base file carrying zips inside zips (a 42.zip in miniature)."""
    inner = b"\0" * (1 << 20)
    for depth in range(4):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for number in range(4):
                archive.writestr(f"layer{depth}-{number}.zip", inner)
        inner = buffer.getvalue()
    buffer = io.BytesIO(base_file(file_type))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("embeddings/nested.zip", inner)
    return buffer.getvalue()
