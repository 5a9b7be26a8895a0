"""How an arrival reads to the traveler and the employer: "Admitted at Blaine Peace Arch,
WA on 5 January 2027, until 4 January 2030". Written when shown (in the reader's
language), from the arrival itself; the case timeline's step for it (``workflow.
event_title``) and the email and webhook all use these words."""
from flask_babel import LazyString, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ACTION = "arrival"  # the Event.action of an arrival's timeline step
OUTCOME_NAMES = {"admitted": _l("Admitted"), "secondary": _l("Referred to secondary inspection"),
                 "refused": _l("Refused entry"),
                 "admitted_other": _l("Admitted under another status")}
RECORDED = _l("Arrival at the port was recorded")


def sentence(arrival) -> str:
    """The arrival in one sentence, in the current language."""
    port, day = arrival.port.name, format_date(arrival.inspection_started_at.date(), "long")
    if arrival.outcome == "admitted" and arrival.admitted_until:
        return _("Admitted at %(port)s on %(date)s, until %(until)s", port=port, date=day,
                 until=format_date(arrival.admitted_until, "long"))
    if arrival.outcome == "admitted":
        return _("Admitted at %(port)s on %(date)s", port=port, date=day)
    if arrival.outcome == "secondary":
        return _("Referred to secondary inspection at %(port)s on %(date)s", port=port,
                 date=day)
    if arrival.outcome == "refused":
        return _("Refused entry at %(port)s on %(date)s", port=port, date=day)
    return _("Admitted under another status at %(port)s on %(date)s", port=port, date=day)


def title(event):
    """The timeline title of an arrival's event (lazy: written when shown)."""
    arrival = getattr(event, "arrival", None)
    if arrival is None:
        return RECORDED
    return LazyString(lambda: sentence(arrival))
