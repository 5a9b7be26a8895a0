"""No 500 from input (issue 14, item 6): what no field may hold is refused before any view
runs, naming the field.

A NUL byte is valid in a URL, a form and JSON, but no field of the portal takes one and
PostgreSQL refuses it in text (a 500 deep in a query). One ``before_request`` hook checks
the path, the query string, the form (names, values and file names) and a JSON body, and
answers 400 with the field named: JSON under /api/, the error page elsewhere.
"""
from flask import request
from flask_babel import gettext as _

from ...domain.errors import DomainError

NUL = "\x00"


class BadInput(DomainError):
    code, http_status = "bad_request", 400


class NotFoundInput(DomainError):
    code, http_status = "not_found", 404


def _refuse(field: str):
    raise BadInput(_("The field %(field)s holds a NUL character, which no field accepts.",
                     field=field),
                   {field: _("Remove the NUL character (\\u0000) from this value.")})


def _json_field(value, path: str) -> str | None:
    """The dotted path of the first JSON key or string holding NUL, if any."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str) and NUL in item:
            return where or "body"
        if isinstance(item, dict):
            for key, inner in item.items():
                name = f"{where}.{key}" if where else str(key)
                if NUL in str(key):
                    return name
                stack.append((inner, name))
        elif isinstance(item, list):
            stack.extend((inner, f"{where}[{i}]") for i, inner in enumerate(item))
    return None


def check_request() -> None:
    if NUL in request.path:
        _refuse("path")
    for name, value in (request.view_args or {}).items():
        # An id past what the database's integers hold names nothing (SQLite would raise
        # OverflowError while binding it): not found, like any other unknown id.
        if isinstance(value, int) and not -2**63 <= value < 2**63:
            raise NotFoundInput(_("Nothing has this %(field)s.", field=name), {
                name: _("No such %(field)s.", field=name)})
    for name, value in request.args.items(multi=True):
        if NUL in f"{name}{value}":
            _refuse(name)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # A multipart part may come without a name (None): formatted, not concatenated.
        for name, value in request.form.items(multi=True):
            if NUL in f"{name}{value}":
                _refuse(str(name))
        for name, upload in request.files.items(multi=True):
            if NUL in f"{name}{upload.filename}":
                _refuse(str(name))
    if request.is_json:
        found = _json_field(request.get_json(silent=True), "")
        if found:
            _refuse(found)


def init_app(app) -> None:
    # First of the hooks: nothing else (sign-in loading, rate limits) sees the bad input.
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
