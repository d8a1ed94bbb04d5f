"""Readers at ingest: ACL attribute parsing, POSIX mode and ACL semantics, ACCESS rules."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from ingest.access import owner_only, posix_readers, read_access
from ingest.access_rules import parse_access, resolve_readers
from ingest.acl import AclEntry, mode_entries, parse_acl
from ingest.errors import AccessFileError, UnknownAclError
from ingest.models import Reader

ALLOW_PUBLIC = Reader("allow", "public")


def acl_bytes(*entries: tuple[int, int, int], version: int = 2) -> bytes:
    """A ``system.posix_acl_access`` value in the kernel's layout."""
    return struct.pack("<I", version) + b"".join(struct.pack("<HHI", *e) for e in entries)


UNDEF = 0xFFFFFFFF
MINIMAL = ((0x01, 6, UNDEF), (0x04, 4, UNDEF), (0x20, 0, UNDEF))


def test_a_minimal_acl_parses_to_its_three_entries() -> None:
    entries = parse_acl(acl_bytes(*MINIMAL))
    assert [e.tag for e in entries] == ["user_obj", "group_obj", "other"]
    assert [e.perm for e in entries] == [6, 4, 0]


@pytest.mark.parametrize(
    "data",
    [
        acl_bytes(*MINIMAL, version=1),
        acl_bytes(*MINIMAL)[:-3],
        acl_bytes(*MINIMAL, (0x40, 4, UNDEF)),
        acl_bytes((0x01, 6, UNDEF), (0x20, 4, UNDEF)),
        acl_bytes(*MINIMAL, (0x02, 4, 1000)),
        acl_bytes(*MINIMAL, (0x02, 4, 1000), (0x02, 0, 1000), (0x10, 4, UNDEF)),
        acl_bytes(*MINIMAL, (0x10, 4, UNDEF), (0x10, 4, UNDEF)),
        acl_bytes((0x01, 9, UNDEF), (0x04, 4, UNDEF), (0x20, 0, UNDEF)),
        b"",
    ],
    ids=[
        "version",
        "truncated",
        "tag",
        "no-group",
        "no-mask",
        "twice",
        "two-masks",
        "perm",
        "empty",
    ],
)
def test_unknown_acl_shapes_are_refused(data: bytes) -> None:
    with pytest.raises(UnknownAclError):
        parse_acl(data)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (0o644, {Reader("allow", "user", "ann"), Reader("allow", "group", "hr"), ALLOW_PUBLIC}),
        (0o640, {Reader("allow", "user", "ann"), Reader("allow", "group", "hr")}),
        (0o600, {Reader("allow", "user", "ann")}),
        (0o604, {Reader("allow", "user", "ann"), Reader("deny", "group", "hr"), ALLOW_PUBLIC}),
        (0o044, {Reader("deny", "user", "ann"), Reader("allow", "group", "hr"), ALLOW_PUBLIC}),
        (0o000, {Reader("deny", "user", "ann")}),
    ],
)
def test_mode_bits_become_readers(mode: int, expected: set[Reader]) -> None:
    assert set(posix_readers("ann", "hr", mode_entries(mode))) == expected


def test_the_acl_mask_limits_named_entries_but_not_the_owner() -> None:
    entries = (
        AclEntry("user_obj", 6),
        AclEntry("user", 4, 0),
        AclEntry("group_obj", 4),
        AclEntry("group", 4, 0),
        AclEntry("mask", 0),
        AclEntry("other", 0),
    )
    readers = set(posix_readers("ann", "hr", entries))
    assert Reader("allow", "user", "ann") in readers
    assert not [r for r in readers if r.effect == "allow" and r.kind == "group"]
    assert any(r.effect == "deny" and r.kind == "user" for r in readers)


def test_access_rules_nearest_file_and_last_rule_win() -> None:
    rules = {
        "": parse_access("*  read: group:staff\n*.pdf public\n", "ACCESS"),
        "hr": parse_access(
            "* read: group:hr user:alice  deny: user:bob\n"
            "geheim/  private\n"
            '* deny: group:"Team X"\n',
            "hr/ACCESS",
        ),
    }
    fs = (Reader("allow", "user", "root"),)
    assert set(resolve_readers("a.txt", rules, fs)) == {Reader("allow", "group", "staff")}
    assert set(resolve_readers("a.pdf", rules, fs)) == {ALLOW_PUBLIC}
    assert set(resolve_readers("hr/a.pdf", rules, fs)) == {
        Reader("allow", "group", "hr"),
        Reader("allow", "user", "alice"),
        Reader("deny", "user", "bob"),
        Reader("deny", "group", "Team X"),
    }
    assert set(resolve_readers("hr/geheim/x.txt", rules, fs)) == {Reader("deny", "group", "Team X")}
    assert resolve_readers("elders/a.txt", {}, fs) == fs


def test_a_deny_only_rule_keeps_the_file_system_readers() -> None:
    rules = {"": parse_access("*.txt deny: user:bob\n", "ACCESS")}
    fs = (ALLOW_PUBLIC,)
    assert set(resolve_readers("a.txt", rules, fs)) == {ALLOW_PUBLIC, Reader("deny", "user", "bob")}


@pytest.mark.parametrize(
    "line", ["* alice", "* read: alice", "*", "* read: user:", '* read: "unclosed']
)
def test_bad_access_lines_name_the_file_and_line(line: str) -> None:
    with pytest.raises(AccessFileError, match=r"ACCESS:2"):
        parse_access(f"# header\n{line}\n", "ACCESS")


def test_real_files_with_chmod(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x")
    path.chmod(0o644)
    assert read_access(path, "a.txt").public
    path.chmod(0o600)
    access = read_access(path, "a.txt")
    assert not access.public
    assert access.readers == owner_only(access.user)


@pytest.mark.skipif(shutil.which("setfacl") is None, reason="needs setfacl (apt install acl)")
def test_real_files_with_setfacl(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x")
    path.chmod(0o640)
    subprocess.run(["setfacl", "-m", "u:nobody:r,g:daemon:r", str(path)], check=True)
    readers = set(read_access(path, "a.txt").readers)
    assert {Reader("allow", "user", "nobody"), Reader("allow", "group", "daemon")} <= readers
    subprocess.run(["setfacl", "-m", "m::-", str(path)], check=True)
    readers = set(read_access(path, "a.txt").readers)
    assert Reader("allow", "user", "nobody") not in readers
    assert Reader("deny", "user", "nobody") in readers
    assert os.getxattr(path, "system.posix_acl_access")
