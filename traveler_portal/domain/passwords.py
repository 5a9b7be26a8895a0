"""Setting a new password for an existing account (demo seeding, the reset link)."""
from flask_babel import gettext as _

from ..models import User
from . import password_policy, uow
from .accounts import hash_password, sign_out_everywhere
from .errors import ValidationFailed


@uow.atomic
def set_password(user: User, password: str) -> None:
    """Replace the password and sign the account out everywhere."""
    if message := password_policy.problem(password):
        raise ValidationFailed(_("The password cannot be used."), {"password": message})
    user.password_hash = hash_password(password)
    sign_out_everywhere(user, tokens=True)
