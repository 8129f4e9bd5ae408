"""Forms of the ministry blueprint: the GET filters of the national views."""
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional, StopValidation

from ...services.national import FORUM_ORDERS, LISTED_STATUSES, PROGRESS_ORDERS


class _FiltersForm(FlaskForm):
    """Filters read from the query string; choices come from the database, unknown codes are refused."""

    class Meta:
        # Filters only read: a link or a bookmark must work without a token.
        csrf = False

    consultation = SelectField("Consultation", choices=[], validate_choice=False)
    region = SelectField("Région", choices=[], validate_choice=False)

    def set_choices(self, consultations, regions, departments=()):
        """Fill the selects; the current consultation is chosen when the query string names none."""
        self.consultation.choices = [SelectChoice(c.slug, f"{c.name} ({c.slug})") for c in consultations]
        self.region.choices = [SelectChoice("", "Toutes les régions")] + [
            SelectChoice(r.code, r.name) for r in regions
        ]
        if "departement" in self:
            self.departement.choices = [SelectChoice("", "Tous les départements")] + [
                SelectChoice(d.code, d.label) for d in departments
            ]
        if not self.consultation.data:
            self.consultation.data = next((c.slug for c in consultations if c.is_current), None)

    def validate_consultation(self, field):
        _known(field, "Consultation inconnue")

    def validate_region(self, field):
        _known(field, "Région inconnue")

    def problems(self):
        """Return the errors as one French sentence per field, for the 400 page."""
        # The first error of a field says enough: a page "x" is not also "below 1".
        return " ".join(f"{self[name].label.text} : {errors[0]}" for name, errors in self.errors.items())

    def query_args(self, keep=()):
        """Return the non-empty filters as query-string arguments, for links that keep them."""
        args = {}
        for name in ("consultation", "region", *keep):
            value = self[name].data
            if value:
                args[name] = value.isoformat() if hasattr(value, "isoformat") else value
        return args


class ForumFiltersForm(_FiltersForm):
    """Filters of the national list of forums."""

    departement = SelectField("Département", choices=[], validate_choice=False)
    etat = SelectField(
        "État", validate_choice=False,
        choices=[SelectChoice("", "Tous les états")] + [SelectChoice(s.value, s.label) for s in LISTED_STATUSES],
    )
    du = DateField("Du", validators=[Optional()])
    au = DateField("Au", validators=[Optional()])
    tri = SelectField(
        "Trier par", validate_choice=False, default="date",
        choices=[SelectChoice("date", "Date du forum"), SelectChoice("publication", "Publication la plus récente")],
    )
    page = IntegerField(
        "Page", validators=[Optional(), NumberRange(min=1, message="Le numéro de page commence à 1.")]
    )

    def validate_departement(self, field):
        _known(field, "Département inconnu")

    def validate_etat(self, field):
        _known(field, "État inconnu")

    def validate_tri(self, field):
        if field.data not in FORUM_ORDERS:
            raise StopValidation(f"Tri inconnu : « {field.data} » (date ou publication).")

    def validate_au(self, field):
        if field.data and self.du.data and field.data < self.du.data:
            raise StopValidation("La date de fin de période précède la date de début.")

    def query_args(self, keep=()):
        """Return the non-empty filters and the sort order, for links that keep them."""
        args = super().query_args(("departement", "etat", "du", "au", *keep))
        if self.tri.data != "date":
            args["tri"] = self.tri.data
        return args


class ProgressFiltersForm(_FiltersForm):
    """Filter and sort order of the per-department progress table."""

    tri = SelectField(
        "Trier par", validate_choice=False, default="departement",
        choices=[
            SelectChoice("departement", "Département"),
            SelectChoice("couverture", "Couverture, la plus faible d'abord"),
            SelectChoice("publies", "Forums publiés, le moins d'abord"),
        ],
    )

    def validate_tri(self, field):
        if field.data not in PROGRESS_ORDERS:
            raise StopValidation(f"Tri inconnu : « {field.data} » (departement, couverture ou publies).")

    def query_args(self, keep=()):
        """Return the region filter and the sort order, for links that keep them."""
        args = super().query_args(keep)
        if self.tri.data != "departement":
            args["tri"] = self.tri.data
        return args


def _known(field, message):
    # An empty value means "all"; anything else must be one of the choices.
    if field.data and field.data not in {choice.value for choice in field.choices}:
        raise StopValidation(f"{message} : « {field.data} ».")
