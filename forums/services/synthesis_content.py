"""What a synthesis row stores, as types: the engine's generated content, and the agents' text by section.

Both are JSON columns (``generated``, ``texts``); every writer and reader goes through the frozen
dataclasses below, each with a schema version, so that a stored value is never read as
something it is not.

``Generated`` carries a *stamp*: a digest of what the department's data looked like when the
content was computed (forums, questions, minutes, documents, consultation, engine version). A
page that finds another stamp today knows the figures are stale and recomputes them
(:func:`department_stamp`, one query).
"""
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from sqlalchemy import func, select

from synthesis import concerns as engine_concerns
from synthesis import sources as refs
from synthesis import document as engine_document
from synthesis.citations import Citation, cite_numbers, figure_values, outdated_citations
from synthesis.document import Draft
from synthesis.figures import Figures

from ..extensions import db
from ..models import Forum, Minutes, MinutesAttachment, Question
from ..models.forums import forum_cantons, forum_communes

#: Longest text an agent may write in one section.
SECTION_MAX_LENGTH = 50_000


@dataclass(frozen=True)
class ConcernMembers:
    """A recurring concern as the document lists it, with every contribution it groups (for the bundle's CSV)."""

    #: Its sub-topic's code ("" for a concern ranked over all sub-topics).
    subtopic_code: str
    label: str
    sources: tuple[refs.SourceRef, ...]


@dataclass(frozen=True)
class Generated:
    """The engine's content of a synthesis when it was computed: the draft, its figures, its concerns, the stamp."""

    SCHEMA_VERSION = 1

    draft: Draft
    figures: Figures
    stamp: str
    concerns: tuple[ConcernMembers, ...] = ()

    def to_dict(self):
        """Return a JSON-safe dictionary (see :meth:`from_dict`)."""
        return {"schema_version": self.SCHEMA_VERSION, "draft": self.draft.to_dict(),
                "figures": self.figures.to_dict(), "stamp": self.stamp,
                "concerns": [[c.subtopic_code, c.label, refs.format_refs(c.sources)] for c in self.concerns]}

    @classmethod
    def from_dict(cls, data):
        """Return the Generated written by :meth:`to_dict`; ValueError for anything else (an older layout)."""
        if not isinstance(data, Mapping) or data.get("schema_version") != cls.SCHEMA_VERSION:
            raise ValueError("generated content of another schema version")
        return cls(Draft.from_dict(data["draft"]), Figures.from_dict(data["figures"]), data["stamp"],
                   tuple(ConcernMembers(code, label, tuple(refs.parse_refs(found)))
                         for code, label, found in data["concerns"]))


def concern_members(report):
    """Return the ConcernMembers of a ConcernReport: per sub-topic, then over all sub-topics."""
    ranked = [(code, concern) for code, concerns in report.by_subtopic.items() for concern in concerns]
    ranked += [("", concern) for concern in report.overall]
    return tuple(ConcernMembers(code, concern.label, tuple(concern.sources)) for code, concern in ranked)


def read_generated(stored):
    """Return the Generated of a stored ``generated`` column, or None when it is missing or of another layout."""
    if not stored:
        return None
    try:
        return Generated.from_dict(stored)
    except (KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class SectionText:
    """What an agent wrote in one section: the Markdown, its version, the numbers it cited, who and when."""

    text: str
    version: int = 0
    #: The numbers of the text that were figures of the synthesis when it was saved.
    cited: tuple[Citation, ...] = ()
    by_id: int | None = None
    at: datetime | None = None

    def to_dict(self):
        """Return a JSON-safe dictionary."""
        return {"text": self.text, "version": self.version, "cited": [c.to_list() for c in self.cited],
                "by": self.by_id, "at": self.at.isoformat() if self.at else None}

    @classmethod
    def from_dict(cls, data):
        """Return the SectionText written by :meth:`to_dict`."""
        return cls(data["text"], data["version"], tuple(Citation.from_list(c) for c in data["cited"]),
                   data["by"], datetime.fromisoformat(data["at"]) if data["at"] else None)


@dataclass(frozen=True)
class SectionTexts:
    """The agents' text of every section of a synthesis, by section key."""

    SCHEMA_VERSION = 1

    sections: Mapping[str, SectionText] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "sections", MappingProxyType(dict(self.sections)))

    def text(self, key):
        """Return the agent's Markdown of a section ("" when none)."""
        entry = self.sections.get(key)
        return entry.text if entry else ""

    def version(self, key):
        """Return the version of a section's text (0 before its first save)."""
        entry = self.sections.get(key)
        return entry.version if entry else 0

    def markdowns(self):
        """Return {section key: Markdown} of the sections with a text."""
        return {key: entry.text for key, entry in self.sections.items() if entry.text}

    def outdated(self, figures):
        """Return [(section key, OutdatedCitation)] for the cited numbers no figure still has."""
        values = figure_values(figures)
        return [(key, citation) for key, entry in self.sections.items()
                for citation in outdated_citations(entry.cited, values)]

    def with_texts(self, texts, figures, by_id, at):
        """Return these texts with ``texts`` ({key: Markdown}) written over, each changed one's version bumped."""
        values = figure_values(figures) if figures is not None else {}
        sections = dict(self.sections)
        for key, text in texts.items():
            previous = sections.get(key)
            if (previous.text if previous else "") == text:
                continue
            sections[key] = SectionText(text, (previous.version if previous else 0) + 1,
                                        cite_numbers(text, values), by_id, at)
        return SectionTexts(sections)

    def to_dict(self):
        """Return a JSON-safe dictionary (see :meth:`from_dict`)."""
        return {"schema_version": self.SCHEMA_VERSION,
                "sections": {key: entry.to_dict() for key, entry in sorted(self.sections.items())}}

    @classmethod
    def from_dict(cls, data):
        """Return the SectionTexts written by :meth:`to_dict`; an empty column gives no text."""
        if not data:
            return cls()
        if data.get("schema_version") != cls.SCHEMA_VERSION:
            raise ValueError(f"section texts of schema version {data.get('schema_version')!r}")
        return cls({key: SectionText.from_dict(entry) for key, entry in data["sections"].items()})


def read_texts(synthesis):
    """Return the SectionTexts of a synthesis (departmental or national)."""
    return SectionTexts.from_dict(synthesis.texts)


#: Changes when the engine writes differently: content computed by another version is stale.
ENGINE_VERSION = f"document {engine_document.SCHEMA_VERSION}, concerns {engine_concerns.SCHEMA_VERSION}"


def department_stamp(consultation, department_code):
    """Return the digest of what the department's synthesis is computed from, in one query.

    Counts and latest changes of its forums (and the cantons or communes they cover), questions
    (with their supports, which choose the quotes), minutes and their documents; the
    consultation's name and deadline; the engine's version. Any change to these changes the stamp.
    """
    in_department = (Forum.consultation_id == consultation.id, Forum.department_code == department_code)
    asked_here = (Question.consultation_id == consultation.id, Question.department_code == department_code)
    of_forums = Forum.id == Minutes.forum_id
    facts = (
        select(func.count(Forum.id)).where(*in_department),
        select(func.max(Forum.updated_at)).where(*in_department),
        select(func.count()).select_from(forum_cantons).join(Forum, Forum.id == forum_cantons.c.forum_id)
        .where(*in_department),
        select(func.count()).select_from(forum_communes).join(Forum, Forum.id == forum_communes.c.forum_id)
        .where(*in_department),
        select(func.count(Question.id)).where(*asked_here),
        select(func.max(Question.updated_at)).where(*asked_here),
        select(func.coalesce(func.sum(Question.support_count), 0)).where(*asked_here),
        select(func.count(Minutes.id)).join(Forum, of_forums).where(*in_department),
        select(func.max(Minutes.updated_at)).join(Forum, of_forums).where(*in_department),
        select(func.count(MinutesAttachment.id)).join(Minutes, Minutes.id == MinutesAttachment.minutes_id)
        .join(Forum, of_forums).where(*in_department),
    )
    row = db.session.execute(select(*(fact.scalar_subquery() for fact in facts))).one()
    facts = (ENGINE_VERSION, consultation.name, str(consultation.synthesis_due_on), *map(_plain, row))
    return hashlib.sha256(repr(facts).encode()).hexdigest()[:32]


def _plain(value):
    """Return a value as the stamp writes it: datetimes in UTC ISO form, the rest as text."""
    return value.isoformat() if isinstance(value, datetime) else str(value)
