"""`flask consultations seed | list | set-current`."""
from pathlib import Path

from sqlalchemy import func, select

from forums.models import Consultation, Subtopic

OTHER = Path(__file__).parent.parent / "fixtures" / "consultations" / "essai-2010.json"


def current_slugs(db):
    db.session.expire_all()
    return db.session.scalars(select(Consultation.slug).where(Consultation.is_current.is_(True))).all()


def test_seed_loads_2009_and_makes_it_current(runner, db):
    result = runner.invoke(args=["consultations", "seed"])

    assert result.exit_code == 0, result.output
    assert "Consultation 2009 créée" in result.output
    assert current_slugs(db) == ["2009"]
    assert db.session.scalar(select(func.count()).select_from(Subtopic)) == 19


def test_second_seed_says_already_up_to_date(runner, db):
    runner.invoke(args=["consultations", "seed"])
    result = runner.invoke(args=["consultations", "seed"])

    assert result.exit_code == 0
    assert result.output.strip() == "Consultation 2009 déjà à jour."


def test_seeding_another_file_keeps_the_current_consultation(runner, db):
    runner.invoke(args=["consultations", "seed"])
    result = runner.invoke(args=["consultations", "seed", "--file", str(OTHER)])

    assert result.exit_code == 0, result.output
    assert "Consultation essai-2010 créée" in result.output
    assert current_slugs(db) == ["2009"]


def test_first_consultation_seeded_becomes_current_when_none_is(runner, db):
    result = runner.invoke(args=["consultations", "seed", "--file", str(OTHER)])

    assert "devient la consultation courante" in result.output
    assert current_slugs(db) == ["essai-2010"]


def test_seed_refuses_a_bad_file_and_writes_nothing(runner, db, tmp_path):
    bad = tmp_path / "mauvais.json"
    bad.write_text(OTHER.read_text(encoding="utf-8").replace('"2010-04-30"', '"2010-02-01"'), encoding="utf-8")

    result = runner.invoke(args=["consultations", "seed", "--file", str(OTHER), "--file", str(bad)])

    assert result.exit_code == 1
    assert "mauvais.json" in result.output and "précède son début" in result.output
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0


def test_list_marks_the_current_consultation(runner, db):
    assert "Aucune consultation" in runner.invoke(args=["consultations", "list"]).output
    runner.invoke(args=["consultations", "seed"])
    runner.invoke(args=["consultations", "seed", "--file", str(OTHER)])

    lines = runner.invoke(args=["consultations", "list"]).output.splitlines()

    assert lines[0].startswith("* 2009  Vos libertés, votre sécurité : parlons-en ensemble")
    assert "du 16/03/2009 au 18/05/2009" in lines[0]
    assert lines[1].startswith("  essai-2010")


def test_set_current_switches(runner, db):
    runner.invoke(args=["consultations", "seed"])
    runner.invoke(args=["consultations", "seed", "--file", str(OTHER)])

    result = runner.invoke(args=["consultations", "set-current", "essai-2010"])

    assert result.exit_code == 0
    assert current_slugs(db) == ["essai-2010"]
    again = runner.invoke(args=["consultations", "set-current", "essai-2010"])
    assert "déjà" in again.output


def test_set_current_unknown_slug_fails_in_one_line(runner, db):
    runner.invoke(args=["consultations", "seed"])

    result = runner.invoke(args=["consultations", "set-current", "1789"])

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["Erreur : consultation inconnue « 1789 »."]
    assert current_slugs(db) == ["2009"]
