"""A moderator's edit takes personal data out of a question: the journal keeps none of it, before or after the purge."""
import html

from forums.models import AuditEvent, QuestionStatus, Role
from forums.services.personal_data import purge_personal_data

from ..conftest import new_client, second_step

ORIGINAL = "Mon voisin Jean Dupuis, au 06 12 34 56 78, se fait cambrioler sans cesse : que fait la police ?"
EDITED = "Un habitant se fait cambrioler sans cesse : que fait la police ?"
PERSONAL = ("Jean Dupuis", "06 12 34 56 78")


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return html.unescape(response.get_data(as_text=True))


def test_edited_personal_data_stays_out_of_the_journal_and_the_history(db, app, client, login, create_agent,
                                                                         consultation, create_question):
    question = create_question(ORIGINAL, status=QuestionStatus.PUBLISHED)
    moderator = create_agent(Role.MODERATOR, department="13")
    login(moderator)
    assert client.post(f"/moderation/questions/{question.id}/texte-public",
                       data={"edit-public_text": EDITED}).status_code == 303

    purge_personal_data(consultation, force=True)
    db.session.commit()

    stored = repr([(event.summary, event.changes) for event in db.session.scalars(db.select(AuditEvent))])
    history = page(client, f"/moderation/questions/{question.id}")
    admin = new_client(app)
    administrator = create_agent(Role.ADMIN)
    admin.post("/auth/login", data={"email": administrator.email, "password": "mot-de-passe-de-test-1"})
    second_step(admin, administrator)
    journal = page(admin, "/admin/journal")
    for personal in PERSONAL:
        assert personal not in stored
        assert personal not in history
        assert personal not in journal
    assert EDITED in history


def test_the_purge_redacts_edits_journaled_with_the_replaced_text(db, consultation, create_question, create_agent):
    # Events written before the journal stopped keeping replaced texts still held them.
    from forums.services.audit import record_event

    question = create_question(ORIGINAL, status=QuestionStatus.PUBLISHED, public_text=EDITED)
    record_event("question.edit", "question", question.id, by=create_agent(Role.MODERATOR, department="13"),
                 department_code="13", summary="Texte public modifié.", changes={"public_text": [ORIGINAL, EDITED]})
    db.session.commit()

    purge_personal_data(consultation, force=True)
    db.session.commit()
    db.session.expire_all()

    [edit] = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "question.edit")).all()
    assert edit.changes["public_text"][1] == EDITED
    assert all(personal not in repr(edit.changes) for personal in PERSONAL)
