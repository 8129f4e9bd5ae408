"""Forms of the national synthesis pages: the proposals catalogue's filters (its parts are written with
forums.synthesis_editing.PartTextsForm, as the departmental ones)."""
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional, StopValidation

from ...models import ProposalOrigin

#: The catalogue's filters, as named in the query string.
FILTERS = ("theme", "sous_theme", "origine", "region")


class CatalogueFiltersForm(FlaskForm):
    """Filters of the proposals catalogue, read from the query string; unknown values are refused."""

    class Meta:
        # Filters only read: a link or a bookmark must work without a token.
        csrf = False

    theme = SelectField("Thème", choices=[], validate_choice=False)
    sous_theme = SelectField("Sous-thème", choices=[], validate_choice=False)
    origine = SelectField(
        "Origine", validate_choice=False,
        choices=[SelectChoice("", "Toutes les origines")] + [SelectChoice(o.value, o.label) for o in ProposalOrigin],
    )
    region = SelectField("Région", choices=[], validate_choice=False)
    page = IntegerField(
        "Page", validators=[Optional(), NumberRange(min=1, message="Le numéro de page commence à 1.")]
    )

    def __init__(self, args, **kwargs):
        # ``args``: the query string (a MultiDict), read for the values and for repeated parameters.
        super().__init__(formdata=args, **kwargs)
        self._args = args
        self._theme_of = {}

    def set_choices(self, themes, regions):
        """Fill the theme, sub-topic and region selects from the consultation's themes and the regions."""
        self.theme.choices = [SelectChoice("", "Tous les thèmes")] + [
            SelectChoice(choice.theme.code, f"Thème {choice.theme.code} – {choice.theme.title}") for choice in themes
        ]
        self.sous_theme.choices = [SelectChoice("", "Tous les sous-thèmes")] + [
            SelectChoice(subtopic.code, f"{subtopic.code} – {subtopic.title}")
            for choice in themes for subtopic in choice.subtopics
        ]
        self._theme_of = {subtopic.code: choice.theme.code for choice in themes for subtopic in choice.subtopics}
        self.region.choices = [SelectChoice("", "Toutes les régions")] + [
            SelectChoice(region.code, region.name) for region in regions
        ]

    def add_counts(self, counts):
        """Append to each choice the number of proposals it would select: {field name: {value: number}}."""
        for name, by_value in counts.items():
            self[name].choices = [
                SelectChoice(choice.value, f"{choice.label} ({by_value.get(choice.value, 0)})") if choice.value
                else choice
                for choice in self[name].choices
            ]

    def validate_theme(self, field):
        _known(field, "Thème inconnu")

    def validate_sous_theme(self, field):
        _known(field, "Sous-thème inconnu")
        theme = self.theme.data
        if field.data and theme and self._theme_of.get(field.data) != theme:
            raise StopValidation(f"Le sous-thème « {field.data} » n'appartient pas au thème « {theme} ».")

    def validate_origine(self, field):
        _known(field, "Origine inconnue")

    def validate_region(self, field):
        _known(field, "Région inconnue")

    def validate(self, extra_validators=None):
        """Validate the filters, refusing a parameter given more than once: one choice per filter."""
        valid = super().validate(extra_validators)
        for name in (*FILTERS, "page"):
            if len(self._args.getlist(name)) > 1 and not self[name].errors:
                self[name].errors = [*self[name].errors, "Un seul choix par filtre : ce paramètre est répété."]
                valid = False
        return valid

    def problems(self):
        """Return the errors as one French sentence per parameter, for the 400 page."""
        # The first error of a field says enough: a page "x" is not also "below 1".
        return " ".join(f"{self[name].label.text} (paramètre « {name} ») : {errors[0]}"
                        for name, errors in self.errors.items())

    def query_args(self):
        """Return the non-empty filters as query-string arguments, for links that keep them."""
        return {name: self[name].data for name in FILTERS if self[name].data}


def _known(field, message):
    # An empty value means "all"; anything else must be one of the choices.
    if field.data and field.data not in {choice.value for choice in field.choices}:
        raise StopValidation(f"{message} : « {field.data} ».")
