"""The traveler's dashboard: every petition, current and past, filtered by status and
destination (GET parameters), each with a link to file a new petition like it."""
from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField

from ...domain import history, workflow
from ...forms.base import BaseForm, options

COUNTRIES = (("US", _l("United States")), ("CA", _l("Canada")))


class HistoryFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter form

    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    country = SelectField(_l("Destination"), choices=[], validate_choice=False)

    def set_choices(self):
        self.status.choices = options([("", _l("Any status")), *[
            (s.value, workflow.STATUS_LABELS[s]) for s in history.PUBLIC_STATUSES]])
        self.country.choices = options([("", _l("Any destination")), *COUNTRIES])


def dashboard(list_options=()):
    form = HistoryFilterForm(request.args)
    form.set_choices()
    status, country = form.status.data or None, form.country.data or None
    older_than = request.args.get("older_than") or None
    rows, more = history.petitions_of(current_user, status, country, list_options,
                                      older_than=older_than)
    return render_template("traveler/dashboard.html", petitions=rows, filter_form=form,
                           filtered=bool(status or country), current=history.CURRENT,
                           paged=bool(older_than),
                           older=rows[-1].receipt_number if more else None)
