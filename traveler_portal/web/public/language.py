"""The header's language switch (the active offer): the same page in the other language,
remembered for the visitor (cookie) and, when signed in, for the person."""
from urllib.parse import urlsplit

from flask import abort, redirect, request, url_for
from flask_login import current_user

from ... import i18n
from ...domain import languages
from ..support.permissions import public
from .blueprint import bp

ONE_YEAR = 365 * 24 * 3600


def _local(target: str | None) -> str:
    # Only a path on this site: never an open redirect.
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/") \
            or target.startswith("//") or "\\" in target:
        return url_for("public.index")
    return target


@bp.get("/language/<lang>")
@public
def language(lang):
    """Switch to ``lang`` and go back to the page the visitor was on."""
    if lang not in i18n.LANGUAGES:
        abort(404)
    if current_user.is_authenticated:
        languages.set_language(current_user, lang)
    response = redirect(_local(request.args.get("next")))
    response.set_cookie(i18n.LANGUAGE_COOKIE, lang, max_age=ONE_YEAR, samesite="Lax",
                        httponly=True, secure=request.is_secure)
    return response
