"""Finding a commune by name or postal code, and the public forums a citizen of it may attend.

Names are compared through ``Commune.search_name`` (``forums.text.search_key``), computed in
Python when territories are loaded: searches ignore accents, case, punctuation and "st"/"saint"
the same way on SQLite and PostgreSQL, without relying on any collation.
"""
import re
from dataclasses import dataclass, field

from sqlalchemy import String, and_, case, literal, select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Canton, Commune, Forum
from ..models.territories import commune_postal_codes
from ..text import natural_key, search_key
from .public import forums_for_commune, public_forums_query

#: Characters of the typed text that are searched; the rest cannot narrow a commune name further.
MAX_QUERY_LENGTH = 100
#: Words of the typed text that are searched (the longest commune names have about ten).
MAX_WORDS = 10
#: Candidates listed for the citizen to choose from.
MAX_CANDIDATES = 20
#: Suggestions sent to the autocomplete.
MAX_SUGGESTIONS = 10

_DIGITS = re.compile(r"[0-9]{2,5}")
_COMMUNE_CODE = re.compile(r"[0-9][0-9AB][0-9]{3}")
_LIKE_ESCAPE = "/"


@dataclass(frozen=True)
class CommuneMatches:
    """Communes matching a search, best first."""

    #: The postal code (or its beginning) searched, when the text was one.
    postal_code: str | None = None
    communes: list[Commune] = field(default_factory=list)
    #: How many of the communes match exactly: the name in full, or the whole postal code.
    exact_count: int = 0
    #: More communes match than are listed.
    has_more: bool = False

    @property
    def chosen(self):
        """Return the commune to show at once: the only match or the only exact one, else None."""
        if len(self.communes) == 1 and not self.has_more:
            return self.communes[0]
        if self.exact_count == 1:
            return self.communes[0]
        return None


@dataclass(frozen=True)
class CommuneForums:
    """The public forums a commune's inhabitants may attend."""

    commune: Commune
    #: Forums covering the commune, through its cantons or the commune itself.
    forums: list[Forum]
    #: The commune's cantons that no forum covers yet.
    uncovered_cantons: list[Canton]
    #: The department's forums, listed when none covers the commune.
    department_forums: list[Forum]
    #: For a city divided into municipal arrondissements (Paris, Lyon, Marseille): its arrondissements,
    #: in order, for the citizen to choose theirs; its forums are theirs.
    arrondissements: list[Commune] = field(default_factory=list)
    #: A municipal arrondissement whose cantons are not known one by one (Marseille's are drawn along
    #: streets): it is served by every canton of its city, and its forums come first.
    cantons_of_the_city: bool = False


def escape_like(text):
    """Return ``text`` with the LIKE wildcards escaped, for patterns using ``_LIKE_ESCAPE``."""
    for char in (_LIKE_ESCAPE, "%", "_"):
        text = text.replace(char, _LIKE_ESCAPE + char)
    return text


def postal_code_prefix(text):
    """Return the digits of ``text`` when it is a postal code or its beginning ("13 100"), else None."""
    compact = "".join(text[:MAX_QUERY_LENGTH].split())
    return compact if _DIGITS.fullmatch(compact) else None


def search_communes(text, limit=MAX_CANDIDATES):
    """Return the communes whose name or postal code matches ``text``, best first, at most ``limit``."""
    digits = postal_code_prefix(text)
    if digits is not None:
        return _communes_by_postal_code(digits, limit)
    words = search_key(text[:MAX_QUERY_LENGTH]).split()[:MAX_WORDS]
    if not words:
        return CommuneMatches()
    return _communes_by_name(" ".join(words), words, limit)


def _communes_by_postal_code(digits, limit):
    postal_code = commune_postal_codes.c.postal_code
    if len(digits) == 5:
        matching = postal_code == digits
    else:
        matching = postal_code.like(escape_like(digits) + "%", escape=_LIKE_ESCAPE)
    communes = db.session.scalars(
        select(Commune)
        .where(Commune.code.in_(select(commune_postal_codes.c.commune_code).where(matching)))
        .options(joinedload(Commune.department))
        .order_by(Commune.population.desc(), Commune.name, Commune.code)
        .limit(limit + 1)
    ).all()
    exact_count = len(communes[:limit]) if len(digits) == 5 else 0
    listed = sorted(communes[:limit], key=lambda commune: (-commune.population, natural_key(commune.name)))
    return CommuneMatches(digits, listed, exact_count, len(communes) > limit)


def _communes_by_name(key, words, limit):
    # Every typed word must begin a word of the name: "foy lyon" finds Sainte-Foy-lès-Lyon.
    spaced_name = literal(" ", String) + Commune.search_name
    contains_words = and_(
        *(spaced_name.like("% " + escape_like(word) + "%", escape=_LIKE_ESCAPE) for word in words)
    )
    rank = case(
        (Commune.search_name == key, 0),
        (Commune.search_name.like(escape_like(key) + "%", escape=_LIKE_ESCAPE), 1),
        else_=2,
    )
    rows = db.session.execute(
        select(Commune, rank)
        .where(contains_words)
        .options(joinedload(Commune.department))
        .order_by(rank, Commune.population.desc(), Commune.name, Commune.code)
        .limit(limit + 1)
    ).all()
    # Same order as the query, names compared as people read them: "Paris 2e" before "Paris 10e".
    listed = sorted(rows[:limit], key=lambda row: (row[1], -row[0].population, natural_key(row[0].name)))
    communes = [commune for commune, _ in listed]
    exact_count = sum(1 for _, row_rank in rows[:limit] if row_rank == 0)
    return CommuneMatches(None, communes, exact_count, len(rows) > limit)


def find_commune(code):
    """Return the commune with this INSEE code, its department and cantons loaded, or None."""
    if not _COMMUNE_CODE.fullmatch(code):
        return None
    return db.session.scalar(
        select(Commune)
        .where(Commune.code == code)
        .options(joinedload(Commune.department), joinedload(Commune.parent), selectinload(Commune.cantons))
    )


def commune_forums(consultation, commune):
    """Return the consultation's public forums for the commune, or its department's when none covers it.

    A city divided into municipal arrondissements gets its arrondissements to choose from instead:
    forums serve an arrondissement, not the whole of Paris, Lyon or Marseille.
    """
    if commune.has_municipal_arrondissements:
        arrondissements = db.session.scalars(
            select(Commune).where(Commune.parent_code == commune.code).options(joinedload(Commune.department))
        ).all()
        return CommuneForums(commune, [], [], [], sorted(arrondissements, key=lambda c: natural_key(c.name)))
    forums = forums_for_commune(consultation, commune)
    covered = {canton.code for forum in forums for canton in forum.cantons}
    uncovered = [canton for canton in commune.cantons if canton.code not in covered]
    department_forums = []
    if not forums:
        department_forums = db.session.scalars(
            public_forums_query(consultation, commune.department_code)
        ).all()
    city_wide = commune.parent is not None and len(commune.cantons) > 1 and \
        {canton.code for canton in commune.cantons} == {canton.code for canton in commune.parent.cantons}
    if city_wide:
        # Held in the arrondissement itself first: the nearest forums of the city's cantons.
        forums = sorted(forums, key=lambda forum: forum.commune_code != commune.code)
    return CommuneForums(commune, forums, uncovered, department_forums, cantons_of_the_city=city_wide)
