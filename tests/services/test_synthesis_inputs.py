"""The adapter from the database to the synthesis engine: exact figures on a hand-built department."""
import pytest

from forums.models import AttendanceCategory, ProposalOrigin
from forums.services.synthesis_inputs import (
    ATTENDANCE_TO_ENGINE, ORIGIN_TO_ENGINE, compile_department, department_input, engine_origin,
)
from synthesis.document import DIAGNOSIS, INSIGHT, PROPOSALS
from synthesis.records import ATTENDANCE_CATEGORIES, PROPOSAL_ORIGINS

from .synthesis_data import EXPECTED, PRIVATE_WORDS, add_minutes, build_department


@pytest.fixture
def department(create_forum, create_question, subtopics):
    return build_department(create_forum, create_question, subtopics)


def test_the_value_table_maps_every_model_value_to_the_engine():
    assert set(ATTENDANCE_TO_ENGINE) == set(AttendanceCategory)
    assert sorted(ATTENDANCE_TO_ENGINE.values()) == sorted(ATTENDANCE_CATEGORIES)
    assert set(ORIGIN_TO_ENGINE) == set(ProposalOrigin)
    assert sorted(ORIGIN_TO_ENGINE.values()) == sorted(PROPOSAL_ORIGINS)
    assert engine_origin(ProposalOrigin.SECURITY_FORCES) == "forces_de_l_ordre"
    assert engine_origin("forces_ordre") == engine_origin("forces_de_l_ordre") == "forces_de_l_ordre"
    with pytest.raises(ValueError):
        engine_origin("police")


def test_exact_figures_of_the_fixture_department(db, consultation, department):
    compiled = compile_department(consultation, "13")
    found = {path: compiled.figures.count(path).value for path in EXPECTED}
    assert found == EXPECTED
    assert compiled.figures.attendance.average == 62.0
    coverage = compiled.figures.coverage
    assert (coverage.unit_kind, coverage.covered, coverage.total, coverage.percentage) == ("canton", 2, 3, 66.7)


def test_figures_keep_the_ids_they_count(db, consultation, department):
    figures = compile_department(consultation, "13").figures
    forums, questions = department.forums, department.questions
    assert figures.forums.held_without_minutes.sources == (forums["berre"].id,)
    assert figures.forums.with_signed_document.sources == (forums["aix"].id,)
    assert set(figures.questions.total.taken_up.sources) == {questions["taken_up"].id, questions["files"].id}
    assert questions["paris"].id not in figures.questions.total.received.sources


def test_input_records(db, consultation, department):
    data = department_input(consultation, "13")
    forums, questions = department.forums, department.questions
    assert (data.department_name, data.region_code, data.region_name) == (
        "Bouches-du-Rhône", "93", "Provence-Alpes-Côte d'Azur")
    assert data.deadline == consultation.synthesis_due_on
    assert [subtopic.code for subtopic in data.subtopics] == ["1.A.1", "1.A.2", "2.A.1", "2.A.2"]
    # Drafts and other departments stay out; places are the venue's commune.
    assert {forum.id for forum in data.forums} == {forums[name].id for name in
                                                  ("aix", "arles", "berre", "cancelled", "next")}
    aix = data.forum(forums["aix"].id)
    assert (aix.place, aix.unit_codes, aix.status, aix.arrondissement_code) == ("Aix-en-Provence", ("1301",),
                                                                                "held", "131")
    records = {record.id: record for record in data.questions}
    assert records[questions["to_draft"].id].forum_id is None
    assert records[questions["video"].id].forum_id == forums["aix"].id
    assert records[questions["taken_up"].id].addressed_forum_id == forums["aix"].id
    # Only published questions carry a text, and it is the public text.
    assert records[questions["edited"].id].text == "La sécurité privée est-elle encadrée ?"
    assert records[questions["pending"].id].text == ""
    assert records[questions["rejected"].id].text == ""
    assert all(PRIVATE_WORDS not in record.text for record in data.questions)
    minutes = data.current_minutes()[forums["aix"].id]
    assert minutes.version == 2 and minutes.has_signed_document
    assert dict(minutes.attendance) == {"public": 60, "elus": 6, "police_nationale": 2, "gendarmerie": 3,
                                        "police_municipale": 0, "autres": 4}
    assert [topic.subtopic_code for topic in minutes.topics] == ["1.A.1"]
    assert [(p.theme_code, p.subtopic_code, p.origin) for p in data.proposals] == [
        ("1", "1.A.1", "public"), ("2", None, "forces_de_l_ordre"), ("2", "2.A.1", "elu"),
        ("2", "2.A.2", "association")]


def test_draft_has_the_three_parts_figures_and_annexes(db, consultation, department):
    draft = compile_department(consultation, "13").draft
    for key in (INSIGHT, DIAGNOSIS, PROPOSALS):
        assert draft.part_markdown(key).strip()
    assert "Patrouilles de police municipale le soir" in draft.part_markdown(PROPOSALS)
    assert "Salle trop petite" in draft.part_markdown(DIAGNOSIS)
    assert [(annex.forum_id, annex.available) for annex in draft.annexes] == [
        (department.forums["aix"].id, True), (department.forums["arles"].id, True),
        (department.forums["berre"].id, False)]
    assert draft.title == "Synthèse départementale des Bouches-du-Rhône (13)"
    assert PRIVATE_WORDS not in "\n".join(draft.part_markdown(part.key) for part in draft.parts)


def test_unknown_department(db, consultation, territories):
    with pytest.raises(LookupError):
        department_input(consultation, "99")


def test_a_fixed_number_of_queries_whatever_the_size(db, consultation, department, create_question, subtopics,
                                                     count_queries):
    db.session.refresh(consultation)
    with count_queries() as small:
        department_input(consultation, "13")
    for number in range(20):
        create_question(f"Question supplémentaire {number} sur la vidéo-protection.", subtopic="1.A.1",
                        forum=department.forums["next"])
    add_minutes(department.forums["berre"], {AttendanceCategory.PUBLIC: 10},
                topics=[(subtopics["1.A.2"], "Fichiers.")])
    db.session.refresh(consultation)
    with count_queries() as large:
        department_input(consultation, "13")
    assert len(small) == len(large) == 13
