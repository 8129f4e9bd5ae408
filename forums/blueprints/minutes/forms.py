"""Forms of the minutes blueprint: the minutes of a forum, its documents and the public summary.

The forms parse what the agent typed (numbers, choices, which rows are filled in); the rules live
in forums/services/minutes.py, whose French messages ``MinutesForm.show_service_errors`` puts next
to the fields. Service error keys and the fields that show them:

- ``attendance`` or ``attendance.<category>`` / ``attendance_<category>`` → that category's count
  (a key naming no category goes to the first one);
- ``duration_minutes``, ``strengths``, ``weaknesses``, ``notes``, ``question_ids`` → the field of that name;
- ``topics`` → the alert on top; ``topics.<i>`` / ``topics.<i>.concerns`` / ``topics.<i>.answers`` (``i``
  the rank among the filled-in sub-topics, as sent to the service) → that sub-topic's fields;
- ``proposals`` → the proposals fieldset; ``proposals.<i>[.text|.theme_id|.subtopic_id|.origin]`` (``i`` the
  rank among the filled-in rows) → that row's text, topic or origin field;
- ``document`` → the upload field; anything else (``__all__``) → the alert on top.
"""
import re
from typing import NamedTuple

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, FieldList, FileField, Form, FormField, IntegerField, SelectChoice, SelectField,
    HiddenField, SelectMultipleField, SubmitField, TextAreaField,
)
from wtforms.validators import Optional, ValidationError

from ...models import AttachmentKind, AttendanceCategory, ProposalOrigin
from ...services.minutes import MinutesData, ProposalData, TopicData

#: Empty proposal rows offered below the filled ones, and added by « Ajouter des lignes ».
EMPTY_PROPOSAL_ROWS = 5
#: Most proposal rows a form may carry: a forged request cannot make the page arbitrarily long.
MAX_PROPOSAL_ROWS = 200

_TOPIC_VALUE = re.compile(r"^(theme|subtopic)-(\d{1,9})$")
_ERROR_KEY = re.compile(r"^(?P<name>[a-z_]+)(?:[.\[](?P<index>\w+)\]?)?(?:\.(?P<part>[a-z_]+))?$")


class ThemeOutline(NamedTuple):
    """A theme of the consultation with its parts, in display order."""

    theme: object
    parts: list


class PartOutline(NamedTuple):
    """A part of a theme with its sub-topics, in display order."""

    part: object
    subtopics: list


class CountField(IntegerField):
    """A whole number of people or minutes, with a French message that says what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Saisissez un nombre entier en chiffres, par exemple 35.") from None


class QuestionIdsField(SelectMultipleField):
    """The questions ticked as taken up at the forum, among those offered."""

    def process_formdata(self, valuelist):
        try:
            self.data = [int(value) for value in valuelist]
        except ValueError:
            self.data = []
            raise ValueError("Une des questions cochées n'est pas valable : rechargez la page.") from None

    def pre_validate(self, form):
        offered = {value for value, *_ in self.iter_choices()}
        if any(value not in offered for value in self.data or ()):
            raise ValidationError("Une des questions cochées ne peut plus être choisie : rechargez la page.")


class ProposalRowForm(Form):
    """One proposal row; a row left empty is ignored."""

    topic = SelectField("Thème ou sous-thème", validate_choice=False)
    origin = SelectField("Origine", validate_choice=False, choices=[SelectChoice("", "Choisir")] + [
        SelectChoice(origin.value, origin.label) for origin in ProposalOrigin
    ])
    text = TextAreaField("Proposition")

    def is_empty(self):
        """Tell whether nothing was typed or chosen in the row."""
        return not ((self.text.data or "").strip() or self.topic.data or self.origin.data)

    def validate(self, extra_validators=None):
        """Require the topic, origin and text together when any of them is given."""
        valid = super().validate(extra_validators)
        if self.is_empty():
            return valid
        if not (self.text.data or "").strip():
            self.text.errors.append("Rédigez la proposition, ou videz toute la ligne.")
        if not _TOPIC_VALUE.match(self.topic.data or "") or self.topic.data not in self._topic_values():
            self.topic.errors.append("Choisissez le thème ou le sous-thème de la proposition.")
        if self.origin.data not in {origin.value for origin in ProposalOrigin}:
            self.origin.errors.append("Indiquez qui a fait la proposition.")
        return not any((self.text.errors, self.topic.errors, self.origin.errors)) and valid

    def _topic_values(self):
        return {value for value, *_ in self.topic.iter_choices()}


class MinutesForm(FlaskForm):
    """The whole minutes of a forum in one form, without JavaScript; built by ``minutes_form``."""

    duration_minutes = CountField("Durée réelle du forum, en minutes", validators=[Optional()])
    strengths = TextAreaField("Points forts observés")
    weaknesses = TextAreaField("Points faibles observés")
    question_ids = QuestionIdsField("Questions en ligne abordées lors du forum", choices=[], coerce=int)
    notes = TextAreaField("Notes")
    #: The version the form was opened on (0 before the first save): saving over a newer one is refused.
    based_on = HiddenField()
    add_rows = SubmitField("Ajouter des lignes")
    save = SubmitField("Enregistrer le compte-rendu")

    #: Set by minutes_form: the consultation's themes, parts and sub-topics.
    outline = ()

    def attendance_fields(self):
        """Return (category, field) for each attendance category, in order."""
        return [(category, self[category.column]) for category in AttendanceCategory]

    def subtopics(self):
        """Return the consultation's sub-topics in display order."""
        return [subtopic for theme in self.outline for part in theme.parts for subtopic in part.subtopics]

    def topic_fields(self, subtopic):
        """Return the (concerns, answers) fields of a sub-topic."""
        return self[f"concerns_{subtopic.id}"], self[f"answers_{subtopic.id}"]

    def wants_more_rows(self):
        """Tell whether the agent asked for more proposal rows rather than to save."""
        return bool(self.add_rows.data)

    def add_proposal_rows(self, count=EMPTY_PROPOSAL_ROWS):
        """Append empty proposal rows, up to MAX_PROPOSAL_ROWS."""
        for _ in range(max(0, min(count, MAX_PROPOSAL_ROWS - len(self.proposals)))):
            self.proposals.append_entry()

    def based_on_version(self):
        """Return the version number the form was opened on, or None when the form did not say."""
        value = (self.based_on.data or "").strip()
        return int(value) if value.isdigit() else None

    def fill(self, data):
        """Show saved minutes (a MinutesData), with empty proposal rows below the saved ones."""
        for category, field in self.attendance_fields():
            field.data = data.attendance.get(category)
        self.duration_minutes.data = data.duration_minutes
        for topic in data.topics:
            if f"concerns_{topic.subtopic_id}" in self:
                concerns, answers = self[f"concerns_{topic.subtopic_id}"], self[f"answers_{topic.subtopic_id}"]
                concerns.data, answers.data = topic.concerns, topic.answers
        self.strengths.data, self.weaknesses.data, self.notes.data = data.strengths, data.weaknesses, data.notes
        self.question_ids.data = list(data.question_ids)
        while len(self.proposals):
            self.proposals.pop_entry()
        for proposal in data.proposals:
            row = self.proposals.append_entry()
            row.form.topic.data = topic_value(proposal.theme_id, proposal.subtopic_id)
            row.form.origin.data = getattr(proposal.origin, "value", proposal.origin)
            row.form.text.data = proposal.text
        self.add_proposal_rows()

    def to_data(self):
        """Return the MinutesData the agent typed: filled-in sub-topics and proposal rows only."""
        self._topic_subtopics = []
        topics = []
        for subtopic in self.subtopics():
            concerns, answers = self.topic_fields(subtopic)
            if (concerns.data or "").strip() or (answers.data or "").strip():
                topics.append(TopicData(subtopic.id, concerns.data or "", answers.data or ""))
                self._topic_subtopics.append(subtopic)
        self._proposal_rows = []
        proposals = []
        for row in self.proposals:
            if row.form.is_empty():
                continue
            theme_id, subtopic_id = parse_topic_value(row.form.topic.data, self.outline)
            proposals.append(ProposalData(theme_id, subtopic_id, row.form.origin.data, row.form.text.data or ""))
            self._proposal_rows.append(row.form)
        return MinutesData(
            attendance={category: field.data for category, field in self.attendance_fields()},
            duration_minutes=self.duration_minutes.data,
            topics=topics,
            strengths=self.strengths.data or "",
            weaknesses=self.weaknesses.data or "",
            proposals=proposals,
            question_ids=list(self.question_ids.data or []),
            notes=self.notes.data or "",
        )

    def show_service_errors(self, errors):
        """Put each message of a MinutesError next to its field (see the module's docstring)."""
        for key, messages in errors.items():
            target = self._error_target(key)
            if target is None:
                self.form_errors.extend(m for m in messages if m not in self.form_errors)
            else:
                target.errors = list(target.errors) + [m for m in messages if m not in target.errors]

    def _error_target(self, key):
        match = _ERROR_KEY.match(key)
        if match is None:
            return None
        name, index, part = match.group("name", "index", "part")
        if name.startswith("attendance"):
            category = name.removeprefix("attendance").lstrip("_") or index or ""
            known = {c.value: c for c in AttendanceCategory}
            return self[known.get(category, AttendanceCategory.PUBLIC).column]
        if name in ("duration_minutes", "strengths", "weaknesses", "notes", "question_ids"):
            return self[name]
        if name == "topics" and index is not None and index.isdigit():
            found = self._topic_subtopics[int(index)] if int(index) < len(self._topic_subtopics) else None
            if found is not None:
                concerns, answers = self.topic_fields(found)
                return answers if part == "answers" else concerns
        if name == "proposals":
            if index is None or not index.isdigit():
                return _Collector(self.proposal_errors)
            row = self._proposal_rows[int(index)] if int(index) < len(self._proposal_rows) else None
            if row is not None:
                if part in ("theme_id", "subtopic_id", "theme", "subtopic", "topic"):
                    return row.topic
                return row.origin if part == "origin" else row.text
        return None

    @property
    def proposal_errors(self):
        """Return the messages about the proposals as a whole."""
        if not hasattr(self, "_proposal_errors"):
            self._proposal_errors = []
        return self._proposal_errors


class _Collector:
    """Stands for a field whose messages go to a plain list."""

    def __init__(self, messages):
        self._messages = messages

    @property
    def errors(self):
        return self._messages

    @errors.setter
    def errors(self, messages):
        self._messages[:] = messages


def topic_value(theme_id, subtopic_id):
    """Return the value of the topic select for a proposal about a theme or one of its sub-topics."""
    return f"subtopic-{subtopic_id}" if subtopic_id else f"theme-{theme_id}"


def parse_topic_value(value, outline):
    """Return (theme_id, subtopic_id) for a topic select value; (None, None) when it names nothing known."""
    match = _TOPIC_VALUE.match(value or "")
    if match is None:
        return None, None
    kind, number = match.group(1), int(match.group(2))
    for theme in outline:
        if kind == "theme" and theme.theme.id == number:
            return number, None
        for part in theme.parts:
            for subtopic in part.subtopics:
                if kind == "subtopic" and subtopic.id == number:
                    return theme.theme.id, number
    return None, None


def topic_choices(outline):
    """Return the choices of a proposal's topic: each theme as a whole, then each of its sub-topics."""
    choices = [SelectChoice("", "Choisir")]
    for theme in outline:
        choices.append(SelectChoice(topic_value(theme.theme.id, None),
                                    f"Thème {theme.theme.code} – {theme.theme.title} (ensemble du thème)"))
        for part in theme.parts:
            for subtopic in part.subtopics:
                choices.append(SelectChoice(topic_value(theme.theme.id, subtopic.id),
                                            f"{subtopic.code} – {subtopic.title}"))
    return choices


def question_label(question):
    """Return how a question is offered in the list: its reference, sub-topic and the start of its text."""
    text = " ".join((question.public_text or question.text or "").split())
    short = text if len(text) <= 140 else text[:139].rstrip() + "…"
    return f"n° {question.reference} – {question.subtopic.title} : « {short} »"


def minutes_form(outline, candidates, **kwargs):
    """Return a MinutesForm for the consultation's ``outline`` and the questions that may be ticked."""
    choices = topic_choices(outline)

    class _ProposalRow(ProposalRowForm):
        topic = SelectField("Thème ou sous-thème", validate_choice=False, choices=choices)

    attributes = {"outline": outline, "proposals": FieldList(FormField(_ProposalRow), max_entries=MAX_PROPOSAL_ROWS)}
    for category in AttendanceCategory:
        attributes[category.column] = CountField(category.label, validators=[Optional()])
    for theme in outline:
        for part in theme.parts:
            for subtopic in part.subtopics:
                attributes[f"concerns_{subtopic.id}"] = TextAreaField("Préoccupations exprimées")
                attributes[f"answers_{subtopic.id}"] = TextAreaField("Réponses apportées")
    form_class = type("ForumMinutesForm", (MinutesForm,), attributes)
    form = form_class(**kwargs)
    form.question_ids.choices = [(question.id, question_label(question)) for question in candidates]
    return form


class UploadForm(FlaskForm):
    """A document to attach to the minutes."""

    document = FileField("Document")
    kind = SelectField("Nature du document", choices=[
        SelectChoice(kind.value, kind.label) for kind in AttachmentKind
    ], validate_choice=False)

    def validate_document(self, field):
        """Require a file."""
        if not getattr(field.data, "filename", None):
            raise ValidationError("Choisissez le fichier à joindre.")

    def validate_kind(self, field):
        """Require one of the known kinds."""
        if field.data not in {kind.value for kind in AttachmentKind}:
            raise ValidationError("Indiquez la nature du document.")


class PublicationForm(FlaskForm):
    """Publish or withdraw the public summary of the minutes."""

    show_names = BooleanField("Indiquer le nom de l'animateur du forum")
    publish = SubmitField("Publier la synthèse publique")
    unpublish = SubmitField("Retirer la synthèse publique")
