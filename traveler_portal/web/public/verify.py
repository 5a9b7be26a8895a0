"""The public verification of a decision notice: from its code alone (typed in, or the
notice's QR code), what the decision is and whether it still stands; initials only, no
other personal data. Rate-limited per address: codes cannot be guessed (80-bit MAC), and
the limit keeps anyone from trying."""
from datetime import date

from flask import current_app, redirect, render_template, request, url_for

from ...domain import verification
from ...extensions import limiter
from ..support.permissions import public
from .blueprint import bp


def verify_limit(view):
    return limiter.limit(lambda: current_app.config["VERIFY_LIMIT_PER_ADDRESS"])(view)


@bp.get("/verify")
@public
@verify_limit
def verify_form():
    """A form to type a code read from a notice; the answer is the code's own page."""
    code = (request.args.get("code") or "").strip()
    if code:
        return redirect(url_for(".verify", code=code))
    return render_template("public/verify_form.html")


@bp.get("/verify/<code>")
@public
@verify_limit
def verify(code):
    """What the decision named by ``code`` is, and whether it is still valid."""
    decision = verification.resolve(code)
    if decision is None:  # unknown, altered or forged: the same answer for each
        response = current_app.make_response((render_template(
            "public/verify.html", facts=None, code=code[:64]), 404))
    else:
        facts = verification.public_facts(decision)
        dates = {k: date.fromisoformat(facts[k]) if facts[k] else None
                 for k in ("decided_on", "valid_from", "valid_until")}
        response = current_app.make_response(render_template(
            "public/verify.html", facts=facts, dates=dates,
            code=verification.code_for(decision)))
    response.headers["Cache-Control"] = "no-store"  # the status changes; never cache it
    response.headers["Referrer-Policy"] = "no-referrer"  # the code stays on this page
    return response
