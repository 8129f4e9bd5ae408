"""What a synthesis document says, put together once for every format.

A document is the engine's draft (:class:`synthesis.document.Draft`: parts made of sections with
their generated blocks and footnotes, figure tables, annexes) with the agents' own text of each
section put after its block. Every renderer — HTML, OpenDocument, ZIP — takes a
:class:`DocumentContent`, so that they all say the same thing; sources are Markdown links to
``source:<kind>/<key>`` (:mod:`synthesis.sources`) that the renderer resolves with a ``links``
function (SourceRef → address, or None to keep the words only).
"""
import re
from dataclasses import dataclass
from typing import NamedTuple

from synthesis.document import Annex
from synthesis.figure_tables import FigureTable
from synthesis.sources import link

#: What a document says where it has nothing to show.
EMPTY_PART = "Partie non rédigée."
NO_FIGURES = "Chiffres non calculés."
NO_ANNEX = "Aucune annexe."
#: Said after an annex whose document is missing.
MISSING_ANNEX = "compte-rendu non encore saisi"

#: A figure cell: a number, a percentage, "12 sur 29 (41,4 %)" or a dash; set right-aligned in every format.
_NUMBER = re.compile(r"[\d\s,.%()+\-–—]+(?:sur[\d\s,.%()]+)?")


class DocumentPart(NamedTuple):
    """One of the three required parts: the engine's key (insight, diagnosis, proposals), title, Markdown."""

    key: str
    title: str
    markdown: str


@dataclass(frozen=True)
class DocumentContent:
    """Everything a synthesis document shows, in plain data."""

    title: str
    subtitle: str
    #: Where the document stands: draft, transmitted on…, reopened on…; when its figures were computed.
    status_line: str
    #: The three required parts, in order, each its generated blocks and the agents' text assembled.
    parts: tuple[DocumentPart, ...]
    figures_title: str
    tables: tuple[FigureTable, ...]
    annexes_title: str
    annexes: tuple[Annex, ...]
    #: Sentences the reader must see under the status: why it was transmitted early, addenda received…
    notices: tuple[str, ...] = ()


def content_from_draft(draft, texts, status_line, notices=()):
    """Return the DocumentContent of a Draft with the agents' ``texts`` ({section key: Markdown})."""
    return DocumentContent(
        title=draft.title,
        subtitle=draft.subtitle,
        status_line=status_line,
        parts=tuple(DocumentPart(part.key, part.title, draft.part_markdown(part.key, texts)) for part in draft.parts),
        figures_title=draft.figures_title,
        tables=draft.tables,
        annexes_title=draft.annexes_title,
        annexes=draft.annexes,
        notices=tuple(notices),
    )


def annexes_markdown(annexes):
    """Return the numbered list of ``annexes`` in Markdown, each title a link to its source, "" without any."""
    return "\n".join(
        f"{number}. {link(annex.ref, annex.title)}" + ("" if annex.available else f" — *{MISSING_ANNEX}*")
        for number, annex in enumerate(annexes, 1))


def is_number(cell):
    """Return whether a figure cell holds a number (aligned right) rather than words."""
    return bool(_NUMBER.fullmatch(cell.strip()))
