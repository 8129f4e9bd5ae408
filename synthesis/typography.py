"""French typography for generated documents: numbers, dates, quotes, spaces and Markdown escaping.

Written by hand rather than with Babel so that the pure synthesis package needs nothing but the
standard library to produce a document, and produces exactly the same text everywhere.
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

#: Non-breaking space: before a colon, before "%", inside « ».
NBSP = "\u00a0"
#: Narrow non-breaking space: before ; ! ? and between groups of thousands.
NNBSP = "\u202f"

PARIS = ZoneInfo("Europe/Paris")

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def format_number(value):
    """Return an integer with its thousands grouped by narrow non-breaking spaces: "12 345"."""
    sign = "-" if value < 0 else ""
    digits = str(abs(int(value)))
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return sign + NNBSP.join(groups)


def format_decimal(value, places=1):
    """Return a number with a decimal comma and grouped thousands: "1 234,5"."""
    text = f"{abs(value):.{places}f}"
    whole, _, fraction = text.partition(".")
    sign = "-" if value < 0 and float(text) != 0 else ""
    return sign + format_number(int(whole)) + ("," + fraction if fraction else "")


def format_percent(value, places=1):
    """Return a percentage the French way: "75,0 %"."""
    return f"{format_decimal(value, places)}{NBSP}%"


def local_date(moment):
    """Return the calendar day of ``moment`` in Paris: aware datetimes are converted, dates kept."""
    if isinstance(moment, datetime):
        return (moment.astimezone(PARIS) if moment.tzinfo else moment).date()
    return moment


def format_date(day, weekday=True, year=True):
    """Return a French date: "mardi 17 mars 2009", "1er avril 2009"; datetimes are read in Paris."""
    day = local_date(day)
    number = "1er" if day.day == 1 else str(day.day)
    text = f"{number} {MONTHS[day.month - 1]}"
    if year:
        text += f" {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


def format_date_range(first, last, weekday=True):
    """Return "du mardi 17 mars au jeudi 14 mai 2009", or "le mardi 17 mars 2009" for one day."""
    first, last = local_date(first), local_date(last)
    if first == last:
        return "le " + format_date(first, weekday)
    start = format_date(first, weekday, year=first.year != last.year)
    return f"du {start} au {format_date(last, weekday)}"


def count(number, singular, plural=None, *, zero=None):
    """Return a number and its noun agreed the French way: "1 forum", "3 forums".

    Zero reads "0 forum" unless ``zero`` gives the determiner a sentence wants: ``zero="aucun"``
    gives "aucun forum", ``zero="aucune"`` "aucune synthèse".
    """
    noun = singular if number < 2 else (plural or singular + "s")
    if number == 0 and zero:
        return f"{zero} {singular}"
    return f"{format_number(number)} {noun}"


def agree(number, singular, plural):
    """Return the form agreeing with ``number``: French uses the singular for 0 and 1."""
    return singular if number < 2 else plural


#: Words starting with an h that is "aspiré": no elision before them ("de Hautmont", "le hall").
H_ASPIRE = frozenset("""
hache haie haine hall halle halte hameau hanche handicap handicapé handicapée handicapés hangar hantise
harcèlement harceler hardi hareng haricot hasard hâte hausse haut haute hautes hauts hauteur havre
hennissement hérisson héros hêtre hiérarchie hockey hollande homard honte hors houle housse huit
huitième hurlement hutte
""".split())
_VOWELS = frozenset("aàâäeéèêëiîïoôöuùûüyÿœæ")


def starts_with_vowel_sound(text):
    """Tell whether French elides before ``text``: a vowel, a mute h, or the number 1 ("un", "une").

    "1" and "1 200" are read "un", "un mille…" → elided; "11", "8", "huit" and "hameau" are not.
    """
    text = (text or "").lstrip("«\u00a0\u202f *_")
    if not text:
        return False
    if text[0].isdigit():
        digits = text.split(" ", 1)[0].split("\u202f", 1)[0].split("\u00a0", 1)[0]
        return digits == "1"
    first = text[0].lower()
    if first in _VOWELS:
        return True
    if first == "h":
        word = text.split()[0].lower().strip(",.;:!?»")
        return word not in H_ASPIRE and word.split("-")[0] not in H_ASPIRE
    return False


def elide(word, text):
    """Return ``word`` ("de", "que", "le", "la") joined to ``text``, elided where French elides.

    "de" + "1 forum" → "d’1 forum", "de" + "Arles" → "d’Arles", "de" + "3 forums" → "de 3 forums",
    "que" + "il" → "qu’il", "le" + "hameau" → "le hameau".
    """
    if starts_with_vowel_sound(text):
        return f"{word[:-1]}’{text}"
    return f"{word} {text}"


#: "de" contracts with a leading "le" or "les": "du Puy-en-Velay", "des Pennes-Mirabeau" ("de La Ciotat" stays).
_CONTRACTIONS = {"le": "du", "les": "des"}


def of(text):
    """Return "de" before ``text``, elided or contracted as French does.

    "d’1 synthèse", "de 3 synthèses", "d’Istres", "du Puy-en-Velay", "des Pennes-Mirabeau", "de La Ciotat".
    """
    first, _, rest = (text or "").partition(" ")
    if rest and first.lower() in _CONTRACTIONS:
        return f"{_CONTRACTIONS[first.lower()]} {rest}"
    return elide("de", text)


#: INSEE writes a department's full name with "Département" and its article: the article as a
#: subject ("les"), after "de" ("des") and after "dans"/"en".
_DEPARTMENT_ARTICLES = (
    ("des ", "les ", "des ", "dans les "),
    ("du ", "le ", "du ", "dans le "),
    ("de la ", "la ", "de la ", "en "),
    ("de La ", "La ", "de La ", "à La "),
    ("de l'", "l’", "de l’", "dans l’"),
    ("de L'", "l’", "de l’", "dans l’"),
    ("de l’", "l’", "de l’", "dans l’"),
    ("d'", "", "d’", ""),
    ("de ", "", "de ", ""),
)


@dataclass(frozen=True)
class DepartmentName:
    """A department's name in the forms a sentence needs: "les Bouches-du-Rhône", "des Bouches-du-Rhône"…"""

    #: The name alone: "Bouches-du-Rhône".
    name: str
    #: With its article, as a subject: "les Bouches-du-Rhône", "l’Ain", "Paris".
    the: str
    #: After "de": "des Bouches-du-Rhône", "du Nord", "de l’Ain", "de Paris".
    of: str
    #: Where: "dans les Bouches-du-Rhône", "dans le Nord", "en Gironde", "à Paris", "à La Réunion".
    in_: str


def department_name(name, full_name=""):
    """Return the DepartmentName of a department from its name and INSEE full name ("Département des Landes").

    Without a full name, the name is used bare ("de Paris") and placed "dans le département".
    """
    rest = (full_name or "").removeprefix("Département ").strip()
    for prefix, the, of_form, in_form in _DEPARTMENT_ARTICLES:
        if rest.startswith(prefix):
            bare = rest[len(prefix):] or name
            if prefix in ("d'", "de "):
                # Names without article: "à Paris", "à Mayotte", but "en Maine-et-Loire".
                return DepartmentName(name, bare, of(bare), ("en " if "-et-" in bare else "à ") + bare)
            return DepartmentName(name, the + bare, of_form + bare, in_form + bare)
    return DepartmentName(name, name, of(name), "dans le département")


_DIGITS = re.compile(r"(\d+)")
_NOT_WORD = re.compile(r"[\W_]+")


def natural_key(text):
    """Return the key that sorts names as people read them.

    Numbers count as numbers, and accents, case and punctuation are ignored: "Marseille-2" comes
    before "Marseille-10", "Paris 9e Arrondissement" before "Paris 10e Arrondissement", "1.B.2"
    before "1.B.10" and "Éguilles" among the E. Equal keys fall back to the text itself.
    """
    parts = _DIGITS.split(_NOT_WORD.sub(" ", _fold(text or "")).strip())
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts)), text or ""


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def capitalize_first(text):
    """Return ``text`` with its first letter in capitals, the rest untouched."""
    return text[:1].upper() + text[1:]


def guillemets(text):
    """Return ``text`` between French quotation marks, with the non-breaking spaces inside."""
    return f"«{NBSP}{text}{NBSP}»"


# Only marks that end a word: "page?id=3" or "14:30" keep their form. Each run of spaces or marks
# is read once (possessive, and never from its middle): a long run not followed by what the
# pattern wants would otherwise be rescanned from each of its characters, in quadratic time.
_SPACE_BEFORE_TALL = re.compile(r"(?<=\S)[ \t\u00a0\u202f]*+(?<![;!?])([;!?]++)(?=\s|$|[»)])")
_SPACE_BEFORE_COLON = re.compile(r"(?<=\S)[ \t\u00a0\u202f]*+:(?=\s|$)")
_ENTITY = re.compile(r"&#?\w+;")
_OPEN_QUOTE = re.compile(r"«[ \t\u00a0\u202f]*")
_CLOSE_QUOTE = re.compile(r"(?<![ \t\u00a0\u202f])[ \t\u00a0\u202f]*+»")
#: Runs of ordinary white space; the non-breaking spaces already in place are kept.
_SPACES = re.compile(r"[ \t\r\n\f\v]+")


def typeset(text):
    """Return plain text set in French typography.

    Runs of white space become one space; a narrow non-breaking space goes before ; ! ? (and a
    non-breaking one before a colon and inside « »), added where the writer left none; straight
    apostrophes become ’ and three dots an ellipsis. Meant for citizens' words quoted in a
    document, and for the generated sentences themselves.
    """
    text = _SPACES.sub(" ", (text or "").replace("\0", "")).strip()
    # An HTML entity's semicolon ("&lt;", from md_escape) is no punctuation: hide it meanwhile.
    text = _ENTITY.sub(lambda match: match.group().replace(";", "\0"), text)
    text = text.replace("'", "’").replace("...", "…")
    # "?!" stays together: the space goes before the run, not between its marks.
    text = _SPACE_BEFORE_TALL.sub(lambda m: NNBSP + m.group(1), text)
    text = _SPACE_BEFORE_COLON.sub(NBSP + ":", text)
    text = _OPEN_QUOTE.sub("«" + NBSP, text)
    return _CLOSE_QUOTE.sub(NBSP + "»", text).replace("\0", ";")


#: Characters a backslash escapes in CommonMark and in Python-Markdown alike.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#])")
_BULLET_START = re.compile(r"^(\s*)([-+])(\s)", re.MULTILINE)
_NUMBER_START = re.compile(r"^(\s*\d+)([.)])(\s)", re.MULTILINE)


def md_escape(text):
    """Return ``text`` safe to put inside Markdown: no emphasis, link, HTML or list it did not mean."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text or "")
    # Angle brackets as entities: no raw HTML, and no backslash left visible by Python-Markdown.
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    text = _BULLET_START.sub(r"\1\\\2\3", text)
    # A digit cannot be escaped in CommonMark: the dot or bracket after it is.
    return _NUMBER_START.sub(r"\1\\\2\3", text)


def md_table(header, rows, align=None):
    """Return a Markdown table, cells set in French typography; ``align`` gives "l" or "r" per column."""
    align = align or ["l"] * len(header)
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(":---" if side == "l" else "---:" for side in align) + "|",
    ]
    lines.extend("| " + " | ".join(typeset(str(cell)) for cell in row) + " |" for row in rows)
    return "\n".join(lines)
