"""The national synthesis: the submitted departmental results added up, and the ministry's document.

The nation never reads questions again: each submitted DepartmentSynthesis stored its result
(synthesis.national.DepartmentResult) at submission, and the aggregation adds those up — one
query, whatever the number of questions behind them. A reopened synthesis drops out until it is
submitted again. Operations flush, never commit.
"""
from synthesis.national import aggregate_national, draft_national_synthesis
from synthesis.typography import count

from ..extensions import db
from ..models import DepartmentSynthesis, NationalSynthesis, SynthesisStatus
from ..timeutils import utcnow
from .audit import record_event
from .syntheses import PART_KEYS, PART_LABELS, SynthesisError, write_parts
from .synthesis_inputs import engine_origin


def national_aggregate(consultation):
    """Return the synthesis.national.NationalAggregate of every submitted departmental synthesis (one query)."""
    results = db.session.scalars(
        db.select(DepartmentSynthesis.submitted_result)
        .where(DepartmentSynthesis.consultation_id == consultation.id,
               DepartmentSynthesis.status == SynthesisStatus.SUBMITTED)
    ).all()
    return aggregate_national(results)


def national_figures_payload(aggregate, draft):
    """Return what the national synthesis stores as its ``figures``: the sums, the annexes, title and subtitle.

    The keys are those of a departmental synthesis; the annexes are the departmental syntheses,
    and ``departments`` lists the codes added up.
    """
    return {
        "figures": aggregate.figures.to_dict(),
        "figures_markdown": draft.figures.markdown,
        "annexes": [],
        "annexes_markdown": draft.annexes_part.markdown,
        "title": draft.title,
        "subtitle": draft.subtitle,
        "departments": [result.code for result in aggregate.departments],
    }


def figures_outdated(national, aggregate):
    """Tell whether the national synthesis's stored figures differ from what the submitted syntheses add up to now.

    Outdated when other departments are submitted now, or when one of them was submitted again
    (reopened, amended) after the figures were computed. ``aggregate`` is national_aggregate's
    result; one query, and none without a national synthesis.
    """
    if national is None:
        return False
    if national.figures.get("departments", []) != [result.code for result in aggregate.departments]:
        return True
    latest = db.session.scalar(
        db.select(db.func.max(DepartmentSynthesis.submitted_at))
        .where(DepartmentSynthesis.consultation_id == national.consultation_id,
               DepartmentSynthesis.status == SynthesisStatus.SUBMITTED)
    )
    return latest is not None and (national.figures_computed_at is None or latest > national.figures_computed_at)


def national_synthesis(consultation):
    """Return the consultation's national synthesis, or None when the ministry has not prepared it."""
    return db.session.scalar(db.select(NationalSynthesis).where(NationalSynthesis.consultation_id == consultation.id))


def draft_national(consultation, now=None):
    """Return a new NationalSynthesis pre-filled from the engine's national draft, not added to the session.

    Refused (SynthesisError) while no department has submitted its synthesis: there is nothing to add up.
    """
    aggregate = national_aggregate(consultation)
    if not aggregate.departments:
        raise SynthesisError.single("Aucune synthèse départementale n'a encore été transmise : "
                                    "la synthèse nationale ne peut pas être préparée.")
    draft = draft_national_synthesis(aggregate)
    now = now or utcnow()
    return NationalSynthesis(
        consultation_id=consultation.id,
        consultation=consultation,
        **{column: draft.part(key).markdown for column, key in PART_KEYS.items()},
        figures=national_figures_payload(aggregate, draft),
        figures_computed_at=now,
        created_at=now,
        updated_at=now,
    )


def prepare_national(consultation, by, now=None):
    """Create the national synthesis, its three parts pre-filled; refuse if it already exists."""
    if national_synthesis(consultation) is not None:
        raise SynthesisError.single("La synthèse nationale existe déjà : modifiez-la ou régénérez ses chiffres.")
    national = draft_national(consultation, now)
    national.created_by_id = national.updated_by_id = by.id if by is not None else None
    db.session.add(national)
    db.session.flush()
    departments = count(len(national.figures["departments"]), "synthèse départementale",
                        "synthèses départementales")
    record_event("national_synthesis.prepare", "national_synthesis", national.id, by=by,
                 summary=f"Projet de synthèse nationale préparé à partir de {departments}.")
    return national


def regenerate_national(national, by, now=None):
    """Recompute the national figures and annexes from the syntheses submitted now, keeping the three texts."""
    aggregate = national_aggregate(national.consultation)
    national.figures = national_figures_payload(aggregate, draft_national_synthesis(aggregate))
    national.figures_computed_at = now or utcnow()
    national.updated_by_id = by.id if by is not None else None
    db.session.flush()
    record_event("national_synthesis.regenerate", "national_synthesis", national.id, by=by,
                 summary=f"Chiffres de la synthèse nationale régénérés ({len(aggregate.departments)} départements).")
    return national


def update_national_parts(national, parts, by):
    """Store the Markdown of the parts given, with the limits of a departmental synthesis."""
    changed = write_parts(national, parts, by)
    if not changed:
        return national
    record_event("national_synthesis.edit", "national_synthesis", national.id, by=by,
                 summary="Synthèse nationale modifiée : " + ", ".join(PART_LABELS[name] for name in changed) + ".",
                 changes={"parts": changed})
    return national
    return national


def proposals_catalogue(consultation, theme=None, subtopic=None, origin=None, region=None):
    """Return the synthesis.national.CatalogueSelection of the submitted proposals matching the filters.

    ``origin`` may be a ProposalOrigin (or its value) or the engine's name; an unknown origin
    raises ValueError, which the pages answer with 400.
    """
    return national_aggregate(consultation).catalogue.select(
        theme=theme, subtopic=subtopic, origin=None if origin is None else engine_origin(origin), region=region,
    )
