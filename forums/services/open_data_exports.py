"""Open data of a consultation: the published questions and the published proposals, anonymous, in CSV and JSON.

Only what the public site already shows is exported, and nothing that identifies a person:

- **questions**: questions in the "published" state only (never pending, rejected or merged
  ones), with the text the public reads (``public_text``, the moderated version), never the
  original text, the asker's e-mail, display name, commune or postal code, nor which agent
  moderated or answered. Dates are days, not times.
- **proposals**: the proposals of forums whose minutes summary the prefecture published on the
  forum's public page (a forum past the draft stage); never the minutes' other content.

``questions_csv`` and the like return a generator of ``str`` chunks: the rows are read from the
database a batch at a time, never as ORM objects. The site serves these files prepared in
advance (forums.services.open_data_files writes them with :class:`CsvFormat` and
:class:`JsonFormat`, both formats in one pass over the rows). CSV files are for French
spreadsheets like the project's other exports: UTF-8 with a BOM, ``;`` separators, cells that a
spreadsheet would run as a formula quoted; booleans are "oui"/"non". JSON is one array of
objects, written incrementally; its keys are the CSV columns, booleans and numbers typed,
missing values null.

Questions columns (:data:`QUESTION_COLUMNS`):
``reference`` (e.g. 13-000124), ``department_code``, ``department_name``, ``region_code``,
``region_name``, ``forum_id`` (the public forum the question was asked for, empty when asked to
the department), ``theme_code``, ``theme_title``, ``subtopic_code``, ``subtopic_title``, ``text``
(the published text), ``submitted_on`` and ``published_on`` (ISO dates, Paris), ``support_count``
(number of « Je soutiens »), ``answered``, ``answered_on``, ``answer`` (the prefecture's public
answer, Markdown), ``addressed_forum_id`` (the public forum where it was taken up).

Proposals columns (:data:`PROPOSAL_COLUMNS`):
``id``, ``department_code``, ``department_name``, ``region_code``, ``region_name``, ``forum_id``,
``forum_title``, ``forum_date`` (ISO date, Paris), ``theme_code``, ``theme_title``,
``subtopic_code``, ``subtopic_title`` (empty for a proposal on a whole theme), ``origin``
(public, elu, association, forces_ordre), ``origin_label``, ``text``.
"""
import csv
import io
import json

from sqlalchemy import case
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import (
    Department, Forum, Minutes, Proposal, Question, QuestionStatus, Region, Subtopic, Theme,
)
from ..spreadsheets import safe_cell
from ..timeutils import PARIS
from .public import PUBLIC_STATUSES

QUESTION_COLUMNS = (
    "reference", "department_code", "department_name", "region_code", "region_name", "forum_id",
    "theme_code", "theme_title", "subtopic_code", "subtopic_title", "text", "submitted_on", "published_on",
    "support_count", "answered", "answered_on", "answer", "addressed_forum_id",
)
PROPOSAL_COLUMNS = (
    "id", "department_code", "department_name", "region_code", "region_name", "forum_id", "forum_title",
    "forum_date", "theme_code", "theme_title", "subtopic_code", "subtopic_title", "origin", "origin_label", "text",
)
#: Rows read from the database per round trip, and written per chunk.
BATCH = 1000


def questions_csv(consultation):
    """Yield the consultation's published questions as CSV text, chunk by chunk."""
    return _chunks(CsvFormat(QUESTION_COLUMNS), question_items(consultation))


def questions_json(consultation):
    """Yield the consultation's published questions as one JSON array, chunk by chunk."""
    return _chunks(JsonFormat(), question_items(consultation))


def proposals_csv(consultation):
    """Yield the consultation's published proposals as CSV text, chunk by chunk."""
    return _chunks(CsvFormat(PROPOSAL_COLUMNS), proposal_items(consultation))


def proposals_json(consultation):
    """Yield the consultation's published proposals as one JSON array, chunk by chunk."""
    return _chunks(JsonFormat(), proposal_items(consultation))


def question_items(consultation):
    """Yield a dict per published question, in submission order."""
    asked, addressed = aliased(Forum), aliased(Forum)
    result = db.session.execute(
        db.select(
            Question.reference, Department.code, Department.name, Region.code, Region.name,
            # A forum still in draft does not exist publicly: its id is not given away.
            case((asked.status.in_(PUBLIC_STATUSES), asked.id)),
            Theme.code, Theme.title, Subtopic.code, Subtopic.title, Question.public_text,
            Question.submitted_at, Question.moderated_at, Question.support_count,
            Question.answered_at, Question.answer_text,
            case((addressed.status.in_(PUBLIC_STATUSES), addressed.id)),
        )
        .join(Department, Department.code == Question.department_code)
        .join(Region, Region.code == Department.region_code)
        .join(Theme, Theme.id == Question.theme_id)
        .join(Subtopic, Subtopic.id == Question.subtopic_id)
        .outerjoin(asked, asked.id == Question.forum_id)
        .outerjoin(addressed, addressed.id == Question.addressed_forum_id)
        .where(Question.consultation_id == consultation.id, Question.status == QuestionStatus.PUBLISHED)
        .order_by(Question.submitted_at, Question.id)
        .execution_options(yield_per=BATCH)
    )
    for row in result:
        (reference, department_code, department_name, region_code, region_name, forum_id, theme_code,
         theme_title, subtopic_code, subtopic_title, text, submitted_at, moderated_at, supports, answered_at,
         answer, addressed_forum_id) = row
        yield {
            "reference": reference,
            "department_code": department_code,
            "department_name": department_name,
            "region_code": region_code,
            "region_name": region_name,
            "forum_id": forum_id,
            "theme_code": theme_code,
            "theme_title": theme_title,
            "subtopic_code": subtopic_code,
            "subtopic_title": subtopic_title,
            "text": text,
            "submitted_on": _day(submitted_at),
            "published_on": _day(moderated_at),
            "support_count": supports,
            "answered": answered_at is not None,
            "answered_on": _day(answered_at),
            "answer": answer if answered_at is not None else None,
            "addressed_forum_id": addressed_forum_id,
        }


def proposal_items(consultation):
    """Yield a dict per proposal shown on a public forum page, forum by forum."""
    subtopic = aliased(Subtopic)
    result = db.session.execute(
        db.select(
            Proposal.id, Department.code, Department.name, Region.code, Region.name, Forum.id, Forum.title,
            Forum.starts_at, Theme.code, Theme.title, subtopic.code, subtopic.title, Proposal.origin, Proposal.text,
        )
        .join(Minutes, Minutes.id == Proposal.minutes_id)
        .join(Forum, Forum.id == Proposal.forum_id)
        .join(Department, Department.code == Proposal.department_code)
        .join(Region, Region.code == Department.region_code)
        .join(Theme, Theme.id == Proposal.theme_id)
        .outerjoin(subtopic, subtopic.id == Proposal.subtopic_id)
        .where(Proposal.consultation_id == consultation.id, Minutes.summary_published.is_(True),
               Forum.status.in_(PUBLIC_STATUSES))
        .order_by(Proposal.department_code, Forum.starts_at, Forum.id, Proposal.position, Proposal.id)
        .execution_options(yield_per=BATCH)
    )
    for row in result:
        (proposal_id, department_code, department_name, region_code, region_name, forum_id, forum_title,
         starts_at, theme_code, theme_title, subtopic_code, subtopic_title, origin, text) = row
        yield {
            "id": proposal_id,
            "department_code": department_code,
            "department_name": department_name,
            "region_code": region_code,
            "region_name": region_name,
            "forum_id": forum_id,
            "forum_title": forum_title,
            "forum_date": _day(starts_at),
            "theme_code": theme_code,
            "theme_title": theme_title,
            "subtopic_code": subtopic_code,
            "subtopic_title": subtopic_title,
            "origin": origin.value,
            "origin_label": origin.label,
            "text": text,
        }


class CsvFormat:
    """The CSV form of a dataset, written item by item; the text accumulates until taken."""

    def __init__(self, columns):
        self._columns = columns
        self._out = io.StringIO()
        self._writer = csv.writer(self._out, delimiter=";", lineterminator="\r\n")
        self._out.write("\ufeff")
        self._writer.writerow(columns)

    def add(self, item):
        """Append the row of ``item`` (a dict)."""
        self._writer.writerow([safe_cell(_cell(item[column])) for column in self._columns])

    def take(self):
        """Return the text written since the last take, and forget it."""
        text = self._out.getvalue()
        self._out.seek(0)
        self._out.truncate()
        return text

    def end(self):
        """Return the last text of the file."""
        return self.take()


class JsonFormat:
    """The JSON form of a dataset, one array of objects, an object per line; the text accumulates until taken."""

    def __init__(self):
        self._parts = ["["]
        self._count = 0

    def add(self, item):
        """Append the object of ``item`` (a dict)."""
        self._parts.append(("\n" if self._count == 0 else ",\n") + json.dumps(item, ensure_ascii=False))
        self._count += 1

    def take(self):
        """Return the text written since the last take, and forget it."""
        text = "".join(self._parts)
        self._parts = []
        return text

    def end(self):
        """Close the array and return the last text of the file."""
        self._parts.append("\n]\n")
        return self.take()


#: Dataset, as named in URLs and file names → (its columns, the function yielding its items).
DATASETS = {
    "questions": (QUESTION_COLUMNS, question_items),
    "propositions": (PROPOSAL_COLUMNS, proposal_items),
}


def _chunks(form, items):
    """Yield the text of ``form`` fed with ``items``, a chunk per BATCH items, then its end."""
    for number, item in enumerate(items, 1):
        form.add(item)
        if number % BATCH == 0:
            yield form.take()
    yield form.end()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    return value


def _day(moment):
    """Return the Paris day of an aware datetime in ISO 8601 ("2009-03-17"), or None."""
    return moment.astimezone(PARIS).date().isoformat() if moment is not None else None
