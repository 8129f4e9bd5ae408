"""Forms of the ministry's dashboard and departmental syntheses: the dashboard's filters, the reopening."""
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, StopValidation

from ...services.syntheses import REASON_MAX_LENGTH
from .forms import _FiltersForm

#: Sort parameter of the dashboard (French, as in its links) → (key of forums.services.dashboard.SORT_KEYS, label).
SORT_COLUMNS = {
    "departement": ("department", "Département (code)"),
    "nom": ("name", "Département (nom)"),
    "region": ("region", "Région"),
    "prevus": ("planned", "Forums prévus"),
    "publies": ("published", "Forums publiés"),
    "tenus": ("held", "Forums tenus"),
    "couverture": ("coverage", "Couverture"),
    "moderation": ("pending", "Questions à modérer"),
    "comptes-rendus": ("minutes_missing", "Comptes-rendus manquants"),
    "synthese": ("status", "État de la synthèse"),
    "transmission": ("submitted_at", "Date de transmission"),
}
DEFAULT_SORT = "departement"
#: Order parameter of the dashboard → descending?
ORDERS = {"croissant": False, "decroissant": True}
DEFAULT_ORDER = "croissant"


class DashboardFiltersForm(_FiltersForm):
    """Consultation, region, sort column and order of the dashboard, read from the query string."""

    tri = SelectField("Trier par", validate_choice=False, default=DEFAULT_SORT,
                      choices=[SelectChoice(value, label) for value, (_, label) in SORT_COLUMNS.items()])
    ordre = SelectField("Ordre", validate_choice=False, default=DEFAULT_ORDER,
                        choices=[SelectChoice("croissant", "Croissant"), SelectChoice("decroissant", "Décroissant")])

    def validate_tri(self, field):
        # The empty choice a hand-written link may send means the default order, as for the region.
        field.data = field.data or DEFAULT_SORT
        if field.data not in SORT_COLUMNS:
            raise StopValidation(f"Tri inconnu : « {field.data} » (colonnes possibles : "
                                 f"{', '.join(SORT_COLUMNS)}).")

    def validate_ordre(self, field):
        field.data = field.data or DEFAULT_ORDER
        if field.data not in ORDERS:
            raise StopValidation(f"Ordre inconnu : « {field.data} » (croissant ou decroissant).")

    @property
    def sort_key(self):
        """Return the dashboard service's name of the chosen sort column."""
        return SORT_COLUMNS[self.tri.data][0]

    @property
    def descending(self):
        """Tell whether the rows go from the largest to the smallest."""
        return ORDERS[self.ordre.data]

    def query_args(self, keep=()):
        """Return the consultation, region, sort column and order, for links that keep them."""
        args = super().query_args(keep)
        if self.tri.data != DEFAULT_SORT:
            args["tri"] = self.tri.data
        if self.ordre.data != DEFAULT_ORDER:
            args["ordre"] = self.ordre.data
        return args

    def sort_args(self, column):
        """Return the query-string arguments of the link that sorts by ``column``.

        The current column's link turns the order round; another column starts in ascending order.
        """
        args = super().query_args()
        args["tri"] = column
        if column == self.tri.data and not self.descending:
            args["ordre"] = "decroissant"
        return args


class ReopenForm(FlaskForm):
    """Why the ministry reopens a submitted synthesis: the prefecture reads the reason."""

    reason = TextAreaField("Motif de la réouverture", validators=[
        DataRequired("Indiquez le motif de la réouverture : la préfecture le lira."),
        Length(max=REASON_MAX_LENGTH,
               message=f"Le motif ne doit pas dépasser {REASON_MAX_LENGTH} caractères."),
    ])

    def show_service_errors(self, errors):
        """Put the service's messages next to the reason; the others go to the alert on top."""
        for name, messages in errors.items():
            target = self.reason if name == "reason" else None
            if target is not None:
                target.errors = list(target.errors) + [m for m in messages if m not in target.errors]
            else:
                self.form_errors.extend(messages)
