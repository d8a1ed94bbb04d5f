"""Zip containers (docx, pptx, xlsx, odt, epub) with fixed entry timestamps.

Office libraries stamp each zip entry with the time of saving; re-packing with the document's
own modification time makes the generated share byte-for-byte reproducible.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import datetime

_EPOCH_OF_ZIP = datetime(1980, 1, 1)


def pack_zip(entries: Iterable[tuple[str, bytes]], when: datetime) -> bytes:
    """Return a zip archive of ``(name, data)`` entries, in order, all stamped ``when``.

    An entry named ``mimetype`` is stored uncompressed, as ODF and EPUB require of their first
    entry; every other entry is deflated.
    """
    stamp = _zip_time(when)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            stored = name == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def restamp_zip(data: bytes, when: datetime) -> bytes:
    """Return the zip archive ``data`` with every entry re-stamped ``when``, order kept."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    return pack_zip(entries, when)


def _zip_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    moment = max(when.replace(tzinfo=None), _EPOCH_OF_ZIP)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
