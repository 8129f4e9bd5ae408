"""Clearing the queue by groups: how pending questions are grouped, and one decision for a whole group."""
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from forums.extensions import db as _db
from forums.models import (
    Agent, AuditEvent, OutgoingMail, Question, QuestionSimilarityKey, QuestionStatus, QuestionSupport, RejectionReason,
    Role,
)
from forums.services import moderation_groups, similarity_index
from forums.services.moderation import ModerationError
from forums.services.moderation_groups import GroupKind, decide_group, pending_groups

NOW = datetime.now(UTC)
ASKED = "Que fait la police contre les cambriolages répétés dans le quartier de la gare le samedi soir ?"
#: Same terms but one more: Jaccard 7/8 with ASKED.
NEAR_ASKED = "Que fait la police contre les cambriolages répétés dans le quartier de la gare le samedi soir tard ?"
REPEATED = "Pourquoi les patrouilles de gendarmerie ont-elles disparu des villages du plateau depuis deux ans ?"
CAMERAS = "Combien de caméras de vidéoprotection seront installées autour du collège Jean Moulin cette année ?"
NEAR_CAMERAS = ("Combien de caméras de vidéoprotection seront installées autour du collège Jean Moulin "
                "cette année au nord ?")
ALONE = "Les policiers municipaux de Marseille pourront-ils verbaliser les rodéos urbains sur les plages du Prado ?"


def ago(hours):
    return NOW - timedelta(hours=hours)


def references(group):
    return [question.reference for question in group.members]


@pytest.fixture
def agent(create_agent):
    return create_agent(Role.MODERATOR, department="13")


@pytest.fixture
def seeded(db, create_question):
    """A department whose queue holds every kind of group, and a question of another department."""
    made = {
        "original": create_question(ASKED, status=QuestionStatus.PUBLISHED, submitted_at=ago(100)),
        "repeat_1": create_question(ASKED, submitted_at=ago(50), email="un@exemple.fr"),
        "alone": create_question(ALONE, submitted_at=ago(49)),
        "short_1": create_question("Caméras ?", submitted_at=ago(48)),
        "exact_1": create_question(REPEATED, submitted_at=ago(47)),
        "repeat_2": create_question(NEAR_ASKED, submitted_at=ago(46)),
        "exact_2": create_question(REPEATED, submitted_at=ago(45), email="deux@exemple.fr"),
        "cameras_1": create_question(CAMERAS, submitted_at=ago(44)),
        "short_2": create_question("Plus de police !", submitted_at=ago(43)),
        "exact_3": create_question(REPEATED, submitted_at=ago(42)),
        "cameras_2": create_question(NEAR_CAMERAS, submitted_at=ago(41)),
        "paris": create_question(REPEATED, department="75", submitted_at=ago(60)),
        "rejected": create_question(REPEATED, status=QuestionStatus.REJECTED, submitted_at=ago(90),
                                    rejection_reason=RejectionReason.DUPLICATE),
    }
    return made


def test_pending_questions_are_grouped_by_what_they_repeat_in_queue_order(db, seeded):
    page = pending_groups("13")
    q = seeded
    assert [(group.kind, sorted(references(group))) for group in page.groups] == [
        (GroupKind.PUBLISHED, sorted([q["repeat_1"].reference, q["repeat_2"].reference])),
        (GroupKind.SINGLE, [q["alone"].reference]),
        (GroupKind.SHORT, sorted([q["short_1"].reference, q["short_2"].reference])),
        (GroupKind.EXACT, sorted([q["exact_1"].reference, q["exact_2"].reference, q["exact_3"].reference])),
        (GroupKind.NEAR, sorted([q["cameras_1"].reference, q["cameras_2"].reference])),
    ]
    published, alone, short, exact, near = page.groups
    assert published.original.id == q["original"].id and exact.original is None
    # The fullest text stands for a group of near repeats; the oldest for identical ones.
    assert published.representative.id == q["repeat_2"].id
    assert exact.representative.id == q["exact_1"].id
    assert near.representative.id == q["cameras_2"].id
    assert (page.pending, page.questions_shown) == (10, 10)
    assert published.actions == ("merge", "publish", "reject") and short.actions == ("reject",)
    assert exact.actions == ("publish", "reject")


def test_the_most_supported_member_stands_for_its_group(db, create_question):
    create_question(REPEATED, submitted_at=ago(3))
    supported = create_question(REPEATED, submitted_at=ago(2), support_count=4)
    (group,) = pending_groups("13").groups
    assert group.representative.id == supported.id and group.size == 2


def test_a_page_holds_a_bounded_number_of_groups_and_of_members(db, create_question, monkeypatch):
    monkeypatch.setattr(moderation_groups, "GROUP_MAX", 3)
    for hours in range(5):
        create_question(REPEATED, submitted_at=ago(100 - hours))
    for n, text in enumerate((ALONE, CAMERAS, ASKED, "Quand la brigade de Gardanne rouvrira-t-elle son accueil "
                                                    "du public le samedi matin pour les plaintes ?")):
        create_question(text, submitted_at=ago(50 - n))
    page = pending_groups("13", limit=3)
    assert [group.size for group in page.groups] == [3, 2, 1]
    assert page.pending == 9


def test_grouping_costs_the_same_queries_whatever_the_size_of_the_department(db, create_question, count_queries):
    def add(count, start):
        for n in range(count):
            create_question(REPEATED, submitted_at=ago(start + n))
            create_question(ASKED, status=QuestionStatus.PUBLISHED, submitted_at=ago(1000 + start + n))
            create_question(f"{ALONE} Et la question {start + n} ?", submitted_at=ago(start + n))

    def queries():
        db.session.expire_all()
        with count_queries() as statements:
            assert pending_groups("13", window=6).groups
        return len(statements)

    add(4, 10)
    few = queries()
    add(30, 100)
    assert queries() == few
    assert few <= 8


# --- decisions ------------------------------------------------------------------------------------

def reload(db, question):
    db.session.expire_all()
    return db.session.get(Question, question.id)


def outbox(db):
    return {mail.recipient: mail for mail in db.session.scalars(select(OutgoingMail))}


def audit_actions(db, question):
    return [event.action for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "question", AuditEvent.object_id == str(question.id))
        .order_by(AuditEvent.id))]


def test_publish_the_best_one_and_merge_the_others_into_it(db, seeded, agent):
    q = seeded
    db.session.add(QuestionSupport(question_id=q["exact_3"].id, supporter_hash="a" * 64))
    q["exact_3"].support_count = 1
    db.session.commit()
    members = [q["exact_1"], q["exact_2"], q["exact_3"]]
    decision = decide_group("13", [str(m.id) for m in members], "publish", agent, keep_id=str(q["exact_1"].id))
    db.session.commit()
    kept, second, third = (reload(db, m) for m in members)
    assert kept.status is QuestionStatus.PUBLISHED and decision.kept.id == kept.id
    assert (second.status, second.merged_into_id) == (QuestionStatus.MERGED, kept.id)
    assert (third.status, third.merged_into_id) == (QuestionStatus.MERGED, kept.id)
    # Each merged author counts as one support, and the support given to the third one moves over.
    assert kept.support_count == 3
    assert db.session.scalar(select(QuestionSupport.question_id)) == kept.id
    mail = outbox(db)["deux@exemple.fr"]
    assert mail.kind == "decision" and mail.question_id == second.id
    assert "rejoint une question déjà posée" in mail.subject
    assert kept.reference in mail.body and "17 ou le 112" in mail.body
    assert audit_actions(db, kept) == ["question.approve", "question.absorb", "question.absorb"]
    assert audit_actions(db, second) == ["question.merge"]


def test_merge_a_whole_group_into_the_published_original(db, seeded, agent):
    q = seeded
    original = q["original"]
    members = [q["repeat_1"], q["repeat_2"]]
    decision = decide_group("13", [m.id for m in members], "merge", agent, original_id=original.id)
    db.session.commit()
    assert len(decision.mails) == 1
    for member in members:
        member = reload(db, member)
        assert (member.status, member.merged_into_id, member.moderated_by_id) == \
            (QuestionStatus.MERGED, original.id, agent.id)
    assert reload(db, original).support_count == 2
    mail = outbox(db)["un@exemple.fr"]
    assert mail.subject == f"Votre question {q['repeat_1'].reference} rejoint une question déjà posée"
    assert f"la question {original.reference}" in mail.body


def test_reject_a_whole_group_for_one_reason(db, seeded, agent):
    q = seeded
    members = [q["exact_1"], q["exact_2"], q["exact_3"]]
    decide_group("13", [m.id for m in members], "reject", agent, reason="hors_sujet", note="Hors du sujet.")
    db.session.commit()
    for member in members:
        member = reload(db, member)
        assert (member.status, member.rejection_reason, member.rejection_note) == \
            (QuestionStatus.REJECTED, RejectionReason.OFF_TOPIC, "Hors du sujet.")
    mail = outbox(db)["deux@exemple.fr"]
    assert mail.subject == f"Votre question {q['exact_2'].reference} n'est pas publiée"
    assert RejectionReason.OFF_TOPIC.label in mail.body and "Hors du sujet." in mail.body


def state(db):
    db.session.expire_all()
    return ([(question.id, question.status, question.merged_into_id, question.support_count)
             for question in db.session.scalars(select(Question).order_by(Question.id))],
            db.session.scalar(select(func.count()).select_from(AuditEvent)),
            db.session.scalar(select(func.count()).select_from(OutgoingMail)))


@pytest.mark.parametrize("case, field, message", [
    ("empty", "question_ids", "Ce groupe est vide"),
    ("too many", "question_ids", "Un groupe compte au plus 100 questions"),
    ("other department", "question_ids", "introuvables dans ce département"),
    ("unknown", "question_ids", "introuvables dans ce département"),
    ("not a number", "question_ids", "n'est pas valide"),
    ("decided meanwhile", None, "Le groupe a changé depuis l'affichage de la page"),
    ("into a rejected question", "original", "est « non publiée » : on ne regroupe des questions qu'avec"),
    ("into a merged question", "original", "est « regroupée avec une question identique » : on ne"),
    ("into a member", "original", "fait partie du groupe"),
    ("into another department", "original", "introuvable dans ce département"),
    ("keep outside the group", "keep", "Choisissez, parmi les questions du groupe"),
    ("no reason", "reason", "Choisissez le motif"),
    ("unknown reason", "reason", "Choisissez le motif"),
    ("unknown action", "action", "Choisissez une décision"),
])
def test_bad_group_decisions_are_refused_and_change_nothing(db, seeded, agent, create_question, case, field,
                                                            message):
    q = seeded
    ids = [q["exact_1"].id, q["exact_2"].id]
    merged = create_question(REPEATED, status=QuestionStatus.MERGED, merged_into_id=q["original"].id)
    arguments = {
        "empty": dict(question_ids=[], action="reject", reason="hors_sujet"),
        "too many": dict(question_ids=range(1, 102), action="reject", reason="hors_sujet"),
        "other department": dict(question_ids=ids + [q["paris"].id], action="reject", reason="hors_sujet"),
        "unknown": dict(question_ids=ids + [999_999], action="reject", reason="hors_sujet"),
        "not a number": dict(question_ids=["abc"], action="reject", reason="hors_sujet"),
        "decided meanwhile": dict(question_ids=ids + [q["rejected"].id], action="reject", reason="hors_sujet"),
        "into a rejected question": dict(question_ids=ids, action="merge", original_id=q["rejected"].id),
        "into a merged question": dict(question_ids=ids, action="merge", original_id=merged.id),
        "into a member": dict(question_ids=ids, action="merge", original_id=ids[0]),
        "into another department": dict(question_ids=ids, action="merge", original_id=q["paris"].id),
        "keep outside the group": dict(question_ids=ids, action="publish", keep_id=q["alone"].id),
        "no reason": dict(question_ids=ids, action="reject"),
        "unknown reason": dict(question_ids=ids, action="reject", reason="because"),
        "unknown action": dict(question_ids=ids, action="approve"),
    }[case]
    before = state(db)
    with pytest.raises(ModerationError) as refused:
        decide_group("13", by=agent, **arguments)
    db.session.rollback()
    assert (refused.value.field, message in refused.value.message) == (field, True), refused.value.message
    assert state(db) == before
    if case == "decided meanwhile":
        assert f"{q['rejected'].reference} (non publiée)" in refused.value.message


def decide_in_thread(app, agent_id, ids, outcome, started=None):
    """Decide a group in its own session, as another server thread would; record "ok" or the refusal."""
    with app.app_context():
        try:
            by = _db.session.get(Agent, agent_id)
            if started is not None:
                started.wait()
            decide_group("13", ids, "reject", by, reason="hors_sujet")
            _db.session.commit()
            outcome.append("ok")
        except ModerationError as error:
            _db.session.rollback()
            outcome.append(error.message)
        finally:
            _db.session.remove()


def test_a_member_decided_by_a_colleague_a_second_earlier_stops_the_whole_group(app, db, seeded, agent):
    """The group was read, a colleague then decided one member: refused, with what changed; nothing decided twice."""
    q = seeded
    members = [q["exact_1"], q["exact_2"], q["exact_3"]]
    db.session.expire_all()
    # The group as the request read it: every member still pending in this session.
    assert all(db.session.get(Question, m.id).status is QuestionStatus.PENDING for m in members)
    colleague = []
    thread = threading.Thread(target=decide_in_thread, args=(app, agent.id, [members[1].id], colleague))
    thread.start()
    thread.join(30)
    assert colleague == ["ok"]
    with pytest.raises(ModerationError) as refused:
        decide_group("13", [m.id for m in members], "publish", agent, keep_id=members[0].id)
    db.session.rollback()
    assert f"Le groupe a changé depuis l'affichage de la page : {members[1].reference} (non publiée)" \
        in refused.value.message
    statuses = [reload(db, m).status for m in members]
    assert statuses == [QuestionStatus.PENDING, QuestionStatus.REJECTED, QuestionStatus.PENDING]
    assert audit_actions(db, members[1]) == ["question.reject"]


def test_two_simultaneous_group_decisions_decide_each_question_once(app, db, seeded, agent):
    q = seeded
    first = [q["exact_1"].id, q["exact_2"].id]
    second = [q["exact_2"].id, q["exact_3"].id]
    outcomes, started = [], threading.Barrier(2)
    threads = [threading.Thread(target=decide_in_thread, args=(app, agent.id, ids, outcomes, started))
               for ids in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcome == "ok" for outcome in outcomes) == [False, True], outcomes
    decided = {m.id for m in (q["exact_1"], q["exact_2"], q["exact_3"])
               if reload(db, m).status is QuestionStatus.REJECTED}
    assert decided in ({*first}, {*second})
    assert all(audit_actions(db, q[name]).count("question.reject") <= 1 for name in ("exact_1", "exact_2", "exact_3"))


def test_candidates_sharing_fewer_keys_than_asked_are_left_out(db, create_question):
    many, one = create_question(REPEATED), create_question(ALONE)
    db.session.execute(QuestionSimilarityKey.__table__.insert(), [
        {"key": key, "question_id": question.id} for question, keys in ((many, (1, 2, 3)), (one, (1,)))
        for key in keys])
    db.session.commit()
    probe = "probe"
    found, _ = similarity_index.candidates({probe: [1, 2, 9]}, [QuestionStatus.PENDING])
    assert found[probe] == {many.id, one.id}
    found, rows = similarity_index.candidates({probe: [1, 2, 9]}, [QuestionStatus.PENDING], min_shared=2)
    assert found[probe] == {many.id} and set(rows) == {many.id} and rows[many.id].status is QuestionStatus.PENDING
