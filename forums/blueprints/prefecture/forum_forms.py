"""Forms of the prefecture blueprint for scheduling a forum and changing its status.

The forms parse what the agent typed (dates, times, numbers); the scheduling rules live in
forums/services/forums.py, whose French messages the views put next to the fields below.
"""
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, FieldList, Form, FormField, IntegerField, SelectChoice, SelectField,
    SelectMultipleField, StringField, TextAreaField, TimeField,
)
from wtforms.validators import DataRequired, Optional

from ...models import SpeakerKind
from ...services.forums import ForumData, SpeakerData, paris_datetime
from ...timeutils import PARIS

#: Speaker rows shown by the form: enough for a forum, and no JavaScript needed to add one.
SPEAKER_ROWS = 6

#: The form field that shows the messages of each field of the scheduling service.
SERVICE_FIELDS = {
    "title": "title", "starts_at": "day", "ends_at": "end_time", "venue_name": "venue_name",
    "address": "address", "commune_code": "commune_code", "accessibility": "accessibility",
    "capacity": "capacity", "animator_name": "animator_name", "animator_function": "animator_function",
    "description": "description", "canton_codes": "canton_codes", "commune_codes": "commune_codes",
    "speakers": "speakers", "reason": "reason",
}


class PlacesField(IntegerField):
    """A number of seats, with a French message that says what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Saisissez le nombre de places en chiffres, par exemple 150.") from None


class SpeakerForm(Form):
    """One speaker row; an empty row is ignored."""

    kind = SelectField("Type d'intervenant", validate_choice=False, choices=[SelectChoice("", "Choisir")] + [
        SelectChoice(kind.value, kind.label) for kind in SpeakerKind
    ])
    name = StringField("Nom")
    function = StringField("Fonction")


class _ScheduleFields(FlaskForm):
    """A date and a start and end time in Paris time, all three or none."""

    day = DateField("Date", validators=[Optional()])
    start_time = TimeField("Heure de début", validators=[Optional()])
    end_time = TimeField("Heure de fin", validators=[Optional()])

    def validate(self, extra_validators=None):
        """Validate the fields, then require the date and both times together."""
        valid = super().validate(extra_validators)
        parts = (self.day, self.start_time, self.end_time)
        if any(part.raw_data and part.raw_data[0].strip() for part in parts):
            for part, message in zip(parts, ("Indiquez la date.", "Indiquez l'heure de début.",
                                             "Indiquez l'heure de fin."), strict=True):
                if part.data is None and not part.errors:
                    part.errors.append(message)
                    valid = False
        return valid

    def schedule(self):
        """Return (starts_at, ends_at) as aware UTC datetimes, or (None, None) when incomplete.

        An end time earlier than the start time stays on the same day, so the service refuses it
        instead of reading it as a meeting that ends the next morning.
        """
        if None in (self.day.data, self.start_time.data, self.end_time.data):
            return None, None
        return paris_datetime(self.day.data, self.start_time.data), paris_datetime(self.day.data, self.end_time.data)

    def fill_schedule(self, starts_at, ends_at):
        """Show existing UTC datetimes in Paris time."""
        if starts_at is not None:
            local = starts_at.astimezone(PARIS)
            self.day.data, self.start_time.data = local.date(), local.time().replace(tzinfo=None)
        if ends_at is not None:
            self.end_time.data = ends_at.astimezone(PARIS).time().replace(tzinfo=None)


class ForumForm(_ScheduleFields):
    """A forum's details; choices of commune and cantons are set by the view for the agent's territory."""

    title = StringField("Titre", validators=[DataRequired("Saisissez le titre du forum.")])
    venue_name = StringField("Lieu")
    address = StringField("Adresse")
    commune_code = SelectField("Commune", validate_choice=False,
                               validators=[DataRequired("Choisissez la commune où se tient le forum.")])
    canton_codes = SelectMultipleField("Cantons couverts", validate_choice=False)
    commune_codes = SelectMultipleField("Communes couvertes", validate_choice=False)
    accessibility = TextAreaField("Accessibilité aux personnes en situation de handicap")
    capacity = PlacesField("Capacité d'accueil (nombre de places)", validators=[Optional()])
    animator_name = StringField("Nom de l'animateur")
    animator_function = StringField("Fonction de l'animateur")
    speakers = FieldList(FormField(SpeakerForm), min_entries=SPEAKER_ROWS)
    description = TextAreaField("Présentation du forum")
    confirm_shared = BooleanField("Je confirme : plusieurs forums couvriront ces cantons")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: Messages about the speakers, shown below their table.
        self.speaker_errors = []
        while len(self.speakers) < SPEAKER_ROWS:
            self.speakers.append_entry()

    def fill(self, data):
        """Show a forum's current details (a ForumData)."""
        for name in ("title", "venue_name", "address", "commune_code", "accessibility", "capacity",
                     "animator_name", "animator_function", "description", "canton_codes", "commune_codes"):
            getattr(self, name).data = getattr(data, name)
        self.fill_schedule(data.starts_at, data.ends_at)
        while len(self.speakers) < len(data.speakers) + 1:
            self.speakers.append_entry()
        for row, speaker in zip(self.speakers, data.speakers):
            row.form.kind.data, row.form.name.data, row.form.function.data = speaker.kind, speaker.name, speaker.function

    def forum_data(self):
        """Return the entered details as a ForumData for the scheduling service."""
        starts_at, ends_at = self.schedule()
        return ForumData(
            title=self.title.data or "",
            starts_at=starts_at,
            ends_at=ends_at,
            venue_name=self.venue_name.data or "",
            address=self.address.data or "",
            commune_code=self.commune_code.data or None,
            accessibility=self.accessibility.data or "",
            capacity=self.capacity.data,
            animator_name=self.animator_name.data or "",
            animator_function=self.animator_function.data or "",
            description=self.description.data or "",
            canton_codes=[code for code in self.canton_codes.data or [] if code],
            commune_codes=[code for code in self.commune_codes.data or [] if code],
            speakers=[
                SpeakerData(row.form.kind.data or "", row.form.name.data or "", row.form.function.data or "")
                for row in self.speakers
            ],
        )


class PostponeForm(_ScheduleFields):
    """The new date of a postponed forum and why it moves."""

    reason = TextAreaField("Motif du report")

    def validate(self, extra_validators=None):
        """Validate, then require the new date and times."""
        valid = super().validate(extra_validators)
        if self.day.data is None and not self.day.errors:
            self.day.errors.append("Indiquez la nouvelle date du forum.")
            valid = False
        return valid


class CancelForm(FlaskForm):
    """Why a forum is cancelled, shown to the public."""

    reason = TextAreaField("Motif de l'annulation", validators=[
        DataRequired("Indiquez le motif de l'annulation : il sera affiché au public."),
    ])


def show_service_errors(form, errors):
    """Put each message of a ForumError next to its field; the others go to the alert on top."""
    for name, messages in errors.items():
        target = SERVICE_FIELDS.get(name)
        if target == "speakers" and hasattr(form, "speaker_errors"):
            form.speaker_errors.extend(messages)
        elif target is not None and target in form:
            form[target].errors = list(form[target].errors) + [m for m in messages if m not in form[target].errors]
        else:
            form.form_errors.extend(messages)
