"""Consultations as data: the 2009 seed, idempotent updates by code, the current consultation."""
import copy
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forums.models import AuditEvent, Consultation, Subtopic, Theme, ThemePart
from forums.services.consultations import (
    DATA_DIR, ConsultationDataError, load_consultation_file, seed_consultation, set_current_consultation,
    validate_consultation,
)

SEED_2009 = DATA_DIR / "2009.json"
OTHER = Path(__file__).parent.parent / "fixtures" / "consultations" / "essai-2010.json"

#: The sub-topics listed in DESIGN.md, by part.
EXPECTED_SUBTOPICS = {
    "1.A": ["Vidéo-protection", "Fichiers de police", "Cybercriminalité",
            "Police technique et scientifique et équipements", "Ordre public et manifestations"],
    "1.B": ["Délinquance de voie publique et cambriolages", "Sécurité routière", "Violences intrafamiliales",
            "Trafic de stupéfiants", "Aide aux victimes et aux plus vulnérables",
            "Démarches facilitées (pré-plainte en ligne, boîtes aux lettres électroniques)",
            "Présence et visibilité sur le terrain", "Accueil physique du public"],
    "2.A": ["Polices municipales", "Sécurité privée", "Réseaux d'acteurs territoriaux (personnes âgées, jeunesse…)",
            "Partenariat et prévention de la délinquance"],
    "2.B": ["Acteur de sa propre sécurité (escroqueries sur internet, alerte-enlèvement)",
            "Service citoyen volontaire et réserve opérationnelle"],
}


@pytest.fixture
def data_2009():
    return load_consultation_file(SEED_2009)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def ids(db):
    """Return every theme, part and sub-topic id by code."""
    rows = {}
    for model in (Theme, ThemePart, Subtopic):
        rows.update({(model.__name__, obj.code): obj.id for obj in db.session.scalars(select(model))})
    return rows


def test_2009_seed_is_faithful(db, data_2009):
    report = seed_consultation(data_2009)
    db.session.commit()

    assert report.created
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == "2009"))
    assert consultation.name == "Vos libertés, votre sécurité : parlons-en ensemble"
    assert consultation.meetings_start_on == date(2009, 3, 16)
    assert consultation.meetings_end_on == date(2009, 5, 18)
    assert consultation.synthesis_due_on == date(2009, 5, 22)
    assert consultation.assises_on is None, "the instruction gives no date for the assises"
    assert "un par canton" in consultation.description
    assert "questions en ligne" in consultation.description

    assert [(t.code, t.title) for t in consultation.themes] == [
        ("1", "La sécurité, un devoir vis-à-vis de nos concitoyens"),
        ("2", "La sécurité, une responsabilité partagée"),
    ]
    theme_1, theme_2 = consultation.themes
    assert "adaptent de façon continue leur service et leurs modes d'action" in theme_1.key_message
    assert "chacun doit en effet, à sa place, être un acteur de sa propre sécurité" in theme_2.key_message
    assert [(p.code, p.title) for p in theme_1.parts + theme_2.parts] == [
        ("1.A", "La modernisation au service de l'efficacité"),
        ("1.B", "La proximité avec nos concitoyens"),
        ("2.A", "Les acteurs locaux de la sécurité"),
        ("2.B", "Le rôle du citoyen"),
    ]
    parts = {p.code: p for p in theme_1.parts + theme_2.parts}
    assert "La vidéo-protection est un outil de prévention" in parts["1.A"].key_messages
    assert "pré-plaintes en ligne" in parts["1.B"].key_messages
    assert "les polices municipales sont des acteurs à part entière" in parts["2.A"].key_messages
    assert "acteur de sa propre sécurité" in parts["2.B"].key_messages
    for part in parts.values():
        assert part.key_messages.startswith("- ")
        assert [s.title for s in part.subtopics] == EXPECTED_SUBTOPICS[part.code]
        assert [s.code for s in part.subtopics] == [f"{part.code}.{n}" for n in range(1, len(part.subtopics) + 1)]
        assert all(s.description for s in part.subtopics)
    assert count(db, Subtopic) == 19


def test_second_seed_changes_nothing_and_keeps_ids(db, data_2009):
    seed_consultation(data_2009, make_current=True)
    db.session.commit()
    before, audit_before = ids(db), count(db, AuditEvent)

    report = seed_consultation(load_consultation_file(SEED_2009), make_current=True)
    db.session.commit()

    assert not report.changed
    assert report.changes == []
    assert ids(db) == before
    assert count(db, AuditEvent) == audit_before


def test_update_matches_by_code(db, data_2009):
    seed_consultation(data_2009)
    db.session.commit()
    before = ids(db)
    edited = copy.deepcopy(data_2009)
    part_1a = edited["themes"][0]["parts"][0]
    part_1a["subtopics"][0]["title"] = "Vidéoprotection"
    part_1a["subtopics"].reverse()
    del edited["themes"][1]["parts"][1]["subtopics"][1]
    edited["themes"][1]["parts"][1]["subtopics"].append(
        {"code": "2.B.3", "title": "Voisins vigilants", "description": "Un sous-thème ajouté."})
    edited["assises_on"] = "2009-06-30"

    report = seed_consultation(edited)
    db.session.commit()

    assert report.changed and not report.created
    assert "sous-thème 1.A.1 : title modifié" in report.changes
    assert "sous-thème 2.B.2 : supprimé" in report.changes
    assert "sous-thème 2.B.3 : créé" in report.changes
    assert "consultation : assises_on modifié" in report.changes
    after = ids(db)
    kept = {key: value for key, value in before.items() if key != ("Subtopic", "2.B.2")}
    assert {key: after[key] for key in kept} == kept
    assert ("Subtopic", "2.B.2") not in after
    video = db.session.get(Subtopic, before[("Subtopic", "1.A.1")])
    assert (video.title, video.position) == ("Vidéoprotection", 5)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "consultation.seed")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.changes["sous-thème 1.A.1.title"] == ["Vidéo-protection", "Vidéoprotection"]
    assert event.changes["consultation.assises_on"] == [None, "2009-06-30"]


def test_several_consultations_coexist_with_exactly_one_current(db, data_2009):
    first = seed_consultation(data_2009, make_current=True).consultation
    second = seed_consultation(load_consultation_file(OTHER)).consultation
    db.session.commit()

    assert count(db, Consultation) == 2
    assert Consultation.current() == first
    assert not second.is_current
    assert {t.code for t in second.themes} == {"1"}, "same codes, separate consultations"

    assert set_current_consultation(second) is True
    db.session.commit()
    assert db.session.scalars(select(Consultation.slug).where(Consultation.is_current.is_(True))).all() == [
        "essai-2010"]
    assert set_current_consultation(second) is False


def test_set_current_heals_several_current_rows(db, data_2009):
    first = seed_consultation(data_2009).consultation
    second = seed_consultation(load_consultation_file(OTHER)).consultation
    first.is_current = second.is_current = True
    db.session.commit()

    assert set_current_consultation(second) is True
    db.session.commit()
    db.session.expire_all()
    assert (first.is_current, second.is_current) == (False, True)


def valid():
    return json.loads(OTHER.read_text(encoding="utf-8"))


def broken(change):
    data = valid()
    change(data)
    return data


def _subtopics(data):
    return data["themes"][0]["parts"][0]["subtopics"]


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("name"), "clé manquante « name »"),
    (lambda d: d["themes"][0].pop("parts"), "themes[0] : clé manquante « parts »"),
    (lambda d: d.update(meetings_start_on="16/03/2010"), "meetings_start_on : date invalide"),
    (lambda d: d.update(meetings_end_on="2010-02-30"), "meetings_end_on : date invalide"),
    (lambda d: d.update(meetings_end_on="2010-02-01"), "la fin de la période des réunions précède son début"),
    (lambda d: d.update(synthesis_due_on="2010-04-01"), "la date limite des synthèses précède la fin des réunions"),
    (lambda d: d.update(slug="Essai 2010"), "slug : seuls les minuscules"),
    (lambda d: d.update(themes=[]), "themes : une liste non vide est attendue"),
    (lambda d: d["themes"][0].update(colour="bleu"), "clé inconnue « colour »"),
    (lambda d: _subtopics(d).append(dict(_subtopics(d)[0])), "le code « 1.A.1 » est déjà utilisé"),
    (lambda d: _subtopics(d)[0].update(code="1.B.1"), "« 1.B.1 » devrait commencer par « 1.A. »"),
    (lambda d: d["themes"][0]["parts"][0].update(code="2.A"), "« 2.A » devrait commencer par « 1. »"),
    (lambda d: _subtopics(d)[0].update(title="  "), "title : un texte non vide est attendu"),
    (lambda d: _subtopics(d)[0].update(description=42), "description : un texte ou une liste de lignes"),
])
def test_validation_names_the_problem(change, message):
    with pytest.raises(ConsultationDataError, match=message.replace("[", r"\[").replace("]", r"\]")):
        validate_consultation(broken(change))


def test_validation_normalises_dates_and_lines():
    data = validate_consultation(valid())
    assert data["assises_on"] == date(2010, 6, 15)
    assert data["themes"][0]["parts"][0]["key_messages"] == "- Premier message clé d'essai.\n- Second message clé d'essai."
    assert validate_consultation(data) == data


def test_file_errors_name_the_file_and_line(tmp_path):
    path = tmp_path / "cassé.json"
    path.write_text('{\n  "slug": "x",\n  oops\n}', encoding="utf-8")
    with pytest.raises(ConsultationDataError, match=r"cassé\.json : JSON invalide ligne 3"):
        load_consultation_file(path)
    with pytest.raises(ConsultationDataError, match="lecture impossible"):
        load_consultation_file(tmp_path / "absent.json")
    path.write_text(json.dumps(broken(lambda d: d.pop("themes"))), encoding="utf-8")
    with pytest.raises(ConsultationDataError, match=r"cassé\.json : consultation : clé manquante « themes »"):
        load_consultation_file(path)


def test_invalid_data_writes_nothing(db):
    with pytest.raises(ConsultationDataError):
        seed_consultation(broken(lambda d: d.update(meetings_end_on="2009-01-01")))
    assert count(db, Consultation) == 0
