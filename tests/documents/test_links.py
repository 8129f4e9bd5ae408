"""Source links rewritten to addresses a reader can open, before any Markdown is rendered."""
import pytest

from forums.documents.links import figure_links, first_link, resolve_sources
from synthesis import sources
from synthesis.figure_tables import FigureRow, FigureTable

QUESTION = sources.link(sources.question("13-000102"), "question 13-000102")
MINUTES = sources.link(sources.minutes(11), "compte-rendu du forum d’Aix")
FIGURE = "[Tableau « Forums », ligne « Forums tenus »](source:chiffre/forums/held)"
TABLES = (FigureTable("forums", "Forums", ("Indicateur", "Nombre"), (FigureRow("held", "Forums tenus", ("4",)),)),)


def addresses(ref):
    return {sources.QUESTION: f"/questions/{ref.key}", sources.MINUTES: f"cr/{ref.key}.html"}.get(ref.kind)


def test_a_source_link_points_to_its_address():
    text = f"Voir {QUESTION} et {MINUTES}."

    assert resolve_sources(text, addresses) == (
        "Voir [question 13-000102](/questions/13-000102) et [compte-rendu du forum d’Aix](cr/11.html).")


def test_a_source_without_address_keeps_its_words_only():
    assert resolve_sources(f"Voir {QUESTION}.") == "Voir question 13-000102."
    assert resolve_sources(f"{FIGURE} ; {QUESTION}", addresses) == (
        "Tableau « Forums », ligne « Forums tenus » ; [question 13-000102](/questions/13-000102)")
    # A kind no one knows keeps its words too: no "source:" is ever left for the sanitiser.
    assert resolve_sources("[un document](source:inconnu/12)", lambda ref: "/partout") == "un document"


def test_labels_keep_their_escapes_and_escaped_brackets_open_no_link():
    label = sources.link(sources.question("13-000001"), "[crochets] *étoiles* \\ fin")

    resolved = resolve_sources(label, addresses)

    assert resolved == r"[\[crochets\] \*étoiles\* \\ fin](/questions/13-000001)"
    # An escaped bracket is text, not the start of a link: it stays as written.
    escaped = r"\[pas un lien](source:question/13-000001)"
    assert resolve_sources(escaped, addresses) == escaped


def test_an_address_cannot_end_the_link_or_carry_markdown():
    resolved = resolve_sources(QUESTION, lambda ref: 'dossier (2)/cr 1.html"><script>')

    assert resolved == "[question 13-000102](dossier%20%282%29/cr%201.html%22%3E%3Cscript%3E)"


def test_figures_link_to_the_rows_the_tables_show():
    links = figure_links(TABLES)

    assert links(sources.figure("forums/held")) == "#chiffres-forums-held"
    # A figure whose row the tables do not hold gets no link rather than a dead one.
    assert links(sources.figure("forums/cancelled")) is None
    assert links(sources.figure("nowhere/at/all")) is None
    assert links(sources.question("13-000102")) is None


def test_first_link_asks_each_in_turn():
    links = first_link(None, addresses, figure_links(TABLES), lambda ref: "/repli")

    assert links(sources.question("13-000102")) == "/questions/13-000102"
    assert links(sources.figure("forums/held")) == "#chiffres-forums-held"
    assert links(sources.forum(12)) == "/repli"
    assert first_link()(sources.forum(12)) is None


ADVERSARIAL = {
    "open brackets": "[" * 10_000,
    "escaped brackets": "[" + "\\[" * 5_000,
    "escapes and parentheses": "[\\](" * 2_500,
    "unfinished sources": "[a](source:" * 1_000,
    "labels never closed": ("[x\\]" * 10 + "](source:question/") * 300,
    "punctuation": "*_`[]()!<>\\#^:" * 715,
    "nested": "[" * 5_000 + "]" * 5_000,
}


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_long_texts_of_brackets_and_punctuation_are_left_as_they_are(text):
    # Each of these makes a backtracking pattern rescan the rest of the text from every bracket.
    assert resolve_sources(text, addresses) == text


def test_many_sources_in_a_long_text_are_all_resolved():
    text = f"{QUESTION} \\[" * 1_000

    assert resolve_sources(text, addresses) == "[question 13-000102](/questions/13-000102) \\[" * 1_000
