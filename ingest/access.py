"""Who may read a file: POSIX owner, group, mode bits and access ACL, or an ACCESS rule.

The file system's answer is turned into a reader list (see ``ingest.models.Reader``):

- the owner is allowed when the owner entry grants read, else denied;
- a named ACL user is allowed or denied by its entry (masked by the ACL mask);
- the owning group and named ACL groups are allowed when their (masked) entry grants read;
- everyone (``public``) is allowed when "other" grants read; groups whose entry does not
  grant read are then denied, so that members of such a group are carved out as in POSIX.

Deny beats allow, so a few POSIX corner cases come out stricter than the kernel (fail
closed): an owner or named user who is also in a denied group, or a member of one group that
may read and one that may not, is denied. An ACL of unknown shape lets only the owner read.
An ACCESS rule that matches the file replaces the file system's answer (``ingest.access_rules``).
"""

from __future__ import annotations

import grp
import logging
import os
import pwd
import stat
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from ingest.access_rules import AccessRule, resolve_readers
from ingest.acl import READ, AclEntry, mode_entries, read_acl
from ingest.errors import UnknownAclError
from ingest.models import Access, Reader

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4096)
def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


@lru_cache(maxsize=4096)
def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def posix_readers(user: str, group: str, entries: tuple[AclEntry, ...]) -> tuple[Reader, ...]:
    """Readers of a file owned by ``user``:``group`` with these ACL (or mode) entries."""
    mask = next((entry.perm for entry in entries if entry.tag == "mask"), 7)
    readers: set[Reader] = set()
    refused_groups: set[str] = set()
    for entry in entries:
        masked = bool(entry.perm & mask & READ)
        if entry.tag == "user_obj":
            readers.add(Reader("allow" if entry.perm & READ else "deny", "user", user))
        elif entry.tag == "user":
            name = _user_name(entry.qualifier or 0)
            readers.add(Reader("allow" if masked else "deny", "user", name))
        elif entry.tag in ("group_obj", "group"):
            name = group if entry.tag == "group_obj" else _group_name(entry.qualifier or 0)
            if masked:
                readers.add(Reader("allow", "group", name))
            else:
                refused_groups.add(name)
        elif entry.tag == "other" and entry.perm & READ:
            readers.add(Reader("allow", "public"))
    if Reader("allow", "public") in readers:
        readers |= {Reader("deny", "group", name) for name in refused_groups}
    return tuple(sorted(readers))


def owner_only(user: str) -> tuple[Reader, ...]:
    """The fail-closed reader list: only the owner."""
    return (Reader("allow", "user", user),)


def file_readers(path: Path, info: os.stat_result, user: str, group: str) -> tuple[Reader, ...]:
    """Readers from the file system: the access ACL when there is one, else the mode bits."""
    try:
        entries = read_acl(path) or mode_entries(stat.S_IMODE(info.st_mode))
    except UnknownAclError as exc:
        logger.warning("%s: only its owner may read it (%s)", path, exc)
        return owner_only(user)
    return posix_readers(user, group, entries)


def read_access(
    path: Path,
    rel_path: str,
    rules_by_dir: Mapping[str, tuple[AccessRule, ...]] | None = None,
) -> Access:
    """Owner, group, mode and readers of the file at ``path`` (``rel_path`` below its root).

    ``public`` means everyone may read it. A matching ACCESS rule decides the readers.
    """
    info = os.lstat(path)
    mode = stat.S_IMODE(info.st_mode)
    user, group = _user_name(info.st_uid), _group_name(info.st_gid)
    from_fs = file_readers(path, info, user, group)
    readers = resolve_readers(rel_path, rules_by_dir or {}, from_fs)
    public = Reader("allow", "public") in readers and Reader("deny", "public") not in readers
    return Access(info.st_uid, info.st_gid, mode, user, group, public, readers)
