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
from synthesis.drafting import join_fr
from synthesis.figure_tables import FigureTable
from synthesis.sources import link
from synthesis.typography import count, format_date, guillemets, of

from ..models import SynthesisStatus
from ..services.national_synthesis import current_national
from ..services.syntheses import addenda, current_generated, forum_name
from ..services.synthesis_content import read_generated, read_texts

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



def department_content(synthesis, now=None):
    """Return the DocumentContent of a DepartmentSynthesis (stored, or a draft never saved).

    A draft's generated content is brought up to date first (see current_generated): the
    document shows today's figures and the sentences computed with them.
    """
    generated = current_generated(synthesis, now) if synthesis.id is not None else read_generated(synthesis.generated)
    return content_from_draft(generated.draft, read_texts(synthesis).markdowns(),
                              _with_computed(_department_status(synthesis), synthesis),
                              department_notices(synthesis))


def national_content(national, now=None):
    """Return the DocumentContent of a NationalSynthesis (stored, or a draft never saved)."""
    generated = current_national(national, now) if national.id is not None else read_generated(national.generated)
    submitted = count(len(generated.draft.annexes), "synthèse départementale transmise",
                      "synthèses départementales transmises", zero="aucune")
    status = _unsaved_or(national, f"Synthèse nationale établie à partir {of(submitted)}")
    return content_from_draft(generated.draft, read_texts(national).markdowns(), _with_computed(status, national))


def department_notices(synthesis):
    """Return what the ministry must read beside the document: an early transmission's reason, the addenda."""
    notices = []
    if synthesis.is_early and synthesis.early_reason:
        notices.append("Synthèse transmise par anticipation, avant la fin des forums ou de la période des réunions. "
                       f"Motif indiqué par la préfecture : {guillemets(synthesis.early_reason)}")
    for transmitted_at, annexes in addenda(synthesis):
        named = join_fr([f"compte-rendu du {forum_name(annex.forum)}" for annex in annexes])
        notices.append(f"Complément transmis le {format_date(transmitted_at, weekday=False)} : {named} ; "
                       "les chiffres et le texte généré en tiennent compte.")
    return tuple(notices)


def _department_status(synthesis):
    if synthesis.status is SynthesisStatus.SUBMITTED and synthesis.submitted_at is not None:
        status = f"Transmise au ministère le {format_date(synthesis.submitted_at, weekday=False)}"
        if synthesis.is_late:
            status += ", après la date limite"
            if synthesis.consultation is not None:
                status += f" du {format_date(synthesis.consultation.synthesis_due_on, weekday=False)}"
    elif synthesis.status is SynthesisStatus.REOPENED and synthesis.reopened_at is not None:
        status = (f"Rouverte par le ministère le {format_date(synthesis.reopened_at, weekday=False)} : "
                  "document de travail en cours de modification")
    else:
        status = "Projet de synthèse : document de travail, non transmis au ministère"
    return _unsaved_or(synthesis, status)


def _unsaved_or(synthesis, status):
    # The command line writes out a draft it computed without saving it: say so on the document.
    if synthesis.id is None:
        return "Projet calculé à partir des données actuelles, non enregistré : document de travail"
    return status


def _with_computed(status, synthesis):
    if synthesis.generated_at is None:
        return status + "."
    return f"{status} — chiffres arrêtés le {format_date(synthesis.generated_at, weekday=False)}."
def annexes_markdown(annexes):
    """Return the numbered list of ``annexes`` in Markdown, each title a link to its source, "" without any."""
    return "\n".join(
        f"{number}. {link(annex.ref, annex.title)}" + ("" if annex.available else f" — *{MISSING_ANNEX}*")
        for number, annex in enumerate(annexes, 1))


def is_number(cell):
    """Return whether a figure cell holds a number (aligned right) rather than words."""
    return bool(_NUMBER.fullmatch(cell.strip()))
