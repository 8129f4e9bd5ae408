"""Coverage of a department by forums: which cantons (or communes) at least one forum covers.

A department is covered canton by canton; the communes that no canton covers (Martinique,
Guyane, the Métropole de Lyon, and Paris and Lyon by their municipal arrondissements) are covered
one by one, so a department may mix both kinds of units (the Rhône).
"""
from collections import defaultdict
from dataclasses import dataclass

#: Forum statuses that count: announced, postponed to a new date, or held. Drafts and cancelled
#: forums cover nothing.
COUNTING_STATUSES = frozenset({"published", "postponed", "held"})

#: Values of ``Coverage.unit_kind``: cantons only, communes only, or both (the Rhône).
CANTON, COMMUNE, MIXED = "canton", "commune", "mixte"


@dataclass(frozen=True)
class Unit:
    """A territory to cover: a canton, or a commune (or municipal arrondissement) that no canton covers."""

    code: str
    name: str
    #: Arrondissements the unit touches (a canton may touch several; none in Mayotte).
    arrondissement_codes: tuple[str, ...] = ()
    #: CANTON or COMMUNE.
    kind: str = CANTON
    #: A commune's postal code, shown instead of its INSEE code; empty for a canton.
    postal_code: str = ""

    @property
    def label(self):
        """Return the name people read: a canton's name, a commune's with its postal code."""
        return f"{self.name} ({self.postal_code})" if self.postal_code else self.name


@dataclass(frozen=True)
class ForumCover:
    """What one forum covers."""

    forum_id: int
    status: str
    unit_codes: tuple[str, ...]


@dataclass(frozen=True)
class Coverage:
    """The coverage of one department."""

    #: CANTON, COMMUNE or MIXED ("canton", "commune", "mixte").
    unit_kind: str
    total: int
    covered: tuple[Unit, ...]
    #: (arrondissement code or None, uncovered units touching it), in code order.
    uncovered_by_arrondissement: tuple[tuple[str | None, tuple[Unit, ...]], ...]

    @property
    def covered_count(self):
        """Return the number of units covered."""
        return len(self.covered)

    @property
    def uncovered_count(self):
        """Return the number of units not covered yet."""
        return self.total - len(self.covered)

    @property
    def percentage(self):
        """Return the share of units covered, 0 to 100, with one decimal."""
        return round(100 * len(self.covered) / self.total, 1) if self.total else 0.0

    @property
    def is_complete(self):
        """Tell whether every unit is covered: « département entièrement couvert »."""
        return self.total > 0 and len(self.covered) == self.total


def unit_kind_of(units, default=CANTON):
    """Return CANTON, COMMUNE or MIXED after the kinds of ``units`` (``default`` when there are none)."""
    kinds = {unit.kind for unit in units}
    if len(kinds) > 1:
        return MIXED
    return kinds.pop() if kinds else default


def compute_coverage(units, forums, unit_kind=None):
    """Return the Coverage of ``units`` by the ``forums`` whose status counts.

    Canton and commune codes never collide within a department (four or five characters against
    five, and no department mixes five-character canton codes with communes), so a forum's
    ``unit_codes`` may hold both. ``unit_kind`` defaults to what the units are.
    """
    covered_codes = {
        code for forum in forums if forum.status in COUNTING_STATUSES for code in forum.unit_codes
    }
    ordered = sorted(units, key=lambda unit: unit.code)
    covered = tuple(unit for unit in ordered if unit.code in covered_codes)
    uncovered = defaultdict(list)
    for unit in ordered:
        if unit.code not in covered_codes:
            for arrondissement in unit.arrondissement_codes or (None,):
                uncovered[arrondissement].append(unit)
    groups = tuple(
        (arrondissement, tuple(uncovered[arrondissement]))
        for arrondissement in sorted(uncovered, key=lambda code: (code is None, code or ""))
    )
    return Coverage(unit_kind or unit_kind_of(ordered), len(ordered), covered, groups)
