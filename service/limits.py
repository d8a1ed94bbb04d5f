"""Request limits in front of every route: body size (413), rate per caller (429), load (503).

One pure ASGI middleware, so the limits hold for pages and API alike and answer in the API's
error shape (``{"detail": …}``) before any work is done. Rates come from the ``limits`` library
(moving window, in memory: per process, which is what protects that process).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EXEMPT_PREFIXES = ("/healthz", "/static/")


@dataclass(frozen=True)
class LimitsConfig:
    """What one process accepts.

    Attributes:
        rate: per caller, in ``limits`` notation, e.g. ``"20/second;600/minute"``; empty: none.
        max_in_flight: requests handled at once; more are refused with 503 (a bounded queue).
        max_body_bytes: the largest request body.
    """

    rate: str = "20/second;600/minute"
    max_in_flight: int = 64
    max_body_bytes: int = 64 * 1024


class RequestLimits:
    """ASGI middleware enforcing a ``LimitsConfig``."""

    def __init__(self, app: ASGIApp, config: LimitsConfig) -> None:
        self.app = app
        self.config = config
        self.rates: list[RateLimitItem] = parse_many(config.rate) if config.rate else []
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await _reply(send, *refusal)
            return
        self.in_flight += 1
        try:
            await self.app(scope, *self._body_limited(receive, send))
        finally:
            self.in_flight -= 1

    def _refusal(self, scope: Scope) -> tuple[int, str, int | None] | None:
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.config.max_body_bytes:
            return self._too_large()
        if self.in_flight >= self.config.max_in_flight:
            return 503, "The service is busy; try again in a moment.", 1
        caller = _caller(scope)
        for item in self.rates:
            if not self.limiter.hit(item, caller):
                reset = self.limiter.get_window_stats(item, caller).reset_time
                wait = max(1, math.ceil(reset - time.time()))
                return 429, f"Too many requests: at most {item}; retry in {wait} s.", wait
        return None

    def _too_large(self) -> tuple[int, str, int | None]:
        limit = self.config.max_body_bytes
        return 413, f"The request body is larger than {limit:,} bytes.", None

    def _body_limited(self, receive: Receive, send: Send) -> tuple[Receive, Send]:
        """Count a streamed body; past the limit answer 413 and tell the app the client left."""
        seen = 0
        replied = False

        async def counted() -> Message:
            nonlocal seen, replied
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.config.max_body_bytes and not replied:
                replied = True
                await _reply(send, *self._too_large())
            return {"type": "http.disconnect"} if replied else message

        async def guarded(message: Message) -> None:
            if not replied:
                await send(message)

        return counted, guarded


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _caller(scope: Scope) -> str:
    """Who a rate applies to: the credential presented, else the client address."""
    credential = _header(scope, b"authorization") or _header(scope, b"cookie")
    if credential:
        return "credential:" + hashlib.sha256(credential.encode()).hexdigest()[:32]
    client = scope.get("client")
    return f"address:{client[0] if client else 'unknown'}"


async def _reply(send: Send, status: int, detail: str, retry_after: int | None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
