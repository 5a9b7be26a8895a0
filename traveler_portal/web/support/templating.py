"""Helpers every template may use: translated names of countries and roles, status words
for the reader, the unread count for the header, and where each role's home is."""
from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...domain import arrival_words, evidence, notifications, workflow
from ...domain import status as status_rules
from ...models import Role

COUNTRY_NAMES = {"US": _l("United States"), "CA": _l("Canada")}
ROLE_NAMES = {Role.TRAVELER: _l("traveler"), Role.EMPLOYER: _l("employer admin"),
              Role.OFFICER: _l("officer"), Role.SUPERVISOR: _l("supervisor"),
              Role.ADMIN: _l("administrator"), Role.PORT_OFFICER: _l("port officer")}
HOME_BY_ROLE = {Role.TRAVELER: "traveler.dashboard", Role.EMPLOYER: "employer.dashboard",
                Role.OFFICER: "officer.queues", Role.SUPERVISOR: "officer.queues",
                Role.ADMIN: "admin.home", Role.PORT_OFFICER: "port.lookup"}


def home_for(user) -> str:
    return url_for(HOME_BY_ROLE[user.role])


def init_app(app):
    # The page's language (html lang, dates, reason texts) follows the selected locale.
    app.jinja_env.globals.setdefault("get_locale", get_locale)

    @app.context_processor
    def _helpers():
        # Emails are rendered from tasks too, where there is no signed-in user.
        signed_in = bool(current_user) and current_user.is_authenticated
        unread = notifications.unread_count(current_user) if signed_in else 0
        agency = signed_in and current_user.is_agency
        return {"status_label": lambda s: workflow.STATUS_LABELS[s], "unread_count": unread,
                # travelers and employers see the agency's internal states as "in review"
                "shown_status": lambda s: s if agency else workflow.public_status(s),
                "event_title": workflow.event_title, "badge_tone": workflow.badge_tone,
                "Role": Role,
                "country_name": lambda code: COUNTRY_NAMES.get(str(code), str(code)),
                "role_name": lambda role: ROLE_NAMES.get(role, str(role)),
                "evidence_overdue": evidence.is_overdue,
                "arrival_sentence": arrival_words.sentence,
                "waiting_on": status_rules.waiting_on}
