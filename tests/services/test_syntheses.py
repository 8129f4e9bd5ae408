"""The departmental synthesis: prepare, edit, regenerate, submit (lock, late), reopen."""
import pytest
from sqlalchemy import select

from forums.models import AttendanceCategory, AuditEvent, DepartmentSynthesis, Role, SynthesisStatus
from forums.services.syntheses import (
    LOCKED_MESSAGE, PART_MAX_LENGTH, MissingMinutes, SynthesisError, department_synthesis,
    held_forums_without_minutes, prepare_draft, regenerate_figures, reopen_synthesis, submit_synthesis,
    synthesis_state, synthesis_status_label, update_parts,
)
from synthesis.drafting import DIAGNOSIS, INSIGHT, PROPOSALS
from synthesis.national import DepartmentResult

from ..conftest import paris_time
from .synthesis_data import add_minutes, build_department

ON_TIME = paris_time(2009, 5, 22, 23, 30)
#: Still 22 May in UTC, already 23 May in Paris: late.
LATE = paris_time(2009, 5, 23, 0, 30)


@pytest.fixture
def department(create_forum, create_question, subtopics):
    return build_department(create_forum, create_question, subtopics)


@pytest.fixture
def prefect(create_agent):
    return create_agent(Role.PREFECTURE, department="13")


@pytest.fixture
def ministry(create_agent):
    return create_agent(Role.MINISTRY)


@pytest.fixture
def synthesis(db, consultation, department, prefect):
    synthesis = prepare_draft(consultation, "13", prefect, now=paris_time(2009, 5, 15, 10))
    db.session.commit()
    return synthesis


def complete_minutes(department):
    """Record the minutes of the held forum that has none."""
    add_minutes(department.forums["berre"], {AttendanceCategory.PUBLIC: 30})


def events(db, action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def test_prepare_draft_prefills_the_three_parts_and_the_figures(db, consultation, synthesis, prefect):
    assert department_synthesis(consultation, "13") is synthesis
    assert synthesis.status is SynthesisStatus.DRAFT
    assert synthesis.created_by_id == prefect.id
    for column in ("local_insight", "diagnosis", "proposals"):
        assert getattr(synthesis, column).strip()
    assert "Former les agents de sécurité privée" in synthesis.proposals
    figures = synthesis.figures
    assert set(figures) == {"figures", "figures_markdown", "annexes", "annexes_markdown", "title", "subtitle"}
    assert figures["figures"]["questions"]["total"]["received"]["value"] == 10
    assert [annex["has_minutes"] for annex in figures["annexes"]] == [True, True, False]
    assert figures["title"] == "Synthèse départementale — Bouches-du-Rhône (13)"
    assert synthesis.figures_computed_at == paris_time(2009, 5, 15, 10)
    assert [event.object_id for event in events(db, "synthesis.prepare")] == [str(synthesis.id)]
    assert synthesis_status_label(synthesis, consultation) == "Projet"


def test_a_second_draft_is_refused(db, consultation, synthesis, prefect):
    with pytest.raises(SynthesisError) as refused:
        prepare_draft(consultation, "13", prefect)
    assert "Un projet de synthèse existe déjà" in refused.value.errors["__all__"][0]


def test_update_parts_stores_stripped_markdown_and_audits_the_changed_parts(db, synthesis, prefect):
    update_parts(synthesis, {"local_insight": "  Texte **revu**.  ", "diagnosis": synthesis.diagnosis}, prefect)
    assert synthesis.local_insight == "Texte **revu**."
    [event] = events(db, "synthesis.edit")
    assert event.changes == {"parts": ["local_insight"]}
    update_parts(synthesis, {"local_insight": "Texte **revu**."}, prefect)
    assert len(events(db, "synthesis.edit")) == 1


def test_update_parts_refuses_too_long_and_unknown_parts(db, synthesis, prefect):
    before = synthesis.diagnosis
    with pytest.raises(SynthesisError) as refused:
        update_parts(synthesis, {"diagnosis": "x" * (PART_MAX_LENGTH + 1), "figures": "Chiffres"}, prefect)
    assert "dépasse 100\u202f000 caractères" in refused.value.errors["diagnosis"][0]
    assert "Partie inconnue" in refused.value.errors["__all__"][0]
    assert synthesis.diagnosis == before


def test_regenerate_figures_keeps_the_texts(db, consultation, synthesis, prefect, create_question):
    update_parts(synthesis, {"proposals": "Nos propositions."}, prefect)
    create_question("Une nouvelle question sur la vidéo-protection ?", subtopic="1.A.1")
    regenerate_figures(synthesis, prefect, now=paris_time(2009, 5, 16, 9))
    assert synthesis.proposals == "Nos propositions."
    assert synthesis.figures["figures"]["questions"]["total"]["received"]["value"] == 11
    assert synthesis.figures_computed_at == paris_time(2009, 5, 16, 9)
    assert len(events(db, "synthesis.regenerate")) == 1


def test_submission_is_refused_while_a_held_forum_has_no_minutes(db, consultation, synthesis, department, prefect):
    update_parts(synthesis, {"diagnosis": "   "}, prefect)
    assert held_forums_without_minutes(synthesis) == [department.forums["berre"]]
    assert held_forums_without_minutes(consultation, "13") == [department.forums["berre"]]
    with pytest.raises(MissingMinutes) as refused:
        submit_synthesis(synthesis, prefect, now=ON_TIME)
    assert refused.value.forums == [department.forums["berre"]]
    message = refused.value.errors["__all__"][0]
    assert "n'a pas de compte-rendu" in message and "forum du 2 avril 2009 — Berre-l'Étang" in message
    # Every reason at once: the empty part too.
    assert refused.value.errors["diagnosis"] == ["Rédigez le diagnostic avant de transmettre la synthèse."]
    assert synthesis.status is SynthesisStatus.DRAFT


def test_submission_is_refused_with_an_empty_part(db, synthesis, department, prefect):
    complete_minutes(department)
    update_parts(synthesis, {"proposals": ""}, prefect)
    with pytest.raises(SynthesisError) as refused:
        submit_synthesis(synthesis, prefect, now=ON_TIME)
    assert not isinstance(refused.value, MissingMinutes)
    assert list(refused.value.errors) == ["proposals"]


def test_submission_stores_the_result_and_locks(db, consultation, synthesis, department, prefect):
    complete_minutes(department)
    update_parts(synthesis, {"local_insight": "Éclairage rédigé par la préfecture."}, prefect)
    submit_synthesis(synthesis, prefect, now=ON_TIME)
    db.session.commit()
    assert synthesis.status is SynthesisStatus.SUBMITTED and synthesis.is_locked
    assert (synthesis.submitted_at, synthesis.submitted_by_id, synthesis.is_late) == (ON_TIME, prefect.id, False)
    assert synthesis_status_label(synthesis, consultation) == "Transmise"
    # Figures were recomputed at submission: the new minutes count.
    assert synthesis.figures["figures"]["forums"]["with_minutes"]["value"] == 3
    result = DepartmentResult.from_dict(synthesis.submitted_result)
    assert result.parts[INSIGHT] == "Éclairage rédigé par la préfecture."
    assert result.parts[DIAGNOSIS] == synthesis.diagnosis and result.parts[PROPOSALS] == synthesis.proposals
    assert result.figures.attendance.total.value == 154
    assert result.figures.forums.held_without_minutes.value == 0
    [event] = events(db, "synthesis.submit")
    assert "en retard" not in event.summary


def test_a_submitted_synthesis_cannot_change(db, synthesis, department, prefect):
    complete_minutes(department)
    submit_synthesis(synthesis, prefect, now=ON_TIME)
    with pytest.raises(SynthesisError) as twice:
        submit_synthesis(synthesis, prefect, now=ON_TIME)
    assert twice.value.errors == {"__all__": ["La synthèse a déjà été transmise au ministère."]}
    for operation in (lambda: update_parts(synthesis, {"diagnosis": "Nouveau"}, prefect),
                      lambda: regenerate_figures(synthesis, prefect)):
        with pytest.raises(SynthesisError) as locked:
            operation()
        assert locked.value.errors == {"__all__": [LOCKED_MESSAGE]}
    assert synthesis.diagnosis != "Nouveau"


def test_a_submission_made_meanwhile_by_another_request_wins(db, synthesis, department, prefect):
    complete_minutes(department)
    db.session.commit()
    # Another request submits the same synthesis after this one loaded it (a double click).
    db.session.execute(db.update(DepartmentSynthesis).where(DepartmentSynthesis.id == synthesis.id)
                       .values(status=SynthesisStatus.SUBMITTED).execution_options(synchronize_session=False))
    assert synthesis.status is not SynthesisStatus.SUBMITTED

    with pytest.raises(SynthesisError) as late:
        submit_synthesis(synthesis, prefect, now=ON_TIME)

    assert late.value.errors == {"__all__": ["La synthèse vient d'être transmise au ministère par un autre agent."]}
    assert events(db, "synthesis.submit") == []


def test_late_after_the_deadline_in_paris(db, consultation, synthesis, department, prefect):
    complete_minutes(department)
    submit_synthesis(synthesis, prefect, now=LATE)
    assert synthesis.is_late
    assert synthesis_status_label(synthesis, consultation) == "Transmise en retard"
    [event] = events(db, "synthesis.submit")
    assert "en retard (date limite : 22/05/2009)" in event.summary


def test_reopen_requires_a_submitted_synthesis_and_a_reason(db, synthesis, department, prefect, ministry):
    with pytest.raises(SynthesisError) as draft:
        reopen_synthesis(synthesis, "Motif suffisant", ministry)
    assert draft.value.errors == {"__all__": ["Seule une synthèse transmise peut être rouverte."]}
    complete_minutes(department)
    submit_synthesis(synthesis, prefect, now=ON_TIME)
    for reason in ("", "  ab  ", "x" * 2001):
        with pytest.raises(SynthesisError) as refused:
            reopen_synthesis(synthesis, reason, ministry)
        assert list(refused.value.errors) == ["reason"]
    assert synthesis.status is SynthesisStatus.SUBMITTED


def test_reopen_then_edit_and_submit_again(db, consultation, synthesis, department, prefect, ministry):
    complete_minutes(department)
    submit_synthesis(synthesis, prefect, now=ON_TIME)
    reopen_synthesis(synthesis, "  Le diagnostic omet le forum de Berre.  ", ministry, now=LATE)
    assert synthesis.status is SynthesisStatus.REOPENED and not synthesis.is_locked
    assert (synthesis.reopened_at, synthesis.reopened_by_id) == (LATE, ministry.id)
    assert synthesis.reopen_reason == "Le diagnostic omet le forum de Berre."
    assert synthesis_status_label(synthesis, consultation) == "Rouverte"
    [event] = events(db, "synthesis.reopen")
    assert event.changes["reason"] == ["Le diagnostic omet le forum de Berre."]
    update_parts(synthesis, {"diagnosis": "Diagnostic complété."}, prefect)
    submit_synthesis(synthesis, prefect, now=LATE)
    # Lateness is that of the new submission.
    assert synthesis.is_late and synthesis.submitted_at == LATE
    assert DepartmentResult.from_dict(synthesis.submitted_result).parts[DIAGNOSIS] == "Diagnostic complété."


def test_status_labels_and_overdue(db, consultation, synthesis, department, prefect):
    assert synthesis_status_label(None, consultation) == "Non commencée"
    assert synthesis_state(None, consultation, now=ON_TIME).is_overdue is False
    assert synthesis_state(None, consultation, now=LATE).is_overdue is True
    assert synthesis_state(synthesis, consultation, now=LATE).is_overdue is True
    complete_minutes(department)
    submit_synthesis(synthesis, prefect, now=ON_TIME)
    state = synthesis_state(synthesis, consultation, now=LATE)
    assert (state.key, state.is_overdue) == ("submitted", False)
