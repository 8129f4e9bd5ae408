"""The departmental synthesis: prepare, write section by section, stay current, transmit (early, late), addenda, reopen."""
import re

import pytest
from sqlalchemy import select

from forums.documents.content import department_content
from forums.models import (
    AttendanceCategory, AuditEvent, DepartmentSynthesis, ForumStatus, QuestionStatus, Role, SynthesisAnnex,
    SynthesisStatus,
)
from forums.services.minutes import LOCKED_MESSAGE as MINUTES_LOCKED, minutes_lock_reason
from forums.services.syntheses import (
    LOCKED_MESSAGE, MissingMinutes, SynthesisError, TextConflict, addenda, addendum_candidates, current_generated,
    department_synthesis, held_forums_without_minutes, prepare_draft, readiness, reopen_synthesis,
    submit_synthesis, synthesis_state, synthesis_status_label, transmit_addendum, update_texts,
)
from forums.services.synthesis_content import SECTION_MAX_LENGTH, read_generated, read_texts
from synthesis.document import DIAGNOSIS, INSIGHT
from synthesis.national import DepartmentResult

from ..conftest import paris_time
from .synthesis_data import add_minutes, build_department

ON_TIME = paris_time(2009, 5, 22, 23, 30)
#: Still 22 May in UTC, already 23 May in Paris: late.
LATE = paris_time(2009, 5, 23, 0, 30)
#: Inside the meeting window (16 March – 18 May 2009).
IN_WINDOW = paris_time(2009, 4, 10, 10)
EARLY_REASON = "Le préfet quitte ses fonctions le 15 mai."


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


def complete_minutes(department, public=30):
    """Record the minutes of the held forum that has none (Berre)."""
    return add_minutes(department.forums["berre"], {AttendanceCategory.PUBLIC: public})


def hold_the_last_forum(db, department):
    """Mark the forum still to be held (« Forum de mai ») as held: nothing remains to hold."""
    department.forums["next"].status = ForumStatus.HELD
    db.session.commit()


def events(db, action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def generated_of(synthesis):
    return read_generated(synthesis.generated)


def versions(synthesis, *keys):
    texts = read_texts(synthesis)
    return {key: texts.version(key) for key in keys}


def table_value(generated, table, row):
    return next(r for t in generated.draft.tables if t.key == table for r in t.rows if r.key == row).cells[0]


# --- preparing and writing ------------------------------------------------------------------------------

def test_prepare_draft_computes_the_content_and_leaves_the_prefecture_text_empty(db, consultation, synthesis,
                                                                                   department, prefect):
    assert department_synthesis(consultation, "13") is synthesis
    assert synthesis.status is SynthesisStatus.DRAFT and synthesis.created_by_id == prefect.id
    generated = generated_of(synthesis)
    assert generated.draft.title == "Synthèse départementale des Bouches-du-Rhône (13)"
    assert generated.figures.questions.total.received.value == 10
    assert [(annex.forum_id, annex.available) for annex in generated.draft.annexes] == [
        (department.forums[key].id, available) for key, available in (("aix", True), ("arles", True),
                                                                      ("berre", False))]
    assert read_texts(synthesis).markdowns() == {}
    assert synthesis.generated_at == paris_time(2009, 5, 15, 10)
    [event] = events(db, "synthesis.prepare")
    assert event.summary == "Projet de synthèse des Bouches-du-Rhône préparé."
    assert synthesis_status_label(synthesis, consultation) == "Projet"


def test_a_second_draft_is_refused(db, consultation, synthesis, prefect):
    with pytest.raises(SynthesisError) as refused:
        prepare_draft(consultation, "13", prefect)
    assert "Un projet de synthèse existe déjà" in refused.value.errors["__all__"][0]


def test_texts_are_stored_by_section_with_their_version_and_audited(db, synthesis, prefect):
    shown = versions(synthesis, "insight.analysis", "diagnosis.analysis")
    changed = update_texts(synthesis, {"insight.analysis": "  Texte **revu**.  ", "diagnosis.analysis": ""},
                           shown, prefect)
    db.session.commit()
    assert changed == ["insight.analysis"]
    texts = read_texts(synthesis)
    assert texts.text("insight.analysis") == "Texte **revu**." and texts.version("insight.analysis") == 1
    assert synthesis.text_version == 1
    [event] = events(db, "synthesis.edit")
    assert event.changes == {"sections": ["insight.analysis"]}
    assert "« Éclairage de proximité sur les problématiques dégagées — Éclairage de la préfecture »" in event.summary
    # The same text again changes nothing.
    assert update_texts(synthesis, {"insight.analysis": "Texte **revu**."}, versions(synthesis, "insight.analysis"),
                        prefect) == []
    assert len(events(db, "synthesis.edit")) == 1


def test_too_long_and_unknown_sections_are_refused(db, synthesis, prefect):
    with pytest.raises(SynthesisError) as refused:
        update_texts(synthesis, {"diagnosis.analysis": "x" * (SECTION_MAX_LENGTH + 1), "figures": "Chiffres"}, {},
                     prefect)
    assert "dépasse 50\u202f000 caractères" in refused.value.errors["diagnosis.analysis"][0]
    assert "Section inconnue" in refused.value.errors["__all__"][0]
    assert read_texts(synthesis).markdowns() == {}


def test_a_form_opened_before_a_colleague_saved_is_refused_with_their_text(db, synthesis, prefect, create_agent):
    colleague = create_agent(Role.PREFECTURE, department="13")
    opened = versions(synthesis, "insight.analysis")
    update_texts(synthesis, {"insight.analysis": "Texte du collègue."}, opened, colleague)
    db.session.commit()
    with pytest.raises(TextConflict) as refused:
        update_texts(synthesis, {"insight.analysis": "Mon texte."}, opened, prefect)
    assert refused.value.current["insight.analysis"].text == "Texte du collègue."
    assert "Un autre agent a modifié cette section" in refused.value.errors["insight.analysis"][0]
    assert read_texts(synthesis).text("insight.analysis") == "Texte du collègue."
    # Another section of the same form is no conflict.
    update_texts(synthesis, {"diagnosis.analysis": "Mon diagnostic."}, versions(synthesis, "diagnosis.analysis"),
                 prefect)
    assert read_texts(synthesis).text("diagnosis.analysis") == "Mon diagnostic."


def test_the_generated_content_follows_the_data_and_keeps_the_texts(db, synthesis, prefect, create_question):
    update_texts(synthesis, {"proposals.own": "Nos propositions."}, {}, prefect)
    db.session.commit()
    computed_at = synthesis.generated_at
    # Nothing changed: nothing is recomputed.
    current_generated(synthesis, now=paris_time(2009, 5, 16, 9))
    assert synthesis.generated_at == computed_at
    create_question("Une nouvelle question sur la vidéo-protection ?", subtopic="1.A.1")
    generated = current_generated(synthesis, now=paris_time(2009, 5, 16, 9))
    assert generated.figures.questions.total.received.value == 11
    assert synthesis.generated_at == paris_time(2009, 5, 16, 9)
    assert read_texts(synthesis).text("proposals.own") == "Nos propositions."


def test_numbers_the_prefecture_cites_are_flagged_when_their_figure_changes(db, synthesis, department, prefect):
    # 124 participants according to the two minutes recorded so far.
    update_texts(synthesis, {"insight.analysis": "Les 124 participants et les 10 questions montrent un intérêt."},
                 {}, prefect)
    db.session.commit()
    assert readiness(synthesis, now=ON_TIME).outdated_citations == []
    complete_minutes(department, public=30)
    outdated = readiness(synthesis, now=ON_TIME).outdated_citations
    assert [(title, item.citation.text, item.now) for title, item in outdated] == [
        ("Éclairage de proximité sur les problématiques dégagées — Éclairage de la préfecture", "124",
         (("attendance/total", 154),))]


# --- readiness and transmission ---------------------------------------------------------------------------

def test_readiness_lists_what_blocks_what_needs_a_reason_and_what_to_check(db, synthesis, department):
    ready = readiness(synthesis, now=IN_WINDOW)
    assert ready.held_without_minutes == [department.forums["berre"]] and ready.is_blocked
    assert ready.forums_to_hold == [department.forums["next"]]
    assert ready.window_open and ready.is_early
    assert (ready.coverage.covered_count, ready.coverage.total) == (2, 3)
    assert ready.pending_questions == 3
    assert ready.unsigned_minutes == [department.forums["arles"]]
    assert not ready.past_deadline
    hold_the_last_forum(db, department)
    complete_minutes(department)
    add_minutes(department.forums["next"], {AttendanceCategory.PUBLIC: 12})
    ready = readiness(synthesis, now=ON_TIME)
    assert not ready.is_blocked and not ready.is_early and not ready.window_open
    assert ready.held_without_minutes == [] and ready.forums_to_hold == []


def test_submission_is_refused_while_a_held_forum_has_no_minutes(db, consultation, synthesis, department, prefect):
    assert held_forums_without_minutes(synthesis) == [department.forums["berre"]]
    assert held_forums_without_minutes(consultation, "13") == [department.forums["berre"]]
    with pytest.raises(MissingMinutes) as refused:
        submit_synthesis(synthesis, prefect, now=ON_TIME, early_reason=EARLY_REASON)
    assert refused.value.forums == [department.forums["berre"]]
    message = refused.value.errors["__all__"][0]
    assert "n'a pas de compte-rendu" in message and "forum de Berre-l'Étang du 2 avril 2009" in message
    assert synthesis.status is SynthesisStatus.DRAFT


def test_an_early_transmission_needs_a_reason_which_the_ministry_reads(db, synthesis, department, prefect):
    complete_minutes(department)
    for reason in (None, "  ", "abc"):
        with pytest.raises(SynthesisError) as refused:
            submit_synthesis(synthesis, prefect, now=IN_WINDOW, early_reason=reason)
        assert list(refused.value.errors) == ["early_reason"]
        assert "avant la fin des forums" in refused.value.errors["early_reason"][0]
    assert synthesis.status is SynthesisStatus.DRAFT
    submit_synthesis(synthesis, prefect, now=IN_WINDOW, early_reason=f"  {EARLY_REASON}  ")
    db.session.commit()
    assert synthesis.is_early and synthesis.early_reason == EARLY_REASON
    [event] = events(db, "synthesis.submit")
    assert f"par anticipation ({EARLY_REASON})" in event.summary
    notices = department_content(synthesis).notices
    assert any(EARLY_REASON in notice for notice in notices)


def test_a_transmission_after_the_last_forum_and_the_window_is_not_early(db, synthesis, department, prefect):
    hold_the_last_forum(db, department)
    complete_minutes(department)
    add_minutes(department.forums["next"], {AttendanceCategory.PUBLIC: 12})
    submit_synthesis(synthesis, prefect, now=ON_TIME)
    assert not synthesis.is_early and synthesis.early_reason == ""


def test_the_observed_sequence_transmits_a_document_that_agrees_with_its_table(db, consultation, department,
                                                                               prefect):
    """Prepare the draft, record the missing minutes, transmit: text and figures table say the same."""
    synthesis = prepare_draft(consultation, "13", prefect, now=paris_time(2009, 5, 15, 10))
    update_texts(synthesis, {"insight.analysis": "Notre lecture des forums."}, {}, prefect)
    db.session.commit()
    before = generated_of(synthesis)
    insight = before.draft.part_markdown(INSIGHT)
    assert "124 participants" in insight and "1 forum tenu n’a pas encore de compte-rendu" in \
        before.draft.part_markdown(DIAGNOSIS)

    complete_minutes(department, public=30)
    hold_the_last_forum(db, department)
    add_minutes(department.forums["next"], {AttendanceCategory.PUBLIC: 52})
    submit_synthesis(synthesis, prefect, now=ON_TIME)
    db.session.commit()

    content = department_content(synthesis)
    generated = generated_of(synthesis)
    text = "\n".join(part.markdown for part in content.parts)
    # The table of the transmitted document…
    assert table_value(generated, "forums", "held_without_minutes") == "0"
    assert table_value(generated, "participation", "total") == "206"
    # …and its sentences: no stale number, no forum said to lack minutes.
    assert "n’a pas encore de compte-rendu" not in text and "124 participants" not in text
    assert "font état de 206 participants" in text
    assert "Notre lecture des forums." in text
    for number in re.findall(r"font état de (\d+) participants", text):
        assert number == table_value(generated, "participation", "total")
    result = DepartmentResult.from_dict(synthesis.submitted_result)
    assert result.figures.attendance.total.value == 206
    assert "Notre lecture des forums." in result.parts[INSIGHT]


def test_transmission_stores_the_result_and_locks_only_the_minutes_it_carries(db, consultation, synthesis,
                                                                               department, prefect):
    complete_minutes(department)
    submit_synthesis(synthesis, prefect, now=IN_WINDOW, early_reason=EARLY_REASON)
    db.session.commit()
    assert synthesis.status is SynthesisStatus.SUBMITTED and synthesis.is_locked
    assert (synthesis.submitted_at, synthesis.submitted_by_id, synthesis.is_late) == (IN_WINDOW, prefect.id, False)
    forums = department.forums
    assert sorted(annex.forum_id for annex in synthesis.annexes) == sorted(
        forums[key].id for key in ("aix", "arles", "berre"))
    assert all(not annex.is_addendum for annex in synthesis.annexes)
    assert minutes_lock_reason(forums["aix"]) == MINUTES_LOCKED
    # The forum held after the transmission is not locked: its minutes will be an addendum.
    hold_the_last_forum(db, department)
    assert minutes_lock_reason(forums["next"]) is None
    with pytest.raises(SynthesisError) as twice:
        submit_synthesis(synthesis, prefect, now=ON_TIME)
    assert twice.value.errors == {"__all__": ["La synthèse a déjà été transmise au ministère."]}
    with pytest.raises(SynthesisError) as locked:
        update_texts(synthesis, {"diagnosis.analysis": "Nouveau"}, {}, prefect)
    assert locked.value.errors == {"__all__": [LOCKED_MESSAGE]}


def test_minutes_of_a_later_forum_reach_the_ministry_as_an_addendum(db, consultation, synthesis, department,
                                                                     prefect):
    complete_minutes(department)
    submit_synthesis(synthesis, prefect, now=IN_WINDOW, early_reason=EARLY_REASON)
    db.session.commit()
    assert addendum_candidates(synthesis) == []
    hold_the_last_forum(db, department)
    later = department.forums["next"]
    add_minutes(later, {AttendanceCategory.PUBLIC: 52})
    assert addendum_candidates(synthesis) == [later]

    sent = transmit_addendum(synthesis, [later.id], prefect, now=paris_time(2009, 5, 13, 9))
    db.session.commit()
    assert sent == [later]
    [annex] = [annex for annex in synthesis.annexes if annex.is_addendum]
    assert (annex.forum_id, annex.transmitted_at, annex.transmitted_by_id) == (
        later.id, paris_time(2009, 5, 13, 9), prefect.id)
    assert minutes_lock_reason(later) == MINUTES_LOCKED
    assert addendum_candidates(synthesis) == []
    # The figures and the generated text take the addendum in; the synthesis stays transmitted.
    assert synthesis.status is SynthesisStatus.SUBMITTED
    assert DepartmentResult.from_dict(synthesis.submitted_result).figures.attendance.total.value == 206
    assert generated_of(synthesis).figures.forums.held.value == 4
    [(when, annexes)] = addenda(synthesis)
    assert when == paris_time(2009, 5, 13, 9) and [a.forum_id for a in annexes] == [later.id]
    assert any("Complément transmis le 13 mai 2009" in notice for notice in department_content(synthesis).notices)
    [event] = events(db, "synthesis.addendum")
    assert "compte-rendu du forum d’Aix-en-Provence du 12 mai 2009" in event.summary


def test_an_addendum_refuses_what_it_cannot_carry(db, consultation, synthesis, department, prefect):
    with pytest.raises(SynthesisError) as draft:
        transmit_addendum(synthesis, [department.forums["aix"].id], prefect)
    assert "après la transmission" in draft.value.errors["__all__"][0]
    complete_minutes(department)
    submit_synthesis(synthesis, prefect, now=IN_WINDOW, early_reason=EARLY_REASON)
    for forum_ids in ([department.forums["paris"].id], [department.forums["aix"].id],
                      [department.forums["next"].id], [999_999]):
        with pytest.raises(SynthesisError) as refused:
            transmit_addendum(synthesis, forum_ids, prefect)
        assert "Seuls les comptes-rendus des forums tenus du département" in refused.value.errors["forum_ids"][0]
    with pytest.raises(SynthesisError) as empty:
        transmit_addendum(synthesis, [], prefect)
    assert empty.value.errors == {"forum_ids": ["Cochez au moins un compte-rendu à transmettre en complément."]}
    assert not any(annex.is_addendum for annex in synthesis.annexes)


def test_a_submission_made_meanwhile_by_another_request_wins(db, synthesis, department, prefect):
    complete_minutes(department)
    db.session.commit()
    # Another request submits the same synthesis after this one loaded it (a double click).
    db.session.execute(db.update(DepartmentSynthesis).where(DepartmentSynthesis.id == synthesis.id)
                       .values(status=SynthesisStatus.SUBMITTED).execution_options(synchronize_session=False))
    assert synthesis.status is not SynthesisStatus.SUBMITTED
    with pytest.raises(SynthesisError) as late:
        submit_synthesis(synthesis, prefect, now=ON_TIME, early_reason=EARLY_REASON)
    assert late.value.errors == {"__all__": ["La synthèse vient d'être transmise au ministère par un autre agent."]}
    assert events(db, "synthesis.submit") == []


def test_late_after_the_deadline_in_paris(db, consultation, synthesis, department, prefect):
    complete_minutes(department)
    submit_synthesis(synthesis, prefect, now=LATE, early_reason=EARLY_REASON)
    assert synthesis.is_late
    assert synthesis_status_label(synthesis, consultation) == "Transmise en retard"
    [event] = events(db, "synthesis.submit")
    assert "en retard (date limite : 22 mai 2009)" in event.summary


def test_reopen_requires_a_submitted_synthesis_and_a_reason(db, synthesis, department, prefect, ministry):
    with pytest.raises(SynthesisError) as draft:
        reopen_synthesis(synthesis, "Motif suffisant", ministry)
    assert draft.value.errors == {"__all__": ["Seule une synthèse transmise peut être rouverte."]}
    complete_minutes(department)
    submit_synthesis(synthesis, prefect, now=ON_TIME, early_reason=EARLY_REASON)
    for reason in ("", "  ab  ", "x" * 2001):
        with pytest.raises(SynthesisError) as refused:
            reopen_synthesis(synthesis, reason, ministry)
        assert list(refused.value.errors) == ["reason"]
    assert synthesis.status is SynthesisStatus.SUBMITTED


def test_reopen_unlocks_then_a_new_transmission_carries_every_minutes(db, consultation, synthesis, department,
                                                                        prefect, ministry):
    complete_minutes(department)
    submit_synthesis(synthesis, prefect, now=ON_TIME, early_reason=EARLY_REASON)
    reopen_synthesis(synthesis, "  Le diagnostic omet le forum de Berre.  ", ministry, now=LATE)
    db.session.commit()
    assert synthesis.status is SynthesisStatus.REOPENED and not synthesis.is_locked
    assert (synthesis.reopened_at, synthesis.reopened_by_id) == (LATE, ministry.id)
    assert synthesis.reopen_reason == "Le diagnostic omet le forum de Berre."
    assert minutes_lock_reason(department.forums["aix"]) is None
    [event] = events(db, "synthesis.reopen")
    assert event.summary == "Synthèse des Bouches-du-Rhône rouverte : Le diagnostic omet le forum de Berre."
    update_texts(synthesis, {"diagnosis.analysis": "Diagnostic complété."}, {}, prefect)
    hold_the_last_forum(db, department)
    add_minutes(department.forums["next"], {AttendanceCategory.PUBLIC: 12})
    submit_synthesis(synthesis, prefect, now=LATE)
    db.session.commit()
    # Lateness is that of the new submission; the annexes are rebuilt, with the later forum.
    assert synthesis.is_late and synthesis.submitted_at == LATE and not synthesis.is_early
    assert len(db.session.scalars(select(SynthesisAnnex).where(SynthesisAnnex.synthesis_id == synthesis.id)).all()) == 4
    assert "Diagnostic complété." in DepartmentResult.from_dict(synthesis.submitted_result).parts[DIAGNOSIS]


def test_status_labels_and_overdue(db, consultation, synthesis, department, prefect):
    assert synthesis_status_label(None, consultation) == "Non commencée"
    assert synthesis_state(None, consultation, now=ON_TIME).is_overdue is False
    assert synthesis_state(None, consultation, now=LATE).is_overdue is True
    assert synthesis_state(synthesis, consultation, now=LATE).is_overdue is True
    complete_minutes(department)
    submit_synthesis(synthesis, prefect, now=ON_TIME, early_reason=EARLY_REASON)
    state = synthesis_state(synthesis, consultation, now=LATE)
    assert (state.key, state.is_overdue) == ("submitted", False)


def test_a_pending_question_published_later_reaches_a_draft_not_a_transmitted_synthesis(
        db, synthesis, department, prefect):
    complete_minutes(department)
    submit_synthesis(synthesis, prefect, now=ON_TIME, early_reason=EARLY_REASON)
    db.session.commit()
    frozen = synthesis.generated
    department.questions["pending"].status = QuestionStatus.PUBLISHED
    db.session.commit()
    assert current_generated(synthesis).figures.questions.total.published.value == 5
    assert synthesis.generated == frozen
