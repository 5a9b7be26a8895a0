"""Every request is one unit of work: each view and API handler runs inside
``uow.boundary``, which commits what the view did when it answers below 400 and rolls it
back otherwise (a refused form, a conflict, an error page). Services are ``@uow.atomic``
savepoints inside it, so a service that fails undoes only its own work and the view
decides what to show; views never commit or roll back themselves."""
from flask import Response

from ...domain import uow


def _succeeded(rv) -> bool:
    if isinstance(rv, tuple):
        status = rv[1] if len(rv) > 1 and isinstance(rv[1], int) else 200
    elif isinstance(rv, Response):
        status = rv.status_code
    else:
        status = 200
    return status < 400


def init_app(app):
    """Wrap every view registered so far (call it after the last blueprint)."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = uow.boundary(view, succeeded=_succeeded)
