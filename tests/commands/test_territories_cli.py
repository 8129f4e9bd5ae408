"""`flask territories load` and `flask territories stats`."""
import pytest

from forums.models import Commune, Region

from ..services.test_territories import MINI, changed_line, write_dataset


def test_load_prints_counts_then_says_nothing_changed(db, runner, tmp_path):
    directory = str(write_dataset(tmp_path))

    first = runner.invoke(args=["territories", "load", "--directory", directory])

    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        "régions : 2 (2 créées)",
        "départements : 3 (3 créés)",
        "arrondissements : 5 (5 créés)",
        "cantons : 6 (6 créés)",
        "communes (arrondissements municipaux compris) : 7 (7 créées)",
        "liens canton–arrondissement : 7 (7 créés)",
        "liens commune–canton : 6 (6 créés)",
        "codes postaux : 11 (11 créés)",
        "Territoires chargés.",
    ]
    assert db.session.get(Region, "93").name == "Provence-Alpes-Côte d'Azur"

    second = runner.invoke(args=["territories", "load", "--directory", directory])

    assert second.exit_code == 0, second.output
    assert "régions : 2 (2 inchangées)" in second.stdout
    assert "communes (arrondissements municipaux compris) : 7 (7 inchangées)" in second.stdout
    assert second.stdout.splitlines()[-1] == "Aucun changement : les territoires sont déjà à jour."


def test_load_reports_updates_and_obsolete_codes(db, runner, tmp_path):
    runner.invoke(args=["territories", "load", "--directory", str(write_dataset(tmp_path / "a"))])
    communes = [line.replace(",51000", ",52000") for line in MINI["communes"]
                if not line.startswith("13062,")]

    result = runner.invoke(args=["territories", "load", "--directory",
                                 str(write_dataset(tmp_path / "b", communes=communes))])

    assert result.exit_code == 0, result.output
    assert ("communes (arrondissements municipaux compris) : 6 (1 mise à jour, 5 inchangées, "
            "1 obsolète (absente des données, conservée))") in result.stdout
    assert "liens canton–arrondissement : 6 (1 retiré)" in result.stdout
    assert result.stdout.splitlines()[-1] == "Territoires chargés."


@pytest.mark.parametrize("replaced, expected", [
    ({"communes": changed_line("communes", 4, "13004,Arles,COM,,13,132,9999,13200,51000")},
     "Erreur : communes.csv.gz, ligne 5 : canton_code « 9999 » inconnu dans cantons.csv.gz"),
    ({"regions": changed_line("regions", 0, "code,nom,is_metropolitan")},
     "Erreur : regions.csv.gz, ligne 1 : colonne(s) manquante(s) : name ; colonne(s) en trop : nom"),
])
def test_load_refuses_bad_file_with_one_line_and_exit_code_1(db, runner, tmp_path, replaced, expected):
    directory = str(write_dataset(tmp_path, **replaced))

    result = runner.invoke(args=["territories", "load", "--directory", directory])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(expected)
    assert result.stderr.rstrip().endswith("Chargement refusé, rien n'a été écrit.")
    assert db.session.scalar(db.select(db.func.count()).select_from(Region)) == 0


def test_load_refuses_missing_directory(db, runner, tmp_path):
    result = runner.invoke(args=["territories", "load", "--directory", str(tmp_path / "absent")])

    assert result.exit_code == 1
    assert result.stderr.startswith("Erreur : regions.csv.gz : fichier introuvable dans ")


@pytest.mark.slow
def test_load_packaged_territories_then_stats(db, runner):
    result = runner.invoke(args=["territories", "load"])

    assert result.exit_code == 0, result.output
    assert "régions : 18 (18 créées)" in result.stdout
    assert "cantons : 2\u202f293 (2\u202f293 créés)" in result.stdout
    assert "communes (arrondissements municipaux compris) : 34\u202f920 (34\u202f920 créées)" in result.stdout
    assert db.session.get(Commune, "2A004").name == "Ajaccio"

    stats = runner.invoke(args=["territories", "stats"])

    assert stats.exit_code == 0, stats.output
    assert stats.stdout.splitlines()[:5] == [
        "régions : 18",
        "départements : 101",
        "arrondissements : 333",
        "cantons : 2\u202f293 (2\u202f054 cantons, 219 pseudo-cantons, 20 cantons fictifs)",
        "communes : 34\u202f875 (dont 115 sans canton), et 45 arrondissements municipaux",
    ]
