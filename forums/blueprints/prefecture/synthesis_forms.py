"""Forms of the prefecture blueprint for the departmental synthesis: its transmission and its addenda.

The forms only carry what the prefecture typed or ticked; the rules (what blocks a transmission,
when a reason is needed, which minutes may form an addendum) are checked by
forums/services/syntheses.py, whose French messages the views put next to the fields below.
"""
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ...services.syntheses import REASON_MAX_LENGTH


class SubmitForm(FlaskForm):
    """The confirmation that the prefecture transmits its synthesis, and why, when it transmits early."""

    confirm = BooleanField(
        "Je confirme la transmission de la synthèse au ministère : elle ne pourra plus être modifiée, ni les "
        "comptes-rendus qu'elle transmet, sauf réouverture par le ministère.",
        validators=[DataRequired("Cochez cette case pour confirmer la transmission.")],
    )
    early_confirm = BooleanField(
        "Je transmets la synthèse avant la fin des forums : les comptes-rendus des forums à venir seront "
        "transmis ensuite, en complément.")
    early_reason = TextAreaField(
        "Motif de la transmission anticipée (le ministère le lira)", render_kw={"rows": 3, "maxlength": REASON_MAX_LENGTH})

    def check_early(self, readiness):
        """Return True when an early transmission is confirmed as it must be; else put the messages on the fields."""
        if not readiness.is_early:
            return True
        if not self.early_confirm.data:
            self.early_confirm.errors = list(self.early_confirm.errors) + [
                "Des forums restent à tenir ou la période des réunions n'est pas close : cochez cette case "
                "pour transmettre quand même."]
            return False
        return True


class _Checkboxes(SelectMultipleField):
    """Checkboxes of integer ids; what the list does not offer is left to the service to refuse, in French."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
    #: Values that are no id at all, kept to say so.
    invalid = ()

    def process_formdata(self, valuelist):
        self.data = [int(value) for value in valuelist if value.isdigit()]
        self.invalid = [value for value in valuelist if not value.isdigit()]

    def pre_validate(self, form):
        if self.invalid:
            raise ValidationError("Choix invalide : cochez les comptes-rendus proposés dans la liste.")


class AddendumForm(FlaskForm):
    """The minutes the prefecture sends after its synthesis, as an addendum."""

    forum_ids = _Checkboxes("Comptes-rendus à transmettre en complément", coerce=int, validate_choice=False)
