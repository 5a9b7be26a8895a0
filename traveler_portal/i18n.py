"""English and French: which language and time zone a reader gets, the compiled catalogue,
and the portal's one way of writing a date and a time.

Language, in order: an API call's Accept-Language (when sent); the signed-in person's stated
preference (a traveler's profile, else the account); the anonymous visitor's cookie; the
browser's Accept-Language; English. Time zone: the person's setting, else (agency staff) the
zone of the port of their first queue, else DEFAULT_TIME_ZONE."""
import logging
import os
import re
import tempfile
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel import dates as babel_dates
from babel.dates import get_timezone, get_timezone_name
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, g, has_app_context, has_request_context, request
from flask_babel import force_locale, format_date, get_locale, gettext, refresh
from flask_babel import get_timezone as _babel_get_timezone
from flask_babel import get_translations as _babel_get_translations

LANGUAGES = ("en", "fr")
LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}  # each in its own language, never translated
log = logging.getLogger(__name__)


# Flask-Babel keeps the request's locale, zone and catalogue on ``g._flask_babel`` once
# chosen, but reaches them through four calls of context lookups each time (a page asked
# for them 300-800 times: 10-15 % of its CPU). Read the chosen ones there directly; Flask-
# Babel's own calls choose them the first time and after ``refresh``/``force_locale``,
# which reset exactly these attributes.

def _chosen(name: str):
    """The request's chosen ``babel_locale``/``babel_tzinfo``/``babel_translations``, or
    None when not chosen yet (or outside an app context)."""
    try:
        return getattr(g._flask_babel, name, None)
    except (AttributeError, RuntimeError):  # no namespace yet / no app context
        return None


def _locale():
    return _chosen("babel_locale") or get_locale()


def babel_timezone():
    """Flask-Babel's ``get_timezone()``, read directly once chosen."""
    return _chosen("babel_tzinfo") or _babel_get_timezone()


def translations():
    """Flask-Babel's ``get_translations()`` for this request, looked up once: what the
    templates' ``_()`` calls (``init_app``)."""
    found = _chosen("babel_translations")
    if found is None:
        found = _babel_get_translations()
        if has_app_context():
            g._flask_babel.babel_translations = found
    return found


def current_language() -> str:
    """The language text is being written in now ("en" outside any app context)."""
    try:
        locale = _locale()
    except RuntimeError:
        return "en"
    return locale.language if locale is not None and locale.language in LANGUAGES else "en"


def pick(en: str | None, fr: str | None) -> str:
    """The reader's version of a text stored in both languages (English if French is missing)."""
    if current_language() == "fr" and fr:
        return fr
    return en or ""


STATED_KEY = "_stated_language"


def _first_language(*candidates) -> str | None:
    return next((lang for lang in candidates if lang in LANGUAGES), None)


def remember_stated_language(user_id: int, profile_language, account_language) -> None:
    """The signed-in person's stated language, read with the account itself (the session's
    or the bearer token's one statement), so choosing the request's language costs no
    statement of its own."""
    if has_app_context():
        setattr(g, STATED_KEY, (user_id, _first_language(profile_language,
                                                         account_language)))


def forget_stated_language() -> None:
    """After a change of the person's language: read it again when next needed."""
    if has_app_context():
        g.pop(STATED_KEY, None)


def _stated_language(user) -> str | None:
    """The person's stated language, read as one column by the account's id: the user
    object may belong to a session already closed (a streamed response's body is made
    after the request's session is gone), and loading the whole profile would decrypt
    personal data (with a key this process may lack) just to pick a language. Read once
    with the account when it was loaded for the request (``remember_stated_language``)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    import sqlalchemy as sa  # noqa: PLC0415 - kept out of the module's import time

    from .extensions import db  # noqa: PLC0415
    from .models import TravelerProfile, User  # noqa: PLC0415
    identity = sa.inspect(user).identity if hasattr(user, "_sa_instance_state") else None
    remembered = g.get(STATED_KEY) if has_app_context() else None
    if identity and remembered is not None and remembered[0] == identity[0]:
        return remembered[1]
    if not identity:  # an account not written yet: what it holds in memory
        profile = getattr(user, "profile", None)
        return next((lang for lang in (getattr(profile, "preferred_language", None),
                                       getattr(user, "preferred_language", None))
                     if lang in LANGUAGES), None)
    row = db.session.execute(
        sa.select(TravelerProfile.preferred_language, User.preferred_language)
        .select_from(User).outerjoin(TravelerProfile, TravelerProfile.user_id == User.id)
        .where(User.id == identity[0])).first()
    for lang in (row or ()):
        if lang in LANGUAGES:
            return lang
    return None


def language_of(user) -> str:
    """The language a person reads what the portal sends them in (emails, notices)."""
    return _stated_language(user) or "en"


def select_locale():
    # Outside a request (Celery tasks rendering emails) the default language applies,
    # unless the task forces the recipient's (force_locale).
    if not has_request_context():
        return None
    if request.blueprint == "api":
        # The API: Accept-Language when sent, else the caller's stated language.
        if request.headers.get("Accept-Language"):
            return request.accept_languages.best_match(LANGUAGES) or "en"
        return _stated_language(g.get("api_user")) or "en"
    from flask_login import current_user  # noqa: PLC0415 - after the login manager exists
    stated = _stated_language(current_user)
    if stated:
        return stated
    if request.cookies.get(LANGUAGE_COOKIE) in LANGUAGES:
        return request.cookies[LANGUAGE_COOKIE]
    return request.accept_languages.best_match(LANGUAGES) or "en"


def time_zone_of(user) -> str:
    """The zone a person reads times in: their setting, else their first queue's port."""
    zone = getattr(user, "time_zone", None)
    if zone:
        return zone
    if getattr(user, "is_agency", False):
        from .domain.reference import port_time_zone_for_staff  # noqa: PLC0415
        zone = port_time_zone_for_staff(user)
        if zone:
            return zone
    return current_app.config["DEFAULT_TIME_ZONE"]


def select_timezone():
    if g.get("time_zone"):  # writing for someone else (writing_for)
        return g.time_zone
    if not has_request_context():
        return current_app.config["DEFAULT_TIME_ZONE"]
    from flask_login import current_user  # noqa: PLC0415
    if current_user and current_user.is_authenticated:
        return time_zone_of(current_user)
    return current_app.config["DEFAULT_TIME_ZONE"]


@contextmanager
def writing_for(user):
    """Write (an email, a notice) for ``user``: in their language and time zone, whoever
    is signed in or whatever task runs."""
    previous = g.get("time_zone")
    g.time_zone = time_zone_of(user) if user is not None else None
    refresh()
    try:
        with force_locale(language_of(user)):
            yield
    finally:
        g.time_zone = previous
        refresh()


UTC_ZONE = get_timezone("UTC")


@cache
def _parsed(identifier: str) -> Locale:
    # One Locale each: babel reads a locale's formats once per instance, and a name passed
    # as a string is parsed into a fresh instance on every call (~0.3 ms a date).
    return Locale.parse(identifier)


def when(value, style: str = "long") -> str:
    """A moment in the reader's language and zone, always written the same way:
    "July 1, 2026, 9:05 AM PDT" / "1 juillet 2026, 09 h 05 HAP" (``short``: the date in
    figures). The zone is named so nobody has to guess."""
    if value is None:
        return ""
    if value.tzinfo is None:  # stored as UTC
        value = value.replace(tzinfo=UTC_ZONE)
    zone = babel_timezone()
    # (An aware datetime equals the same instant in any zone: the zone is in the key.)
    # Canadian French conventions ("09 h 05 HAE"); English as written in North America.
    return _when(value, str(zone), zone, style == "short",
                 "fr_CA" if current_language() == "fr" else "en")


# Formatting a moment or a day with Babel costs 0.1-0.3 ms (a list page writes dozens):
# the same text is kept for the same moment, zone, style and language, a pure function.
@lru_cache(maxsize=8192)
def _when(value: datetime, _zone_name: str, zone, short: bool, identifier: str) -> str:
    local = value.astimezone(zone)
    locale = _parsed(identifier)
    day_part = babel_dates.format_date(local, "short" if short else "long", locale=locale)
    clock = babel_dates.format_time(local, "short", locale=locale)
    return f"{day_part}, {clock} {get_timezone_name(local, 'short', locale=locale)}"


def format_day(value, format=None, rebase=True) -> str:  # noqa: A002 - Flask-Babel's name
    """Flask-Babel's ``format_date`` (the templates' ``dateformat``), a calendar date's
    text kept per date, format and language (a date is in no zone: nothing else moves it)."""
    if type(value) is date:
        return _day_text(value, format, str(_locale()))
    return format_date(value, format, rebase)


@lru_cache(maxsize=8192)
def _day_text(value: date, format, _locale_name: str) -> str:  # noqa: A002
    return format_date(value, format)


def day(value) -> str:
    """A calendar date in the reader's language ("December 1, 2026" / "1 décembre 2026")."""
    if value is None:
        return ""
    if isinstance(value, datetime):  # the day it is for the reader, in their zone
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC_ZONE)
        value = value.astimezone(babel_timezone()).date()
    return format_day(value, "long") if isinstance(value, date) else str(value)


def translations_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "translations"


def compile_catalogues(directory: Path | None = None) -> list[Path]:
    """Compile each ``messages.po`` whose ``.mo`` is missing or older (``make install`` does
    it with pybabel too; this covers a checkout run without make). Written to a temporary
    file and renamed, so a second process starting at once never reads half a file."""
    directory = directory or translations_dir()
    done = []
    for po in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with open(po, "rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        try:
            fd, tmp = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
            with os.fdopen(fd, "wb") as out:
                write_mo(out, catalog)
            os.replace(tmp, mo)
        except OSError:  # a read-only install: `make install` must have compiled it
            log.exception("could not compile %s; pages fall back to English", po)
            continue
        done.append(mo)
    return done


@lru_cache(maxsize=64)
def _recorded_pattern(msgid: str) -> re.Pattern:
    pattern = re.escape(msgid).replace("%%", "%")
    return re.compile(re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.+?)", pattern), re.S)


def reread(text: str | None, msgids: tuple[str, ...]) -> str | None:
    """A sentence recorded in English from one of ``msgids`` (a routing reason), said again
    in the reader's language; anything else (free text) as it was written."""
    if not text or current_language() == "en":
        return text
    for msgid in msgids:
        found = _recorded_pattern(msgid).fullmatch(text)
        if found:
            return gettext(msgid, **found.groupdict())
    return text


def other_language() -> str:
    return "fr" if current_language() == "en" else "en"


def switch_url() -> str:
    """The header's link to this same page in the other language."""
    from flask import url_for  # noqa: PLC0415
    here = request.full_path if request.method == "GET" else request.path
    return url_for("public.language", lang=other_language(), next=here.rstrip("?"))


def init_app(app):
    """After ``babel.init_app``: the templates' ``_()`` and ``dateformat`` through the
    request's catalogue and the kept dates above (same text, fewer lookups)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.filters["dateformat"] = format_day
    app.jinja_env.globals.update(local_time=when, local_day=day, other_language=other_language,
                                 language_switch_url=switch_url,
                                 language_names=LANGUAGE_NAMES, current_language=current_language)

    @app.after_request
    def _content_language(response):
        # Pages, API answers and downloads name the language they were written in.
        response.headers.setdefault("Content-Language", current_language())
        vary = response.headers.get("Vary", "")
        if "Accept-Language" not in vary:
            response.headers["Vary"] = ", ".join(filter(None, [vary, "Accept-Language"]))
        return response
