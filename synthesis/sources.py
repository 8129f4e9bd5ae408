"""Traces: how a sentence of a synthesis names what it comes from, in a form a reader and the web app can follow.

A trace is written in square brackets, a kind then a key, and several traces follow one another
separated by spaces::

    [Q 13-000124]              a citizen's question, by its public reference
    [CR forum 12]              the minutes (compte-rendu) of forum 12
    [Forum 12]                 forum 12 itself (date, place, status)
    [Proposition 7]            proposal 7
    [Département 13]           the departmental synthesis of department 13
    [Chiffre forums.held]      a figure of the synthesis; its sources are stored with the figures
    [Préoccupation 1.B.1:cambriolag]   a recurring concern (sub-topic, or "tous", then its term);
                                       its sources are stored with the concerns

The drafts put traces in Markdown footnotes (``[^e3]: [Q 13-000124] [CR forum 12]``), so the text
stays readable and the prefecture can edit it; the web app turns each trace into a link with
:func:`parse_refs`. Keys never contain spaces or brackets, which keeps the format parseable.
"""
import re
from dataclasses import dataclass

QUESTION = "Q"
MINUTES = "CR forum"
FORUM = "Forum"
PROPOSAL = "Proposition"
DEPARTMENT = "Département"
FIGURE = "Chiffre"
CONCERN = "Préoccupation"

#: Every kind, longest first so that "CR forum" is not read as something else.
KINDS = (CONCERN, DEPARTMENT, PROPOSAL, MINUTES, FIGURE, FORUM, QUESTION)

#: The key of a concern over all sub-topics, in a CONCERN trace.
ALL_SUBTOPICS = "tous"

_REF = re.compile(r"\[(" + "|".join(re.escape(kind) for kind in KINDS) + r") ([^\s\[\]]+)\]")

#: A footnote lists at most this many item traces; a longer list ends with the trace of the
#: figure or concern, which holds every source.
MAX_LISTED = 10


@dataclass(frozen=True, order=True)
class SourceRef:
    """One trace: what kind of record, and its key (a question reference, a forum id, a figure path…)."""

    kind: str
    key: str

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown source kind {self.kind!r}")
        key = str(self.key)
        if not key or any(ch.isspace() or ch in "[]" for ch in key):
            raise ValueError(f"a source key cannot be empty or hold spaces or brackets: {key!r}")
        object.__setattr__(self, "key", key)

    def __str__(self):
        return f"[{self.kind} {self.key}]"


def question(reference):
    """Return the trace of a question, by its public reference ("13-000124")."""
    return SourceRef(QUESTION, reference)


def minutes(forum_id):
    """Return the trace of the minutes of a forum."""
    return SourceRef(MINUTES, forum_id)


def forum(forum_id):
    """Return the trace of a forum."""
    return SourceRef(FORUM, forum_id)


def proposal(proposal_id):
    """Return the trace of a proposal."""
    return SourceRef(PROPOSAL, proposal_id)


def department(code):
    """Return the trace of a departmental synthesis."""
    return SourceRef(DEPARTMENT, code)


def figure(path):
    """Return the trace of a figure, by its path in the figures ("questions.total.published")."""
    return SourceRef(FIGURE, path)


def concern(subtopic_code, term_key):
    """Return the trace of a recurring concern: its sub-topic (None for all) and its term key."""
    return SourceRef(CONCERN, f"{subtopic_code or ALL_SUBTOPICS}:{term_key}")


def parse_refs(text):
    """Return every trace written in ``text``, in order of appearance."""
    return [SourceRef(kind, key) for kind, key in _REF.findall(text or "")]


def format_refs(refs):
    """Return traces written one after the other: "[Q 13-000124] [CR forum 12]"."""
    return " ".join(str(ref) for ref in refs)


class Footnotes:
    """The footnotes of one part of a draft: each fact gets a marker, its traces go to the end.

    Labels carry a prefix per part ("e1", "d1", "p1"…) so that parts can be put together into one
    document without two footnotes sharing a label.
    """

    def __init__(self, prefix):
        self.prefix = prefix
        self._notes = []

    def cite(self, items=(), summary=None):
        """Return the marker of a new footnote listing ``items`` (SourceRefs), or "" without any.

        When there are more than MAX_LISTED items, the first ones are listed after ``summary`` —
        the trace of the figure or concern that holds them all — with the number left out.
        """
        items = list(items)
        if not items and summary is None:
            return ""
        refs = items
        if summary is not None and len(items) > MAX_LISTED:
            refs = [summary, *items[:MAX_LISTED]]
        text = format_refs(refs)
        if len(refs) < len(items):
            text += f" et {len(items) - MAX_LISTED} autres"
        elif summary is not None and not items:
            text = str(summary)
        self._notes.append(text)
        return f"[^{self.prefix}{len(self._notes)}]"

    def render(self):
        """Return the footnote definitions, one per line, to end the part with ("" when none)."""
        return "\n".join(f"[^{self.prefix}{number}]: {text}" for number, text in enumerate(self._notes, 1))
