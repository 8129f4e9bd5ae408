"""ZIP bundles of the syntheses: the documents, every annex, and anonymous CSV files."""
import io
import os
import zipfile

import pytest
from werkzeug.datastructures import FileStorage

from forums.documents.bundle import (
    department_bundle, national_bundle, write_department_documents, write_national_documents,
)
from forums.file_storage import open_stored, store_upload
from forums.models import AttachmentKind, ForumStatus, MinutesAttachment, ProposalOrigin
from forums.services.national_synthesis import prepare_national, update_national_texts
from forums.services.syntheses import draft_synthesis, submit_synthesis
from synthesis.drafting import PART_TITLES

from ..conftest import paris_time
from .conftest import OTHER_DEPARTMENT_TEXT, PDF_BYTES, PENDING_TEXT, PERSONAL, PNG_BYTES, REJECTED_TEXT, add_minutes
from .reading import odt_text, read_csv


def _members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info.filename) for info in archive.infolist()}


def _stored_bytes(app, stored):
    with open_stored(app.config["UPLOAD_DIRECTORY"], stored.storage_name) as source:
        return source.read()


@pytest.fixture
def bundle(document_data):
    return _members(department_bundle(document_data.synthesis))


def test_the_bundle_holds_the_synthesis_every_annex_and_both_csv_files(document_data, bundle):
    forums = document_data.forums
    held, missing, later = forums["held"].id, forums["missing"].id, forums["later"].id
    assert set(bundle) == {
        "synthese-13.odt",
        "synthese-13.html",
        f"annexes/01-forum-{held}-compte-rendu.html",
        f"annexes/01-forum-{held}-Compte_rendu_signe.pdf",
        f"annexes/01-forum-{held}-photo_salle.png",
        f"annexes/01-forum-{held}-Compte_rendu_signe-2.pdf",
        f"annexes/02-forum-{missing}-compte-rendu-manquant.txt",
        f"annexes/03-forum-{later}-compte-rendu.html",
        "questions.csv",
        "propositions.csv",
        "preoccupations.csv",
    }
    assert "Arles" in bundle[f"annexes/02-forum-{missing}-compte-rendu-manquant.txt"].decode()
    assert "n'a pas encore été saisi" in bundle[f"annexes/02-forum-{missing}-compte-rendu-manquant.txt"].decode()


def test_the_three_parts_are_in_both_documents_of_the_bundle(bundle):
    html = bundle["synthese-13.html"].decode()
    text = odt_text(bundle["synthese-13.odt"])
    for number, title in enumerate(PART_TITLES.values(), 1):
        assert f"{number}. {title}" in text
        assert title.replace("'", "&#39;") in html
    for words in ("2 forums", "Un dialogue franc avec la gendarmerie", "Renforcer les patrouilles pédestres"):
        assert words in html
        assert words in text
    assert "<script" not in html


def test_stored_documents_are_copied_unchanged(app, document_data, bundle):
    held = document_data.forums["held"].id
    stored = document_data.stored
    assert bundle[f"annexes/01-forum-{held}-Compte_rendu_signe.pdf"] == _stored_bytes(app, stored["signed"])
    assert bundle[f"annexes/01-forum-{held}-Compte_rendu_signe-2.pdf"] == _stored_bytes(app, stored["twin"])
    assert bundle[f"annexes/01-forum-{held}-photo_salle.png"] == PNG_BYTES


def test_the_minutes_annex_is_rendered_without_agents_or_scripts(document_data, bundle, create_agent):
    held = document_data.forums["held"]
    page = bundle[f"annexes/01-forum-{held.id}-compte-rendu.html"].decode()

    assert "<h1>Compte-rendu du forum d’Aix-en-Provence du 17 mars 2009</h1>" in page
    assert "Forum d&#39;Aix" in page
    assert "<td>45</td>" in page  # 40 public + 3 elected + 2 gendarmes
    assert "Inquiétudes sur Vidéo-protection" in page
    assert "Installer des caméras au centre" in page
    assert "Dialogue franc" in page and "Peu de jeunes" in page
    assert "Notes <strong>importantes</strong>" in page
    assert f"Question n° {document_data.questions['published'].reference}" in page
    assert "2 h 30" in page
    # The documents sit beside the annex, and are linked from it.
    assert '<a href="01-forum-{}-Compte_rendu_signe.pdf">Compte rendu signé.pdf</a>'.format(held.id) in page
    assert "<script" not in page
    agent = document_data.minutes["held"].updated_by
    assert agent.full_name not in page
    assert agent.email not in page


def test_the_synthesis_html_links_its_annexes(document_data, bundle):
    html = bundle["synthese-13.html"].decode()
    held, missing = document_data.forums["held"].id, document_data.forums["missing"].id
    assert f'href="annexes/01-forum-{held}-compte-rendu.html"' in html
    assert f'href="annexes/02-forum-{missing}-compte-rendu-manquant.txt"' in html


def test_questions_csv_holds_published_questions_only_and_no_personal_data(document_data, bundle):
    rows = read_csv(bundle["questions.csv"])
    header, body = rows[0], rows[1:]
    questions = document_data.questions

    assert header == ["référence", "date", "forum", "thème", "sous-thème", "question", "soutiens",
                      "réponse publiée", "abordée au forum"]
    assert sorted(row[0] for row in body) == sorted(
        questions[key].reference for key in ("published", "edited", "upcoming", "draft_forum"))
    published = next(row for row in body if row[0] == questions["published"].reference)
    assert published[2] == "forum d’Aix-en-Provence du 17 mars 2009"
    assert published[3].startswith("1 La sécurité")
    assert published[4] == "1.A.1 Vidéo-protection"
    assert published[6:] == ["4", "oui", "forum d’Aix-en-Provence du 17 mars 2009"]
    edited = next(row for row in body if row[0] == questions["edited"].reference)
    # The public text, never the original; a cell a spreadsheet would run is quoted.
    assert edited[5] == "'+33 texte publié après modération"
    text = bundle["questions.csv"].decode()
    for private in (*PERSONAL, PENDING_TEXT, REJECTED_TEXT, OTHER_DEPARTMENT_TEXT):
        assert private not in text


def test_proposals_csv_lists_the_department_proposals(bundle):
    rows = read_csv(bundle["propositions.csv"])

    assert rows[0] == ["forum", "date", "thème", "sous-thème", "origine", "proposition"]
    assert rows[1:] == [
        ["forum d’Aix-en-Provence du 17 mars 2009", "17/03/2009", "1 La sécurité, un devoir vis-à-vis de nos "
         "concitoyens", "1.A.1 Vidéo-protection", "Public", "Installer des caméras au centre"],
        ["forum d’Aix-en-Provence du 17 mars 2009", "17/03/2009", "2 La sécurité, une responsabilité partagée", "",
         "Élu", "'=SOMME(A1:A9) réunir le conseil"],
        ["forum de Berre-l'Étang du 2 avril 2009", "02/04/2009", "2 La sécurité, une responsabilité partagée",
         "2.A.1 Polices municipales", "Association", "Proposition interne non publiée"],
    ]


def test_a_document_missing_from_storage_is_replaced_by_a_note(app, document_data):
    stored = document_data.stored["photo"]
    path = os.path.join(app.config["UPLOAD_DIRECTORY"], stored.storage_name[:2], stored.storage_name)
    os.unlink(path)

    bundle = _members(department_bundle(document_data.synthesis))

    held = document_data.forums["held"].id
    assert f"annexes/01-forum-{held}-photo_salle.png" not in bundle
    note = bundle[f"annexes/01-forum-{held}-photo_salle.png.manquant.txt"].decode()
    assert "photo salle.png" in note


def test_concerns_csv_lists_every_contribution_of_each_concern(document_data, bundle):
    rows = read_csv(bundle["preoccupations.csv"])
    assert rows[0] == ["sous-thème", "préoccupation", "contribution"]
    contributions = {row[2] for row in rows[1:]}
    published = {f"question {document_data.questions[key].reference}" for key in ("published", "edited", "upcoming",
                                                                                  "draft_forum")}
    assert contributions <= published | {row[2] for row in rows[1:] if row[2].startswith("compte-rendu du forum")}
    assert not any(PENDING_TEXT in ";".join(row) for row in rows)


def test_nothing_internal_in_the_bundle_documents(bundle):
    text = odt_text(bundle["synthese-13.odt"]) + bundle["synthese-13.html"].decode()
    for internal in ("source:", "[Q ", "[Chiffre", "CR forum", "[^"):
        assert internal not in text


def test_a_draft_never_saved_is_bundled(document_data, consultation):
    draft = draft_synthesis(consultation, "13")

    bundle = _members(department_bundle(draft))

    assert "non enregistré" in bundle["synthese-13.html"].decode()
    assert f"annexes/01-forum-{document_data.forums['held'].id}-compte-rendu.html" in bundle


def test_write_department_documents(document_data, tmp_path):
    paths = write_department_documents(document_data.synthesis, tmp_path)

    assert [path.name for path in paths] == ["synthese-13.odt", "synthese-13.html", "synthese-13.zip"]
    assert all(path.parent == tmp_path for path in paths)
    assert "Un dialogue franc avec la gendarmerie" in odt_text(paths[0].read_bytes())
    assert "Un dialogue franc avec la gendarmerie" in paths[1].read_text(encoding="utf-8")
    # Beside the ZIP, the HTML has no annex to link to.
    assert 'href="annexes/' not in paths[1].read_text(encoding="utf-8")
    assert "questions.csv" in _members(paths[2].read_bytes())


@pytest.fixture
def national(db, document_data, consultation, create_agent, subtopics):
    synthesis = document_data.synthesis
    add_minutes(document_data.forums["missing"], subtopics)
    ministry = create_agent("ministry")
    submit_synthesis(synthesis, ministry, early_reason="Forum de mai à venir.")
    national = prepare_national(consultation, ministry)
    update_national_texts(national, {"insight.analysis": "En France, **partout**.", "diagnosis.analysis": "Des forces.",
                                     "proposals.own": "1. Une proposition nationale"}, {}, ministry)
    db.session.commit()
    return national


def test_the_national_bundle(national):
    bundle = _members(national_bundle(national))

    assert set(bundle) == {"synthese-nationale.odt", "synthese-nationale.html", "departements.csv",
                           "propositions.csv"}
    text = odt_text(bundle["synthese-nationale.odt"])
    html = bundle["synthese-nationale.html"].decode()
    for words in ("En France, partout.", "Des forces.", "Une proposition nationale"):
        assert words in text
    assert "<strong>partout</strong>" in html

    departments = read_csv(bundle["departements.csv"])
    assert departments[0][:3] == ["code", "département", "région"]
    assert [row[:5] for row in departments[1:]] == [["13", "Bouches-du-Rhône", "Provence-Alpes-Côte d'Azur", "4", "3"]]

    proposals = read_csv(bundle["propositions.csv"])
    assert proposals[0] == ["code département", "département", "région", "forum", "thème", "sous-thème", "origine",
                            "proposition"]
    assert sorted(row[-1] for row in proposals[1:]) == [
        "'=SOMME(A1:A9) réunir le conseil", "Installer des caméras au centre", "Proposition interne non publiée"]
    assert {row[6] for row in proposals[1:]} == {"Public", "Élu", "Association"}
    everything = b"".join(bundle.values()).decode("utf-8", errors="replace")
    for private in PERSONAL:
        assert private not in everything


def test_write_national_documents(national, tmp_path):
    paths = write_national_documents(national, tmp_path)

    assert [path.name for path in paths] == ["synthese-nationale.odt", "synthese-nationale.html",
                                             "synthese-nationale.zip"]
    assert "Une proposition nationale" in paths[1].read_text(encoding="utf-8")


def test_the_number_of_queries_does_not_grow_with_the_minutes(db, document_data, create_forum, subtopics,
                                                             count_queries):
    def queries():
        db.session.expire_all()
        with count_queries() as statements:
            department_bundle(document_data.synthesis)
        return len(statements)

    # The first bundle after a change recomputes the synthesis' content once; then it is as it was.
    queries()
    before = queries()
    for day in (20, 21, 22):
        forum = create_forum(title=f"Forum du {day}", status=ForumStatus.HELD, starts_at=paris_time(2009, 4, day))
        add_minutes(forum, subtopics, proposals=(("1.A.2", None, ProposalOrigin.PUBLIC, f"Idée du {day}"),))
    db.session.commit()
    queries()

    assert queries() == before


def test_a_document_keeps_the_extension_its_content_decided(app, db, document_data):
    minutes = document_data.minutes["held"]
    stored = store_upload(FileStorage(stream=io.BytesIO(PDF_BYTES), filename="compte-rendu.html"),
                          app.config["UPLOAD_DIRECTORY"], 1024 * 1024)
    minutes.attachments.append(MinutesAttachment(
        kind=AttachmentKind.OTHER, original_name=stored.original_name, storage_name=stored.storage_name,
        mime_type=stored.mime_type, size=stored.size, sha256=stored.sha256))
    db.session.commit()

    bundle = _members(department_bundle(document_data.synthesis))

    held = document_data.forums["held"].id
    assert bundle[f"annexes/01-forum-{held}-compte-rendu.pdf"] == PDF_BYTES
    assert bundle[f"annexes/01-forum-{held}-compte-rendu.html"].startswith(b"<!DOCTYPE html>")
