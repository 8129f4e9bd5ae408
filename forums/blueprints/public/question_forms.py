"""Forms of the public blueprint for asking a question.

The forms only read what was posted; the rules (theme of the current consultation, lengths,
forum open to questions…) live in forums/services/questions.py, whose French messages the view
puts next to the fields below.
"""
import secrets

from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from ...services.questions import NONCE_PATTERN, QuestionData

#: Longest id accepted from a form: more digits cannot be a row of ours.
MAX_ID_DIGITS = 12


def new_nonce():
    """Return a fresh one-time value for a displayed form."""
    return secrets.token_urlsafe(24)


def parse_id(value):
    """Return a posted id as an int, or None when nothing was chosen."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and value.isascii() and len(value) <= MAX_ID_DIGITS else None


class PostedId:
    """Refuse a value that is neither empty nor an id: only a forged form sends one."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if (field.data or "").strip() and parse_id(field.data) is None:
            raise ValidationError(self.message)


class DepartmentChoiceForm(Form):
    """The first step without a forum: the department the question is for (sent by GET)."""

    departement = SelectField("Votre département", validate_choice=False)


class QuestionForm(FlaskForm):
    """A citizen's question; the view sets the choices of the current consultation and department."""

    department_code = HiddenField()
    forum_id = SelectField("Votre question s'adresse à", validate_choice=False, validators=[
        PostedId("Ce forum n'existe pas : choisissez un forum de la liste."),
    ])
    theme_id = RadioField("Thème", validate_choice=False, validators=[
        PostedId("Ce thème n'existe pas : choisissez l'un des thèmes proposés."),
    ])
    subtopic_id = SelectField("Sous-thème", validate_choice=False, validators=[
        PostedId("Ce sous-thème n'existe pas : choisissez l'un des sous-thèmes proposés."),
    ])
    text = TextAreaField("Votre question")
    place = StringField("Votre commune ou votre code postal (facultatif)")
    email = StringField("Votre adresse électronique (facultatif)")
    display_name = StringField("Nom ou pseudonyme affiché avec votre question (facultatif)")
    charter_accepted = BooleanField("J'ai lu la charte de modération et je l'accepte")
    #: The honeypot: hidden from people and assistive technologies, filled by robots.
    website = StringField("Site web (ne pas remplir)")
    #: One value per displayed form, so that posting it twice saves one question.
    nonce = HiddenField()
    #: The fingerprint of a text the citizen confirmed after the short-or-already-asked notice.
    confirmed = HiddenField()

    def new_nonce(self):
        """Give the form a fresh one-time value."""
        self.nonce.data = new_nonce()

    @property
    def is_spam(self):
        """Tell whether the honeypot was filled."""
        return bool((self.website.data or "").strip())

    def question_data(self):
        """Return what was entered as a QuestionData for the service."""
        nonce = (self.nonce.data or "").strip()
        return QuestionData(
            theme_id=parse_id(self.theme_id.data),
            subtopic_id=parse_id(self.subtopic_id.data),
            forum_id=parse_id(self.forum_id.data),
            department_code=(self.department_code.data or "").strip() or None,
            text=self.text.data or "",
            place=self.place.data or "",
            email=self.email.data or "",
            display_name=self.display_name.data or "",
            charter_accepted=bool(self.charter_accepted.data),
            # A missing or malformed nonce only costs the protection against a double post.
            form_nonce=nonce if NONCE_PATTERN.fullmatch(nonce) else None,
        )


#: The form field that shows the messages of each field of the question service.
SERVICE_FIELDS = {
    "theme_id": "theme_id", "subtopic_id": "subtopic_id", "forum_id": "forum_id", "text": "text",
    "place": "place", "email": "email", "display_name": "display_name", "charter_accepted": "charter_accepted",
}


def show_service_errors(form, errors):
    """Put each message of a QuestionError next to its field; the others go to the alert on top."""
    for name, messages in errors.items():
        target = SERVICE_FIELDS.get(name)
        if target is not None:
            field = form[target]
            field.errors = list(field.errors) + [m for m in messages if m not in field.errors]
        else:
            form.form_errors.extend(messages)
