"""Bearer tokens: who a caller is (user, groups, admin), stored hashed in the home.

A token reads ``wgw_<token_id>_<secret>``. Only ``sha256(secret)`` is kept (the secret is 256
random bits, so a plain hash is enough; nothing to brute-force), in ``<home>/tokens.sqlite``
readable by its owner only. The token is shown once, when it is created. Revoking takes effect
on the next request: every request looks its token up.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from index.readers import Principal

PREFIX = "wgw"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    token_id TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL,
    user TEXT NOT NULL,
    groups TEXT NOT NULL,
    admin INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
"""


class UnknownTokenError(LookupError):
    """No token with this id."""


@dataclass(frozen=True)
class TokenInfo:
    """What is stored about a token (never the token itself)."""

    token_id: str
    user: str
    groups: tuple[str, ...]
    admin: bool
    created_at: str
    revoked_at: str | None

    @property
    def principal(self) -> Principal:
        """The caller this token stands for."""
        return Principal(self.user, self.groups, self.admin)


def tokens_path(home: Path) -> Path:
    """Where the tokens of a home are kept."""
    return home / "tokens.sqlite"


def _connect(home: Path) -> sqlite3.Connection:
    path = tokens_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    path.chmod(0o600)
    conn.execute(_SCHEMA)
    return conn


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def create_token(home: Path, principal: Principal) -> tuple[str, TokenInfo]:
    """A new token for ``principal`` (a signed-in user); return it (shown once) and its record.

    Raises:
        ValueError: the principal has no user name.
    """
    if not principal.user or not principal.user.strip():
        raise ValueError("A token needs a user name: --user NAME.")
    token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    info = TokenInfo(token_id, principal.user, principal.groups, principal.admin, _now(), None)
    conn = _connect(home)
    try:
        conn.execute(
            "INSERT INTO tokens VALUES (?,?,?,?,?,?,NULL)",
            (token_id, _digest(secret), info.user, json.dumps(info.groups), int(info.admin),
             info.created_at),
        )  # fmt: skip
    finally:
        conn.close()
    return f"{PREFIX}_{token_id}_{secret}", info


def list_tokens(home: Path) -> list[TokenInfo]:
    """Every token of the home, oldest first, revoked ones included."""
    if not tokens_path(home).exists():
        return []
    conn = _connect(home)
    try:
        rows = conn.execute(
            "SELECT token_id, user, groups, admin, created_at, revoked_at FROM tokens "
            "ORDER BY created_at, token_id"
        ).fetchall()
    finally:
        conn.close()
    return [TokenInfo(r[0], r[1], tuple(json.loads(r[2])), bool(r[3]), r[4], r[5]) for r in rows]


def revoke_token(home: Path, token_id: str) -> TokenInfo:
    """Revoke a token by its id (``token list`` shows them); it stops working at once.

    Raises:
        UnknownTokenError: no token has this id.
    """
    conn = _connect(home)
    try:
        conn.execute(
            "UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE token_id = ?",
            (_now(), token_id),
        )
    finally:
        conn.close()
    found = [info for info in list_tokens(home) if info.token_id == token_id]
    if not found:
        raise UnknownTokenError(
            f"No token '{token_id}' in {tokens_path(home)}: 'wegwijs token list' shows the ids."
        )
    return found[0]


def verify_token(home: Path, token: str) -> Principal | None:
    """The principal of a valid, unrevoked token; None for anything else."""
    prefix, _, rest = token.strip().partition("_")
    token_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not token_id or not secret or not tokens_path(home).exists():
        return None
    conn = sqlite3.connect(f"file:{tokens_path(home)}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT secret_sha256, user, groups, admin FROM tokens "
            "WHERE token_id = ? AND revoked_at IS NULL",
            (token_id,),
        ).fetchone()
    finally:
        conn.close()
    if row is None or not hmac.compare_digest(row[0], _digest(secret)):
        return None
    return Principal(row[1], tuple(json.loads(row[2])), bool(row[3]))
