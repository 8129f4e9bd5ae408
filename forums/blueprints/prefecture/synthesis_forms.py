"""Forms of the prefecture blueprint for the departmental synthesis: its three parts and its submission.

The forms only carry what the prefecture typed; lengths, emptiness at submission and the state of
the synthesis are checked by forums/services/syntheses.py, whose French messages the views put
next to the fields below.
"""
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired

from synthesis.drafting import PART_TITLES

from ...services.syntheses import PART_KEYS

#: Rows shown by each Markdown text area: a part is several paragraphs long.
PART_ROWS = 18
MARKDOWN_HINT = ("Mise en forme Markdown : **gras**, *italique*, listes commençant par « - », "
                 "intertitres commençant par « ### ». Le code HTML et les scripts sont neutralisés.")


def part_label(column):
    """Return the numbered title of a part, as the document shows it: « 1. Éclairage de proximité… »."""
    number = list(PART_KEYS).index(column) + 1
    return f"{number}. {PART_TITLES[PART_KEYS[column]]}"


def _part_field(column):
    return TextAreaField(part_label(column), render_kw={"rows": PART_ROWS})


class SynthesisPartsForm(FlaskForm):
    """The three parts of the synthesis, in Markdown; an empty part may be saved and completed later."""

    local_insight = _part_field("local_insight")
    diagnosis = _part_field("diagnosis")
    proposals = _part_field("proposals")

    def fill(self, synthesis):
        """Show the synthesis' current texts."""
        for column in PART_KEYS:
            self[column].data = getattr(synthesis, column) or ""

    def parts(self):
        """Return {column: Markdown} as typed, for ``update_parts``."""
        return {column: self[column].data or "" for column in PART_KEYS}

    def show_service_errors(self, errors):
        """Put each message of a SynthesisError next to its part; the others go to the alert on top."""
        for name, messages in errors.items():
            if name in PART_KEYS:
                self[name].errors = list(self[name].errors) + list(messages)
            else:
                self.form_errors.extend(messages)


class SubmitForm(FlaskForm):
    """The confirmation that the prefecture transmits its synthesis to the ministry."""

    confirm = BooleanField(
        "Je confirme la transmission de la synthèse au ministère : elle ne pourra plus être modifiée, "
        "ni les comptes-rendus des forums du département, sauf réouverture par le ministère.",
        validators=[DataRequired("Cochez cette case pour confirmer la transmission.")],
    )
