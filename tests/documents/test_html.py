"""The print-ready HTML document of a synthesis."""
from datetime import UTC, datetime

from markupsafe import escape

from forums.documents.content import department_content, national_content
from forums.documents.html import markdown_html, render_html
from forums.models import DepartmentSynthesis, NationalSynthesis, SynthesisStatus
from synthesis.drafting import PART_TITLES


def test_the_three_parts_figures_and_annexes_are_in_the_document(document_data):
    html = render_html(department_content(document_data.synthesis))

    for number, title in enumerate(PART_TITLES.values(), 1):
        assert f"{number}. {escape(title)}</h2>" in html
    assert "<strong>2 forums</strong>" in html
    assert "Un dialogue franc avec la gendarmerie" in html
    assert "Renforcer les patrouilles pédestres le soir." in html
    assert "<td>Forums tenus</td>" in html
    assert "Compte-rendu du forum du 24 mars 2009 — Arles" in html
    assert "<h1>Synthèse départementale — Bouches-du-Rhône (13)</h1>" in html
    # The parts come in the order the instruction gives them.
    positions = [html.index(str(escape(title))) for title in PART_TITLES.values()]
    assert positions == sorted(positions)


def test_scripts_and_raw_html_are_neutralised(document_data):
    html = render_html(department_content(document_data.synthesis))

    assert "<script" not in html.lower()
    assert 'alert("diagnostic")' not in html
    assert "onerror" not in html
    assert "<img" not in html


def test_the_document_is_standalone_and_prints_on_a4(document_data):
    html = render_html(department_content(document_data.synthesis))

    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in html
    assert "size: A4" in html
    assert ".part { break-before: page; page-break-before: always; }" in html
    # No site navigation, nothing fetched from elsewhere: the file reads the same from a ZIP.
    assert "<nav" not in html
    assert "stylesheet" not in html
    assert " src=" not in html
    assert html.count('<section class="part"') == 5


def test_footnote_markers_become_superscript_and_their_notes_stay_as_text(document_data):
    html = render_html(department_content(document_data.synthesis))

    assert 'se sont tenus.<sup class="note-ref">1</sup>' in html
    assert "[Forum 1], [Compte-rendu 1]" in html
    assert "Jump back" not in html
    assert "↩" not in html


def test_markdown_html_uses_the_project_sanitiser():
    html = markdown_html('Texte <a href="javascript:alert(1)">lien</a> [ok](https://example.org)')

    assert "javascript:" not in html
    assert '<a href="https://example.org" rel="noopener noreferrer">ok</a>' in html


def test_status_line_of_a_late_submission(document_data):
    synthesis = document_data.synthesis
    synthesis.status = SynthesisStatus.SUBMITTED
    synthesis.submitted_at = datetime(2009, 5, 23, 8, tzinfo=UTC)
    synthesis.is_late = True

    content = department_content(synthesis)

    assert content.status_line == ("Transmise au ministère le 23 mai 2009, après la date limite du 22 mai 2009 "
                                   "— chiffres arrêtés le 1er mai 2009.")
    assert content.status_line in render_html(content)


def test_status_line_of_a_draft_never_saved(document_data, consultation):
    synthesis = DepartmentSynthesis(consultation_id=consultation.id, consultation=consultation,
                                    department_code="13", department=document_data.synthesis.department,
                                    status=SynthesisStatus.DRAFT, local_insight="Texte", diagnosis="", proposals="",
                                    figures={})

    content = department_content(synthesis)

    assert content.title == "Synthèse départementale — Bouches-du-Rhône (13)"
    assert content.status_line.startswith("Projet calculé à partir des données actuelles, non enregistré")
    html = render_html(content)
    assert "Partie non rédigée." in html
    assert "Chiffres non calculés." in html


def test_national_document(db, consultation):
    national = NationalSynthesis(consultation_id=consultation.id, consultation=consultation,
                                 local_insight="Partout en France.", diagnosis="Forces et faiblesses.",
                                 proposals="- Une proposition nationale",
                                 figures={"title": "Synthèse nationale — Assises de la sécurité intérieure",
                                          "subtitle": "Consultation", "figures_markdown": "Chiffres nationaux",
                                          "annexes_markdown": "1. Synthèse départementale — Bouches-du-Rhône (13)",
                                          "annexes": [], "departments": ["13"]})
    db.session.add(national)
    db.session.commit()

    content = national_content(national)
    html = render_html(content)

    assert content.status_line == ("Synthèse nationale établie à partir de 1 synthèse départementale transmise.")
    for text in ("Partout en France.", "Forces et faiblesses.", "Une proposition nationale", "Chiffres nationaux",
                 "La consultation en chiffres", "Annexes\u00a0: synthèses départementales"):
        assert text in html
