"""Who may call a view. Every route carries exactly one of these decorators; an
architecture test fails any route without one."""
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

from ...models import Role


def _mark(view, roles):
    view.permission = roles
    return view


def public(view):
    """Anyone, signed in or not (sign-in pages, health checks)."""
    return _mark(view, "public")


def roles_required(*roles: Role):
    """Signed-in users with one of ``roles``; others get 404 (no oracle of what exists)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("public.login", next=request.full_path))
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)
        return _mark(wrapped, roles)
    return decorator


def signed_in(view):
    return roles_required(*Role)(view)
