"""A synthesis as the engine writes it: parts made of sections, each a generated block the agent's own text follows.

What the engine writes is never stored as the agent's text: each section's generated Markdown
is recomputed with the figures, so that no sentence can outlive the numbers it states, and the
agent's paragraphs are kept apart, by section key, and put after the generated block when the
document is assembled (:meth:`Draft.part_markdown`). Generated blocks carry footnote markers
(``[^e3]``) whose definitions end the part (:attr:`Part.notes`); the agent's text has none to
handle, and any marker it would hold is neutralised.
"""
import re
from collections.abc import Mapping
from dataclasses import dataclass

from . import sources as refs
from .figure_tables import FigureTable

#: Bumped whenever the dictionary form changes; from_dict refuses any other version.
SCHEMA_VERSION = 2

INSIGHT = "insight"
DIAGNOSIS = "diagnosis"
PROPOSALS = "proposals"
#: The three parts the instruction requires, in order.
PART_KEYS = (INSIGHT, DIAGNOSIS, PROPOSALS)


@dataclass(frozen=True)
class Section:
    """One section of a part: key (stable, the agent's text is stored under it), title, generated Markdown."""

    key: str
    title: str
    markdown: str = ""
    #: What the agent's text of this section is for, shown beside its field.
    hint: str = ""


@dataclass(frozen=True)
class Part:
    """One of the three parts: key, title, its sections, and the definitions of its footnotes."""

    key: str
    title: str
    sections: tuple[Section, ...]
    notes: str = ""

    def section(self, key):
        """Return the section with ``key``; KeyError when the part has none."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)


@dataclass(frozen=True)
class Annex:
    """One annex: the minutes of a held forum, or (nationally) a departmental synthesis."""

    ref: refs.SourceRef
    title: str
    #: False while the annexed document is missing (minutes not recorded yet).
    available: bool = True

    @property
    def forum_id(self):
        """Return the forum whose minutes this annex is, or None for another kind of annex."""
        return int(self.ref.key) if self.ref.kind == refs.MINUTES else None


_FOOTNOTE_MARK = re.compile(r"\[\^")
#: A heading of level 1 to 3 in the agent's text: the document's own outline uses them.
_HIGH_HEADING = re.compile(r"^ {0,3}#{1,3}(?=[ \t]|$)", re.MULTILINE)


def own_text(markdown):
    """Return the agent's Markdown ready to follow a generated block.

    Footnote markers are neutralised (only the engine numbers footnotes), and headings are
    brought down to level 4, under the section's own title.
    """
    text = (markdown or "").strip()
    # "[\^" is no footnote call for Markdown, and reads the same.
    text = _FOOTNOTE_MARK.sub(r"[\\^", text)
    return _HIGH_HEADING.sub("####", text)


@dataclass(frozen=True)
class Draft:
    """What the engine writes of a synthesis: title, subtitle, three parts, figure tables and annexes."""

    title: str
    subtitle: str
    parts: tuple[Part, ...]
    tables: tuple[FigureTable, ...]
    annexes: tuple[Annex, ...]
    #: Title of the annexes section: the forums' minutes, or (nationally) the departmental syntheses.
    annexes_title: str
    figures_title: str

    def part(self, key):
        """Return the part with ``key`` (INSIGHT, DIAGNOSIS or PROPOSALS)."""
        for part in self.parts:
            if part.key == key:
                return part
        raise KeyError(key)

    def section_keys(self):
        """Return the keys of every section, in the document's order."""
        return [section.key for part in self.parts for section in part.sections]

    def part_markdown(self, key, texts=None):
        """Return one part as Markdown: each section's title, generated block and agent's text, then the notes.

        ``texts`` maps section keys to the agent's Markdown; a section with neither block nor text
        is left out.
        """
        texts = texts or {}
        part = self.part(key)
        blocks = []
        for section in part.sections:
            own = own_text(texts.get(section.key, ""))
            body = [block for block in (section.markdown.strip(), own) if block]
            if not body:
                continue
            if section.title:
                blocks.append(f"### {section.title}")
            blocks.extend(body)
        if part.notes:
            blocks.append(part.notes)
        return "\n\n".join(blocks)

    def to_dict(self):
        """Return a JSON-safe dictionary (see :meth:`from_dict`)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "title": self.title,
            "subtitle": self.subtitle,
            "parts": [{"key": part.key, "title": part.title, "notes": part.notes,
                       "sections": [[s.key, s.title, s.markdown, s.hint] for s in part.sections]}
                      for part in self.parts],
            "tables": [table.to_dict() for table in self.tables],
            "annexes": [[str(annex.ref), annex.title, annex.available] for annex in self.annexes],
            "annexes_title": self.annexes_title,
            "figures_title": self.figures_title,
        }

    @classmethod
    def from_dict(cls, data):
        """Return the Draft written by :meth:`to_dict`; ValueError for another schema version."""
        if not isinstance(data, Mapping) or data.get("schema_version") != SCHEMA_VERSION:
            version = data.get("schema_version") if isinstance(data, Mapping) else None
            raise ValueError(f"document of schema version {version!r}, expected {SCHEMA_VERSION}")
        return cls(
            title=data["title"],
            subtitle=data["subtitle"],
            parts=tuple(Part(part["key"], part["title"],
                             tuple(Section(*section) for section in part["sections"]), part["notes"])
                        for part in data["parts"]),
            tables=tuple(FigureTable.from_dict(table) for table in data["tables"]),
            annexes=tuple(Annex(refs.parse_refs(ref)[0], title, bool(available))
                          for ref, title, available in data["annexes"]),
            annexes_title=data["annexes_title"],
            figures_title=data["figures_title"],
        )
