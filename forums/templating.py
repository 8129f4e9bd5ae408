"""Jinja filters and globals: sanitised Markdown, French dates and counts, place names in natural order,
figure anchors."""
import re
import threading
from datetime import datetime

import markdown as markdown_lib
import nh3

from flask_babel import format_date, format_datetime
from markupsafe import Markup

from synthesis.figure_tables import coverage_units, row_anchor
from synthesis.typography import count, format_percent, of

from .text import natural_key
from .timeutils import PARIS

#: Tags Markdown may produce that are safe to show; anything else is stripped by nh3.
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "h2", "h3", "h4",
    "a", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
}


#: Python-Markdown matches links and inline HTML by scanning ahead from every "[" and "<": on a
#: text made of thousands of them ("[]()" × 2,500 takes 10 s) that scan is quadratic. Past these
#: counts, no real text is meant as links or tags: they are written as plain characters.
LINK_OPENINGS_MAX = 200
TAG_OPENINGS_MAX = 500


def defused(text):
    """Return Markdown that Python-Markdown renders in linear time: brackets and "<" as text when they swarm."""
    if text.count("](") > LINK_OPENINGS_MAX or text.count("[") > 10 * LINK_OPENINGS_MAX:
        text = text.replace("[", "\\[")
    if text.count("<") > TAG_OPENINGS_MAX:
        text = text.replace("<", "&lt;")
    return text


#: One Markdown converter per thread: building one loads its extensions (10 ms), and a converter
#: keeps state while it converts, so threads may not share it.
_converters = threading.local()


def render_markdown(text):
    """Render Markdown to HTML from which no script, style or raw HTML survives."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown_lib.Markdown(extensions=["extra", "sane_lists"],
                                                                 output_format="html")
    html = converter.reset().convert(defused(text or ""))
    return Markup(nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                            url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer"))


def french_date(value):
    """Return a date in French: "mardi 17 mars 2009", "dimanche 1er mars 2009"."""
    if value is None:
        return ""
    # Babel shows a datetime's day in Paris: the ordinal must follow that day, not the UTC one.
    day = value.astimezone(PARIS).day if isinstance(value, datetime) else value.day
    return format_date(value, _day_pattern(day))


def french_datetime(value):
    """Return a date and time in Europe/Paris: "mardi 17 mars 2009, 18 h 30"."""
    if value is None:
        return ""
    return format_datetime(value, _day_pattern(value.astimezone(PARIS).day) + ", H 'h' mm")


def unbreakable(text):
    """Return a French date or time whose parts stay on one line: "18 h 30" never splits as "18 h" / "30".

    Only the space after a comma may still break, between the date and the time.
    """
    return re.sub(r"(?<!,) ", "\u00a0", text)


def _day_pattern(day):
    # French writes the first day of a month as an ordinal: "1er mars".
    return "EEEE d'er' MMMM y" if day == 1 else "EEEE d MMMM y"


def natural_sort(items, attribute="name"):
    """Return ``items`` sorted by ``attribute`` as people read place names (forums.text.natural_key)."""
    return sorted(items, key=lambda item: natural_key(getattr(item, attribute)))


def covered_places(forum):
    """Return a forum's cantons and communes in natural order: cantons first, communes with their postal code."""
    return ([canton.name for canton in natural_sort(forum.cantons)]
            + [commune.label for commune in natural_sort(forum.communes)])


def unit_noun(kind, count=2):
    """Return the noun of ``count`` coverage units of this kind: "cantons", "commune", "cantons ou communes"."""
    singular, plural, _ = coverage_units(kind)
    return plural if count > 1 else singular


def units_covered(kind, count):
    """Return "3 cantons couverts", "1 commune couverte", "12 cantons ou communes couverts"."""
    feminine = coverage_units(kind)[2]
    return f"{count} {unit_noun(kind, count)} couvert{'e' if feminine else ''}{'s' if count > 1 else ''}"


def places_title(forum, participle=""):
    """Return the heading of a forum's covered places: "Cantons concernés", "Commune", "Cantons et communes"…"""
    count = len(forum.cantons) + len(forum.communes)
    plural = "s" if count > 1 else ""
    if forum.cantons and forum.communes:
        noun, ending = "Cantons et communes", "s"
    elif forum.communes:
        noun, ending = f"Commune{plural}", f"e{plural}"
    else:
        noun, ending = f"Canton{plural}", plural
    return f"{noun} {participle}{ending}" if participle else noun


def init_app(app):
    """Register the filters and the helpers every template may call."""
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["french_date"] = french_date
    app.jinja_env.filters["french_datetime"] = french_datetime
    app.jinja_env.filters["unbreakable"] = unbreakable
    app.jinja_env.filters["count"] = count
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["of"] = of
    app.jinja_env.globals["row_anchor"] = row_anchor
    app.jinja_env.filters["natural_sort"] = natural_sort
    app.jinja_env.filters["covered_places"] = covered_places
    app.jinja_env.globals.update(unit_noun=unit_noun, units_covered=units_covered, places_title=places_title)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
