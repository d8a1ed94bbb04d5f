"""What a caller may do beyond reading: administrators, document owners, and the demo.

Which documents a caller may read is decided per document (``index.readers``) and holds for
everyone, administrators included. On top of that:

- an **administrator** (a token from ``wegwijs token create --admin``) sees every knowledge gap
  (what other people searched for and did not find), the whole audit with the bus-factor map,
  and may mark any document they can read as reviewed or outdated;
- any other **signed-in** caller sees the gaps routed to them and the audit of what they own,
  and may mark the documents they own. They own what lists their user name, one of their
  groups, or a team (OWNERS ``team`` lines) they are a member of;
- an **anonymous** caller may only read public documents, except in the demo.

The demo (``wegwijs demo`` sets ``WEGWIJS_DEMO``) serves a generated sample share to anonymous
callers and shows off the gap ledger, the audit and review marks, so there an anonymous caller
is an administrator (``service.auth``). Marks of anonymous callers carry the name they give.
"""

from __future__ import annotations

import sqlite3

from index.governance.rules import read_teams
from index.readers import Principal


class NotAllowedError(PermissionError):
    """The caller is known but may not do this (HTTP 403)."""


def owner_names(conn: sqlite3.Connection, principal: Principal) -> frozenset[str]:
    """The owner names that stand for ``principal``: user, groups, and teams they are in."""
    if principal.user is None:
        return frozenset()
    teams = {team for team, members in read_teams(conn).items() if principal.user in members}
    return frozenset({principal.user, *principal.groups} | teams)


def audit_owner(conn: sqlite3.Connection, principal: Principal, owner: str | None) -> str | None:
    """Whose part of the audit ``principal`` gets for ``owner`` (None: the whole audit).

    Names compare without case, as the audit's own owner filter does; a person's part also
    holds the queues of their teams.

    Raises:
        NotAllowedError: not an administrator, and ``owner`` is not one of theirs.
    """
    if principal.admin:
        return owner
    if principal.user is None:
        raise NotAllowedError(
            "The audit is for administrators and document owners: sign in with your token."
        )
    wanted = owner or principal.user
    if wanted.casefold() not in {name.casefold() for name in owner_names(conn, principal)}:
        raise NotAllowedError(
            f"Only administrators see the audit of '{wanted}'. You see what you own: leave out "
            f"'owner', or ask for owner={principal.user} or one of your groups or teams."
        )
    return wanted


def require_admin(principal: Principal, what: str) -> None:
    """Refuse ``what`` to anyone but an administrator.

    Raises:
        NotAllowedError: ``principal`` is not an administrator.
    """
    if not principal.admin:
        raise NotAllowedError(
            f"Only administrators see {what}; ask one for a token made with "
            "'wegwijs token create --admin'."
        )


def check_may_mark(conn: sqlite3.Connection, doc_id: str, principal: Principal) -> None:
    """Let only the document's owners and administrators mark it reviewed or outdated.

    Raises:
        NotAllowedError: ``principal`` neither owns ``doc_id`` nor is an administrator.
    """
    if principal.admin:
        return
    if principal.user is None:
        raise NotAllowedError("Sign in to mark a document: marks are recorded under your name.")
    owners = {row[0] for row in conn.execute("SELECT name FROM owners WHERE doc_id = ?", [doc_id])}
    mine = {name.casefold() for name in owner_names(conn, principal)}
    if any(owner.casefold() in mine for owner in owners):
        return
    listed = ", ".join(sorted(owners)) or "nobody is recorded as owner"
    raise NotAllowedError(
        f"Only the owners of '{doc_id}' ({listed}) or an administrator may mark it; "
        "ask one of them."
    )


def reviewer_name(principal: Principal, by: str | None) -> str:
    """The name a mark is recorded under: a signed-in caller's own user name, always.

    An anonymous caller (the demo) gives a name; an empty one is refused when the mark is
    recorded (``index.governance.marks.record_mark``).

    Raises:
        NotAllowedError: a signed-in caller gave someone else's name.
    """
    if principal.user is None:
        return by or ""
    if by and by.strip() and by.strip() != principal.user:
        raise NotAllowedError(
            f"You are signed in as '{principal.user}': marks are recorded under that name, "
            f"not '{by.strip()}'. Leave out 'by'."
        )
    return principal.user
