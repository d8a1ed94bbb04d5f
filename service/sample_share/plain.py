"""Writers for the text-based formats: txt, md, html, csv and rtf (all UTF-8 except rtf)."""

from __future__ import annotations

import csv
import html
import io
import textwrap
from datetime import datetime

from service.sample_share.content import DocumentDates, SampleDocument, Section

_WRAP = 78


def render_txt(document: SampleDocument, dates: DocumentDates) -> bytes:
    """Return plain text: title and headings on lines of their own, wrapped paragraphs, bullets.

    Headings are not underlined: unstructured reads an underline as part of the heading.
    """
    lines = [document.title, ""] if document.title else []
    for section in document.sections:
        lines += [section.heading, ""]
        for paragraph in section.paragraphs:
            lines += [*textwrap.wrap(paragraph, _WRAP), ""]
        for bullet in section.bullets:
            lines += textwrap.wrap(bullet, _WRAP, initial_indent="- ", subsequent_indent="  ")
        if section.bullets:
            lines.append("")
        lines += _aligned(section.rows)
    return "\n".join(lines).rstrip("\n").encode() + b"\n"


def render_md(document: SampleDocument, dates: DocumentDates) -> bytes:
    """Return Markdown, with YAML front matter when the document has any."""
    lines: list[str] = []
    if document.front_matter:
        lines += ["---", *(f"{key}: {value}" for key, value in document.front_matter), "---"]
    lines += [f"# {document.title}", ""]
    for section in document.sections:
        lines += [f"## {section.heading}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        lines += [f"- {bullet}" for bullet in section.bullets]
        if section.bullets:
            lines.append("")
        if section.rows:
            header, *body = section.rows
            lines += [_pipe_row(header), _pipe_row(tuple("---" for _ in header))]
            lines += [_pipe_row(row) for row in body] + [""]
    return "\n".join(lines).rstrip("\n").encode() + b"\n"


def render_html(document: SampleDocument, dates: DocumentDates) -> bytes:
    """Return an HTML page whose head names the author and the modification date."""
    esc = html.escape
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(document.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{esc(document.title)}</title>",
        f'<meta name="author" content="{esc(document.author)}">',
        f'<meta name="dcterms.modified" content="{dates.modified.date().isoformat()}">',
        "</head>",
        "<body>",
        f"<h1>{esc(document.title)}</h1>",
    ]
    body = [line for section in document.sections for line in section_html(section)]
    return "\n".join([*head, *body, "</body>", "</html>", ""]).encode()


def render_csv(document: SampleDocument, dates: DocumentDates) -> bytes:
    """Return the rows of every section as comma-separated values."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for section in document.sections:
        writer.writerows(section.rows)
    return buffer.getvalue().encode()


def render_rtf(document: SampleDocument, dates: DocumentDates) -> bytes:
    """Return Rich Text with an info group holding title, author, operator and dates."""
    info = (
        f"{{\\info{{\\title {_rtf(document.title)}}}{{\\author {_rtf(document.author)}}}"
        f"{{\\operator {_rtf(document.last_modified_by)}}}"
        f"{{\\creatim{_rtf_time(dates.created)}}}{{\\revtim{_rtf_time(dates.modified)}}}}}"
    )
    parts = [
        "{\\rtf1\\ansi\\ansicpg1252\\deff0\\uc1{\\fonttbl{\\f0\\fswiss Arial;}}",
        info,
        f"\\pard\\sa240\\b\\fs32 {_rtf(document.title)}\\b0\\fs22\\par",
    ]
    for section in document.sections:
        parts.append(f"\\pard\\sb120\\sa120\\b\\fs26 {_rtf(section.heading)}\\b0\\fs22\\par")
        parts += [f"\\pard\\sa120 {_rtf(p)}\\par" for p in section.paragraphs]
        parts += [f"\\pard\\li360\\sa60 \\bullet  {_rtf(b)}\\par" for b in section.bullets]
        parts += [f"\\pard\\sa60 {_rtf(chr(9).join(row))}\\par" for row in section.rows]
    parts.append("}")
    return "\n".join(parts).encode("ascii")


def section_html(section: Section) -> list[str]:
    """Return the HTML (also valid XHTML) lines of one section: heading, text, list, table."""
    esc = html.escape
    lines = [f"<h2>{esc(section.heading)}</h2>"]
    lines += [f"<p>{esc(paragraph)}</p>" for paragraph in section.paragraphs]
    if section.bullets:
        lines += ["<ul>", *(f"<li>{esc(b)}</li>" for b in section.bullets), "</ul>"]
    if section.rows:
        header, *body = section.rows
        lines += ["<table>", "<tr>" + "".join(f"<th>{esc(c)}</th>" for c in header) + "</tr>"]
        lines += ["<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in body]
        lines.append("</table>")
    return lines


def _aligned(rows: tuple[tuple[str, ...], ...]) -> list[str]:
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip()
        for row in rows
    ]
    return [*lines, ""]


def _pipe_row(row: tuple[str, ...]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"


def _rtf(text: str) -> str:
    """Escape RTF control characters and non-ASCII text.

    Characters in code page 1252 become ``\\'xx`` escapes; pandoc (which unstructured uses to
    read RTF) drops the character after a ``\\uN?`` escape, so that form is kept for the rest.
    """
    out = []
    for char in text:
        if char in "\\{}":
            out.append("\\" + char)
        elif char == "\t":
            out.append("\\tab ")
        elif ord(char) < 128:
            out.append(char)
        else:
            out.append(_rtf_escape(char))
    return "".join(out)


def _rtf_escape(char: str) -> str:
    try:
        return "".join(f"\\'{byte:02x}" for byte in char.encode("cp1252"))
    except UnicodeEncodeError:
        code = ord(char)
        return f"\\u{code if code < 32768 else code - 65536}?"


def _rtf_time(moment: datetime) -> str:
    return (
        f"\\yr{moment.year}\\mo{moment.month}\\dy{moment.day}\\hr{moment.hour}\\min{moment.minute}"
    )
