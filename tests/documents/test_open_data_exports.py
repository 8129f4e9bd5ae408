"""Open data of the consultation: published questions and proposals, anonymous, streamed in CSV and JSON."""
import json
import types

import pytest

from forums.services import open_data_exports
from forums.services.open_data_exports import (
    PROPOSAL_COLUMNS, QUESTION_COLUMNS, proposals_csv, proposals_json, questions_csv, questions_json,
)

from .conftest import OTHER_DEPARTMENT_TEXT, PENDING_TEXT, PERSONAL, REJECTED_TEXT
from .reading import read_csv


def _text(chunks):
    assert isinstance(chunks, types.GeneratorType)
    return "".join(chunks)


def _published_references(data):
    return sorted(data.questions[key].reference for key in ("published", "edited", "upcoming", "draft_forum",
                                                            "paris"))


def test_questions_csv_holds_published_questions_only(document_data, consultation):
    text = _text(questions_csv(consultation))
    rows = read_csv(text)

    assert tuple(rows[0]) == QUESTION_COLUMNS
    by_reference = {row[0]: dict(zip(QUESTION_COLUMNS, row)) for row in rows[1:]}
    assert sorted(by_reference) == _published_references(document_data)
    questions, forums = document_data.questions, document_data.forums
    published = by_reference[questions["published"].reference]
    assert published == {
        "reference": questions["published"].reference, "department_code": "13",
        "department_name": "Bouches-du-Rhône", "region_code": "93", "region_name": "Provence-Alpes-Côte d'Azur",
        "forum_id": str(forums["held"].id), "theme_code": "1",
        "theme_title": "La sécurité, un devoir vis-à-vis de nos concitoyens", "subtopic_code": "1.A.1",
        "subtopic_title": "Vidéo-protection", "text": "Que fait la police contre les cambriolages ?",
        "submitted_on": published["submitted_on"], "published_on": "2009-03-10", "support_count": "4",
        "answered": "oui", "answered_on": "2009-03-12", "answer": "Nous renforçons les patrouilles.",
        "addressed_forum_id": str(forums["held"].id),
    }
    # The public text, formula-safe; a forum still in draft is not given away.
    assert by_reference[questions["edited"].reference]["text"] == "'+33 texte publié après modération"
    assert by_reference[questions["edited"].reference]["answered"] == "non"
    assert by_reference[questions["draft_forum"].reference]["forum_id"] == ""
    assert by_reference[questions["upcoming"].reference]["forum_id"] == str(forums["upcoming"].id)
    for private in (*PERSONAL, PENDING_TEXT, REJECTED_TEXT):
        assert private not in text
    assert OTHER_DEPARTMENT_TEXT in text


def test_questions_json_is_one_array_of_anonymous_questions(document_data, consultation):
    items = json.loads(_text(questions_json(consultation)))

    assert sorted(item["reference"] for item in items) == _published_references(document_data)
    assert all(tuple(item) == QUESTION_COLUMNS for item in items)
    by_reference = {item["reference"]: item for item in items}
    published = by_reference[document_data.questions["published"].reference]
    assert published["answered"] is True
    assert published["support_count"] == 4
    assert published["forum_id"] == document_data.forums["held"].id
    edited = by_reference[document_data.questions["edited"].reference]
    assert edited["text"] == "+33 texte publié après modération"
    assert edited["answer"] is None and edited["answered_on"] is None
    assert by_reference[document_data.questions["draft_forum"].reference]["forum_id"] is None
    dumped = json.dumps(items, ensure_ascii=False)
    for private in (*PERSONAL, PENDING_TEXT, REJECTED_TEXT):
        assert private not in dumped


def test_proposals_are_those_shown_on_public_forum_pages(document_data, consultation):
    rows = read_csv(_text(proposals_csv(consultation)))
    items = json.loads(_text(proposals_json(consultation)))

    assert tuple(rows[0]) == PROPOSAL_COLUMNS
    assert [row[-1] for row in rows[1:]] == [
        "Installer des caméras au centre", "'=SOMME(A1:A9) réunir le conseil", "Proposition parisienne"]
    assert [item["text"] for item in items] == [
        "Installer des caméras au centre", "=SOMME(A1:A9) réunir le conseil", "Proposition parisienne"]
    first = items[0]
    assert first == {
        "id": first["id"], "department_code": "13", "department_name": "Bouches-du-Rhône", "region_code": "93",
        "region_name": "Provence-Alpes-Côte d'Azur", "forum_id": document_data.forums["held"].id,
        "forum_title": "Forum d'Aix", "forum_date": "2009-03-17", "theme_code": "1",
        "theme_title": "La sécurité, un devoir vis-à-vis de nos concitoyens", "subtopic_code": "1.A.1",
        "subtopic_title": "Vidéo-protection", "origin": "public", "origin_label": "Public",
        "text": "Installer des caméras au centre",
    }
    assert items[1]["subtopic_code"] is None
    assert items[1]["origin"] == "elu"


@pytest.mark.parametrize("export", [questions_csv, questions_json, proposals_csv, proposals_json])
def test_exports_stream_in_chunks(document_data, consultation, monkeypatch, export):
    whole = "".join(export(consultation))
    monkeypatch.setattr(open_data_exports, "BATCH", 1)

    chunks = list(export(consultation))

    assert len(chunks) > 2
    assert "".join(chunks) == whole


def test_an_empty_consultation_gives_a_header_and_an_empty_array(db, consultation):
    assert read_csv(_text(questions_csv(consultation))) == [list(QUESTION_COLUMNS)]
    assert read_csv(_text(proposals_csv(consultation))) == [list(PROPOSAL_COLUMNS)]
    assert json.loads(_text(questions_json(consultation))) == []
    assert json.loads(_text(proposals_json(consultation))) == []
