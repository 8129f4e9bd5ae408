"""Coverage of a department by forums: which cantons (or communes) at least one forum covers."""
from collections import defaultdict
from dataclasses import dataclass

#: Forum statuses that count: announced, postponed to a new date, or held. Drafts and cancelled
#: forums cover nothing.
COUNTING_STATUSES = frozenset({"published", "postponed", "held"})


@dataclass(frozen=True)
class Unit:
    """A territory to cover: a canton, or a commune where the department has no cantons."""

    code: str
    name: str
    #: Arrondissements the unit touches (a canton may touch several; none in Mayotte).
    arrondissement_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForumCover:
    """What one forum covers."""

    forum_id: int
    status: str
    unit_codes: tuple[str, ...]


@dataclass(frozen=True)
class Coverage:
    """The coverage of one department."""

    #: "canton" or "commune".
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


def compute_coverage(units, forums, unit_kind="canton"):
    """Return the Coverage of ``units`` by the ``forums`` whose status counts."""
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
    return Coverage(unit_kind, len(ordered), covered, groups)
