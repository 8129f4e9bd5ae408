"""Footnotes taken out of a part's Markdown: calls become marks, definitions become numbered notes."""
from forums.documents.footnotes import CALL, Footnote, FootnotedText, call_mark, take_footnotes

PART = """### Les forums

Quatre forums se sont tenus.[^e2] Trois comptes-rendus.[^e1] Encore les forums.[^e2]

Texte de l’agent : \\[^e1] reste écrit.

[^e1]: [Compte-rendu](source:compte-rendu/11)
[^e2]: Tableau « Forums »
[^e3]: Jamais appelée"""


def test_notes_are_taken_out_and_numbered_in_the_order_of_their_calls():
    taken = take_footnotes(PART, first=5)

    assert taken.notes == (Footnote(5, "e2", "Tableau « Forums »"),
                           Footnote(6, "e1", "[Compte-rendu](source:compte-rendu/11)"))
    assert [int(number) for number in CALL.findall(taken.text)] == [5, 6, 5]
    assert f"tenus.{call_mark(5)} Trois comptes-rendus.{call_mark(6)}" in taken.text
    # Definitions are gone, the one never called with them; an escaped call stays as written.
    assert "]:" not in taken.text and "Jamais appelée" not in taken.text
    assert "\\[^e1] reste écrit." in taken.text


def test_a_call_without_definition_is_left_as_written():
    taken = take_footnotes("Texte.[^x9]")

    assert taken.text == "Texte.[^x9]"
    assert taken.notes == ()


def test_no_text_can_forge_a_call():
    taken = take_footnotes(f"Faux appel {call_mark(1)}.[^e1]\n\n[^e1]: Note")

    # The private marks are dropped, the number they held left as plain text.
    assert taken.text.strip() == f"Faux appel 1.{call_mark(1)}"
    assert len(CALL.findall(taken.text)) == 1


def test_long_texts_of_brackets_are_left_as_they_are():
    for text in ("[^" * 5_000, "\\[^" * 3_000, "[^a]" * 2_500, "[^" + "a" * 10_000):
        assert take_footnotes(text) == FootnotedText(text, ())
