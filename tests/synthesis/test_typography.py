"""French typography and traces: numbers, dates, spaces, escaping, and the trace format."""
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from synthesis import sources
from synthesis.typography import (
    count, department_name, format_date, format_date_range, format_decimal, format_number, format_percent, guillemets,
    md_escape, md_table, natural_key, of, typeset,
)

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize("value, text", [(0, "0"), (999, "999"), (1000, f"1{NNBSP}000"),
                                         (1234567, f"1{NNBSP}234{NNBSP}567"), (-4500, f"-4{NNBSP}500")])
def test_thousands_are_grouped_by_narrow_spaces(value, text):
    assert format_number(value) == text


def test_decimals_and_percentages():
    assert format_decimal(1234.56) == f"1{NNBSP}234,6"
    assert format_decimal(52.25, 2) == "52,25"
    assert format_percent(75) == f"75,0{NBSP}%"
    assert format_percent(33.333) == f"33,3{NBSP}%"


@pytest.mark.parametrize("day, weekday, text", [
    (date(2009, 3, 17), True, "mardi 17 mars 2009"),
    (date(2009, 4, 1), True, "mercredi 1er avril 2009"),
    (date(2009, 8, 15), False, "15 août 2009"),
    (date(2009, 12, 31), True, "jeudi 31 décembre 2009"),
    # Aware datetimes are read in Paris: 23:30 UTC on 16 March is 00:30 on the 17th (winter time).
    (datetime(2009, 3, 16, 23, 30, tzinfo=UTC), True, "mardi 17 mars 2009"),
])
def test_french_dates(day, weekday, text):
    assert format_date(day, weekday) == text


def test_date_ranges():
    assert format_date_range(date(2009, 3, 16), date(2009, 5, 18)) == "du lundi 16 mars au lundi 18 mai 2009"
    assert format_date_range(date(2008, 12, 30), date(2009, 1, 2), weekday=False) == \
        "du 30 décembre 2008 au 2 janvier 2009"
    assert format_date_range(date(2009, 3, 17), date(2009, 3, 17)) == "le mardi 17 mars 2009"


def test_agreement():
    assert (count(0, "forum"), count(1, "forum"), count(2, "forum")) == ("0 forum", "1 forum", "2 forums")
    assert count(1500, "compte-rendu", "comptes-rendus") == f"1{NNBSP}500 comptes-rendus"


@pytest.mark.parametrize("raw, text", [
    ("Pourquoi?", f"Pourquoi{NNBSP}?"),
    ("Et alors ?!  Rien...", f"Et alors{NNBSP}?! Rien…"),
    ("Note: voir http://x.fr/a?b=1 à 14:30 ; merci", f"Note{NBSP}: voir http://x.fr/a?b=1 à 14:30{NNBSP}; merci"),
    ("«bonjour»", f"«{NBSP}bonjour{NBSP}»"),
    ("l'insécurité", "l’insécurité"),
    (f"déjà{NNBSP}1{NNBSP}000 euros", f"déjà{NNBSP}1{NNBSP}000 euros"),
    ("a &lt;b&gt; c ; d", f"a &lt;b&gt; c{NNBSP}; d"),
])
def test_typeset(raw, text):
    assert typeset(raw) == text


def test_guillemets():
    assert guillemets("vidéo") == f"«{NBSP}vidéo{NBSP}»"


def test_markdown_escaping():
    assert md_escape("**gras** <b>x</b> [lien](u) `code` a_b #1 | x") == \
        "\\*\\*gras\\*\\* &lt;b&gt;x&lt;/b&gt; \\[lien\\](u) \\`code\\` a\\_b \\#1 \\| x"
    assert md_escape("- pas une liste") == "\\- pas une liste"
    assert md_escape("1. pas une liste") == "1\\. pas une liste"


def test_markdown_table():
    assert md_table(["Catégorie", "Nombre"], [("Forces de l'ordre", format_number(1200))], ["l", "r"]) == (
        "| Catégorie | Nombre |\n|:---|---:|\n| Forces de l’ordre | 1\u202f200 |")


def test_traces_are_written_and_read_back():
    refs = [sources.question("13-000124"), sources.minutes(12), sources.forum(12), sources.proposal(7),
            sources.department("2A"), sources.figure("questions/subtopic/1.B.1/published"),
            sources.concern("1.B.3", "violenc+conjugal"), sources.concern(None, "cambriolag")]
    text = "Voir " + sources.format_refs(refs) + ", puis [Note libre] et [Q]."
    assert sources.format_refs(refs).startswith("[Q 13-000124] [CR forum 12] [Forum 12] [Proposition 7]")
    assert sources.parse_refs(text) == refs
    assert str(refs[-1]) == "[Préoccupation tous:cambriolag]"


@pytest.mark.parametrize("kind, key", [("Q", "13 000124"), ("Q", ""), ("Q", "a]b"), ("Q", "a)b"),
                                       ("Question", "1")])
def test_a_bad_trace_is_refused(kind, key):
    with pytest.raises(ValueError):
        sources.SourceRef(kind, key)


def test_footnotes_name_their_sources_with_links_and_summarise_many():
    def name(ref):
        return {sources.FORUM: f"forum n° {ref.key}", sources.QUESTION: f"question {ref.key}",
                sources.FIGURE: "tableau « Forums », ligne « Total »"}[ref.kind]

    notes = sources.Footnotes("e", name)
    assert notes.cite([sources.forum(1), sources.forum(2), sources.forum(1)]) == "[^e1]"
    many = [sources.question(f"13-{n:06d}") for n in range(1, 26)]
    assert notes.cite(many, sources.figure("questions/received"), unit=("autre question", "autres questions")) == \
        "[^e2]"
    assert notes.cite([], sources.figure("forums/held")) == "[^e3]"
    assert notes.cite([]) == ""
    lines = notes.render().splitlines()
    assert lines[0] == f"[^e1]: [Forum n° 1](source:forum/1){NNBSP}; [forum n° 2](source:forum/2)"
    assert lines[1].startswith(f"[^e2]: [Tableau « Forums », ligne « Total »](source:chiffre/questions/received){NNBSP}: "
                               "[question 13-000001](source:question/13-000001)")
    assert lines[1].endswith("(source:question/13-000010) et 15 autres questions")
    assert lines[2] == "[^e3]: [Tableau « Forums », ligne « Total »](source:chiffre/forums/held)"
    assert sources.linked_refs(notes.render())[:3] == [sources.forum(1), sources.forum(2),
                                                       sources.figure("questions/received")]


def test_a_label_cannot_break_its_link():
    assert sources.link(sources.question("13-000001"), "question [x](y) *1*") == \
        "[question \\[x\\](y) \\*1\\*](source:question/13-000001)"


@pytest.mark.parametrize("text, expected", [
    ("1 synthèse", "d’1 synthèse"), ("11 synthèses", "de 11 synthèses"), ("3 forums", "de 3 forums"),
    ("Arles", "d’Arles"), ("Istres", "d’Istres"), ("Hyères", "d’Hyères"), ("Marseille", "de Marseille"),
    ("aucune synthèse", "d’aucune synthèse"), ("huit forums", "de huit forums"), ("hameau", "de hameau"),
    ("Étampes", "d’Étampes"), ("Le Puy-en-Velay-1", "du Puy-en-Velay-1"), ("Les Pennes-Mirabeau", "des Pennes-Mirabeau"),
    ("Berre-l'Étang", "de Berre-l'Étang"), ("La Ciotat", "de La Ciotat"),
])
def test_elision(text, expected):
    assert of(text) == expected


@pytest.mark.parametrize("name, full_name, the, of_form, in_form", [
    ("Bouches-du-Rhône", "Département des Bouches-du-Rhône", "les Bouches-du-Rhône", "des Bouches-du-Rhône",
     "dans les Bouches-du-Rhône"),
    ("Nord", "Département du Nord", "le Nord", "du Nord", "dans le Nord"),
    ("Ain", "Département de l'Ain", "l’Ain", "de l’Ain", "dans l’Ain"),
    ("Gironde", "Département de la Gironde", "la Gironde", "de la Gironde", "en Gironde"),
    ("Eure-et-Loir", "Département d'Eure-et-Loir", "Eure-et-Loir", "d’Eure-et-Loir", "en Eure-et-Loir"),
    ("Saône-et-Loire", "Département de Saône-et-Loire", "Saône-et-Loire", "de Saône-et-Loire", "en Saône-et-Loire"),
    ("Mayotte", "Département de Mayotte", "Mayotte", "de Mayotte", "à Mayotte"),
    ("La Réunion", "Département de La Réunion", "La Réunion", "de La Réunion", "à La Réunion"),
    ("Paris", "Département de Paris", "Paris", "de Paris", "à Paris"),
    ("Paris", "", "Paris", "de Paris", "dans le département"),
])
def test_department_names_with_their_article(name, full_name, the, of_form, in_form):
    found = department_name(name, full_name)
    assert (found.the, found.of, found.in_) == (the, of_form, in_form)


def test_counts_with_zero_as_a_word():
    assert count(0, "forum", zero="aucun") == "aucun forum"
    assert count(0, "synthèse", zero="aucune") == "aucune synthèse"
    assert count(0, "forum") == "0 forum"


def test_natural_sort():
    names = ["Marseille-10", "Marseille-2", "Éguilles", "Eyguières", "Aix-en-Provence-1", "Arles", "1.B.10", "1.B.2"]
    assert sorted(names, key=natural_key) == [
        "1.B.2", "1.B.10", "Aix-en-Provence-1", "Arles", "Éguilles", "Eyguières", "Marseille-2", "Marseille-10"]


def test_no_module_of_the_package_imports_flask_or_sqlalchemy():
    # A fresh interpreter: the test session itself has long imported Flask.
    code = (
        "import sys, pkgutil, importlib, synthesis\n"
        "for module in pkgutil.iter_modules(synthesis.__path__): importlib.import_module('synthesis.' + module.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'forums'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
