"""The national synthesis: submitted departmental results added up, and the ministry's document."""
import pytest
from sqlalchemy import select

from forums.models import AttendanceCategory, AuditEvent, ForumStatus, ProposalOrigin, QuestionStatus, Role
from forums.services.national_synthesis import (
    current_national, national_aggregate, national_stamp, national_synthesis, prepare_national, proposals_catalogue,
    update_national_texts,
)
from forums.services.syntheses import (
    SynthesisError, department_synthesis, prepare_draft, reopen_synthesis, submit_synthesis, transmit_addendum,
    update_texts,
)
from forums.services.synthesis_content import read_generated, read_texts
from forums.services.synthesis_inputs import compile_department
from synthesis.document import DIAGNOSIS, INSIGHT

from ..conftest import paris_time
from .synthesis_data import EXPECTED, add_minutes, build_department

ON_TIME = paris_time(2009, 5, 20, 12)
REASON = "Forum de mai reporté à l'automne."


@pytest.fixture
def ministry(create_agent):
    return create_agent(Role.MINISTRY)


@pytest.fixture
def prefect(create_agent):
    return create_agent(Role.PREFECTURE, department="13")


@pytest.fixture
def departments(db, consultation, create_forum, create_question, subtopics, prefect, ministry):
    """Submit 13 and 75; Corse-du-Sud has a draft, Martinique a synthesis submitted then reopened: both stay out."""
    made = build_department(create_forum, create_question, subtopics)
    add_minutes(made.forums["berre"], {AttendanceCategory.PUBLIC: 30})
    create_question("Les caméras du métro sont-elles utiles ?", subtopic="1.A.1", status=QuestionStatus.PUBLISHED,
                    forum=made.forums["paris"])
    create_question("Pourquoi si peu de patrouilles ?", department="75", subtopic="2.A.1")
    corsica = create_forum(cantons=["2A01"], department="2A", status=ForumStatus.HELD,
                           starts_at=paris_time(2009, 4, 1), commune="2A004")
    add_minutes(corsica, {AttendanceCategory.PUBLIC: 1000})
    martinique = create_forum(cantons=[], communes=["97209"], department="972", status=ForumStatus.HELD,
                              starts_at=paris_time(2009, 4, 2), commune="97209")
    add_minutes(martinique, {AttendanceCategory.PUBLIC: 2000})
    for code in ("13", "75", "972"):
        submit_synthesis(prepare_draft(consultation, code, prefect, now=ON_TIME), prefect, now=ON_TIME,
                         early_reason=REASON)
    prepare_draft(consultation, "2A", prefect, now=ON_TIME)
    reopen_synthesis(department_synthesis(consultation, "972"), "Chiffres à revoir.", ministry)
    db.session.commit()
    return made


def test_the_nation_is_the_sum_of_its_submitted_departments(db, consultation, departments):
    aggregate = national_aggregate(consultation)
    assert [result.code for result in aggregate.departments] == ["13", "75"]
    parts = [compile_department(consultation, code).figures for code in ("13", "75")]
    for path in (*EXPECTED, "forums/with_minutes"):
        expected = sum(figures.count(path).value for figures in parts)
        assert aggregate.figures.count(path).value == expected, path
    assert aggregate.figures.count("attendance/public").value == 100 + 30 + 500
    assert aggregate.figures.count("questions/received").value == 10 + 3
    assert aggregate.figures.coverage.covered == 2 + 1 and aggregate.figures.coverage.total == 3 + 1
    assert [(region.code, region.department_codes) for region in aggregate.regions] == [("11", ("75",)),
                                                                                        ("93", ("13",))]


def test_aggregation_reads_the_stored_results_in_one_query(db, consultation, departments, count_queries):
    db.session.refresh(consultation)
    with count_queries() as statements:
        national_aggregate(consultation)
    assert len(statements) == 1


def test_no_submission_gives_an_empty_aggregate_and_no_national_draft(db, consultation, territories, ministry):
    assert national_aggregate(consultation).departments == ()
    with pytest.raises(SynthesisError) as refused:
        prepare_national(consultation, ministry)
    assert "Aucune synthèse départementale n'a encore été transmise" in refused.value.errors["__all__"][0]


def test_proposals_catalogue_filters_and_counts(db, consultation, departments):
    everything = proposals_catalogue(consultation)
    assert len(everything.entries) == 4
    assert dict(everything.counts["origin"]) == {"association": 1, "elu": 1, "forces_de_l_ordre": 1, "public": 1}
    for origin in (ProposalOrigin.SECURITY_FORCES, "forces_ordre", "forces_de_l_ordre"):
        [entry] = proposals_catalogue(consultation, origin=origin).entries
        assert entry.proposal.text == "Tenir une permanence mensuelle en mairie."
    assert len(proposals_catalogue(consultation, theme="2").entries) == 3
    assert len(proposals_catalogue(consultation, subtopic="2.A.2", region="93").entries) == 1
    assert proposals_catalogue(consultation, region="11").entries == ()
    with pytest.raises(ValueError):
        proposals_catalogue(consultation, origin="inconnue")


def test_prepare_and_write_the_national_synthesis(db, consultation, departments, ministry):
    national = prepare_national(consultation, ministry, now=ON_TIME)
    db.session.commit()
    assert national_synthesis(consultation) is national
    generated = read_generated(national.generated)
    assert [annex.ref.key for annex in generated.draft.annexes] == ["13", "75"]
    assert [annex.title for annex in generated.draft.annexes] == [
        "Synthèse départementale des Bouches-du-Rhône (13)", "Synthèse départementale de Paris (75)"]
    assert generated.draft.title == "Synthèse nationale — Assises de la sécurité intérieure"
    assert generated.figures.scope == "national"
    with pytest.raises(SynthesisError):
        prepare_national(consultation, ministry)
    update_national_texts(national, {"diagnosis.analysis": "  Diagnostic national.  "}, {}, ministry)
    assert read_texts(national).text("diagnosis.analysis") == "Diagnostic national."
    with pytest.raises(SynthesisError) as refused:
        update_national_texts(national, {"proposals.own": "x" * 50_001}, {}, ministry)
    assert list(refused.value.errors) == ["proposals.own"]
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "national_synthesis")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["national_synthesis.prepare", "national_synthesis.edit"]


def test_the_national_content_follows_every_transmission_reopening_and_addendum(db, consultation, departments,
                                                                               ministry, prefect):
    national = prepare_national(consultation, ministry, now=ON_TIME)
    update_national_texts(national, {"insight.analysis": "Lecture nationale."}, {}, ministry)
    db.session.commit()
    stamp = national_stamp(consultation)
    assert current_national(national).stamp == stamp
    # Martinique transmits again: the national content counts it at once, the ministry's text stays.
    submit_synthesis(department_synthesis(consultation, "972"), prefect, now=ON_TIME, early_reason=REASON)
    db.session.commit()
    assert national_stamp(consultation) != stamp
    generated = current_national(national)
    assert [annex.ref.key for annex in generated.draft.annexes] == ["13", "75", "972"]
    assert generated.figures.count("attendance/public").value == 100 + 30 + 500 + 2000
    # The Bouches-du-Rhône sends an addendum: the national figures take it in.
    forum = departments.forums["next"]
    forum.status = ForumStatus.HELD
    add_minutes(forum, {AttendanceCategory.PUBLIC: 40})
    transmit_addendum(department_synthesis(consultation, "13"), [forum.id], prefect)
    db.session.commit()
    assert current_national(national).figures.count("attendance/public").value == 100 + 30 + 40 + 500 + 2000
    # Paris is reopened: it drops out.
    reopen_synthesis(department_synthesis(consultation, "75"), "Chiffres à revoir.", ministry)
    db.session.commit()
    assert [annex.ref.key for annex in current_national(national).draft.annexes] == ["13", "972"]
    assert read_texts(national).text("insight.analysis") == "Lecture nationale."


def test_a_result_stored_by_an_earlier_version_is_computed_again(db, consultation, departments):
    stored = department_synthesis(consultation, "13")
    stored.submitted_result = {"schema_version": 1, "code": "13"}
    db.session.commit()
    aggregate = national_aggregate(consultation)
    assert [result.code for result in aggregate.departments] == ["13", "75"]
    assert stored.submitted_result["schema_version"] == 2


def test_the_national_result_carries_the_parts_as_submitted(db, consultation, departments, prefect, ministry):
    stored = department_synthesis(consultation, "13")
    reopen_synthesis(stored, "Ajouter votre lecture.", ministry)
    update_texts(stored, {"insight.analysis": "Lecture de la préfecture."}, {}, prefect)
    submit_synthesis(stored, prefect, now=ON_TIME, early_reason=REASON)
    db.session.commit()
    [bouches_du_rhone, _] = national_aggregate(consultation).departments
    assert "Lecture de la préfecture." in bouches_du_rhone.parts[INSIGHT]
    assert "Ce diagnostic reprend" in bouches_du_rhone.parts[DIAGNOSIS]
