"""Who is calling: a bearer token, the sign-in cookie, a trusted proxy header, or anonymous.

Every route except ``PUBLIC_PATHS`` depends on ``get_principal`` (``service.api`` attaches it
to the routers; a test walks ``app.routes`` to prove it). In order:

1. ``Authorization: Bearer wgw_…``: a token from ``wegwijs token create``;
2. ``X-Wegwijs-User`` (and ``X-Wegwijs-Groups``, comma-separated) from a reverse proxy that
   authenticated the user, accepted only with ``X-Wegwijs-Proxy-Secret`` equal to
   ``WEGWIJS_PROXY_SECRET``;
3. the ``wegwijs_token`` cookie set by the sign-in page;
4. anonymous (public documents only) when ``WEGWIJS_ANONYMOUS=true``; in the demo
   (``WEGWIJS_DEMO``, set by ``wegwijs demo``) an anonymous caller is an administrator, so the
   demo can show the gap ledger, the audit and review marks (``service.rights``).

Anything else is 401 for ``/api`` and a redirect to the sign-in page for the web pages.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from index.readers import Principal
from service.settings import Settings
from service.tokens import verify_token

COOKIE = "wegwijs_token"
USER_HEADER = "x-wegwijs-user"
GROUPS_HEADER = "x-wegwijs-groups"
SECRET_HEADER = "x-wegwijs-proxy-secret"
PUBLIC_PATHS = frozenset(
    {"/healthz", "/signin", "/signout", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
)


class NotSignedInError(PermissionError):
    """The request carries no valid credentials and anonymous access is off."""


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _proxied(request: Request, settings: Settings) -> Principal | None:
    user = request.headers.get(USER_HEADER, "").strip()
    if not user:
        return None
    expected = settings.proxy_secret.get_secret_value() if settings.proxy_secret else ""
    given = request.headers.get(SECRET_HEADER, "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise NotSignedInError(
            f"{USER_HEADER} is only trusted with the proxy secret; set WEGWIJS_PROXY_SECRET "
            f"and have the proxy send it in {SECRET_HEADER}."
        )
    groups = tuple(g.strip() for g in request.headers.get(GROUPS_HEADER, "").split(","))
    return Principal(user, groups)


def _from_token(token: str, settings: Settings) -> Principal:
    principal = verify_token(settings.home, token)
    if principal is None:
        raise NotSignedInError(
            "The token is unknown or was revoked: ask for a new one ('wegwijs token create')."
        )
    return principal


async def get_principal(request: Request) -> Principal:
    """The caller of this request (also kept in ``request.state.principal`` for the pages).

    Checking a token reads the token store, so a request that carries one is identified in the
    thread pool; the others only parse headers, on the event loop (see ``service.deps``).

    Raises:
        NotSignedInError: no valid credentials and anonymous access is not enabled.
    """
    if _bearer(request) or request.cookies.get(COOKIE):
        principal = await run_in_threadpool(_identify, request)
    else:
        principal = _identify(request)
    request.state.principal = principal
    return principal


def _identify(request: Request) -> Principal:
    settings: Settings = request.app.state.settings
    bearer = _bearer(request)
    if bearer:
        return _from_token(bearer, settings)
    proxied = _proxied(request, settings)
    if proxied is not None:
        return proxied
    cookie = request.cookies.get(COOKIE)
    if cookie:
        return _from_token(cookie, settings)
    if settings.anonymous:
        # The demo's sample share is generated, and the demo shows what administrators see.
        return Principal(None, admin=settings.demo)
    raise NotSignedInError(
        "Sign in: send 'Authorization: Bearer <token>' (from 'wegwijs token create'), "
        "or enable anonymous access to public documents with WEGWIJS_ANONYMOUS=true."
    )


PrincipalDep = Annotated[Principal, Depends(get_principal)]
