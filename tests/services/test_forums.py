"""Forum scheduling rules, one by one: validation, overlaps, shared cantons, life cycle, audit."""
from datetime import UTC, date, datetime, time, timedelta

import pytest

from forums.models import AuditEvent, Forum, ForumStatus, Role
from forums.services.forums import (
    ForumData, ForumError, SpeakerData, cancel_forum, delete_forum, forum_history, mark_forum_held,
    paris_datetime, postpone_forum, publish_forum, schedule_forum, update_forum, validate_forum,
)

from ..conftest import paris_time


def complete(**changes):
    """Return the data of a complete forum in Aix-en-Provence on 17 March 2009, 18:30–20:30."""
    data = ForumData(
        title="Forum du canton d'Aix-en-Provence-1",
        starts_at=paris_time(2009, 3, 17, 18, 30), ends_at=paris_time(2009, 3, 17, 20, 30),
        venue_name="Salle des fêtes", address="1 place de la Mairie", commune_code="13001",
        accessibility="Salle de plain-pied.", capacity=200, animator_name="Jean Dupont",
        animator_function="Sous-préfet d'Aix-en-Provence", canton_codes=["1301"],
        speakers=[SpeakerData("gendarmerie", "Capitaine Martin", "Commandant de compagnie")],
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


@pytest.fixture
def prefect(create_agent):
    return create_agent(Role.PREFECTURE, department="13")


def errors_of(data, consultation, by, department="13", forum=None, publishing=False):
    errors, _ = validate_forum(data, department, consultation, by, forum, publishing)
    return errors


def test_paris_datetime_is_stored_in_utc_across_the_daylight_saving_change():
    # Summer time starts on 29 March 2009: 18:30 in Paris is 17:30 UTC before, 16:30 UTC after.
    assert paris_datetime(date(2009, 3, 28), time(18, 30)) == datetime(2009, 3, 28, 17, 30, tzinfo=UTC)
    assert paris_datetime(date(2009, 3, 30), time(18, 30)) == datetime(2009, 3, 30, 16, 30, tzinfo=UTC)


def test_a_complete_forum_is_valid(db, consultation, prefect):
    assert validate_forum(complete(), "13", consultation, prefect, publishing=True) == ({}, [])


def test_create_keeps_times_unambiguous_on_every_database(db, consultation, prefect):
    forum = schedule_forum("13", consultation, complete(), prefect)
    db.session.commit()
    db.session.expire_all()

    stored = db.session.get(Forum, forum.id)
    assert stored.starts_at == datetime(2009, 3, 17, 17, 30, tzinfo=UTC)
    assert stored.status is ForumStatus.DRAFT
    assert stored.arrondissement_code == "131"
    assert [c.code for c in stored.cantons] == ["1301"]
    assert [(s.kind.value, s.name) for s in stored.speakers] == [("gendarmerie", "Capitaine Martin")]


@pytest.mark.parametrize("changes, field, message", [
    ({"title": "  "}, "title", "Saisissez le titre"),
    ({"starts_at": paris_time(2009, 3, 15, 18)}, "starts_at", "entre le 16 mars 2009 et le 18 mai 2009"),
    ({"starts_at": paris_time(2009, 5, 19, 18), "ends_at": paris_time(2009, 5, 19, 20)}, "starts_at",
     "entre le 16 mars 2009"),
    ({"ends_at": paris_time(2009, 3, 17, 18, 0)}, "ends_at", "postérieure à l'heure de début"),
    ({"ends_at": paris_time(2009, 3, 18, 18, 30)}, "ends_at", "plus de 12 heures"),
    ({"ends_at": None}, "ends_at", "à la fois"),
    ({"commune_code": "75056"}, "commune_code", "commune du département"),
    ({"commune_code": "99999"}, "commune_code", "commune du département"),
    ({"commune_code": None}, "commune_code", "Choisissez la commune"),
    ({"canton_codes": ["7501"]}, "canton_codes", "n'appartiennent pas au département"),
    ({"canton_codes": ["9999"]}, "canton_codes", "inconnu"),
    ({"commune_codes": ["13001"]}, "commune_codes", "indiquez les cantons"),
    ({"capacity": 0}, "capacity", "supérieur à zéro"),
    ({"title": "x" * 201}, "title", "200 caractères"),
    ({"speakers": [SpeakerData("gendarmerie", "", "Capitaine")]}, "speakers", "indiquez son nom"),
    ({"speakers": [SpeakerData("armee", "X", "")]}, "speakers", "police nationale, gendarmerie"),
])
def test_each_validation_rule(db, consultation, prefect, changes, field, message):
    errors = errors_of(complete(**changes), consultation, prefect)
    assert any(message in text for text in errors.get(field, [])), errors


def test_a_draft_may_be_incomplete_but_publishing_needs_everything(db, consultation, prefect):
    draft = ForumData(title="Forum à préciser", commune_code="13001")
    assert errors_of(draft, consultation, prefect) == {}

    errors = errors_of(draft, consultation, prefect, publishing=True)
    assert "complétez" in errors["__all__"][0]
    for missing in ("la date et l'heure de début", "le lieu", "l'adresse", "les informations d'accessibilité",
                    "l'animateur", "les cantons couverts"):
        assert missing in errors["__all__"][0]


def test_department_without_cantons_is_covered_by_communes(db, consultation, prefect):
    data = complete(commune_code="97209", canton_codes=[], commune_codes=["97209"])
    assert errors_of(data, consultation, None, department="972", publishing=True) == {}

    with_cantons = complete(commune_code="97209", canton_codes=["1301"], commune_codes=[])
    assert "n'a pas de cantons" in errors_of(with_cantons, consultation, None, department="972")["canton_codes"][0]
    foreign = complete(commune_code="97209", canton_codes=[], commune_codes=["13001"])
    assert "n'appartiennent pas" in errors_of(foreign, consultation, None, department="972")["commune_codes"][0]


def test_a_sub_prefect_plans_only_in_its_arrondissement(db, consultation, create_agent):
    sub_prefect = create_agent(Role.SUBPREFECTURE, arrondissement="132")

    errors = errors_of(complete(), consultation, sub_prefect)

    assert "votre arrondissement" in errors["commune_code"][0]
    assert "ne touchent pas votre arrondissement" in errors["canton_codes"][0]
    # Canton 1305 spans arrondissements 131 and 132: Arles may cover it from Arles.
    assert errors_of(complete(commune_code="13004", canton_codes=["1305", "1306"]), consultation,
                     sub_prefect) == {}


def test_the_same_animator_cannot_hold_two_overlapping_forums(db, consultation, prefect, create_forum):
    create_forum(title="Forum d'Arles", commune="13004", cantons=["1306"], venue_name="Salle Jean Moulin",
                 animator_name="Jean  DUPONT", starts_at=paris_time(2009, 3, 17, 19, 0))

    errors = errors_of(complete(), consultation, prefect)
    assert "Jean Dupont anime déjà le forum « Forum d'Arles » le 17 mars 2009 à 19 h 00" in errors["animator_name"][0]

    # Back to back is fine.
    later = complete(starts_at=paris_time(2009, 3, 17, 21, 0), ends_at=paris_time(2009, 3, 17, 22, 0))
    assert "animator_name" not in errors_of(later, consultation, prefect)


def test_the_same_venue_cannot_hold_two_overlapping_forums(db, consultation, prefect, create_forum):
    create_forum(title="Autre forum", venue_name="Salle des Fetes", animator_name="Autre animateur",
                 starts_at=paris_time(2009, 3, 17, 20, 0))

    errors = errors_of(complete(), consultation, prefect)
    assert "accueille déjà le forum « Autre forum »" in errors["venue_name"][0]
    # The same hall name in another commune is another hall.
    elsewhere = complete(commune_code="13014", canton_codes=["1305"])
    assert "venue_name" not in errors_of(elsewhere, consultation, prefect)


def test_cancelled_forums_do_not_block_their_slot(db, consultation, prefect, create_forum):
    create_forum(status=ForumStatus.CANCELLED, animator_name="Jean Dupont", cancellation_reason="Intempéries")
    assert errors_of(complete(), consultation, prefect) == {}


def test_a_canton_already_covered_needs_confirmation(db, consultation, prefect, create_forum):
    create_forum(title="Premier forum", animator_name="Autre", venue_name="Autre salle",
                 starts_at=paris_time(2009, 4, 2))

    with pytest.raises(ForumError) as refused:
        create_forum_for(consultation, prefect)
    assert refused.value.errors == {}
    assert refused.value.warnings == [
        "Le canton Aix-en-Provence-1 est déjà couvert(e) par le forum « Premier forum » le 2 avril 2009 à 18 h 30."
    ]
    assert db.session.scalar(db.select(db.func.count()).select_from(Forum)) == 1

    forum = schedule_forum("13", consultation, complete(), prefect, confirm_shared=True)
    assert forum.id is not None


def create_forum_for(consultation, prefect):
    return schedule_forum("13", consultation, complete(), prefect)


def test_life_cycle_publish_postpone_hold(db, consultation, prefect):
    forum = create_forum_for(consultation, prefect)
    publish_forum(forum, prefect)
    assert (forum.status, forum.sequence) == (ForumStatus.PUBLISHED, 1)
    assert forum.published_at is not None

    old_start = forum.starts_at
    postpone_forum(forum, paris_time(2009, 4, 7, 18, 30), paris_time(2009, 4, 7, 20, 30), "Salle indisponible",
                   prefect)
    assert forum.status is ForumStatus.POSTPONED
    assert forum.sequence == 2
    assert [(c.previous_starts_at, c.reason) for c in forum.date_changes] == [(old_start, "Salle indisponible")]

    with pytest.raises(ForumError, match="heure de début"):
        mark_forum_held(forum, prefect, now=paris_time(2009, 4, 7, 18, 0))
    mark_forum_held(forum, prefect, now=paris_time(2009, 4, 7, 21, 0))
    assert forum.status is ForumStatus.HELD

    with pytest.raises(ForumError, match="ne se modifie plus"):
        update_forum(forum, complete(title="Autre titre"), prefect)


def test_cancel_needs_a_reason_and_keeps_the_forum(db, consultation, prefect):
    forum = create_forum_for(consultation, prefect)
    publish_forum(forum, prefect)

    with pytest.raises(ForumError) as refused:
        cancel_forum(forum, "   ", prefect)
    assert "motif" in refused.value.errors["reason"][0]

    cancel_forum(forum, "Alerte météo", prefect)
    assert (forum.status, forum.cancellation_reason) == (ForumStatus.CANCELLED, "Alerte météo")


@pytest.mark.parametrize("status, operation", [
    (ForumStatus.PUBLISHED, "publish"), (ForumStatus.HELD, "publish"), (ForumStatus.CANCELLED, "publish"),
    (ForumStatus.DRAFT, "cancel"), (ForumStatus.HELD, "cancel"), (ForumStatus.CANCELLED, "cancel"),
    (ForumStatus.DRAFT, "postpone"), (ForumStatus.HELD, "postpone"),
    (ForumStatus.DRAFT, "hold"), (ForumStatus.CANCELLED, "hold"),
    (ForumStatus.PUBLISHED, "delete"),
])
def test_refused_transitions(db, prefect, create_forum, status, operation):
    forum = create_forum(status=status)
    calls = {
        "publish": lambda: publish_forum(forum, prefect),
        "cancel": lambda: cancel_forum(forum, "motif", prefect),
        "postpone": lambda: postpone_forum(forum, paris_time(2009, 4, 1), paris_time(2009, 4, 1, 20), "", prefect),
        "hold": lambda: mark_forum_held(forum, prefect, now=paris_time(2009, 5, 1)),
        "delete": lambda: delete_forum(forum, prefect),
    }
    with pytest.raises(ForumError, match="Impossible de"):
        calls[operation]()
    assert forum.status is status


def test_publishing_an_incomplete_draft_is_refused(db, consultation, prefect):
    forum = schedule_forum("13", consultation, ForumData(title="À compléter", commune_code="13001"), prefect)

    with pytest.raises(ForumError) as refused:
        publish_forum(forum, prefect)
    assert "Pour publier le forum, complétez" in refused.value.errors["__all__"][0]
    assert forum.status is ForumStatus.DRAFT


def test_postponing_to_a_date_outside_the_window_is_refused(db, consultation, prefect):
    forum = create_forum_for(consultation, prefect)
    publish_forum(forum, prefect)

    with pytest.raises(ForumError) as refused:
        postpone_forum(forum, paris_time(2009, 6, 2), paris_time(2009, 6, 2, 20), "", prefect)
    assert "starts_at" in refused.value.errors
    assert forum.status is ForumStatus.PUBLISHED
    assert forum.date_changes == []


def test_public_edits_bump_the_sequence_and_draft_edits_do_not(db, consultation, prefect):
    forum = create_forum_for(consultation, prefect)
    update_forum(forum, complete(title="Nouveau titre"), prefect)
    assert forum.sequence == 0

    publish_forum(forum, prefect)
    update_forum(forum, complete(title="Nouveau titre", venue_name="Gymnase"), prefect)
    assert forum.sequence == 2
    # Saving without a change changes nothing.
    update_forum(forum, complete(title="Nouveau titre", venue_name="Gymnase"), prefect)
    assert forum.sequence == 2


def test_every_operation_is_in_the_forum_history(db, consultation, prefect):
    forum = create_forum_for(consultation, prefect)
    update_forum(forum, complete(venue_name="Gymnase", canton_codes=["1301", "1305"]), prefect)
    publish_forum(forum, prefect)
    cancel_forum(forum, "Intempéries", prefect)
    db.session.commit()

    history = forum_history(forum)
    assert [event.action for event in history] == ["forum.create", "forum.update", "forum.publish", "forum.cancel"]
    assert all(event.agent_id == prefect.id and event.department_code == "13" for event in history)
    update = history[1]
    assert update.changes["venue_name"] == ["Salle des fêtes", "Gymnase"]
    assert update.changes["cantons"] == [["1301"], ["1301", "1305"]]


def test_deleting_a_draft_keeps_its_audit_trail(db, consultation, prefect):
    forum = create_forum_for(consultation, prefect)
    forum_id = forum.id
    delete_forum(forum, prefect)
    db.session.commit()

    assert db.session.get(Forum, forum_id) is None
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.object_id == str(forum_id))).all()
    assert actions == ["forum.create", "forum.delete"]


def test_naive_datetimes_are_refused_at_the_database_boundary(db, consultation, prefect):
    forum = create_forum_for(consultation, prefect)
    forum.starts_at = datetime(2009, 3, 17, 18, 30)
    with pytest.raises(Exception, match="naive datetime"):
        db.session.flush()
    db.session.rollback()


def test_times_survive_a_round_trip_in_paris_time(db, consultation, prefect):
    forum = schedule_forum("13", consultation, complete(
        starts_at=paris_datetime(date(2009, 3, 30), time(18, 30)),
        ends_at=paris_datetime(date(2009, 3, 30), time(20, 0)) + timedelta(minutes=30),
    ), prefect)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Forum, forum.id)
    assert stored.starts_at.astimezone(paris_time(2009, 3, 30).tzinfo) == datetime(2009, 3, 30, 16, 30, tzinfo=UTC)


def test_a_martinique_sub_prefect_covers_only_communes_of_its_arrondissement(db, consultation, create_agent):
    # Martinique has no cantons: forums cover communes, and the commune branch checks the arrondissement
    # as the canton branch does, for the commune where the forum is held and for those it covers.
    from forums.models import Arrondissement, Commune

    db.session.add(Arrondissement(code="9722", name="La Trinité", department_code="972", capital_code="97230"))
    db.session.add(Commune(code="97230", name="La Trinité", department_code="972", arrondissement_code="9722",
                           canton_code=None, postal_codes="97220", population=12000, search_name="la trinite"))
    db.session.commit()
    sub_prefect = create_agent(Role.SUBPREFECTURE, arrondissement="9721")
    own = complete(commune_code="97209", canton_codes=[], commune_codes=["97209"])
    assert errors_of(own, consultation, sub_prefect, department="972") == {}
    other = complete(commune_code="97209", canton_codes=[], commune_codes=["97209", "97230"])
    assert "La Trinité" in errors_of(other, consultation, sub_prefect, department="972")["commune_codes"][-1]
    with pytest.raises(ForumError):
        schedule_forum("972", consultation, other, sub_prefect)
    held_elsewhere = complete(commune_code="97230", canton_codes=[], commune_codes=["97209"])
    assert "commune_code" in errors_of(held_elsewhere, consultation, sub_prefect, department="972")


def test_single_line_fields_lose_their_line_breaks_and_control_characters(db, consultation, prefect):
    # A title with CR/LF used to break every reminder about the forum: a mail subject is one line.
    forum = schedule_forum("13", consultation, complete(
        title="Forum d'Aix\r\nBcc: victime@example.fr", venue_name="Salle\tdes\x00 fêtes",
        animator_name="Jean\u2028Dupont", speakers=[SpeakerData("gendarmerie", "Capitaine\nMartin", "Chef\rde poste")]),
        prefect)
    db.session.commit()
    assert forum.title == "Forum d'Aix Bcc: victime@example.fr"
    assert forum.venue_name == "Salle des fêtes"
    assert forum.animator_name == "Jean Dupont"
    assert (forum.speakers[0].name, forum.speakers[0].function) == ("Capitaine Martin", "Chef de poste")
