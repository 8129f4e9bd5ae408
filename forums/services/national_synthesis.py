"""The national synthesis: the submitted departmental results added up, and the ministry's document.

The nation never reads questions again: each submitted DepartmentSynthesis stored its result
(synthesis.national.DepartmentResult) at transmission (and again with each addendum), and the
aggregation adds those up — one query, whatever the number of questions behind them. A reopened
synthesis drops out until it is submitted again. As for a department, what the engine writes is
kept apart from the ministry's own text, and recomputed whenever a department is transmitted,
reopened or sends an addendum (:func:`current_national`). Operations flush, never commit.
"""
import hashlib
import logging

from synthesis.national import DepartmentResult, aggregate_national, department_result, draft_national_synthesis
from synthesis.typography import count, of

from ..extensions import db
from ..models import DepartmentSynthesis, NationalSynthesis, SynthesisStatus
from ..timeutils import utcnow
from .audit import record_event
from .syntheses import SynthesisError, section_titles, write_texts
from .synthesis_content import ENGINE_VERSION, Generated, SectionTexts, read_generated, read_texts
from .synthesis_inputs import compile_department, engine_origin

logger = logging.getLogger(__name__)


def _submitted(consultation):
    return (DepartmentSynthesis.consultation_id == consultation.id,
            DepartmentSynthesis.status == SynthesisStatus.SUBMITTED)


def national_aggregate(consultation):
    """Return the synthesis.national.NationalAggregate of every submitted departmental synthesis (one query).

    A result stored by an earlier version of the engine is computed again from the department's
    data, with the text it transmitted, and stored (logged: its figures are those of today).
    """
    rows = db.session.execute(
        db.select(DepartmentSynthesis.id, DepartmentSynthesis.submitted_result).where(*_submitted(consultation))
    ).all()
    results = []
    for synthesis_id, stored in rows:
        try:
            results.append(DepartmentResult.from_dict(stored or {}))
        except (KeyError, TypeError, ValueError):
            results.append(_recomputed_result(db.session.get(DepartmentSynthesis, synthesis_id)))
    return aggregate_national(results)


def _recomputed_result(synthesis):
    logger.warning("Stored result of the synthesis of %s is of an earlier layout: computed again from its data.",
                   synthesis.department_code)
    compiled = compile_department(synthesis.consultation, synthesis.department_code)
    texts = read_texts(synthesis).markdowns()
    result = department_result(compiled.input, compiled.figures, compiled.concerns,
                               {part.key: compiled.draft.part_markdown(part.key, texts) for part in compiled.draft.parts})
    synthesis.submitted_result = result.to_dict()
    db.session.flush()
    return result


def national_stamp(consultation):
    """Return the digest of what the national synthesis adds up: which departments, computed when (one query)."""
    rows = db.session.execute(
        db.select(DepartmentSynthesis.department_code, DepartmentSynthesis.generated_at)
        .where(*_submitted(consultation)).order_by(DepartmentSynthesis.department_code)
    ).all()
    facts = (ENGINE_VERSION, consultation.name, *((code, at.isoformat() if at else "") for code, at in rows))
    return hashlib.sha256(repr(facts).encode()).hexdigest()[:32]


def compute_national(consultation):
    """Return (NationalAggregate, Generated) of the consultation's submitted syntheses now."""
    stamp = national_stamp(consultation)
    aggregate = national_aggregate(consultation)
    return aggregate, Generated(draft_national_synthesis(aggregate), aggregate.figures, stamp)


def refreshed_national(national, now=None):
    """Return (Generated content of the national synthesis, whether it was just recomputed).

    One query tells whether a department was transmitted, reopened or sent an addendum since the
    content was computed; only then is it computed again and stored (the caller commits).
    """
    generated = read_generated(national.generated)
    if generated is None or generated.stamp != national_stamp(national.consultation):
        _, generated = compute_national(national.consultation)
        national.generated = generated.to_dict()
        national.generated_at = now or utcnow()
        db.session.flush()
        return generated, True
    return generated, False


def current_national(national, now=None):
    """Return the Generated content of the national synthesis, recomputed first when a department changed."""
    return refreshed_national(national, now)[0]


def national_synthesis(consultation):
    """Return the consultation's national synthesis, or None when the ministry has not prepared it."""
    return db.session.scalar(db.select(NationalSynthesis).where(NationalSynthesis.consultation_id == consultation.id))


def draft_national(consultation, now=None):
    """Return a new NationalSynthesis with its generated content, not added to the session.

    Refused (SynthesisError) while no department has submitted its synthesis: there is nothing to add up.
    """
    aggregate, generated = compute_national(consultation)
    if not aggregate.departments:
        raise SynthesisError.single("Aucune synthèse départementale n'a encore été transmise : "
                                    "la synthèse nationale ne peut pas être préparée.")
    now = now or utcnow()
    return NationalSynthesis(
        consultation_id=consultation.id,
        consultation=consultation,
        generated=generated.to_dict(),
        generated_at=now,
        texts=SectionTexts().to_dict(),
        text_version=0,
        created_at=now,
        updated_at=now,
    )


def prepare_national(consultation, by, now=None):
    """Create the national synthesis, its generated content computed; refuse if it already exists."""
    if national_synthesis(consultation) is not None:
        raise SynthesisError.single("La synthèse nationale existe déjà.")
    national = draft_national(consultation, now)
    national.created_by_id = national.updated_by_id = by.id if by is not None else None
    db.session.add(national)
    db.session.flush()
    departments = len(read_generated(national.generated).draft.annexes)
    record_event("national_synthesis.prepare", "national_synthesis", national.id, by=by,
                 summary="Projet de synthèse nationale préparé à partir "
                         f"{of(count(departments, 'synthèse départementale', 'synthèses départementales'))}.")
    return national


def update_national_texts(national, texts, based_on, by, now=None):
    """Store the ministry's text of some sections of the national synthesis."""
    generated = current_national(national, now)
    changed = write_texts(national, texts, based_on, by, generated, now)
    if changed:
        titles = section_titles(generated.draft)
        record_event("national_synthesis.edit", "national_synthesis", national.id, by=by,
                     summary="Synthèse nationale modifiée : " + ", ".join(f"« {titles[key]} »" for key in changed) + ".",
                     changes={"sections": changed})
    return changed


def proposals_catalogue(consultation, theme=None, subtopic=None, origin=None, region=None):
    """Return the synthesis.national.CatalogueSelection of the submitted proposals matching the filters.

    ``origin`` may be a ProposalOrigin (or its value) or the engine's name; an unknown origin
    raises ValueError, which the pages answer with 400.
    """
    return national_aggregate(consultation).catalogue.select(
        theme=theme, subtopic=subtopic, origin=None if origin is None else engine_origin(origin), region=region,
    )
