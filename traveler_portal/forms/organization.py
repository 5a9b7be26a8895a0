"""The organization's details and an invitation, from its pages and the API alike."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from .base import BaseForm, options


class DetailsForm(BaseForm):
    name = StringField(_l("Legal name"), validators=[
        DataRequired(_l("Enter the organization's legal name.")), Length(max=200)])
    number_kind = RadioField(_l("Kind of business number"), choices=options([
        ("us_fein", _l("US employer identification number (FEIN)")),
        ("ca_bn", _l("Canadian business number (BN)"))]),
        validators=[InputRequired(_l("Choose a US FEIN or a Canadian business number."))])
    business_number = StringField(_l("Business number"), validators=[
        DataRequired(_l("Enter the business number.")), Length(max=20)])
    address = TextAreaField(_l("Address"), validators=[Length(max=1000)])
    contact_name = StringField(_l("Contact name"), validators=[Length(max=200)])
    contact_email = EmailField(_l("Contact email"), validators=[Optional(), Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), validators=[Length(max=40)])
    digest_enabled = BooleanField(_l("Send the weekly email digest to our employer users"))


class InviteForm(BaseForm):
    email = EmailField(_l("Email address"), validators=[
        DataRequired(_l("Enter the email address to invite.")), Length(max=254)])
    name = StringField(_l("Name (optional)"), validators=[Length(max=200)])
    org_role = RadioField(_l("Role"), choices=options([
        ("admin", _l("Admin: manages people and petitions")),
        ("viewer", _l("Viewer: reads everything, changes nothing"))]), default="viewer")
