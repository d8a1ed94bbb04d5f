"""The sign-in page: a token pasted once becomes an HttpOnly cookie; sign-out removes it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from service.auth import COOKIE
from service.deps import LangDep, SettingsDep
from service.i18n import Lang
from service.tokens import verify_token

router = APIRouter(include_in_schema=False)
COOKIE_SECONDS = 30 * 24 * 3600
TEXT: dict[Lang, dict[str, str]] = {
    "nl": {
        "heading": "Inloggen",
        "label": "Toegangstoken",
        "button": "Inloggen",
        "help": "Vraag een beheerder om een token (wegwijs token create).",
        "wrong": "Dit token is onbekend of ingetrokken.",
    },
    "en": {
        "heading": "Sign in",
        "label": "Access token",
        "button": "Sign in",
        "help": "Ask an administrator for a token (wegwijs token create).",
        "wrong": "This token is unknown or was revoked.",
    },
}


def safe_next(target: str) -> str:
    """Only a path on this site (never ``//host`` or a full URL) to return to after sign-in."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _form(request: Request, lang: Lang, target: str, error: str = "") -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    context = {"lang": lang, "t": TEXT[lang], "next": safe_next(target), "error": error}
    return templates.TemplateResponse(
        request, "signin.html", context, status_code=401 if error else 200
    )


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, lang: LangDep, next: str = "/") -> HTMLResponse:  # noqa: A002
    """The sign-in form."""
    return _form(request, lang, next)


@router.post("/signin", response_model=None)
def signin(
    request: Request,
    settings: SettingsDep,
    lang: LangDep,
    token: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",  # noqa: A002
) -> Response:
    """Check the token; keep it in an HttpOnly, same-site cookie and go back to ``next``."""
    if verify_token(settings.home, token) is None:
        return _form(request, lang, next, TEXT[lang]["wrong"])
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE, token.strip(), max_age=COOKIE_SECONDS, httponly=True, samesite="strict",
        secure=request.url.scheme == "https", path="/",
    )  # fmt: skip
    return response


@router.post("/signout")
def signout() -> RedirectResponse:
    """Forget the sign-in cookie."""
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
