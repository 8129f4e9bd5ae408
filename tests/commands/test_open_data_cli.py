"""`flask open-data build`: every consultation's files, or one's; what changed, in French."""
import os
from datetime import date

from forums.models import Consultation, QuestionStatus
from forums.services.open_data_files import read_manifest


def _add_2010(db):
    db.session.add(Consultation(slug="2010", name="Édition 2010", meetings_start_on=date(2010, 1, 1),
                                meetings_end_on=date(2010, 12, 31), synthesis_due_on=date(2011, 1, 15)))
    db.session.commit()


def test_build_writes_every_consultation_s_files(runner, app, db, consultation, create_question):
    _add_2010(db)
    create_question("Que fait la police contre les cambriolages ?", status=QuestionStatus.PUBLISHED)

    result = runner.invoke(args=["open-data", "build"])

    assert result.exit_code == 0, result.output
    root = app.config["OPEN_DATA_DIRECTORY"]
    assert "Consultation 2009 (écrits : questions.csv, questions.json, propositions.csv, propositions.json)" \
        in result.output
    assert "  questions.csv : 1 ligne, " in result.output
    assert "Consultation 2010 (écrits :" in result.output
    assert read_manifest(root, "2009").file("questions.json").rows == 1
    assert read_manifest(root, "2010").file("questions.json").rows == 0
    assert sorted(os.listdir(root)) == [".build.lock", "2009", "2010"]


def test_build_of_one_consultation(runner, app, db, consultation):
    _add_2010(db)

    result = runner.invoke(args=["open-data", "build", "--consultation", "2010"])

    assert result.exit_code == 0, result.output
    assert "2009" not in result.output
    assert read_manifest(app.config["OPEN_DATA_DIRECTORY"], "2009") is None
    assert read_manifest(app.config["OPEN_DATA_DIRECTORY"], "2010") is not None


def test_a_second_build_says_nothing_changed(runner, consultation):
    runner.invoke(args=["open-data", "build"])
    second = runner.invoke(args=["open-data", "build"])
    third = runner.invoke(args=["open-data", "build"])
    forced = runner.invoke(args=["open-data", "build", "--force"])

    assert "Consultation 2009 (fichiers à jour) :" in second.output
    assert "Consultation 2009 : rien de publié depuis la dernière préparation." in third.output
    assert "Consultation 2009 (fichiers à jour) :" in forced.output


def test_unknown_consultation_is_refused(runner, consultation):
    result = runner.invoke(args=["open-data", "build", "--consultation", "1789"])

    assert result.exit_code == 1
    assert "Erreur : consultation inconnue « 1789 »." in result.output
