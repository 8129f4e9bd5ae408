"""Forms of the moderation blueprint: the queue's filters and bulk decision, and one form per action.

The forms read what the moderator typed; the moderation rules and their French messages live in
forums/services/moderation.py, whose errors the views put next to the fields below.
"""
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, NumberRange, Optional, StopValidation

from ...models import QuestionStatus, RejectionReason

#: Value of the "forum" filter for questions asked to the department rather than to a forum.
DEPARTMENT_TARGET = "departement"
#: Value of the list's "statut" filter for published questions still waiting for an answer.
AWAITING_ANSWER = "a-repondre"

#: The charter's rules, as the select of a rejection offers them.
REASON_CHOICES = [SelectChoice("", "Choisir un motif de la charte")] + [
    SelectChoice(reason.value, reason.label) for reason in RejectionReason
]


class PageField(IntegerField):
    """A page number, with a French message that says what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Le numéro de page doit être un nombre entier.") from None


class _FiltersForm(FlaskForm):
    """Filters read from the query string: a link or a bookmark works without a token."""

    class Meta:
        csrf = False

    page = PageField("Page", validators=[Optional(), NumberRange(min=1, message="Le numéro de page commence à 1.")])

    def problems(self):
        """Return the errors as one French sentence per field, for the 400 page."""
        return " ".join(f"{self[name].label.text} : {errors[0]}" for name, errors in self.errors.items())

    def query_args(self):
        """Return the non-empty filters (without the page), for links and forms that keep them."""
        return {name: field.data for name, field in self._fields.items()
                if name != "page" and field.data not in (None, "")}


class QueueFiltersForm(_FiltersForm):
    """The queue's filters: a theme (by code) and a target (a forum id, or the department)."""

    theme = SelectField("Thème", choices=[], validate_choice=False)
    forum = SelectField("Destinataire", choices=[], validate_choice=False)

    def set_choices(self, themes, forums, describe):
        """Offer the consultation's themes and the department's forums, each described by ``describe(forum)``."""
        self.theme.choices = [SelectChoice("", "Tous les thèmes")] + [
            SelectChoice(theme.code, f"Thème {theme.code} – {theme.title}") for theme in themes
        ]
        self.forum.choices = [SelectChoice("", "Tous les destinataires"),
                              SelectChoice(DEPARTMENT_TARGET, "Questions posées au département")] + [
            SelectChoice(str(forum.id), describe(forum)) for forum in forums
        ]

    def validate_theme(self, field):
        _known(field, "Thème inconnu")

    def validate_forum(self, field):
        _known(field, "Forum inconnu dans ce département")


class QuestionListFiltersForm(_FiltersForm):
    """Filters of the list of all the department's questions."""

    statut = SelectField("État", validate_choice=False, choices=[
        SelectChoice("", "Tous les états"),
        *(SelectChoice(status.value, status.label) for status in QuestionStatus),
        SelectChoice(AWAITING_ANSWER, "Publiées, sans réponse ni forum"),
    ])
    reference = StringField("Référence", filters=[lambda value: (value or "").strip().upper() or None])

    def validate_statut(self, field):
        _known(field, "État inconnu")


class BulkDecisionForm(FlaskForm):
    """The questions ticked in the queue, and the decision taken for all of them."""

    question_ids = SelectMultipleField("Questions sélectionnées", validate_choice=False, validators=[
        DataRequired("Sélectionnez au moins une question."),
    ])
    #: Set by the button pressed: "approve" or "reject".
    action = StringField("Décision")
    reason = SelectField("Motif de refus", choices=REASON_CHOICES, validate_choice=False)
    note = TextAreaField("Précision pour les citoyens (facultatif)")


class RejectForm(FlaskForm):
    """Refuse a pending question or withdraw a published one, for a rule of the charter."""

    reason = SelectField("Motif de la charte", choices=REASON_CHOICES, validate_choice=False,
                         validators=[DataRequired("Choisissez le motif de la charte de modération.")])
    note = TextAreaField("Précision pour le citoyen (facultatif)")
    original = StringField("Question d'origine, pour un doublon (facultatif)")


class PublicTextForm(FlaskForm):
    """The text shown to the public, without the personal data the citizen may have written."""

    public_text = TextAreaField("Texte public", validators=[DataRequired("Saisissez le texte à publier.")])


class DisplayNameForm(FlaskForm):
    """The name shown beside the question, replaced or left empty to publish it anonymously."""

    display_name = StringField("Nom affiché", validators=[Optional()])


class MergeForm(FlaskForm):
    """The reference of the question this one repeats."""

    original = StringField("Référence de la question d'origine", validators=[
        DataRequired("Indiquez la référence de la question d'origine, par exemple 13-000012."),
    ])


class AnswerForm(FlaskForm):
    """The prefecture's public answer, in Markdown, with a preview before it is published."""

    answer = TextAreaField("Réponse de la préfecture", validators=[DataRequired("Rédigez la réponse.")])
    preview = SubmitField("Prévisualiser")
    publish = SubmitField("Publier la réponse")


class AddressedForm(FlaskForm):
    """The forum at which the question was taken up; choices are the department's forums that started."""

    forum = SelectField("Forum", choices=[], validate_choice=False,
                        validators=[DataRequired("Choisissez le forum où la question a été abordée.")])

    def set_choices(self, forums, describe):
        """Offer ``forums``, each described by ``describe(forum)``."""
        self.forum.choices = [SelectChoice("", "Choisir un forum")] + [
            SelectChoice(str(forum.id), describe(forum)) for forum in forums
        ]


def _known(field, message):
    # An empty value means "all"; anything else must be one of the choices.
    if field.data and field.data not in {choice.value for choice in field.choices}:
        raise StopValidation(f"{message} : « {field.data} ».")


class GroupDecisionForm(FlaskForm):
    """One decision for every question of a group: the members shown, and what becomes of them."""

    question_ids = SelectMultipleField("Questions du groupe", validate_choice=False)
    #: Set by the button pressed: "publish", "merge" or "reject".
    action = StringField("Décision")
    keep = StringField("Question à publier")
    original = StringField("Question d'origine")
    reason = SelectField("Motif de refus", choices=REASON_CHOICES, validate_choice=False)
    note = TextAreaField("Précision pour les citoyens (facultatif)")
