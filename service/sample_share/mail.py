"""The e-mail writer: an RFC 5322 message with a Date header and optional attachments."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import PurePosixPath

from service.sample_share.content import (
    Attachment,
    DocumentDates,
    SampleDocument,
    SampleShareDataError,
)
from service.sample_share.office import render_docx
from service.sample_share.plain import render_txt

_ATTACHMENT_WRITERS: dict[str, tuple[Callable[[SampleDocument, DocumentDates], bytes], str]] = {
    "docx": (
        render_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "txt": (render_txt, "text/plain"),
}


def render_eml(document: SampleDocument, dates: DocumentDates) -> bytes:
    """Return an e-mail whose subject is the title and whose Date is the modification time."""
    if document.mail is None:
        raise SampleShareDataError(
            f"{document.path} is an .eml but has no [documents.mail] table; add one"
        )
    envelope = document.mail
    message = EmailMessage()
    message["From"] = envelope.sender
    message["To"] = ", ".join(envelope.to)
    if envelope.cc:
        message["Cc"] = ", ".join(envelope.cc)
    message["Subject"] = document.title
    message["Date"] = format_datetime(dates.modified)
    message["Message-ID"] = f"<{PurePosixPath(document.path).stem}@wegwijs.example>"
    message["Content-Language"] = document.language
    message.set_content(_body(document))
    for attachment in envelope.attachments:
        _attach(message, document, attachment, dates)
    if envelope.attachments:
        message.set_boundary(f"=_wegwijs_{PurePosixPath(document.path).stem}")
    return message.as_bytes(policy=SMTP)


def _body(document: SampleDocument) -> str:
    lines: list[str] = []
    for section in document.sections:
        lines += [section.heading, ""]
        for paragraph in section.paragraphs:
            lines += [*textwrap.wrap(paragraph, 76), ""]
        lines += [f"- {bullet}" for bullet in section.bullets]
        lines += ["  ".join(row) for row in section.rows]
        if section.bullets or section.rows:
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _attach(
    message: EmailMessage, document: SampleDocument, attachment: Attachment, dates: DocumentDates
) -> None:
    suffix = PurePosixPath(attachment.filename).suffix.lstrip(".")
    if suffix not in _ATTACHMENT_WRITERS:
        raise SampleShareDataError(
            f"{document.path}: attachment {attachment.filename} has an unsupported format; "
            f"use one of {', '.join(sorted(_ATTACHMENT_WRITERS))}"
        )
    writer, media_type = _ATTACHMENT_WRITERS[suffix]
    inner = SampleDocument(
        path=attachment.filename,
        title=attachment.title,
        author=document.author,
        last_modified_by=document.last_modified_by,
        age_days=document.age_days,
        created_age_days=document.age_days,
        language=document.language,
        sections=attachment.sections,
    )
    data = writer(inner, DocumentDates(created=dates.modified, modified=dates.modified))
    maintype, subtype = media_type.split("/")
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=attachment.filename)
