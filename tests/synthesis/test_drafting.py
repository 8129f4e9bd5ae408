"""The departmental draft: the three required parts, figures and annexes, every fact traced."""
import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from synthesis import sources
from synthesis.concerns import department_concerns
from synthesis.drafting import (
    ANNEXES, DIAGNOSIS, FIGURES, INSIGHT, PART_TITLES, PROPOSALS, draft_department_synthesis, split_items,
)
from synthesis.figures import department_figures
from synthesis.records import MinutesRecord, TopicRecord

from .fixtures import FIGURE_MINUTES, corpus_department, fixture_department, q


def draft_of(department):
    return draft_department_synthesis(department, department_figures(department), department_concerns(department))


@pytest.fixture(scope="module")
def department():
    return fixture_department()


@pytest.fixture(scope="module")
def draft(department):
    return draft_of(department)


FOOTNOTE_MARKER = re.compile(r"\[\^([a-z]+\d+)\](?!:)")
FOOTNOTE_DEFINITION = re.compile(r"^\[\^([a-z]+\d+)\]: (.+)$", re.MULTILINE)


def test_the_three_required_parts_in_order(draft):
    assert [(part.key, part.title) for part in draft.parts] == [
        (INSIGHT, "Éclairage de proximité sur les problématiques dégagées"),
        (DIAGNOSIS, "Diagnostic\u00a0: points forts et points faibles"),
        (PROPOSALS, "Propositions pour renforcer le lien de confiance entre la population et les forces de sécurité"),
    ]
    assert all(part.markdown.strip() for part in draft.parts)
    assert draft.part(FIGURES).markdown and draft.part(ANNEXES).markdown
    document = draft.markdown()
    positions = [document.index(title) for title in PART_TITLES.values()]
    assert positions == sorted(positions)
    assert document.startswith("# Synthèse départementale — Bouches-du-Rhône (13)\n")
    assert "au plus tard le vendredi 22\u00a0mai 2009" not in document  # dates keep ordinary spaces
    assert "au plus tard le vendredi 22 mai 2009" in document


def test_every_footnote_marker_has_its_traces(draft):
    for part in (*draft.parts, draft.figures, draft.annexes_part):
        markers = FOOTNOTE_MARKER.findall(part.markdown)
        definitions = dict(FOOTNOTE_DEFINITION.findall(part.markdown))
        assert markers, part.key
        assert sorted(markers) == sorted(definitions), part.key
        for label in markers:
            assert sources.parse_refs(definitions[label]), (part.key, label)


def test_every_trace_leads_somewhere(department, draft):
    figures = department_figures(department)
    concerns = department_concerns(department)
    references = {question.reference for question in department.questions}
    forums = {forum.id for forum in department.forums}
    minutes = set(department.current_minutes())
    proposals = {proposal.id for proposal in department.proposals}
    found = sources.parse_refs(draft.markdown())
    assert {ref.kind for ref in found} >= {sources.QUESTION, sources.MINUTES, sources.FORUM, sources.PROPOSAL,
                                           sources.FIGURE, sources.CONCERN} - {sources.CONCERN}
    for ref in found:
        if ref.kind == sources.QUESTION:
            assert ref.key in references
        elif ref.kind == sources.MINUTES:
            assert int(ref.key) in minutes
        elif ref.kind == sources.FORUM:
            assert int(ref.key) in forums
        elif ref.kind == sources.PROPOSAL:
            assert int(ref.key) in proposals
        elif ref.kind == sources.FIGURE:
            figures.count(ref.key)
        elif ref.kind == sources.CONCERN:
            assert concerns.concern(ref) is not None
        else:
            pytest.fail(f"unexpected trace {ref}")


def test_insight_states_the_facts(draft):
    text = draft.part(INSIGHT).markdown
    assert "4 forums se sont tenus du mardi 17 mars au mardi 21 avril 2009." in text
    assert "157 participants, dont 125 membres du public, soit 52,3 en moyenne par forum." in text
    assert "1 forum a été annulé" in text and "1 forum reste à tenir" in text
    assert "couvrent 6 cantons sur 8 (75,0\u00a0%)" in text
    assert ("Les citoyens ont adressé 12 questions en ligne\u00a0: 7 ont été publiées après modération, "
            "2 n’ont pas été publiées au regard de la charte, 2 sont en attente de modération et 1 a été "
            "regroupée avec une question identique.") in text
    assert "3 questions ont reçu une réponse écrite de la préfecture et 2 ont été reprises lors d’un forum." in text
    assert ("**Thème 1** «\u00a0La sécurité, un devoir vis-à-vis de nos concitoyens\u00a0»\u00a0: "
            "8 questions reçues, dont 5 publiées.") in text
    assert "#### 1.B.1 Délinquance de voie publique et cambriolages" in text
    assert "- **Lotissements** (2 contributions)" in text
    assert "1.A.3 Cybercriminalité\u202f; 1.B.3 Violences intrafamiliales." in text


def test_unpublished_questions_are_never_quoted(draft):
    document = draft.markdown()
    assert "Untel" not in document and "Votez" not in document and "courriel frauduleux" not in document


def test_diagnosis_attributes_each_item_to_its_forum(draft):
    text = draft.part(DIAGNOSIS).markdown
    assert "- Forum du 17 mars 2009 — Aix-en-Provence\u00a0: Écoute des habitants.[^d2]" in text
    assert "- Forum du 2 avril 2009 — Salon-de-Provence\u00a0: Délais d’attente à l’accueil." in text
    assert "1 forum tenu n’a pas encore de compte-rendu\u00a0: forum du 21 avril 2009 — Istres." in text
    assert text.index("### Points forts") < text.index("### Points faibles")


def test_diagnosis_groups_what_several_forums_say(department):
    minutes = (
        replace(FIGURE_MINUTES[1], strengths="- Réactivité de la gendarmerie lors des cambriolages.\n- Écoute."),
        replace(FIGURE_MINUTES[2], strengths="1. Très bonne réactivité des gendarmes.\n2. Salle adaptée."),
        FIGURE_MINUTES[3],
    )
    text = draft_of(replace(department, minutes=minutes)).part(DIAGNOSIS).markdown
    assert "#### Constats partagés par plusieurs forums" in text
    assert "- **Réactivité** — relevé par 3 forums" in text
    assert "(forum du 17 mars 2009 — Aix-en-Provence)" in text and "(forum du 24 mars 2009 — Arles)" in text
    assert "#### Constats par forum" in text


def test_proposals_are_grouped_by_theme_and_subtopic(draft):
    text = draft.part(PROPOSALS).markdown
    assert "Les forums et la préfecture ont recueilli 6 propositions." in text
    assert "Origine\u00a0: public 2, élus 2, associations 1, forces de l’ordre 1.[^p2]" in text
    assert text.index("### Thème 1") < text.index("#### 1.A.1 Vidéo-protection") < text.index(
        "#### Propositions générales sur le thème") < text.index("### Thème 2")
    assert ("- Étendre la vidéo-protection aux abords de la gare. — *élus, forum du 17 mars 2009 — "
            "Aix-en-Provence*[^p3]") in text
    assert "- Diffuser un guide contre les escroqueries en ligne. — *public, hors forum*" in text
    assert "[^p3]: [Proposition 202]" in text


def test_figures_tables(draft):
    text = draft.part(FIGURES).markdown
    assert "| Forums tenus | 4 |" in text
    assert "| Cantons couverts | 6 sur 8 (75,0\u00a0%) |" in text
    assert "| **Total** | **157** |" in text
    assert "| **Total** | 12 | 7 | 2 | 2 | 3 | 2 |" in text
    assert "| 1.B.1 Délinquance de voie publique et cambriolages | 3 | 2 | 0 | 0 | 1 | 1 |" in text
    assert "| Forces de l’ordre | 1 |" in text


def test_annexes_one_per_held_forum(draft):
    assert [(annex.forum_id, annex.title, annex.has_minutes) for annex in draft.annexes] == [
        (11, "Compte-rendu du forum du 17 mars 2009 — Aix-en-Provence", True),
        (12, "Compte-rendu du forum du 24 mars 2009 — Arles", True),
        (13, "Compte-rendu du forum du 2 avril 2009 — Salon-de-Provence", True),
        (14, "Compte-rendu du forum du 21 avril 2009 — Istres", False),
    ]
    text = draft.part(ANNEXES).markdown
    assert "4. Compte-rendu du forum du 21 avril 2009 — Istres — *compte-rendu non encore saisi*" in text
    assert "[^a1]: [CR forum 11]" in text and "[^a4]: [Forum 14]" in text


def test_concerns_with_quotes_in_the_draft():
    text = draft_of(corpus_department()).part(INSIGHT).markdown
    assert "Dans le département, 1 forum s’est tenu le mardi 17 mars 2009." in text
    assert "Le compte-rendu saisi fait état de 80 participants, dont 80 membres du public" in text
    line = next(line for line in text.splitlines() if line.startswith("- **Violences conjugales**"))
    assert line.startswith("- **Violences conjugales** (3 contributions)[^e")
    assert line.count("«\u00a0") == 3 and "\u202f; «" in line
    marker = re.search(r"\[\^(e\d+)\]", line).group(1)
    note = re.search(rf"^\[\^{marker}\]: (.+)$", text, re.MULTILINE).group(1)
    # The quoted questions first, closest to the concern's centre first.
    assert note == "[Q 13-000016] [Q 13-000017] [Q 13-000015]"


def test_citizens_markup_is_neutralised():
    department = corpus_department(questions=(
        q(1, "published", "1.B.1", "Les cambriolages <script>alert(1)</script> **partout** [ici](http://x.fr)"),
        q(2, "published", "1.B.1", "Cambriolages: _encore_ !"),
    ))
    text = draft_of(department).part(INSIGHT).markdown
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\\*\\*partout\\*\\*" in text and "\\[ici\\](http://x.fr)" in text
    assert "Cambriolages\u00a0: \\_encore\\_\u202f!" in text


def test_a_department_with_nothing_yet():
    department = fixture_department(forums=(), questions=(), minutes=(), proposals=(), coverage=None)
    draft = draft_of(department)
    assert "Aucun forum ne s’est encore tenu dans le département." in draft.part(INSIGHT).markdown
    assert "Aucune question n’a été adressée en ligne." in draft.part(INSIGHT).markdown
    assert "Aucun compte-rendu de forum n’a encore été saisi" in draft.part(DIAGNOSIS).markdown
    assert "Aucune proposition n’a encore été enregistrée." in draft.part(PROPOSALS).markdown
    assert draft.annexes == ()


def test_forum_dates_are_read_in_paris(department):
    # 22:30 UTC on 31 March 2009 is already 1 April in Paris (summer time since 29 March).
    late = replace(department.forums[0], starts_at=datetime(2009, 3, 31, 22, 30, tzinfo=UTC))
    draft = draft_of(replace(department, forums=(late, *department.forums[1:])))
    assert [annex.title for annex in draft.annexes[:2]] == [
        "Compte-rendu du forum du 24 mars 2009 — Arles", "Compte-rendu du forum du 1er avril 2009 — Aix-en-Provence"]


def test_same_input_same_draft(department):
    reordered = replace(department, questions=tuple(reversed(department.questions)),
                        proposals=tuple(reversed(department.proposals)), forums=tuple(reversed(department.forums)))
    assert draft_of(reordered) == draft_of(department)


@pytest.mark.parametrize("text, items", [
    ("- Écoute.\n- Accueil.", ["Écoute.", "Accueil."]),
    ("1. Un\n2) Deux\n\n• Trois", ["Un", "Deux", "Trois"]),
    ("Une phrase. Une autre.", ["Une phrase. Une autre."]),
    ("", []),
])
def test_split_items(text, items):
    assert split_items(text) == items


def test_minutes_topics_count_in_the_subtopic_sentence(department):
    minutes = (*FIGURE_MINUTES[1:], MinutesRecord(14, {"public": 10}, 60, "", "", (TopicRecord("1.A.1", "Caméras."),)))
    text = draft_of(replace(department, minutes=minutes)).part(INSIGHT).markdown
    assert "1 question publiée et 1 compte-rendu de forum abordent ce sous-thème." in text


def test_deadline_in_the_subtitle(draft):
    assert draft.subtitle.endswith("au plus tard le vendredi 22 mai 2009")
    assert fixture_department().deadline == date(2009, 5, 22)


def test_the_draft_renders_as_the_web_app_renders_markdown():
    # The web app renders parts with Python-Markdown "extra" (footnotes, tables), then sanitises.
    markdown = pytest.importorskip("markdown")
    department = corpus_department(questions=(
        q(1, "published", "1.B.1", "Les cambriolages <script>alert(1)</script> **partout** [ici](http://x.fr)"),
        q(2, "published", "1.B.1", "Cambriolages: _encore_ !"),
    ))
    html = markdown.markdown(draft_of(department).markdown(), extensions=["extra", "sane_lists"])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "**partout** [ici](http://x.fr)" in html and "\\" not in html
    assert '<a class="footnote-ref" href="#fn:e1">' in html and '<div class="footnote">' in html
    assert "<table>" in html and "<h4>1.B.1 Délinquance de voie publique et cambriolages</h4>" in html
