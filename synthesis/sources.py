"""Sources: what a sentence of a synthesis comes from, kept in data and named in words a reader understands.

A source is a :class:`SourceRef`, a kind and a key::

    question 13-000124          a citizen's question, by its public reference
    minutes 12                  the minutes (compte-rendu) of forum 12
    forum 12                    forum 12 itself (date, place, status)
    proposal 7                  proposal 7
    department 13               the departmental synthesis of department 13
    figure forums/held          a figure of the synthesis, by its path in the figures
    concern 1.B.1:c3            a recurring concern (sub-topic, or "tous", then its key)

Stored data writes a source in brackets (``[Q 13-000124]``, :func:`parse_refs` reads it back).
A document never shows that: its footnotes name each source as a person would — « question
13-000124 », « compte-rendu du forum d’Arles (17 mars 2009) », « tableau « Forums », ligne
« Forums tenus » » — as Markdown links whose target is ``source:<kind>/<key>`` (:func:`link`).
The web app turns those targets into real addresses (a question's page, the minutes, the row of
the figures table) and keeps every source in data; a renderer that knows no address for a
source keeps its words and drops the link.
"""
import re
from dataclasses import dataclass

from .typography import NNBSP, md_escape

QUESTION = "Q"
MINUTES = "CR forum"
FORUM = "Forum"
PROPOSAL = "Proposition"
DEPARTMENT = "Département"
FIGURE = "Chiffre"
CONCERN = "Préoccupation"

#: Every kind, longest first so that "CR forum" is not read as something else.
KINDS = (CONCERN, DEPARTMENT, PROPOSAL, MINUTES, FIGURE, FORUM, QUESTION)
#: How each kind is written in a link target (``source:<slug>/<key>``): plain ASCII, no spaces.
KIND_SLUGS = {
    QUESTION: "question", MINUTES: "compte-rendu", FORUM: "forum", PROPOSAL: "proposition",
    DEPARTMENT: "departement", FIGURE: "chiffre", CONCERN: "preoccupation",
}
KINDS_BY_SLUG = {slug: kind for kind, slug in KIND_SLUGS.items()}

#: The key of a concern over all sub-topics, in a CONCERN source.
ALL_SUBTOPICS = "tous"

_REF = re.compile(r"\[(" + "|".join(re.escape(kind) for kind in KINDS) + r") ([^\s\[\]()]+)\]")
#: A source link's target, as :func:`link` writes it: "](source:question/13-000124)".
SOURCE_TARGET = re.compile(r"\]\(source:([a-z-]+)/([^\s\[\]()]+)\)")

#: A footnote names at most this many sources; a longer list says how many more there are.
MAX_LISTED = 10


@dataclass(frozen=True, order=True)
class SourceRef:
    """One source: what kind of record, and its key (a question reference, a forum id, a figure path…)."""

    kind: str
    key: str

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown source kind {self.kind!r}")
        key = str(self.key)
        if not key or any(ch.isspace() or ch in "[]()" for ch in key):
            raise ValueError(f"a source key cannot be empty or hold spaces, brackets or parentheses: {key!r}")
        object.__setattr__(self, "key", key)

    def __str__(self):
        return f"[{self.kind} {self.key}]"


def question(reference):
    """Return the source of a question, by its public reference ("13-000124")."""
    return SourceRef(QUESTION, reference)


def minutes(forum_id):
    """Return the source of the minutes of a forum."""
    return SourceRef(MINUTES, forum_id)


def forum(forum_id):
    """Return the source of a forum."""
    return SourceRef(FORUM, forum_id)


def proposal(proposal_id):
    """Return the source of a proposal."""
    return SourceRef(PROPOSAL, proposal_id)


def department(code):
    """Return the source of a departmental synthesis."""
    return SourceRef(DEPARTMENT, code)


def figure(path):
    """Return the source of a figure, by its path in the figures ("questions/theme/1/published")."""
    return SourceRef(FIGURE, path)


def concern(subtopic_code, key):
    """Return the source of a recurring concern: its sub-topic (None for all) and its key."""
    return SourceRef(CONCERN, f"{subtopic_code or ALL_SUBTOPICS}:{key}")


def parse_refs(text):
    """Return every source written in brackets in ``text`` (the stored form), in order of appearance."""
    return [SourceRef(kind, key) for kind, key in _REF.findall(text or "")]


def format_refs(refs):
    """Return sources in their stored form, one after the other: "[Q 13-000124] [CR forum 12]"."""
    return " ".join(str(ref) for ref in refs)


def link(ref, label):
    """Return the Markdown link naming ``ref`` with ``label``: « [question 13-000124](source:question/13-000124) »."""
    return f"[{md_escape(label)}](source:{KIND_SLUGS[ref.kind]}/{ref.key})"


def linked_refs(text):
    """Return every source a text links to (see :func:`link`), in order of appearance."""
    found = []
    for slug, key in SOURCE_TARGET.findall(text or ""):
        kind = KINDS_BY_SLUG.get(slug)
        if kind is not None:
            found.append(SourceRef(kind, key))
    return found


class Footnotes:
    """The footnotes of one part of a document: each fact gets a marker, its named sources go to the end.

    ``name`` returns the words naming a source (:class:`SourceRef` → "question 13-000124"). Labels
    carry a prefix per part ("e1", "d1", "p1"…) so that parts can be put together into one
    document without two footnotes sharing a label.
    """

    def __init__(self, prefix, name):
        self.prefix = prefix
        self._name = name
        self._notes = []

    def cite(self, items=(), summary=None, unit=("autre source", "autres sources")):
        """Return the marker of a new footnote naming ``items`` (SourceRefs), or "" without any.

        ``summary`` — the figure or concern that holds them all — comes first when given. More
        than MAX_LISTED items are cut, the note saying how many more there are (``unit`` names them).
        """
        items = list(dict.fromkeys(items))
        if not items and summary is None:
            return ""
        named = [self._link(ref) for ref in items[:MAX_LISTED]]
        left = len(items) - len(named)
        text = f"{NNBSP}; ".join(named)
        if left:
            text += f" et {left} {unit[0] if left == 1 else unit[1]}"
        if summary is not None:
            text = self._link(summary) + (f"{NNBSP}: {text}" if text else "")
        # Every note starts with a link: its first word takes the capital.
        self._notes.append("[" + text[1:2].upper() + text[2:])
        return f"[^{self.prefix}{len(self._notes)}]"

    def _link(self, ref):
        return link(ref, self._name(ref))

    def render(self):
        """Return the footnote definitions, one per line, to end the part with ("" when none)."""
        return "\n".join(f"[^{self.prefix}{number}]: {text}" for number, text in enumerate(self._notes, 1))
