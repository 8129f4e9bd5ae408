"""Numbers an agent cites in their own text: read the French way, matched to figures, flagged when they change."""
import time
from dataclasses import replace

import pytest

from synthesis.citations import Citation, cite_numbers, figure_values, numbers_in, outdated_citations
from synthesis.figures import department_figures

from .fixtures import FIGURE_MINUTES, fixture_department


@pytest.mark.parametrize("text, numbers", [
    ("173 participants", [("173", 173.0)]),
    ("1 250 et 1\u202f250 et 1.250", [("1 250", 1250.0), ("1\u202f250", 1250.0), ("1.250", 1250.0)]),
    ("66,7 % des cantons", [("66,7", 66.7)]),
    ("le 12 mai 2009, 3 forums", [("12", 12.0), ("2009", 2009.0), ("3", 3.0)]),
    ("forum n°4 et 4 forums", [("4", 4.0)]),
    ("aucun chiffre", []),
])
def test_numbers_are_read_as_french_writes_them(text, numbers):
    assert numbers_in(text) == numbers


def test_a_cited_number_remembers_every_figure_that_had_its_value():
    figures = department_figures(fixture_department())
    values = figure_values(figures)
    [citation] = cite_numbers("Les 157 participants ont apprécié.", values)
    assert citation == Citation("157", 157.0, ("attendance/total",))
    assert cite_numbers("Un texte sans chiffre.", values) == ()
    [coverage] = cite_numbers("Couverture : 75,0 %.", values)
    assert coverage.paths == ("coverage",)


def test_a_citation_is_outdated_when_no_figure_it_stood_for_still_has_its_value():
    department = fixture_department()
    before = figure_values(department_figures(department))
    citations = cite_numbers("157 participants, 12 questions.", before)
    assert outdated_citations(citations, before) == []
    fewer = replace(department, minutes=FIGURE_MINUTES[:2])
    after = figure_values(department_figures(fewer))
    [outdated] = outdated_citations(citations, after)
    assert outdated.citation.text == "157"
    assert outdated.now == (("attendance/total", 75),)


def test_long_adversarial_texts_are_read_in_linear_time():
    for text in ("1 " * 5000, "1" * 10_000, "1 111" * 2500, ",." * 5000 + "1", "9 999 999 " * 1000 + "99"):
        started = time.perf_counter()
        numbers_in(text)
        assert time.perf_counter() - started < 1.0
