"""The browser side, a folder per audience (public, account, traveler, employer, officer,
supervisor, admin, port), each one blueprint named after its folder and mirrored by a folder of
templates; what the views share is in ``support``."""
from . import account, admin, employer, officer, port, public, supervisor, traveler
from .support import errors, headers, templating

AUDIENCES = (public, account, traveler, employer, officer, supervisor, admin, port)


def init_app(app):
    for audience in AUDIENCES:
        app.register_blueprint(audience.bp)
    errors.init_app(app)
    headers.init_app(app)
    templating.init_app(app)
