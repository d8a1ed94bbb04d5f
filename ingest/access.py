"""Who may read a file and who owns it on disk, from POSIX owner, group and mode bits."""

from __future__ import annotations

import grp
import os
import pwd
import stat

from ingest.models import Access


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def read_access(info: os.stat_result) -> Access:
    """Capture owner, group and mode; ``public`` when the world may read the file."""
    mode = stat.S_IMODE(info.st_mode)
    return Access(
        uid=info.st_uid,
        gid=info.st_gid,
        mode=mode,
        user=_user_name(info.st_uid),
        group=_group_name(info.st_gid),
        public=bool(mode & stat.S_IROTH),
    )
