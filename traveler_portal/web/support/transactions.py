"""Every request is one unit of work: each view and API handler runs inside
``uow.boundary``, which commits what the view did when it answers below 400 and rolls it
back otherwise (a refused form, a conflict, an error page). Services are ``@uow.atomic``
savepoints inside it, so a service that fails undoes only its own work and the view
decides what to show; views never commit or roll back themselves."""
from flask import Response, after_this_request

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


def kept_even_if_refused(work) -> None:
    """Run ``work`` in a unit of its own once the request's unit has ended, committed even
    when that one was rolled back: the audited reads of a page answered 4xx (an officer
    who saw a traveler's identity on a refused form's page is recorded all the same)."""
    @after_this_request
    def _keep(response):
        uow.atomic(work)()
        return response
