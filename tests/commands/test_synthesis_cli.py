"""`flask synthesis department | national`: the same documents as the web, written to a folder."""
import zipfile

import pytest
from sqlalchemy import func, select

from forums.models import AttendanceCategory, DepartmentSynthesis, NationalSynthesis, Role
from forums.services.syntheses import prepare_draft, submit_synthesis, update_texts

from ..conftest import paris_time
from ..services.synthesis_data import add_minutes, build_department


@pytest.fixture
def department(db, create_forum, create_question, subtopics):
    made = build_department(create_forum, create_question, subtopics)
    add_minutes(made.forums["berre"], {AttendanceCategory.PUBLIC: 30})
    return made


@pytest.fixture
def prefect(create_agent):
    return create_agent(Role.PREFECTURE, department="13")

#: The fixture department still has a forum to hold: transmitting is early.
EARLY = "Forum de mai reporté."


def stored(db, model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def check_documents(result, out_dir, code):
    """Assert the command listed an .odt, an .html and a .zip it wrote in ``out_dir``."""
    assert result.exit_code == 0, result.output
    written = sorted(path for path in out_dir.iterdir())
    assert {path.suffix for path in written} >= {".odt", ".html", ".zip"}
    for path in written:
        assert str(path) in result.output and path.stat().st_size > 0
    html = next(path for path in written if path.suffix == ".html").read_text(encoding="utf-8")
    assert code in html
    for path in written:
        if path.suffix in (".odt", ".zip"):
            assert zipfile.is_zipfile(path)
    return written


def test_department_draft_on_the_fly_is_written_not_saved(db, runner, consultation, department, tmp_path):
    out_dir = tmp_path / "sortie" / "13"
    result = runner.invoke(args=["synthesis", "department", "13", "--out", str(out_dir)])
    written = check_documents(result, out_dir, "Bouches-du-Rhône")
    assert "aucune synthèse enregistrée" in result.output
    assert f"{len(written)} documents écrits" in result.output
    html = next(path for path in written if path.suffix == ".html").read_text(encoding="utf-8")
    assert "Éclairage de proximité" in html
    assert stored(db, DepartmentSynthesis) == 0


def test_department_uses_the_stored_synthesis(db, runner, consultation, department, prefect, tmp_path):
    synthesis = prepare_draft(consultation, "13", prefect)
    update_texts(synthesis, {"insight.analysis": "Texte propre à la préfecture des Bouches-du-Rhône."}, {}, prefect)
    submit_synthesis(synthesis, prefect, now=paris_time(2009, 5, 20, 12), early_reason=EARLY)
    db.session.commit()
    result = runner.invoke(args=["synthesis", "department", "13", "--out", str(tmp_path),
                                 "--consultation", "2009"])
    written = check_documents(result, tmp_path, "Bouches-du-Rhône")
    assert "synthèse enregistrée (Transmise)" in result.output
    html = next(path for path in written if path.suffix == ".html").read_text(encoding="utf-8")
    assert "Texte propre à la préfecture des Bouches-du-Rhône." in html


@pytest.mark.parametrize("args, message", [
    (["synthesis", "department", "99"], "Erreur : département inconnu « 99 »"),
    (["synthesis", "department", "13", "--consultation", "1999"], "Erreur : consultation inconnue « 1999 »."),
    (["synthesis", "national", "--consultation", "1999"], "Erreur : consultation inconnue « 1999 »."),
])
def test_unknown_department_or_consultation(db, runner, consultation, territories, tmp_path, args, message):
    result = runner.invoke(args=[*args, "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "x").exists()


def test_no_current_consultation(db, runner, consultation, territories, tmp_path):
    consultation.is_current = False
    db.session.commit()
    result = runner.invoke(args=["synthesis", "department", "13", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "aucune consultation en cours : précisez --consultation." in result.output


def test_national_needs_a_submitted_synthesis(db, runner, consultation, department, tmp_path):
    result = runner.invoke(args=["synthesis", "national", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "Aucune synthèse départementale n'a encore été transmise" in result.output


def test_national_draft_on_the_fly(db, runner, consultation, department, prefect, tmp_path):
    submit_synthesis(prepare_draft(consultation, "13", prefect), prefect, now=paris_time(2009, 5, 20, 12),
                     early_reason=EARLY)
    db.session.commit()
    result = runner.invoke(args=["synthesis", "national", "--out", str(tmp_path)])
    check_documents(result, tmp_path, "Synthèse nationale")
    assert "projet calculé à partir d’1 synthèse départementale transmise" in result.output
    assert stored(db, NationalSynthesis) == 0
