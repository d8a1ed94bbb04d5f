"""Generate a corpus of hostile files (and a few good ones) into a folder, at test time.

Every file is listed with what an ingest must do with it: ``error`` (reported, not indexed),
``indexed`` (a safe document with hostile text: indexed, its text treated as text), or ``either``
(a damaged file a parser may partly read; it must be one or the other, never lost or fatal).
Nothing is downloaded; the payloads are in ``hostile_payloads``.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ingest.discover import printable
from tests.ingest import hostile_office as office
from tests.ingest import hostile_pdf as pdf
from tests.ingest.hostile_payloads import (
    NAUGHTY,
    billion_laughs,
    naughty_file_stem,
    quadratic_blowup,
    xml_escape,
    xxe_doctypes,
)

Expect = Literal["error", "indexed", "either"]
OVER_LIMIT_BYTES = 200 * 1024 * 1024 + 1
JUNK_EXTENSIONS = ("docx", "xlsx", "pptx", "odt", "pdf", "epub", "rtf", "eml")
NOT_UTF8_NAMES: tuple[bytes, ...] = (b"latin1-\xe9t\xe9.txt", b"broken-\xff\xfe.txt")
GOOD_TOKENS = ("zwaluwstaart", "parkeerschijf", "koffieautomaat", "brandoefening")


@dataclass(frozen=True)
class HostileFile:
    """One generated file: where it is, what it tries, and what an ingest must do with it."""

    rel_path: str
    kind: str
    expect: Expect


class _Corpus:
    """Writes files under one folder and remembers what each one is."""

    def __init__(self, folder: Path, seed: int) -> None:
        self.folder = folder
        self.rng = random.Random(seed)
        self.files: list[HostileFile] = []

    def add(self, name: str, data: bytes | str, kind: str, expect: Expect) -> None:
        sub = self.folder / kind
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        self.files.append(HostileFile(f"{kind}/{name}", kind, expect))

    def cut(self, data: bytes, count: int) -> list[bytes]:
        return [data[: self.rng.randrange(1, len(data))] for _ in range(count)]

    def flip(self, data: bytes, flips: int = 8) -> bytes:
        damaged = bytearray(data)
        for _ in range(flips):
            damaged[self.rng.randrange(len(damaged))] ^= 1 << self.rng.randrange(8)
        return bytes(damaged)


def write_corpus(folder: Path, canary_url: str, seed: int = 20261126) -> list[HostileFile]:
    """Write the whole corpus under ``folder``; ``canary_url`` is a listener that must stay idle."""
    corpus = _Corpus(folder, seed)
    for part in _PARTS:
        part(corpus, canary_url)
    return corpus.files


GOOD_TEXTS = (
    "De zwaluwstaart verbinding in de houtwerkplaats wordt met lijm en een klem gemaakt.",
    "Wie in de garage parkeert legt de parkeerschijf zichtbaar achter de voorruit.",
    "De koffieautomaat op de tweede verdieping wordt elke vrijdag ontkalkt door facilitair.",
    "Bij een brandoefening verlaat iedereen het pand via de trap en verzamelt op het plein.",
)


def write_naughty(folder: Path) -> list[HostileFile]:
    """Only the safe files with naughty names, titles and bodies (for the browser test)."""
    corpus = _Corpus(folder, seed=1)
    _naughty_plain(corpus, "")
    for number, text in enumerate(NAUGHTY[:8]):
        titled = office.variant("docx", office.TITLE_MARKER, xml_escape(text))
        corpus.add(f"{naughty_file_stem(number + 300)}.docx", titled, "naughty-title", "indexed")
    return corpus.files


def _good(corpus: _Corpus, _canary: str) -> None:
    for number, (token, text) in enumerate(zip(GOOD_TOKENS, GOOD_TEXTS, strict=True)):
        corpus.add(f"goed-{number}.txt", f"{text}\n\nTrefwoord: {token}.\n", "good", "indexed")
        docx = office.variant("docx", office.BODY_MARKER, f"{token} {text[::-1]}")
        corpus.add(f"goed-{number}.docx", docx, "good", "indexed")
    corpus.add(
        "goed.pdf",
        pdf.good_pdf("Goed", "Een pdf over het archief en de sleutels."),
        "good",
        "indexed",
    )


def _naughty_plain(corpus: _Corpus, _canary: str) -> None:
    for number, text in enumerate(NAUGHTY):
        filler = "De fietsenstalling achter het kantoor is open op werkdagen. " * 3
        body = f"{text}\n\nTekst over de fietsenstalling nummer {number}. {text}\n{filler}\n"
        stem = naughty_file_stem(number)
        if number % 3 == 0:
            corpus.add(f"{stem}.txt", body, "naughty-txt", "indexed")
        elif number % 3 == 1:
            front = text.replace("\n", " ").replace('"', "'")
            markdown = f'---\ntitle: "{front}"\nauthor: "{front}"\n---\n\n# {text}\n\n{body}'
            corpus.add(f"{stem}.md", markdown, "naughty-md", "indexed")
        else:
            safe = xml_escape(text)
            html = (
                f'<html><head><title>{safe}</title><meta name="author" content="{safe}"></head>'
                f"<body><h1>{text}</h1><p>{body}</p></body></html>"
            )
            corpus.add(f"{stem}.html", html, "naughty-html", "indexed")


def _naughty_office(corpus: _Corpus, _canary: str) -> None:
    for number, text in enumerate(NAUGHTY):
        file_type = office.OFFICE_TYPES[number % len(office.OFFICE_TYPES)]
        titled = office.variant(file_type, office.TITLE_MARKER, xml_escape(text))
        corpus.add(
            f"{naughty_file_stem(number + 300)}.{file_type}", titled, "naughty-title", "indexed"
        )
        with_body = office.variant(file_type, office.BODY_MARKER, xml_escape(text))
        corpus.add(f"body-{number:03d}.{file_type}", with_body, "naughty-body", "indexed")
    for number in range(10):
        title = xml_escape(NAUGHTY[number])
        data = pdf.good_pdf(NAUGHTY[number], f"Fietsenstalling {number} {title}")
        corpus.add(f"{naughty_file_stem(number + 400)}.pdf", data, "naughty-pdf", "indexed")


def _xxe(corpus: _Corpus, canary: str) -> None:
    for file_type in office.OFFICE_TYPES:
        for marker in (office.BODY_MARKER, office.TITLE_MARKER):
            for number, (doctype, use) in enumerate(xxe_doctypes("ROOTNAME", canary)):
                data = office.variant(file_type, marker, f"xxe {use} einde", doctype)
                corpus.add(f"xxe-{marker[7:11]}-{number}.{file_type}", data, "xxe-office", "either")
            for name, (doctype, use) in (
                ("laughs", billion_laughs("ROOTNAME")),
                ("quadratic", quadratic_blowup("ROOTNAME")),
            ):
                data = office.variant(file_type, marker, use, doctype)
                corpus.add(f"{name}-{marker[7:11]}.{file_type}", data, "xml-bomb", "either")


def _xxe_markup(corpus: _Corpus, canary: str) -> None:
    for number, (doctype, use) in enumerate(xxe_doctypes("svg", canary)):
        svg = (
            f'<?xml version="1.0"?>{doctype}<svg xmlns="http://www.w3.org/2000/svg" '
            f'xmlns:xlink="http://www.w3.org/1999/xlink"><text>{use}</text>'
            f'<image xlink:href="{canary}/img.png"/><script>window.__xss=40</script></svg>'
        )
        corpus.add(f"xxe-{number}.svg", svg, "xxe-markup", "error")
        xml = f'<?xml version="1.0"?>{doctype.replace("svg", "data")}<data>{use}</data>'
        corpus.add(f"xxe-{number}.xml", xml, "xxe-markup", "error")
        html = (
            f'<?xml version="1.0"?>{doctype.replace("svg", "html")}<html><head><title>'
            f"XXE {number}</title></head><body><p>Fietsenstalling {use}</p>"
            f'<img src="{canary}/pixel.png"><iframe src="{canary}/frame"></iframe>'
            f'<link rel="stylesheet" href="{canary}/style.css"></body></html>'
        )
        corpus.add(f"xxe-{number}.html", html, "xxe-markup", "either")
    laughs, use = billion_laughs("html")
    corpus.add(
        "laughs.html", f"{laughs}<html><body><p>{use}</p></body></html>", "xml-bomb", "either"
    )
    xinclude = (
        '<html xmlns:xi="http://www.w3.org/2001/XInclude"><body><p>Fietsenstalling</p>'
        '<xi:include href="file:///etc/passwd" parse="text"/></body></html>'
    )
    corpus.add("xinclude.html", xinclude, "xxe-markup", "either")


def _zip_bombs(corpus: _Corpus, _canary: str) -> None:
    for file_type in office.OFFICE_TYPES:
        bomb = office.ratio_bomb(file_type)
        for copy in range(3):
            corpus.add(f"ratio-{copy}.{file_type}", bomb, "zip-bomb", "error")
        corpus.add(f"lying-sizes.{file_type}", office.lying_sizes(file_type), "zip-bomb", "either")
        corpus.add(
            f"many-members.{file_type}", office.many_members(file_type), "zip-bomb", "either"
        )
        corpus.add(f"nested.{file_type}", office.nested_zip(file_type), "zip-bomb", "either")


def _damaged_office(corpus: _Corpus, _canary: str) -> None:
    for file_type in office.OFFICE_TYPES:
        data = office.base_file(file_type)
        for number, cut in enumerate(corpus.cut(data, 6)):
            corpus.add(f"truncated-{number}.{file_type}", cut, "truncated", "error")
        for number in range(3):
            corpus.add(f"flipped-{number}.{file_type}", corpus.flip(data), "bit-flip", "either")


def _damaged_pdf(corpus: _Corpus, _canary: str) -> None:
    for name, data in pdf.malformed_pdfs().items():
        corpus.add(f"{name}.pdf", data, "malformed-pdf", "either")
    good = pdf.good_pdf("Kapot", "Fietsenstalling en regels in een pdf die wordt ingekort. " * 8)
    for number, cut in enumerate(corpus.cut(good, 10)):
        corpus.add(f"truncated-{number}.pdf", cut, "truncated", "either")
    for number in range(6):
        corpus.add(f"flipped-{number}.pdf", corpus.flip(good, 30), "bit-flip", "either")
    locked = pdf.good_pdf("Versleuteld", "Geheime fietsenstalling", encrypt="wachtwoord")
    corpus.add("encrypted.pdf", locked, "malformed-pdf", "either")


def _junk(corpus: _Corpus, _canary: str) -> None:
    for extension in JUNK_EXTENSIONS:
        for number in range(10):
            junk = corpus.rng.randbytes(corpus.rng.randrange(16, 4096))
            corpus.add(f"junk-{number}.{extension}", junk, "junk", "error")
            zipped = b"PK\x03\x04" + junk
            corpus.add(f"zip-magic-{number}.{extension}", zipped, "junk", "error")
        corpus.add(f"empty.{extension}", b"", "empty", "error")
        corpus.add(f"nul-bytes.{extension}", bytes(1024), "junk", "error")
    corpus.add("empty.txt", b"", "empty", "error")
    corpus.add("whitespace.txt", b" \n\t\n " * 10, "empty", "error")


def _huge(corpus: _Corpus, _canary: str) -> None:
    corpus.add("huge.pdf", b"%PDF-1.7\n", "huge", "error")
    path = corpus.folder / "huge" / "huge.pdf"
    os.truncate(path, OVER_LIMIT_BYTES)  # sparse: over the limit without using the disk


def _odd_names(corpus: _Corpus, _canary: str) -> None:
    raw = os.fsencode(corpus.folder / "odd-names")
    os.makedirs(raw, exist_ok=True)
    for number, name in enumerate(NOT_UTF8_NAMES):
        with open(os.path.join(raw, name), "wb") as handle:
            handle.write(f"Fietsenstalling met een vreemde naam {number}.".encode())
        shown = printable(os.fsdecode(name))
        corpus.files.append(HostileFile(f"odd-names/{shown}", "odd-names", "error"))
    for number, stem in enumerate(("line\nbreak", "carriage\rreturn", "tab\there", " spaties ")):
        corpus.add(f"{stem}-{number}.txt", f"Fietsenstalling {number}.", "odd-names", "indexed")


_PARTS: tuple[Callable[[_Corpus, str], None], ...] = (
    _good,
    _naughty_plain,
    _naughty_office,
    _xxe,
    _xxe_markup,
    _zip_bombs,
    _damaged_office,
    _damaged_pdf,
    _junk,
    _huge,
    _odd_names,
)
