"""Forms of the admin blueprint."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ...models import Role

ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class AgentForm(FlaskForm):
    """Name, role and territory: what an admin may change on an existing account."""

    full_name = StringField(
        "Nom et prénom",
        validators=[Length(max=150, message="Le nom ne peut pas dépasser 150 caractères.")],
    )
    role = SelectField("Rôle", choices=ROLE_CHOICES,
                       validators=[DataRequired("Choisissez le rôle de l'agent.")])
    # Choices come from the database; the service checks the codes and says which one is wrong.
    department_code = SelectField("Département", choices=[], validate_choice=False)
    arrondissement_code = SelectField("Arrondissement", choices=[], validate_choice=False)

    def set_territory_choices(self, departments, arrondissements):
        """Fill the territory selects, arrondissements grouped by department; "" means none."""
        departments = list(departments)
        labels = {d.code: d.label for d in departments}
        self.department_code.choices = [SelectChoice("", "Aucun (rôle national ou sous-préfecture)")] + [
            SelectChoice(d.code, d.label) for d in departments
        ]
        self.arrondissement_code.choices = [SelectChoice("", "Aucun (rôle national ou départemental)")] + [
            SelectChoice(a.code, f"{a.code} – {a.name}", optgroup=labels[a.department_code])
            for a in arrondissements
        ]


class AgentCreateForm(AgentForm):
    email = EmailField(
        "Adresse électronique",
        validators=[
            DataRequired("Saisissez l'adresse électronique de l'agent."),
            Length(max=254, message="L'adresse électronique ne peut pas dépasser 254 caractères."),
        ],
    )
    password = PasswordField(
        "Mot de passe initial",
        validators=[DataRequired("Saisissez un mot de passe initial pour l'agent.")],
    )
