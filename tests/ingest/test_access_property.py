"""Property: readers from POSIX ACLs are never more permissive than the kernel's check.

For random ACLs (owner, owning group, named users and groups, mask, other) and random callers,
``posix_readers`` + the deny-beats-allow rule must refuse whenever POSIX ``acl(5)`` refuses,
and agree with it except in the documented strict corner: everyone may read, yet the caller
is in a group whose entry does not grant read.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.access import posix_readers
from ingest.acl import READ, AclEntry
from ingest.models import Reader

OWNER, GROUP = "ann", "staff"
UIDS = (60001, 60002, 60003)  # no such users here: names are the numbers
GIDS = (61001, 61002)
USERS = (OWNER, *map(str, UIDS), "zed")
GROUPS = (GROUP, *map(str, GIDS), "other")
perm = st.integers(0, 7)


@st.composite
def acls(draw: st.DrawFn) -> tuple[AclEntry, ...]:
    named_users = draw(st.lists(st.sampled_from(UIDS), unique=True, max_size=3))
    named_groups = draw(st.lists(st.sampled_from(GIDS), unique=True, max_size=2))
    entries = [AclEntry("user_obj", draw(perm)), AclEntry("group_obj", draw(perm))]
    entries += [AclEntry("user", draw(perm), uid) for uid in named_users]
    entries += [AclEntry("group", draw(perm), gid) for gid in named_groups]
    mask_anyway: bool = draw(st.booleans())
    if named_users or named_groups or mask_anyway:
        entries.append(AclEntry("mask", draw(perm)))
    entries.append(AclEntry("other", draw(perm)))
    return tuple(entries)


def kernel_may_read(entries: tuple[AclEntry, ...], user: str | None, groups: set[str]) -> bool:
    """acl(5), access check algorithm, for read."""
    mask = next((e.perm for e in entries if e.tag == "mask"), 7)
    by_tag = {e.tag: e for e in entries if e.qualifier is None}
    if user == OWNER:
        return bool(by_tag["user_obj"].perm & READ)
    named = [e for e in entries if e.tag == "user" and str(e.qualifier) == user]
    if user is not None and named:
        return bool(named[0].perm & mask & READ)
    matching = [by_tag["group_obj"]] if GROUP in groups else []
    matching += [e for e in entries if e.tag == "group" and str(e.qualifier) in groups]
    if user is not None and matching:
        return any(e.perm & mask & READ for e in matching)
    return bool(by_tag["other"].perm & READ)


def ours(readers: tuple[Reader, ...], user: str | None, groups: set[str]) -> bool:
    def matches(reader: Reader) -> bool:
        if reader.kind == "public":
            return True
        if user is None:
            return False
        return reader.name == user if reader.kind == "user" else reader.name in groups

    effects = {reader.effect for reader in readers if matches(reader)}
    return "allow" in effects and "deny" not in effects


@settings(max_examples=3000, deadline=None, derandomize=True, database=None)
@given(
    entries=acls(),
    user=st.one_of(st.none(), st.sampled_from(USERS)),
    groups=st.sets(st.sampled_from(GROUPS), max_size=3),
)
def test_readers_never_allow_what_posix_refuses(
    entries: tuple[AclEntry, ...], user: str | None, groups: set[str]
) -> None:
    groups = groups if user is not None else set()
    readers = posix_readers(OWNER, GROUP, entries)
    kernel = kernel_may_read(entries, user, groups)
    mine = ours(readers, user, groups)
    assert not mine or kernel, (entries, user, groups, readers)
    refused = {r.name for r in readers if r.effect == "deny" and r.kind == "group"}
    if not (Reader("allow", "public") in readers and groups & refused):
        assert mine == kernel, (entries, user, groups, readers)
