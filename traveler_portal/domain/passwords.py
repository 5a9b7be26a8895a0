"""Setting a new password for an existing account (demo seeding, the reset link)."""
from flask_babel import gettext as _

from ..models import User
from . import uow
from .accounts import MIN_PASSWORD, hash_password, sign_out_everywhere
from .errors import ValidationFailed


@uow.atomic
def set_password(user: User, password: str) -> None:
    """Replace the password and sign the account out everywhere."""
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed(_("The password is too short."), {
            "password": _("The password must have at least %(length)d characters.",
                          length=MIN_PASSWORD)})
    user.password_hash = hash_password(password)
    sign_out_everywhere(user, tokens=True)
