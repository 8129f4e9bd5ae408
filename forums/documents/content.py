"""What a synthesis document says, read from a stored synthesis once for every format.

The three parts are the Markdown the prefecture (or the ministry) wrote; the title, subtitle,
figures and list of annexes are those the engine computed last (the synthesis' ``figures``
payload, see ``forums.services.syntheses.figures_payload``). Every renderer — HTML, OpenDocument,
ZIP — takes a :class:`DocumentContent`, so that they all say the same thing.
"""
from dataclasses import dataclass
from typing import NamedTuple

from synthesis.drafting import ANNEXES_TITLE, DIAGNOSIS, FIGURES_TITLE, INSIGHT, PART_TITLES, PROPOSALS
from synthesis.typography import NBSP, count, format_date, guillemets

from ..models import SynthesisStatus

#: The national document's figures, and its annexes: the departmental syntheses, not minutes.
NATIONAL_FIGURES_TITLE = "La consultation en chiffres"
NATIONAL_ANNEXES_TITLE = f"Annexes{NBSP}: synthèses départementales"
#: The synthesis' Markdown columns and the engine's part keys, in the document's order.
PART_COLUMNS = (("local_insight", INSIGHT), ("diagnosis", DIAGNOSIS), ("proposals", PROPOSALS))


class DocumentPart(NamedTuple):
    """One of the three required parts: the engine's key (insight, diagnosis, proposals), title, Markdown."""

    key: str
    title: str
    markdown: str


@dataclass(frozen=True)
class AnnexRef:
    """A held forum whose minutes the synthesis annexes; ``has_minutes`` False while they are missing."""

    forum_id: int
    title: str
    has_minutes: bool


@dataclass(frozen=True)
class DocumentContent:
    """Everything a synthesis document shows, in plain data."""

    title: str
    subtitle: str
    #: Where the document stands: draft, submitted on…, reopened on…; when its figures were computed.
    status_line: str
    #: The three required parts, in order.
    parts: tuple[DocumentPart, ...]
    figures_markdown: str
    annexes_markdown: str
    annexes: tuple[AnnexRef, ...]
    figures_title: str = FIGURES_TITLE
    annexes_title: str = ANNEXES_TITLE


def department_content(synthesis):
    """Return the DocumentContent of a DepartmentSynthesis (stored, or a draft never saved)."""
    payload = synthesis.figures or {}
    department = synthesis.department
    name = department.name if department is not None else synthesis.department_code
    return DocumentContent(
        title=payload.get("title") or f"Synthèse départementale — {name} ({synthesis.department_code})",
        subtitle=payload.get("subtitle") or _consultation_subtitle(synthesis.consultation),
        status_line=_department_status(synthesis),
        parts=_parts(synthesis),
        figures_markdown=payload.get("figures_markdown", ""),
        annexes_markdown=payload.get("annexes_markdown", ""),
        annexes=tuple(AnnexRef(int(annex["forum_id"]), annex["title"], bool(annex["has_minutes"]))
                      for annex in payload.get("annexes", ())),
    )


def national_content(national):
    """Return the DocumentContent of a NationalSynthesis (stored, or a draft never saved)."""
    payload = national.figures or {}
    departments = payload.get("departments", ())
    submitted = count(len(departments), "synthèse départementale transmise", "synthèses départementales transmises")
    status = f"Synthèse nationale établie à partir de {submitted}"
    return DocumentContent(
        title=payload.get("title") or "Synthèse nationale",
        subtitle=payload.get("subtitle") or _consultation_subtitle(national.consultation),
        status_line=_with_computed(_unsaved_or(national, status), national),
        parts=_parts(national),
        figures_markdown=payload.get("figures_markdown", ""),
        annexes_markdown=payload.get("annexes_markdown", ""),
        annexes=(),
        figures_title=NATIONAL_FIGURES_TITLE,
        annexes_title=NATIONAL_ANNEXES_TITLE,
    )


def _parts(synthesis):
    return tuple(DocumentPart(key, PART_TITLES[key], getattr(synthesis, column) or "")
                 for column, key in PART_COLUMNS)


def _consultation_subtitle(consultation):
    return f"Consultation {guillemets(consultation.name)}" if consultation is not None else ""


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
    return _with_computed(_unsaved_or(synthesis, status), synthesis)


def _unsaved_or(synthesis, status):
    # The command line writes out a draft it computed without saving it: say so on the document.
    if synthesis.id is None:
        return "Projet calculé à partir des données actuelles, non enregistré : document de travail"
    return status


def _with_computed(status, synthesis):
    if synthesis.figures_computed_at is None:
        return status + "."
    return f"{status} — chiffres arrêtés le {format_date(synthesis.figures_computed_at, weekday=False)}."

