"""Each person's language and time zone (any role): the header's switch sets the language
in one click; this page sets both, for staff and employers who have no traveler profile."""
from babel.dates import get_timezone, get_timezone_name
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField, SelectField

from ... import i18n
from ...domain import languages
from ...forms.base import BaseForm, options
from ..support.permissions import signed_in
from .blueprint import bp

# The zones of the two countries' ports and offices, east to west.
ZONES = ("America/St_Johns", "America/Halifax", "America/Toronto", "America/New_York",
         "America/Detroit", "America/Winnipeg", "America/Chicago", "America/Regina",
         "America/Edmonton", "America/Denver", "America/Phoenix", "America/Vancouver",
         "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "UTC")


def zone_label(zone: str) -> str:
    """"Eastern Time – Toronto" / "heure de l’Est – Toronto", in the reader's language."""
    if zone == "UTC":
        return _("Coordinated Universal Time (UTC)")
    locale = "fr_CA" if i18n.current_language() == "fr" else "en"
    city = zone.rsplit("/", 1)[-1].replace("_", " ").replace("St Johns", "St. John's")
    name = get_timezone_name(get_timezone(zone), "long", zone_variant="generic", locale=locale)
    return f"{name} – {city}"


class LanguageForm(BaseForm):
    language = RadioField(_l("Language"), choices=options(
        (lang, i18n.LANGUAGE_NAMES[lang]) for lang in i18n.LANGUAGES))
    time_zone = SelectField(_l("Time zone"), choices=[])

    def set_zones(self):
        self.time_zone.choices = options(
            [("", _("The default: your port's zone, or Eastern Time"))]
            + [(zone, zone_label(zone)) for zone in ZONES])


@bp.route("/account/language", methods=["GET", "POST"])
@signed_in
def language_settings():
    """The language the portal speaks to this person and the zone it shows times in."""
    form = LanguageForm(data={"language": i18n.current_language(),
                              "time_zone": current_user.time_zone or ""})
    form.set_zones()
    if form.validate_on_submit():
        languages.set_time_zone(current_user, form.time_zone.data)
        languages.set_language(current_user, form.language.data)
        with i18n.writing_for(current_user):
            flash(_("Your language and time zone are saved."), "success")
        return redirect(url_for("account.language_settings"))
    return render_template("account/language.html", form=form)
