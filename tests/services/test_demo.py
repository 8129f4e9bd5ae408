"""The demo: a current edition around today, forums in every state, loaded through the services.

The demo needs real territories (Territoire de Belfort, Martinique…): these tests load the packaged
COG files cut down to the demo departments; tests/commands/test_demo_cli.py loads the whole country.
"""
from collections import Counter
from datetime import date, timedelta

import pytest
from werkzeug.security import generate_password_hash

from forums.models import (
    Agent, AuditEvent, Consultation, Forum, ForumStatus, DepartmentSynthesis, Invitee, Minutes, Question, QuestionStatus, Role, SynthesisStatus,
)
from forums.models.agents import PASSWORD_METHOD
from forums.services.agents import authenticate_agent
from forums.services.consultations import DATA_DIR, load_consultation_file, seed_consultation, set_current_consultation
from forums.services.coverage import department_coverage
from forums.services.demo import DEMO_AGENTS, DEMO_PASSWORD, DEMO_SLUG, DemoError, load_demo
from forums.services.synthesis_content import read_generated
from forums.services.territories import load_territories
from forums.timeutils import PARIS, utcnow

#: The demo password hashed once, for the ``one_hash`` fixture.
DEMO_PASSWORD_HASH = generate_password_hash(DEMO_PASSWORD, method=PASSWORD_METHOD)


@pytest.fixture
def france(db, demo_territories_dir):
    """Load the real territories of the demo departments: the whole country takes seconds."""
    load_territories(demo_territories_dir)
    db.session.commit()


@pytest.fixture
def one_hash(monkeypatch):
    """Hash the shared demo password once: scrypt costs a tenth of a second per account."""
    set_password = Agent.set_password

    def fast_set_password(agent, password):
        if password != DEMO_PASSWORD:
            set_password(agent, password)
        else:
            agent.password_hash = DEMO_PASSWORD_HASH

    monkeypatch.setattr(Agent, "set_password", fast_set_password)


def seed_2009(db):
    seed_consultation(load_consultation_file(DATA_DIR / "2009.json"), make_current=True)
    db.session.commit()


def demo_forums(db, department=None):
    query = db.select(Forum).join(Consultation).where(Consultation.slug == DEMO_SLUG)
    if department:
        query = query.where(Forum.department_code == department)
    return db.session.scalars(query).all()


def subtopics_of(consultation):
    return [(s.code, s.title) for t in consultation.themes for p in t.parts for s in p.subtopics]


def forum_titled(db, title):
    return db.session.scalar(db.select(Forum).where(Forum.title == title))


def test_demo_opens_a_current_edition_around_today_with_forums_in_every_state(db, france, one_hash):
    seed_2009(db)
    now = utcnow()
    today = now.astimezone(PARIS).date()

    report = load_demo(now)
    db.session.commit()

    current = Consultation.current()
    assert current.slug == DEMO_SLUG and report.consultation_created
    assert (current.meetings_start_on, current.meetings_end_on) == (today - timedelta(days=30),
                                                                     today + timedelta(days=60))
    assert current.synthesis_due_on == current.meetings_end_on + timedelta(days=10)
    assert current.assises_on > current.synthesis_due_on
    original = db.session.scalar(db.select(Consultation).where(Consultation.slug == "2009"))
    assert (original.meetings_start_on, original.meetings_end_on) == (date(2009, 3, 16), date(2009, 5, 18))
    assert subtopics_of(current) == subtopics_of(original) and len(subtopics_of(current)) == 19

    assert {forum.status for forum in demo_forums(db, "13")} == set(ForumStatus)
    for forum in demo_forums(db):
        assert forum.starts_at.astimezone(PARIS).hour >= 18
        assert current.meetings_start_on <= forum.starts_at.astimezone(PARIS).date() <= current.meetings_end_on
        if forum.status is ForumStatus.HELD:
            assert forum.starts_at < now
        elif forum.status in (ForumStatus.PUBLISHED, ForumStatus.POSTPONED):
            assert forum.starts_at > now
    postponed = forum_titled(db, "Forum de sécurité du pays salonais")
    assert postponed.status is ForumStatus.POSTPONED
    [change] = postponed.date_changes
    assert change.starts_at == postponed.starts_at > change.previous_starts_at and change.reason
    cancelled = forum_titled(db, "Forum de sécurité de Trets et de la haute vallée de l'Arc")
    assert cancelled.status is ForumStatus.CANCELLED and "météorologique" in cancelled.cancellation_reason
    aix = forum_titled(db, "Forum de sécurité du pays d'Aix")
    assert aix.animator_function == "Sous-préfet de l'arrondissement d'Aix-en-Provence"
    assert {(i.full_name, i.attended) for i in aix.invitees} >= {("Mme Leïla Benali", False),
                                                                  ("M. Patrick Roux", True)}

    belfort = department_coverage("90", current)
    assert belfort.is_complete and belfort.total == 9 and belfort.percentage == 100
    assert 0 < department_coverage("13", current).percentage < 100
    martinique = department_coverage("972", current)
    assert martinique.unit_kind == "commune" and martinique.covered_count == 6
    assert all(forum.communes and not forum.cantons for forum in demo_forums(db, "972"))
    assert [(d.code, d.coverage.percentage) for d in report.departments][1] == ("90", 100)

    # Every step went through the services, acting as the demo agents: the audit trail is real.
    forums = demo_forums(db)
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.object_type == "forum",
                                    AuditEvent.object_id.in_([str(f.id) for f in forums]))
    ).all()
    actions = {(event.object_id, event.action) for event in events}
    assert all((str(forum.id), "forum.create") in actions for forum in forums)
    salon = forum_titled(db, "Forum de sécurité du pays salonais")
    assert {(str(salon.id), "forum.publish"), (str(salon.id), "forum.postpone")} <= actions
    held = [f for f in forums if f.status is ForumStatus.HELD]
    assert held and all((str(f.id), "forum.hold") in actions for f in held)
    assert any(action == "invitee.attendance" for _, action in actions)
    draft = forum_titled(db, "Forum de sécurité de Gardanne")
    assert draft.created_by.role is Role.SUBPREFECTURE and draft.arrondissement_code == "131"
    belfort_forum = forum_titled(db, "Forum de sécurité de Belfort")
    assert belfort_forum.created_by.email == "prefecture90@demo.forums-securite.fr"
    for email in ("prefecture90@demo.forums-securite.fr", "prefecture972@demo.forums-securite.fr"):
        agent, failure = authenticate_agent(email, DEMO_PASSWORD)
        assert failure is None and agent.role is Role.PREFECTURE

    # Citizens' questions in every state, moderated and answered through the services.
    questions = db.session.scalars(db.select(Question).where(Question.consultation_id == current.id)).all()
    assert report.questions_created == len(questions) == 23
    by_status = Counter(question.status for question in questions)
    assert by_status == {QuestionStatus.PUBLISHED: 17, QuestionStatus.PENDING: 4, QuestionStatus.REJECTED: 2}
    assert sorted(q.reference for q in questions if q.department_code == "90") == ["90-000001", "90-000002",
                                                                                   "90-000003"]
    answered = [q for q in questions if q.is_answered]
    addressed = [q for q in questions if q.addressed_forum is not None]
    assert len(answered) == 3 and len(addressed) == 4
    assert all(q.addressed_forum.status is ForumStatus.HELD for q in addressed)
    question_events = {event.action for event in db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.object_type == "question"))}
    assert {"question.approve", "question.reject", "question.answer", "question.address"} <= question_events

    # Minutes of the held forums but Arles's, saved through the service; two public summaries.
    minutes = {m.forum.title: m for m in db.session.scalars(db.select(Minutes))}
    assert report.minutes_recorded == len(minutes) == 3
    assert "Forum de sécurité d'Arles et de la Camargue" not in minutes
    assert all(m.version_number == 1 and m.forum.status is ForumStatus.HELD for m in minutes.values())
    assert sorted(title for title, m in minutes.items() if m.summary_published) == [
        "Forum de sécurité du Nord Atlantique", "Forum de sécurité du pays d'Aix"]
    assert sum(len(m.proposals) for m in minutes.values()) == 8
    assert minutes["Forum de sécurité du pays d'Aix"].attendance_public == 142
    assert len([q for q in questions if q.addressed_forum is not None]) == 4

    # The Bouches-du-Rhône's synthesis draft, prepared by its prefecture from those minutes.
    [synthesis] = db.session.scalars(db.select(DepartmentSynthesis)).all()
    assert report.synthesis_prepared and synthesis.department_code == "13"
    assert synthesis.status is SynthesisStatus.DRAFT and synthesis.created_by.email == "prefecture13@demo.forums-securite.fr"
    assert read_generated(synthesis.generated).figures.forums.held.value == 2


def test_demo_needs_the_2009_consultation_then_a_second_load_changes_nothing(db, france, one_hash):
    with pytest.raises(DemoError) as refused:
        load_demo()
    assert "flask consultations seed" in str(refused.value)
    assert "territories" not in str(refused.value)
    db.session.rollback()
    seed_2009(db)
    first = load_demo()
    db.session.commit()
    window = (first.consultation.meetings_start_on, first.consultation.meetings_end_on)
    original = db.session.scalar(db.select(Consultation).where(Consultation.slug == "2009"))
    # An administrator chose another current consultation since: the demo leaves that choice alone.
    set_current_consultation(original)
    db.session.commit()

    def counts():
        return [db.session.scalar(db.select(db.func.count()).select_from(model))
                for model in (Agent, Consultation, Forum, Invitee, Question, AuditEvent)]

    before = counts()
    second = load_demo(utcnow() + timedelta(days=40))
    db.session.commit()

    assert not second.changed and not second.forums_created
    assert counts() == before and before[0] == len(DEMO_AGENTS)
    consultation = db.session.scalar(db.select(Consultation).where(Consultation.slug == DEMO_SLUG))
    assert (consultation.meetings_start_on, consultation.meetings_end_on) == window
    assert Consultation.current().slug == "2009"


def test_demo_needs_every_territory_it_uses(db, territories):
    with pytest.raises(DemoError) as refused:
        load_demo()

    assert "flask territories load" in str(refused.value)
    assert "flask consultations seed" in str(refused.value)
    assert db.session.scalar(db.select(db.func.count()).select_from(Agent)) == 0
