"""Forms for logging in and setting passwords."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from estapp.auth.passwords import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("E-postadress"), validators=[DataRequired(_l("Skriv din e-postadress."))])
    password = PasswordField(_l("Lösenord"), validators=[DataRequired(_l("Skriv ditt lösenord."))])


def _not_only_spaces(form: Any, field: Any) -> None:
    if field.data and not field.data.strip():
        raise ValidationError(_l("Lösenordet får inte bara bestå av mellanslag."))


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nytt lösenord"),
        description=_l("Minst %(n)s tecken.", n=MIN_PASSWORD_LENGTH),
        validators=[
            DataRequired(_l("Skriv ett nytt lösenord.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("Lösenordet ska vara mellan %(min)d och %(max)d tecken."),
            ),
            _not_only_spaces,
        ],
    )
    confirm = PasswordField(
        _l("Upprepa lösenordet"),
        validators=[
            DataRequired(_l("Skriv lösenordet en gång till.")),
            EqualTo("password", _l("Lösenorden är inte likadana.")),
        ],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Nuvarande lösenord"),
        validators=[DataRequired(_l("Skriv ditt nuvarande lösenord."))],
    )


class LanguageForm(FlaskForm):
    locale = RadioField(
        _l("Språk"),
        choices=[SelectChoice("sv", "Svenska"), SelectChoice("en", "English")],
        validators=[DataRequired(_l("Välj ett språk."))],
    )
