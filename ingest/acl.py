"""POSIX access ACLs, read from the ``system.posix_acl_access`` extended attribute.

No maintained ACL library installs from a wheel (``pylibacl`` builds against libacl), so the
attribute is parsed here. Its layout is the kernel's ``posix_acl_xattr`` format
(``include/uapi/linux/posix_acl_xattr.h``): a little-endian ``u32`` version (2), then entries
of ``u16 tag, u16 perm, u32 id``. Tags: ``USER_OBJ`` 0x01, ``USER`` 0x02, ``GROUP_OBJ`` 0x04,
``GROUP`` 0x08, ``MASK`` 0x10, ``OTHER`` 0x20; ``id`` names the user or group of ``USER`` and
``GROUP`` entries. Anything else (another version, an unknown tag, a missing or repeated
required entry, named entries without a mask, a truncated attribute) raises
``UnknownAclError``, and the caller lets only the owner read (fail closed).
"""

from __future__ import annotations

import errno
import os
import struct
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ingest.errors import UnknownAclError

ACL_XATTR = "system.posix_acl_access"
ACL_VERSION = 2
Tag = Literal["user_obj", "user", "group_obj", "group", "mask", "other"]
TAGS: dict[int, Tag] = {
    0x01: "user_obj",
    0x02: "user",
    0x04: "group_obj",
    0x08: "group",
    0x10: "mask",
    0x20: "other",
}
READ = 4
_HEADER = struct.Struct("<I")
_ENTRY = struct.Struct("<HHI")
_NO_ACL = {errno.ENODATA, errno.ENOTSUP, errno.EOPNOTSUPP}


@dataclass(frozen=True)
class AclEntry:
    """One ACL entry: its tag, permission bits (4 read, 2 write, 1 execute) and id."""

    tag: Tag
    perm: int
    qualifier: int | None = None


def parse_acl(data: bytes) -> tuple[AclEntry, ...]:
    """Entries of a ``system.posix_acl_access`` value.

    Raises:
        UnknownAclError: the value is not a version 2 POSIX ACL of a shape we know.
    """
    if len(data) < _HEADER.size or (len(data) - _HEADER.size) % _ENTRY.size:
        raise UnknownAclError(f"POSIX ACL of {len(data)} bytes is truncated")
    (version,) = _HEADER.unpack_from(data)
    if version != ACL_VERSION:
        raise UnknownAclError(f"POSIX ACL version {version} is not {ACL_VERSION}")
    entries = []
    for tag, perm, qualifier in _ENTRY.iter_unpack(data[_HEADER.size :]):
        if tag not in TAGS or perm > 7:
            raise UnknownAclError(f"POSIX ACL entry with tag {tag:#x}, perm {perm:#o}")
        named = TAGS[tag] in ("user", "group")
        entries.append(AclEntry(TAGS[tag], perm, qualifier if named else None))
    _check_shape(tuple(entries))
    return tuple(entries)


def _check_shape(entries: tuple[AclEntry, ...]) -> None:
    counts = Counter(entry.tag for entry in entries)
    for tag in ("user_obj", "group_obj", "other"):
        if counts[tag] != 1:
            raise UnknownAclError(f"POSIX ACL has {counts[tag]} '{tag}' entries, not 1")
    if counts["mask"] > 1 or (counts["user"] + counts["group"] and not counts["mask"]):
        raise UnknownAclError("POSIX ACL with named entries needs exactly one mask entry")
    named = [(entry.tag, entry.qualifier) for entry in entries if entry.qualifier is not None]
    if len(named) != len(set(named)):
        raise UnknownAclError("POSIX ACL names the same user or group twice")


def read_acl(path: Path) -> tuple[AclEntry, ...] | None:
    """The access ACL of ``path``, or None when it has none (or the file system has no ACLs).

    Raises:
        UnknownAclError: the ACL cannot be read or has a shape we do not know.
    """
    try:
        data = os.getxattr(path, ACL_XATTR, follow_symlinks=False)
    except OSError as exc:
        if exc.errno in _NO_ACL:
            return None
        raise UnknownAclError(f"cannot read the ACL of {path}: {exc.strerror}") from exc
    return parse_acl(data)


def mode_entries(mode: int) -> tuple[AclEntry, ...]:
    """The minimal ACL that plain mode bits stand for (owner, group, other)."""
    return (
        AclEntry("user_obj", (mode >> 6) & 7),
        AclEntry("group_obj", (mode >> 3) & 7),
        AclEntry("other", mode & 7),
    )
