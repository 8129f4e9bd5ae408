"""Invitees: validation, CSV import (all or nothing) and export, attendance, audit events."""
import io
from datetime import timedelta

import pytest

from forums.models import AuditEvent, Invitee, InviteeQuality, Role
from forums.services.invitees import (
    IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, InviteeError, InviteeImportError, add_invitee,
    export_invitees_csv, import_invitees_csv, parse_quality, record_attendance, remove_invitee,
    update_invitee,
)
from forums.timeutils import utcnow

HEADER = "nom;qualite;organisation;email\r\n"


@pytest.fixture
def agent(create_agent):
    return create_agent(Role.PREFECTURE, department="13")


@pytest.fixture
def forum(create_forum):
    return create_forum()


def person(**changes):
    data = {"full_name": "Jeanne Martin", "quality": "elu", "organisation": "Mairie d'Aix",
            "email": "jeanne.martin@example.fr"}
    data.update(changes)
    return data


def all_invitees(db, forum=None):
    query = db.select(Invitee).order_by(Invitee.id)
    if forum is not None:
        query = query.where(Invitee.forum_id == forum.id)
    return db.session.scalars(query).all()


def audit(db):
    return db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()


def refused_import(forum, content, agent):
    with pytest.raises(InviteeImportError) as caught:
        import_invitees_csv(forum, content, agent)
    return caught.value.errors


# --- adding, changing, removing -------------------------------------------------------------------

def test_add_invitee_stores_clean_values_and_records_an_event(db, forum, agent):
    invitee = add_invitee(forum, person(full_name="  Jeanne   Martin ", email=" jeanne.martin@example.fr "),
                          agent)
    db.session.commit()
    assert (invitee.full_name, invitee.quality, invitee.organisation, invitee.email, invitee.attended) == (
        "Jeanne Martin", InviteeQuality.ELECTED, "Mairie d'Aix", "jeanne.martin@example.fr", None)
    [event] = audit(db)
    assert (event.action, event.object_type, event.object_id, event.agent_id, event.department_code) == (
        "invitee.add", "forum", str(forum.id), agent.id, "13")
    assert "Jeanne Martin" in event.summary
    assert event.changes["quality"] == [None, "elu"]


def test_email_is_optional(db, forum, agent):
    assert add_invitee(forum, person(email="  "), agent).email is None


@pytest.mark.parametrize("changes, field, words", [
    ({"full_name": "   "}, "full_name", "Nom obligatoire"),
    ({"full_name": "x" * 151}, "full_name", "Nom trop long (150 caractères au plus)"),
    ({"quality": "maire"}, "quality", "Qualité « maire » inconnue (valeurs possibles : Élu, "),
    ({"quality": ""}, "quality", "Qualité obligatoire"),
    ({"organisation": "o" * 201}, "organisation", "Organisation trop longue (200 caractères au plus)"),
    ({"email": "jeanne@"}, "email", "Adresse électronique « jeanne@ » invalide"),
    ({"email": "a" * 250 + "@x.fr"}, "email", "Adresse électronique trop longue"),
])
def test_invalid_invitee_is_refused_with_a_message_naming_the_field(db, forum, agent, changes, field, words):
    with pytest.raises(InviteeError) as caught:
        add_invitee(forum, person(**changes), agent)
    assert list(caught.value.errors) == [field]
    assert words in caught.value.errors[field]
    assert all_invitees(db) == [] and audit(db) == []


def test_every_wrong_field_is_reported_at_once(db, forum, agent):
    with pytest.raises(InviteeError) as caught:
        add_invitee(forum, person(full_name="", quality="roi", email="non"), agent)
    assert set(caught.value.errors) == {"full_name", "quality", "email"}


@pytest.mark.parametrize("value, quality", [
    ("elu", InviteeQuality.ELECTED), ("Élu", InviteeQuality.ELECTED), ("ÉLUE", InviteeQuality.ELECTED),
    ("Président d'association", InviteeQuality.ASSOCIATION),
    ("president d’association", InviteeQuality.ASSOCIATION),
    ("president_association", InviteeQuality.ASSOCIATION),
    (" socio-professionnel ", InviteeQuality.PROFESSIONAL),
    ("Référent participation citoyenne", InviteeQuality.CITIZEN_REFERENT),
    ("autre", InviteeQuality.OTHER), ("maire", None), ("", None),
])
def test_quality_is_read_from_its_code_or_french_label(value, quality):
    assert parse_quality(value) is quality


def test_same_name_and_organisation_cannot_be_invited_twice(db, forum, agent, create_forum):
    add_invitee(forum, person(), agent)
    with pytest.raises(InviteeError) as caught:
        add_invitee(forum, person(full_name="JEANNE  martin", organisation="mairie d'aix", email=""), agent)
    assert "figure déjà parmi les invités" in caught.value.errors["full_name"]
    add_invitee(forum, person(organisation="Conseil départemental"), agent)
    add_invitee(create_forum(title="Autre forum"), person(), agent)
    assert len(all_invitees(db)) == 3


def test_update_invitee_records_what_changed(db, forum, agent):
    invitee = add_invitee(forum, person(), agent)
    changes = update_invitee(invitee, person(quality="Autre", email=""), agent)
    db.session.commit()
    assert changes == {"quality": ["elu", "autre"], "email": ["jeanne.martin@example.fr", None]}
    assert (invitee.quality, invitee.email) == (InviteeQuality.OTHER, None)
    assert [e.action for e in audit(db)] == ["invitee.add", "invitee.update"]
    assert audit(db)[-1].changes == changes


def test_update_without_change_records_nothing(db, forum, agent):
    invitee = add_invitee(forum, person(), agent)
    assert update_invitee(invitee, person(), agent) == {}
    assert [e.action for e in audit(db)] == ["invitee.add"]


def test_update_refuses_invalid_data_and_duplicates(db, forum, agent):
    first = add_invitee(forum, person(), agent)
    second = add_invitee(forum, person(full_name="Paul Durand"), agent)
    with pytest.raises(InviteeError):
        update_invitee(second, person(), agent)
    with pytest.raises(InviteeError):
        update_invitee(first, person(email="nope"), agent)
    db.session.commit()
    assert second.full_name == "Paul Durand" and first.email == "jeanne.martin@example.fr"


def test_remove_invitee(db, forum, agent):
    invitee = add_invitee(forum, person(), agent)
    remove_invitee(invitee, agent)
    db.session.commit()
    assert all_invitees(db) == []
    event = audit(db)[-1]
    assert (event.action, event.object_id) == ("invitee.remove", str(forum.id))
    assert "Jeanne Martin" in event.summary


# --- attendance -----------------------------------------------------------------------------------

def test_attendance_is_a_set_of_ticks(db, forum, agent):
    came = add_invitee(forum, person(), agent)
    missed = add_invitee(forum, person(full_name="Paul Durand"), agent)
    assert record_attendance(forum, {came.id}, agent) == 2
    db.session.commit()
    assert (came.attended, missed.attended) == (True, False)
    assert record_attendance(forum, [str(missed.id)], agent) == 2
    assert (came.attended, missed.attended) == (False, True)
    events = [e for e in audit(db) if e.action == "invitee.attendance"]
    assert len(events) == 2 and events[0].summary == "Présence relevée : 1 présent sur 2 invités."
    assert events[0].changes[f"Jeanne Martin (n° {came.id})"] == [None, True]


def test_attendance_waits_for_the_forum_to_start(db, create_forum, agent):
    forum = create_forum(starts_at=utcnow() + timedelta(days=2))
    invitee = add_invitee(forum, person(), agent)
    with pytest.raises(InviteeError) as caught:
        record_attendance(forum, {invitee.id}, agent)
    assert "une fois le forum commencé" in caught.value.message
    assert invitee.attended is None
    assert [e.action for e in audit(db)] == ["invitee.add"]


def test_attendance_refuses_invitees_of_another_forum(db, forum, create_forum, agent):
    other = add_invitee(create_forum(title="Autre"), person(), agent)
    mine = add_invitee(forum, person(), agent)
    with pytest.raises(InviteeError, match="Invités inconnus"):
        record_attendance(forum, {mine.id, other.id}, agent)
    assert (mine.attended, other.attended) == (None, None)


# --- CSV import -----------------------------------------------------------------------------------

GOOD_ROWS = (
    "Jeanne Martin;Élu;Mairie d'Aix;jeanne.martin@example.fr\r\n"
    "Paul Durand;président d'association;Les Amis du quartier;\r\n"
    "\r\n"
    "Zoé Lefèvre;referent_participation_citoyenne;;zoe@example.fr\r\n"
)


def test_import_utf8_with_bom_and_semicolons(db, forum, agent):
    added = import_invitees_csv(forum, ("\ufeff" + HEADER + GOOD_ROWS).encode("utf-8"), agent)
    db.session.commit()
    assert [(i.full_name, i.quality, i.organisation, i.email) for i in all_invitees(db)] == [
        ("Jeanne Martin", InviteeQuality.ELECTED, "Mairie d'Aix", "jeanne.martin@example.fr"),
        ("Paul Durand", InviteeQuality.ASSOCIATION, "Les Amis du quartier", None),
        ("Zoé Lefèvre", InviteeQuality.CITIZEN_REFERENT, "", "zoe@example.fr"),
    ]
    assert len(added) == 3
    [event] = audit(db)
    assert (event.action, event.object_type, event.object_id, event.department_code) == (
        "invitee.import", "forum", str(forum.id), "13")
    assert event.summary == "3 invités importés depuis un fichier CSV."
    assert event.changes == {"invitees": [0, 3]}


def test_import_comma_file_with_french_header_variants(db, forum, agent):
    content = ('Nom,Qualité,Organisation,E-mail\n'
               '"Martin, Jeanne",ELU,"Mairie d\'Aix, service jeunesse",\n'
               'Paul Durand,Autre,,paul@example.fr\n')
    import_invitees_csv(forum, content, agent)
    assert [(i.full_name, i.organisation) for i in all_invitees(db)] == [
        ("Martin, Jeanne", "Mairie d'Aix, service jeunesse"), ("Paul Durand", "")]


def test_import_windows_1252_file_from_french_excel(db, forum, agent):
    content = "Nom;Qualité;Organisation;Courriel\r\nHélène Ançay;Élu;Conseil général;\r\n".encode("cp1252")
    import_invitees_csv(forum, io.BytesIO(content), agent)
    [invitee] = all_invitees(db)
    assert (invitee.full_name, invitee.quality, invitee.organisation) == (
        "Hélène Ançay", InviteeQuality.ELECTED, "Conseil général")


def test_columns_may_come_in_any_order_and_email_column_is_optional(db, forum, agent):
    import_invitees_csv(forum, "organisation;qualite;nom\nGendarmerie;autre;Capitaine Roux\n", agent)
    [invitee] = all_invitees(db)
    assert (invitee.full_name, invitee.organisation, invitee.email) == ("Capitaine Roux", "Gendarmerie", None)


def test_one_bad_line_imports_nothing_and_every_error_names_its_line(db, forum, agent):
    add_invitee(forum, person(full_name="Déjà Là", organisation="Mairie"), agent)
    db.session.commit()
    content = HEADER + (
        "Jeanne Martin;Élu;Mairie d'Aix;\r\n"          # line 2: fine
        ";Élu;Mairie;\r\n"                             # line 3: no name
        "Paul Durand;maire;Mairie;\r\n"                # line 4: unknown quality
        "Zoé Lefèvre;autre;;zoe@\r\n"                  # line 5: bad e-mail
        "\r\n"                                         # line 6: blank, skipped
        "jeanne martin;autre;MAIRIE D'AIX;\r\n"        # line 7: duplicate of line 2
        "déjà là;autre;mairie;\r\n"                    # line 8: already invited
        "Trop;autre;;;en trop\r\n"                     # line 9: one value too many
    )
    errors = refused_import(forum, content, agent)
    assert errors == [
        "ligne 3 : nom obligatoire",
        "ligne 4 : qualité « maire » inconnue (valeurs possibles : Élu, Président d'association, "
        "Socio-professionnel, Référent participation citoyenne, Autre)",
        "ligne 5 : adresse électronique « zoe@ » invalide",
        "ligne 7 : « jeanne martin » (MAIRIE D'AIX) figure déjà à la ligne 2",
        "ligne 8 : « déjà là » (mairie) figure déjà parmi les invités du forum",
        "ligne 9 : 5 valeurs pour 4 colonnes (un séparateur de trop ? mettez entre guillemets les "
        "valeurs qui en contiennent)",
    ]
    db.session.rollback()
    assert [i.full_name for i in all_invitees(db)] == ["Déjà Là"]
    assert [e.action for e in audit(db)] == ["invitee.add"]


@pytest.mark.parametrize("content, message", [
    (b"", "Le fichier est vide"),
    (b"\xef\xbb\xbf \r\n\r\n", "Le fichier est vide"),
    (HEADER.encode(), "ligne 1 : le fichier ne contient que l'en-tête, aucun invité à importer."),
    (b"Jeanne Martin;elu;Mairie;\r\n", "ligne 1 : en-tête manquant ou incorrect"),
    (b"nom;organisation\r\nJeanne;Mairie\r\n", "ligne 1 : colonne « qualite » manquante dans l'en-tête"),
    (b"nom;qualite;telephone\r\nJeanne;elu;0102030405\r\n", "ligne 1 : colonne « telephone » inconnue"),
    (b"nom;qualite;courriel;email\r\nJeanne;elu;;\r\n",
     "ligne 1 : colonne « email » présente plusieurs fois"),
    (b"\r\nnom;qualite;\r\nJeanne;elu;Mairie\r\n", "ligne 3 : 3 valeurs pour 2 colonnes"),
    (b'nom;qualite\r\n"Jeanne;elu\r\n', "ligne 2 : format CSV illisible (guillemet non fermé"),
    (b'nom;qualite\r\n"Jeanne"x;elu\r\n', "ligne 2 : format CSV illisible"),
    (b"nom;qualite\r\n\x81\x8d\x8f\x90;elu\r\n", "Encodage du fichier non reconnu"),
])
def test_malformed_files_are_refused_with_a_clear_message(db, forum, agent, content, message):
    errors = refused_import(forum, content, agent)
    assert message in errors[0]
    assert all_invitees(db) == [] and audit(db) == []


def test_blank_lines_are_skipped_but_counted(db, forum, agent):
    errors = refused_import(forum, "\n\n" + HEADER + "\nJeanne;elu\n\n;autre\n", agent)
    assert errors == ["ligne 7 : nom obligatoire"]


def test_too_big_a_file_is_refused(db, forum, agent):
    content = (HEADER + "Jeanne Martin;elu;;\r\n").encode() + b" " * IMPORT_MAX_BYTES
    [error] = refused_import(forum, io.BytesIO(content), agent)
    assert error.startswith("Le fichier dépasse la taille maximale de 1 Mo")


def test_too_many_lines_are_refused(db, forum, agent):
    rows = "".join(f"Invité {n};autre;;\n" for n in range(IMPORT_MAX_ROWS + 1))
    [error] = refused_import(forum, HEADER + rows, agent)
    assert error == "Le fichier compte plus de 2000 invités : découpez-le en plusieurs fichiers."
    assert all_invitees(db) == []


# --- CSV export -----------------------------------------------------------------------------------

def test_export_is_excel_friendly_csv(db, forum, agent):
    add_invitee(forum, person(), agent)
    add_invitee(forum, person(full_name="Émile Zola", quality="autre", organisation="", email=""), agent)
    add_invitee(forum, person(full_name="=HYPERLINK(\"http://x\")", quality="autre"), agent)
    record_attendance(forum, set(), agent)
    text = export_invitees_csv(forum)
    assert text.startswith("\ufeffnom;qualite;organisation;email;present\r\n")
    lines = text.removeprefix("\ufeff").split("\r\n")
    # Sorted by name without regard to accents; formulas neutralised by a leading quote.
    assert lines[1:] == [
        "\"'=HYPERLINK(\"\"http://x\"\")\";Autre;Mairie d'Aix;jeanne.martin@example.fr;non",
        "Émile Zola;Autre;;;non",
        "Jeanne Martin;Élu;Mairie d'Aix;jeanne.martin@example.fr;non",
        "",
    ]


def test_export_then_import_round_trips(db, forum, create_forum, agent):
    add_invitee(forum, person(), agent)
    add_invitee(forum, person(full_name="Paul Durand", quality="president_association",
                              organisation="Amis; du \"quartier\"", email=""), agent)
    add_invitee(forum, person(full_name="@Zoé", quality="referent_participation_citoyenne",
                              organisation="-", email="zoe@example.fr"), agent)
    add_invitee(forum, person(full_name="Marc Petit", quality="socio_professionnel", organisation="CCI"),
                agent)
    record_attendance(forum, {all_invitees(db, forum)[0].id}, agent)
    other = create_forum(title="Forum d'Arles", cantons=["1306"], commune="13004")
    import_invitees_csv(other, export_invitees_csv(forum).encode("utf-8"), agent)

    def people(f):
        return sorted((i.full_name, i.quality, i.organisation, i.email) for i in all_invitees(db, f))

    assert people(other) == people(forum) and len(people(other)) == 4
    assert {i.attended for i in all_invitees(db, other)} == {None}
