"""The departmental draft: three parts made of sections, generated blocks apart from the agent's text,
figures tables with anchors, annexes, and every fact's sources named in words a reader understands."""
import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from synthesis import sources
from synthesis.concerns import department_concerns
from synthesis.document import DIAGNOSIS, INSIGHT, PROPOSALS, Draft, own_text
from synthesis.drafting import PART_TITLES, draft_department_synthesis, forum_label, split_items
from synthesis.figure_tables import figure_anchor, figure_label, row_anchor
from synthesis.figures import department_figures
from synthesis.records import ForumRecord, MinutesRecord, TopicRecord

from .fixtures import FIGURE_MINUTES, corpus_department, fixture_department, q


def draft_of(department):
    return draft_department_synthesis(department, department_figures(department), department_concerns(department))


@pytest.fixture(scope="module")
def department():
    return fixture_department()


@pytest.fixture(scope="module")
def draft(department):
    return draft_of(department)


def part_text(draft, key, texts=None):
    return draft.part_markdown(key, texts)


FOOTNOTE_MARKER = re.compile(r"\[\^([a-z]+\d+)\](?!:)")
FOOTNOTE_DEFINITION = re.compile(r"^\[\^([a-z]+\d+)\]: (.+)$", re.MULTILINE)
#: What a reader must never see: the stored form of a source, or an internal key.
INTERNAL = re.compile(r"\[(?:Q|CR forum|Forum|Proposition|Chiffre|Préoccupation|Département) [^\]\s]+\]")


def test_the_three_required_parts_in_order_with_their_sections(draft):
    assert [(part.key, part.title) for part in draft.parts] == [
        (INSIGHT, "Éclairage de proximité sur les problématiques dégagées"),
        (DIAGNOSIS, "Diagnostic\u00a0: points forts et points faibles"),
        (PROPOSALS, "Propositions pour renforcer le lien de confiance entre la population et les forces de sécurité"),
    ]
    assert draft.section_keys() == [
        "insight.forums", "insight.questions", "insight.concerns", "insight.overall", "insight.analysis",
        "diagnosis.sources", "diagnosis.strengths", "diagnosis.weaknesses", "diagnosis.analysis",
        "proposals.summary", "proposals.theme.1", "proposals.theme.2", "proposals.own",
    ]
    assert draft.title == "Synthèse départementale des Bouches-du-Rhône (13)"
    assert draft.subtitle.endswith("au plus tard le vendredi 22 mai 2009")
    assert PART_TITLES[INSIGHT] == draft.parts[0].title


def test_the_agents_text_follows_its_block_and_never_replaces_it(draft):
    texts = {"insight.forums": "Les forums ont été **bien suivis**.", "insight.analysis": "Notre lecture."}
    text = part_text(draft, INSIGHT, texts)
    block = draft.part(INSIGHT).section("insight.forums").markdown
    assert text.index("### Les forums") < text.index(block) < text.index("Les forums ont été **bien suivis**.")
    assert text.index("Notre lecture.") > text.index("### Éclairage de la préfecture")
    # An agent's section with no text is no heading without content.
    assert "### Éclairage de la préfecture" not in part_text(draft, INSIGHT)


def test_the_agents_footnotes_and_high_headings_are_neutralised():
    assert own_text("Voir [^e1] ici.\n# Titre\n## Autre\n#### Gardé") == \
        "Voir [\\^e1] ici.\n#### Titre\n#### Autre\n#### Gardé"


def test_every_marker_has_its_note_and_every_note_names_its_sources_in_words(draft):
    for part in draft.parts:
        text = part_text(draft, part.key)
        markers = FOOTNOTE_MARKER.findall(text)
        definitions = dict(FOOTNOTE_DEFINITION.findall(text))
        assert markers, part.key
        assert sorted(markers) == sorted(definitions), part.key
        for label in markers:
            assert sources.linked_refs(definitions[label]), (part.key, label)
        assert not INTERNAL.search(text), INTERNAL.search(text)


def test_every_source_leads_somewhere(department, draft):
    figures = department_figures(department)
    references = {question.reference for question in department.questions if question.is_published}
    forums = {forum.id for forum in department.forums}
    minutes = set(department.current_minutes())
    proposals = {proposal.id for proposal in department.proposals}
    found = [ref for part in draft.parts for ref in sources.linked_refs(part_text(draft, part.key))]
    assert {ref.kind for ref in found} >= {sources.MINUTES, sources.FORUM, sources.PROPOSAL, sources.FIGURE}
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
            figures.count(ref.key) if ref.key != "coverage" else None
            assert figure_anchor(ref.key) is not None, ref.key
        else:
            pytest.fail(f"unexpected source {ref}")


def test_notes_name_figures_by_their_table_row_and_forums_by_place_and_date(draft):
    notes = draft.part(INSIGHT).notes
    assert ("[Tableau «\u00a0Forums et couverture\u00a0», ligne «\u00a0Forums tenus\u00a0»]"
            "(source:chiffre/forums/held)") in notes
    assert "[forum d’Arles du 24 mars 2009](source:forum/12)" in notes
    assert "[compte-rendu du forum d’Aix-en-Provence du 17 mars 2009](source:compte-rendu/11)" in notes
    diagnosis = draft.part(DIAGNOSIS).notes
    assert "[Compte-rendu du forum d’Aix-en-Provence du 17 mars 2009](source:compte-rendu/11)" in diagnosis
    proposals = draft.part(PROPOSALS).notes
    assert "[Compte-rendu du forum d’Aix-en-Provence du 17 mars 2009](source:proposition/202)" in proposals
    assert "[Proposition de la préfecture](source:proposition/206)" in proposals


def test_insight_states_the_facts(draft):
    text = part_text(draft, INSIGHT)
    assert "Dans les Bouches-du-Rhône, 4 forums se sont tenus du mardi 17 mars au mardi 21 avril 2009." in text
    assert ("Les 3 comptes-rendus saisis font état de 157 participants, dont 125 membres du public, soit 52,3 en "
            "moyenne par forum.") in text
    assert "1 forum a été annulé" in text and "1 forum reste à tenir (forum de Marignane du 12 mai 2009)" in text
    assert "couvrent 6 cantons sur 8 (75,0\u00a0%)" in text
    assert ("Les citoyens ont adressé 12 questions en ligne\u00a0: 7 ont été publiées après modération, "
            "2 n’ont pas été publiées au regard de la charte, 2 sont en attente de modération et 1 a été "
            "regroupée avec une question identique.") in text
    assert "3 questions ont reçu une réponse écrite de la préfecture et 2 ont été reprises lors d’un forum." in text
    assert ("**Thème 1** «\u00a0La sécurité, un devoir vis-à-vis de nos concitoyens\u00a0»\u00a0: "
            "8 questions reçues, dont 5 publiées.") in text
    assert "#### 1.B.1 Délinquance de voie publique et cambriolages" in text
    assert "1.A.3 Cybercriminalité\u202f; 1.B.3 Violences intrafamiliales." in text


def test_unpublished_questions_are_never_quoted_nor_named(draft):
    document = "\n".join(part_text(draft, part.key) for part in draft.parts)
    assert "Untel" not in document and "Votez" not in document and "courriel frauduleux" not in document
    for reference in ("13-000105", "13-000106", "13-000107", "13-000111", "13-000112"):
        assert reference not in document


def test_diagnosis_attributes_each_item_to_its_forum(draft):
    text = part_text(draft, DIAGNOSIS)
    assert "- Forum d’Aix-en-Provence du 17 mars 2009\u00a0: Écoute des habitants.[^d3]" in text
    assert "- Forum de Salon-de-Provence du 2 avril 2009\u00a0: Délais d’attente à l’accueil." in text
    assert "1 forum tenu n’a pas encore de compte-rendu\u00a0: forum d’Istres du 21 avril 2009." in text
    assert text.index("### Points forts") < text.index("### Points faibles")


def test_diagnosis_groups_what_several_forums_say(department):
    minutes = (
        replace(FIGURE_MINUTES[1], strengths="- Réactivité de la gendarmerie lors des cambriolages.\n- Écoute."),
        replace(FIGURE_MINUTES[2], strengths="1. Très bonne réactivité des gendarmes.\n2. Salle adaptée."),
        FIGURE_MINUTES[3],
    )
    text = part_text(draft_of(replace(department, minutes=minutes)), DIAGNOSIS)
    assert "#### Constats partagés par plusieurs forums" in text
    assert "#### Constats par forum" in text


def test_proposals_are_grouped_by_theme_and_subtopic(draft):
    text = part_text(draft, PROPOSALS)
    assert "Les forums ont recueilli 6 propositions." in text
    assert "Origine\u00a0: public 2, élus 2, associations 1, forces de l’ordre 1.[^p2]" in text
    assert text.index("### Thème 1") < text.index("#### 1.A.1 Vidéo-protection") < text.index(
        "#### Propositions générales sur le thème") < text.index("### Thème 2")
    assert ("- Étendre la vidéo-protection aux abords de la gare. — *élus, forum d’Aix-en-Provence du 17 mars "
            "2009*[^p3]") in text
    assert "- Diffuser un guide contre les escroqueries en ligne. — *public, hors forum*" in text


def test_figures_tables_have_keyed_rows_and_the_notes_point_at_them(draft):
    tables = {table.key: table for table in draft.tables}
    assert tables["forums"].row("held").cells == ("4",)
    assert tables["forums"].row("coverage").cells == ("6 sur 8 (75,0\u00a0%)",)
    assert tables["participation"].row("total").cells == ("157",) and tables["participation"].row("total").is_total
    assert tables["questions-themes"].row("total").cells == ("12", "7", "2", "2", "1", "3", "2")
    assert tables["questions-sous-themes"].row("1.B.1").cells == ("3", "2", "0", "0", "1", "1", "1")
    assert tables["propositions"].row("origine-forces_de_l_ordre").cells == ("1",)
    assert figure_anchor("questions/theme/1/published") == row_anchor("questions-themes", "1") == \
        "chiffres-questions-themes-1"
    assert figure_label("questions/subtopic/1.B.2/received", draft.tables) == (
        "tableau «\u00a0Questions des citoyens par sous-thème\u00a0», ligne «\u00a01.B.2\u00a0», "
        "colonne «\u00a0Reçues\u00a0»")


def test_annexes_one_per_held_forum(draft):
    assert [(annex.forum_id, annex.title, annex.available) for annex in draft.annexes] == [
        (11, "Compte-rendu du forum d’Aix-en-Provence du 17 mars 2009", True),
        (12, "Compte-rendu du forum d’Arles du 24 mars 2009", True),
        (13, "Compte-rendu du forum de Salon-de-Provence du 2 avril 2009", True),
        (14, "Compte-rendu du forum d’Istres du 21 avril 2009", False),
    ]


def test_concerns_come_with_anonymous_quotes_and_their_sources():
    text = part_text(draft_of(corpus_department()), INSIGHT)
    assert "Dans les Bouches-du-Rhône, 1 forum s’est tenu le mardi 17 mars 2009." in text
    assert "Le compte-rendu saisi fait état de 80 participants, dont 80 membres du public." in text
    lines = [line for line in text.splitlines() if line.startswith("- **") and "contribution" in line]
    assert lines
    for line in lines:
        assert re.match(r"- \*\*[^*]+\*\* \(\d+ contributions?.*?\)\[\^e\d+\]", line), line
        assert "«\u00a0" in line
    line = next(line for line in lines if line.startswith("- **Violences conjugales**"))
    assert line.startswith("- **Violences conjugales** (3 contributions)[^e")
    assert line.count("«\u00a0") == 3 and "\u202f; «" in line
    marker = re.search(r"\[\^(e\d+)\]", line).group(1)
    note = re.search(rf"^\[\^{marker}\]: (.+)$", text, re.MULTILINE).group(1)
    # The quoted questions first, closest to the concern's centre first, each named and linked.
    assert [ref.key for ref in sources.linked_refs(note)] == ["13-000016", "13-000017", "13-000015"]
    assert note.startswith("[Question 13-000016](source:question/13-000016)")


def test_citizens_markup_is_neutralised():
    department = corpus_department(questions=(
        q(1, "published", "1.B.1", "Les cambriolages <script>alert(1)</script> **partout** [ici](http://x.fr)"),
        q(2, "published", "1.B.1", "Les cambriolages: _encore_ !"),
    ))
    text = part_text(draft_of(department), INSIGHT)
    assert "<script>" not in text
    assert "**partout**" not in text and "[ici](http://x.fr)" not in text


def test_a_department_with_nothing_yet():
    department = fixture_department(forums=(), questions=(), minutes=(), proposals=(), coverage=None)
    draft = draft_of(department)
    assert "Aucun forum ne s’est encore tenu dans les Bouches-du-Rhône." in part_text(draft, INSIGHT)
    assert "Aucune question n’a été adressée en ligne." in part_text(draft, INSIGHT)
    assert "Aucun compte-rendu de forum n’a encore été saisi" in part_text(draft, DIAGNOSIS)
    assert "Aucune proposition n’a encore été enregistrée." in part_text(draft, PROPOSALS)
    assert draft.annexes == ()


@pytest.mark.parametrize("full_name, where", [
    ("Département du Nord", "Dans le Nord"), ("Département de l'Ain", "Dans l’Ain"),
    ("Département de la Somme", "En Somme"), ("Ville de Paris", "Dans le département"),
    ("", "Dans le département"),
])
def test_the_department_is_named_with_its_article(full_name, where):
    text = part_text(draft_of(fixture_department(department_full_name=full_name)), INSIGHT)
    assert f"{where}, 4 forums se sont tenus" in text


def test_forums_are_named_without_doubled_words():
    forum = ForumRecord(1, "13", None, "Forum de sécurité d'Istres", None, "held")
    assert forum_label(forum) == "forum de sécurité d'Istres"
    assert forum_label(replace(forum, title="Réunion publique")) == "forum «\u00a0Réunion publique\u00a0»"
    assert forum_label(replace(forum, place="Istres", starts_at=date(2009, 4, 1))) == "forum d’Istres du 1er avril 2009"


def test_forum_dates_are_read_in_paris(department):
    # 22:30 UTC on 31 March 2009 is already 1 April in Paris (summer time since 29 March).
    late = replace(department.forums[0], starts_at=datetime(2009, 3, 31, 22, 30, tzinfo=UTC))
    draft = draft_of(replace(department, forums=(late, *department.forums[1:])))
    assert [annex.title for annex in draft.annexes[:2]] == [
        "Compte-rendu du forum d’Arles du 24 mars 2009", "Compte-rendu du forum d’Aix-en-Provence du 1er avril 2009"]


def test_same_input_same_draft(department):
    reordered = replace(department, questions=tuple(reversed(department.questions)),
                        proposals=tuple(reversed(department.proposals)), forums=tuple(reversed(department.forums)))
    assert draft_of(reordered) == draft_of(department)


def test_a_draft_is_stored_and_read_back_as_it_was(draft):
    assert Draft.from_dict(draft.to_dict()) == draft
    with pytest.raises(ValueError):
        Draft.from_dict({"schema_version": 1})


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
    text = part_text(draft_of(replace(department, minutes=minutes)), INSIGHT)
    assert "1 question publiée et 1 compte-rendu de forum abordent ce sous-thème." in text


def test_the_draft_renders_as_the_web_app_renders_markdown():
    # The web app renders parts with Python-Markdown "extra" (footnotes, tables), then sanitises.
    markdown = pytest.importorskip("markdown")
    department = corpus_department(questions=(
        q(1, "published", "1.B.1", "Les cambriolages <script>alert(1)</script> **partout** [ici](http://x.fr)"),
        q(2, "published", "1.B.1", "Les cambriolages: _encore_ !"),
    ))
    draft = draft_of(department)
    html = markdown.markdown(part_text(draft, INSIGHT), extensions=["extra", "sane_lists"])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a class="footnote-ref" href="#fn:e1">' in html and '<div class="footnote">' in html
    assert "<h4>1.B.1 Délinquance de voie publique et cambriolages</h4>" in html
    assert 'href="source:chiffre/forums/held"' in html
