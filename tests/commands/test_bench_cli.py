"""`flask bench seed`: a summary of what was generated, refused in production and without territories."""
from sqlalchemy import func, select

from forums.models import Consultation, Minutes, Question


def test_seed_prints_its_progress_and_summary(db, runner, demo_territories_dir):
    # The real territories of Bouches-du-Rhône, Territoire de Belfort and Martinique, to stay fast.
    assert runner.invoke(args=["territories", "load", "--directory", str(demo_territories_dir)]).exit_code == 0

    result = runner.invoke(args=["bench", "seed", "--questions", "2000", "--minutes", "50", "--seed", "4"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Forums : " in lines[0] and "comptes-rendus : 50" in lines[0]
    assert "Questions : 2\u202f000 sur 2\u202f000" in result.stdout
    assert ("Consultation « Vos libertés, votre sécurité : parlons-en ensemble (banc d'essai) » "
            "(bench, créée) : 3 départements.") in lines
    assert any(line.startswith("Forums : ") and "(tenus 50, publiés " in line for line in lines)
    assert any(line.startswith("Comptes-rendus : 50 (") and "propositions)." in line for line in lines)
    assert any(line.startswith("Questions : 2\u202f000 (publiées ") and "regroupées" in line for line in lines)
    assert lines[-1].startswith("Durée : ") and " s (consultation " in lines[-1]
    assert db.session.scalar(select(func.count()).select_from(Question)) == 2000
    assert db.session.scalar(select(func.count()).select_from(Minutes)) == 50

    again = runner.invoke(args=["bench", "seed", "--questions", "100", "--minutes", "5",
                                "--consultation", "bench"])

    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("Données précédentes du banc d'essai supprimées (questions : 2\u202f000, ")
    assert "(bench, remplie à nouveau)" in again.stdout
    assert db.session.scalar(select(func.count()).select_from(Question)) == 100


def test_seed_needs_territories(db, runner):
    result = runner.invoke(args=["bench", "seed", "--questions", "10", "--minutes", "1"])

    assert result.exit_code == 1
    assert result.stderr == "Erreur : Chargez d'abord les territoires : flask territories load\n"
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0


def test_seed_is_refused_in_production(app, db, runner, territories, monkeypatch):
    monkeypatch.setitem(app.config, "ENV", "production")

    result = runner.invoke(args=["bench", "seed", "--questions", "10", "--minutes", "1"])

    assert result.exit_code == 1
    assert result.stderr == "Erreur : les données du banc d'essai ne se génèrent jamais en production.\n"
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0


def test_seed_refuses_negative_sizes(db, runner, territories):
    result = runner.invoke(args=["bench", "seed", "--questions", "-5"])

    assert result.exit_code == 2
    assert "--questions" in result.stderr
