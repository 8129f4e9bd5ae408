"""The plain records a department's synthesis is computed from.

The web app's adapter fills them from the database (one query per kind of record); tests and the
command line build them by hand. Only plain values: str codes, int ids, dates, tuples — no ORM
object, so the engine can be run anywhere and its results reproduced from the same records.
"""
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from .coverage import Coverage

#: Forum statuses, as in the web app.
FORUM_STATUSES = ("draft", "published", "postponed", "held", "cancelled")
#: Question statuses after moderation: answers and forum take-ups come on top of "published".
QUESTION_STATUSES = ("pending", "published", "rejected", "merged")
#: Who attended a forum, in the order of the minutes form.
ATTENDANCE_CATEGORIES = ("public", "elus", "police_nationale", "gendarmerie", "police_municipale", "autres")
#: Who made a proposal.
PROPOSAL_ORIGINS = ("public", "elu", "association", "forces_de_l_ordre")


def _check(value, allowed, what):
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}: expected one of {', '.join(allowed)}")


@dataclass(frozen=True)
class SubtopicRecord:
    """One sub-topic of the consultation and the theme it belongs to."""

    code: str
    title: str
    theme_code: str
    theme_title: str


@dataclass(frozen=True)
class ForumRecord:
    """One forum of the department, whatever its status."""

    id: int
    department_code: str
    arrondissement_code: str | None
    title: str
    #: Aware UTC datetime as stored by the web app (read in Paris time), a date, or None if unset.
    starts_at: datetime | date | None
    status: str
    #: Cantons (or communes, in departments without cantons) the forum covers.
    unit_codes: tuple[str, ...] = ()
    #: Where it is held, as readers name it: the venue's commune ("Aix-en-Provence").
    place: str = ""

    def __post_init__(self):
        _check(self.status, FORUM_STATUSES, "forum status")
        object.__setattr__(self, "unit_codes", tuple(self.unit_codes))


@dataclass(frozen=True)
class QuestionRecord:
    """One citizen's question, with its moderation outcome. Never the asker's identity."""

    id: int
    reference: str
    department_code: str
    #: None when the question was asked to the department rather than to one forum.
    forum_id: int | None
    theme_code: str
    subtopic_code: str
    #: The public text: the citizen's words, or the moderator's edit without personal data.
    text: str
    status: str
    #: The prefecture answered it in writing.
    answered: bool = False
    #: The forum at which it was taken up, when it was.
    addressed_forum_id: int | None = None
    support_count: int = 0
    submitted_at: datetime | None = None

    def __post_init__(self):
        _check(self.status, QUESTION_STATUSES, "question status")

    @property
    def is_published(self):
        """Tell whether the question is public, and so may be quoted."""
        return self.status == "published"


@dataclass(frozen=True)
class TopicRecord:
    """What a forum's minutes record about one sub-topic."""

    subtopic_code: str
    #: The concerns voiced by the audience, in the minutes' words.
    concerns: str = ""
    #: The answers given by the speakers.
    answers: str = ""


@dataclass(frozen=True)
class MinutesRecord:
    """The minutes (compte-rendu) of one held forum."""

    forum_id: int
    #: Attendance per category (see ATTENDANCE_CATEGORIES); categories left out count 0.
    attendance: Mapping[str, int] = field(default_factory=dict)
    duration_minutes: int | None = None
    strengths: str = ""
    weaknesses: str = ""
    topics: tuple[TopicRecord, ...] = ()
    has_signed_document: bool = False
    #: Minutes can be amended; the latest version is the one that counts.
    version: int = 1

    def __post_init__(self):
        for category in self.attendance:
            _check(category, ATTENDANCE_CATEGORIES, "attendance category")
        if any(int(number) < 0 for number in self.attendance.values()):
            raise ValueError(f"negative attendance in the minutes of forum {self.forum_id}")
        # A read-only copy in the form's order: the record stays immutable and prints the same way.
        attendance = {category: int(self.attendance.get(category, 0)) for category in ATTENDANCE_CATEGORIES}
        object.__setattr__(self, "attendance", MappingProxyType(attendance))
        object.__setattr__(self, "topics", tuple(self.topics))

    @property
    def total_attendance(self):
        """Return the number of people who attended, all categories together."""
        return sum(self.attendance.values())


@dataclass(frozen=True)
class ProposalRecord:
    """One proposal, from a forum's minutes or added by the prefecture to its synthesis."""

    id: int
    #: None for a proposal the prefecture adds to its synthesis outside any forum.
    forum_id: int | None
    department_code: str
    theme_code: str
    subtopic_code: str | None
    origin: str
    text: str

    def __post_init__(self):
        _check(self.origin, PROPOSAL_ORIGINS, "proposal origin")


@dataclass(frozen=True)
class DepartmentInput:
    """Everything one department produced during the consultation: the input of its synthesis."""

    department_code: str
    department_name: str
    region_code: str
    region_name: str
    consultation_name: str
    #: Last day for submitting the departmental synthesis.
    deadline: date
    #: The consultation's sub-topics, in the consultation's order (themes follow that order).
    subtopics: tuple[SubtopicRecord, ...]
    forums: tuple[ForumRecord, ...] = ()
    questions: tuple[QuestionRecord, ...] = ()
    minutes: tuple[MinutesRecord, ...] = ()
    proposals: tuple[ProposalRecord, ...] = ()
    coverage: Coverage | None = None
    #: INSEE's name with its article, "Département des Bouches-du-Rhône": sentences name the
    #: department with it ("dans les Bouches-du-Rhône"); empty, the name is used bare.
    department_full_name: str = ""

    def __post_init__(self):
        for name in ("subtopics", "forums", "questions", "minutes", "proposals"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        self._validate()

    def _validate(self):
        """Refuse records that cannot belong together: the adapter has a bug, and figures would lie."""
        subtopics = {subtopic.code: subtopic for subtopic in self.subtopics}
        if len(subtopics) != len(self.subtopics):
            raise ValueError("duplicate sub-topic code")
        themes = {subtopic.theme_code for subtopic in self.subtopics}
        for kind, records in (("forum", self.forums), ("question", self.questions),
                              ("proposal", self.proposals)):
            if len({record.id for record in records}) != len(records):
                raise ValueError(f"duplicate {kind} id")
            for record in records:
                if record.department_code != self.department_code:
                    raise ValueError(f"{kind} {record.id} belongs to department {record.department_code}, "
                                     f"not {self.department_code}")
        forum_ids = {forum.id for forum in self.forums}
        for question in self.questions:
            subtopic = subtopics.get(question.subtopic_code)
            if subtopic is None or subtopic.theme_code != question.theme_code:
                raise ValueError(f"question {question.reference}: sub-topic {question.subtopic_code} "
                                 f"is not one of theme {question.theme_code}")
            for forum_id in (question.forum_id, question.addressed_forum_id):
                if forum_id is not None and forum_id not in forum_ids:
                    raise ValueError(f"question {question.reference} names unknown forum {forum_id}")
        for minutes in self.minutes:
            if minutes.forum_id not in forum_ids:
                raise ValueError(f"minutes of unknown forum {minutes.forum_id}")
            for topic in minutes.topics:
                if topic.subtopic_code not in subtopics:
                    raise ValueError(f"minutes of forum {minutes.forum_id}: unknown sub-topic {topic.subtopic_code}")
        for proposal in self.proposals:
            if proposal.theme_code not in themes:
                raise ValueError(f"proposal {proposal.id}: unknown theme {proposal.theme_code}")
            if proposal.subtopic_code is not None and (
                proposal.subtopic_code not in subtopics
                or subtopics[proposal.subtopic_code].theme_code != proposal.theme_code
            ):
                raise ValueError(f"proposal {proposal.id}: sub-topic {proposal.subtopic_code} "
                                 f"is not one of theme {proposal.theme_code}")
            if proposal.forum_id is not None and proposal.forum_id not in forum_ids:
                raise ValueError(f"proposal {proposal.id} names unknown forum {proposal.forum_id}")

    @property
    def themes(self):
        """Return (code, title) of each theme, in the consultation's order."""
        seen = {}
        for subtopic in self.subtopics:
            seen.setdefault(subtopic.theme_code, subtopic.theme_title)
        return tuple(seen.items())

    def forum(self, forum_id):
        """Return the forum with id ``forum_id``."""
        return self._forums_by_id()[forum_id]

    def _forums_by_id(self):
        # Computed once: the dataclass is frozen, so the cache goes through object.__setattr__.
        try:
            return self.__dict__["_forum_index"]
        except KeyError:
            index = {forum.id: forum for forum in self.forums}
            object.__setattr__(self, "_forum_index", index)
            return index

    def current_minutes(self):
        """Return the latest version of each held forum's minutes, by forum id.

        Minutes of a forum that is not (or no longer) held are left out: a forum cancelled after
        its minutes were started has no minutes to count or annex.
        """
        latest = {}
        for minutes in self.minutes:
            if self.forum(minutes.forum_id).status != "held":
                continue
            known = latest.get(minutes.forum_id)
            if known is None or minutes.version > known.version:
                latest[minutes.forum_id] = minutes
        return {forum_id: latest[forum_id] for forum_id in sorted(latest)}
