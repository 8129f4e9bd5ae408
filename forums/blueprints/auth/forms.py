"""Forms of the auth blueprint."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(
        "Adresse électronique",
        validators=[
            DataRequired("Saisissez votre adresse électronique."),
            Length(max=254, message="L'adresse électronique ne peut pas dépasser 254 caractères."),
        ],
    )
    password = PasswordField(
        "Mot de passe", validators=[DataRequired("Saisissez votre mot de passe.")]
    )


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "Mot de passe actuel", validators=[DataRequired("Saisissez votre mot de passe actuel.")]
    )
    password = PasswordField(
        "Nouveau mot de passe", validators=[DataRequired("Saisissez un nouveau mot de passe.")]
    )
    confirm = PasswordField(
        "Confirmation du nouveau mot de passe",
        validators=[
            DataRequired("Saisissez de nouveau le nouveau mot de passe."),
            EqualTo("password", "Les deux mots de passe saisis ne sont pas identiques."),
        ],
    )


class CodeForm(FlaskForm):
    code = StringField(
        "Code de vérification",
        validators=[
            DataRequired("Saisissez le code à 6 chiffres de votre application, ou un code de secours."),
            Length(max=40, message="Le code ne peut pas dépasser 40 caractères."),
        ],
    )
