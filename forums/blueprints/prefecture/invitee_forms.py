"""Forms of the prefecture blueprint for a forum's named invitees."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired

from ...models import InviteeQuality

QUALITY_CHOICES = [SelectChoice(quality.value, quality.label) for quality in InviteeQuality]


class InviteeForm(FlaskForm):
    """One invitee; lengths, e-mail syntax and duplicates are checked by the service."""

    full_name = StringField("Nom et prénom", validators=[DataRequired("Nom obligatoire.")])
    # The service names an unknown quality and lists the possible ones, in French.
    quality = SelectField("Qualité", choices=QUALITY_CHOICES, validate_choice=False,
                          validators=[DataRequired("Qualité obligatoire.")])
    organisation = StringField("Organisation")
    email = StringField("Adresse électronique")


class InviteeImportForm(FlaskForm):
    """A CSV file of invitees."""

    file = FileField("Fichier CSV", validators=[
        FileRequired("Choisissez un fichier CSV à importer."),
        FileAllowed(["csv"], "Le fichier doit être au format CSV (extension .csv)."),
    ])
