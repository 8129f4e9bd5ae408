"""The figures of a synthesis as tables a reader can point to: each row has a key, each figure a place.

A sentence cites a figure by its path ("questions/theme/1/published", see
:meth:`synthesis.figures.Figures.count`); :func:`figure_place` says where that figure stands in
these tables — « tableau « Questions par thème », ligne « Thème 1 », colonne « Publiées » » —
and :func:`row_anchor` gives the row an identifier, so that a footnote can name the figure in
words and link to its row in the HTML and OpenDocument documents.
"""
import re
from dataclasses import dataclass

from .figures import Count
from .records import ATTENDANCE_CATEGORIES, PROPOSAL_ORIGINS
from .typography import format_decimal, format_number, format_percent, guillemets

FORUMS, ATTENDANCE, QUESTIONS_BY_THEME, QUESTIONS_BY_SUBTOPIC, PROPOSALS = (
    "forums", "participation", "questions-themes", "questions-sous-themes", "propositions")

ATTENDANCE_LABELS = {
    "public": "Public", "elus": "Élus", "police_nationale": "Police nationale",
    "gendarmerie": "Gendarmerie nationale", "police_municipale": "Police municipale", "autres": "Autres",
}
ORIGIN_LABELS = {
    "public": "public", "elu": "élus", "association": "associations", "forces_de_l_ordre": "forces de l'ordre",
}
FORUM_ROWS = (
    ("planned", "Forums annoncés (publiés, reportés ou tenus)"),
    ("held", "Forums tenus"),
    ("cancelled", "Forums annulés"),
    ("with_minutes", "Comptes-rendus saisis"),
    ("with_signed_document", "Comptes-rendus signés joints"),
    ("held_without_minutes", "Forums tenus sans compte-rendu"),
)
#: The question measures a table shows, and their column titles.
QUESTION_COLUMNS = (
    ("received", "Reçues"), ("published", "Publiées"), ("rejected", "Non publiées"), ("pending", "En attente"),
    ("merged", "Regroupées"), ("answered", "Avec réponse"), ("taken_up", "Reprises en forum"),
)
TOTAL = "total"


@dataclass(frozen=True)
class FigureRow:
    """One row of a figures table: its key (unique in the table), label and cells, numbers written the French way."""

    key: str
    label: str
    cells: tuple[str, ...]
    is_total: bool = False
    #: How a footnote names the row when its label is long ("Thème 1", "1.B.2"); the label otherwise.
    short: str = ""


@dataclass(frozen=True)
class FigureTable:
    """A table of figures: key, title, column titles (the first names the rows) and rows."""

    key: str
    title: str
    header: tuple[str, ...]
    rows: tuple[FigureRow, ...]

    def row(self, key):
        """Return the row with ``key``, or None."""
        return next((row for row in self.rows if row.key == key), None)

    def to_dict(self):
        """Return a JSON-safe dictionary (see :meth:`from_dict`)."""
        return {"key": self.key, "title": self.title, "header": list(self.header),
                "rows": [[row.key, row.label, list(row.cells), row.is_total, row.short] for row in self.rows]}

    @classmethod
    def from_dict(cls, data):
        """Return the FigureTable written by :meth:`to_dict`."""
        return cls(data["key"], data["title"], tuple(data["header"]),
                   tuple(FigureRow(key, label, tuple(cells), bool(total), short)
                         for key, label, cells, total, short in data["rows"]))


def coverage_units(unit_kind):
    """Return (singular, plural, feminine) of what a coverage counts: cantons, communes, or both ("mixte")."""
    if unit_kind == "canton":
        return "canton", "cantons", False
    if unit_kind == "commune":
        return "commune", "communes", True
    return "canton ou commune", "cantons ou communes", False


def coverage_cell(coverage):
    """Return "12 sur 29 (41,4 %)"."""
    return (f"{format_number(coverage.covered)} sur {format_number(coverage.total)} "
            f"({format_percent(coverage.percentage)})")


def figure_tables(figures, extra_forum_rows=()):
    """Return the FigureTables of Figures: forums, attendance, questions by theme and sub-topic, proposals.

    ``extra_forum_rows`` (FigureRows) are added to the forums table (the nation adds the number of
    departments whose synthesis it adds up).
    """
    forums = [FigureRow(key, label, (format_number(getattr(figures.forums, key).value),))
              for key, label in FORUM_ROWS]
    forums.extend(extra_forum_rows)
    if figures.coverage is not None:
        _, units, feminine = coverage_units(figures.coverage.unit_kind)
        forums.append(FigureRow("coverage", f"{units[:1].upper()}{units[1:]} couvert{'es' if feminine else 's'}",
                                (coverage_cell(figures.coverage),)))

    attendance = figures.attendance
    people = [FigureRow(category, ATTENDANCE_LABELS[category],
                        (format_number(attendance.by_category[category].value),))
              for category in ATTENDANCE_CATEGORIES]
    people.append(FigureRow(TOTAL, "Total", (format_number(attendance.total.value),), is_total=True))
    people.append(FigureRow("average", "Moyenne par forum ayant un compte-rendu",
                            (format_decimal(attendance.average),)))

    def question_cells(counts):
        return tuple(format_number(getattr(counts, measure).value) for measure, _ in QUESTION_COLUMNS)

    columns = tuple(title for _, title in QUESTION_COLUMNS)
    by_theme = [FigureRow(code, f"Thème {code} — {title}", question_cells(figures.questions.by_theme[code]),
                          short=f"Thème {code}")
                for code, title in figures.themes]
    by_theme.append(FigureRow(TOTAL, "Total", question_cells(figures.questions.total), is_total=True))
    by_subtopic = [FigureRow(code, f"{code} {title}", question_cells(figures.questions.by_subtopic[code]), short=code)
                   for code, title, _ in figures.subtopics]

    proposals = figures.proposals
    proposal_rows = [FigureRow(f"theme-{code}", f"Thème {code} — {title}",
                               (format_number(proposals.by_theme[code].value),), short=f"Thème {code}")
                     for code, title in figures.themes]
    proposal_rows += [FigureRow(f"sous-theme-{code}", f"{code} {title}",
                                (format_number(proposals.by_subtopic.get(code, Count(0)).value),), short=code)
                      for code, title, _ in figures.subtopics]
    proposal_rows += [FigureRow(f"origine-{origin}", f"Origine : {ORIGIN_LABELS[origin]}",
                                (format_number(proposals.by_origin[origin].value),))
                      for origin in PROPOSAL_ORIGINS]
    proposal_rows.append(FigureRow(TOTAL, "Total", (format_number(proposals.total.value),), is_total=True))

    return (
        FigureTable(FORUMS, "Forums et couverture", ("Indicateur", "Nombre"), tuple(forums)),
        FigureTable(ATTENDANCE, "Participation d’après les comptes-rendus", ("Catégorie", "Participants"),
                    tuple(people)),
        FigureTable(QUESTIONS_BY_THEME, "Questions des citoyens par thème", ("Thème", *columns), tuple(by_theme)),
        FigureTable(QUESTIONS_BY_SUBTOPIC, "Questions des citoyens par sous-thème", ("Sous-thème", *columns),
                    tuple(by_subtopic)),
        FigureTable(PROPOSALS, "Propositions par thème, sous-thème et origine", ("Thème, sous-thème ou origine",
                                                                                "Propositions"),
                    tuple(proposal_rows)),
    )


@dataclass(frozen=True)
class FigurePlace:
    """Where a figure stands: its table and row keys, and the column when the row holds several figures."""

    table: str
    row: str
    column: str | None = None


_QUESTION_COLUMN_TITLES = dict(QUESTION_COLUMNS)


def figure_place(path):
    """Return the FigurePlace of a figure path, or None for a path no table shows.

    "forums/held" → forums table, row "held"; "questions/theme/1/published" → questions by
    theme, row "1", column « Publiées »; "questions/received" → the total row of that table.
    """
    head, _, rest = path.partition("/")
    parts = rest.split("/") if rest else []
    if head == "forums" and len(parts) == 1:
        return FigurePlace(FORUMS, parts[0])
    if head == "coverage" and not parts:
        return FigurePlace(FORUMS, "coverage")
    if head == "attendance" and len(parts) == 1:
        return FigurePlace(ATTENDANCE, "average" if parts[0] == "forums_reporting" else parts[0])
    if head == "questions":
        if len(parts) == 1 and parts[0] in _QUESTION_COLUMN_TITLES:
            return FigurePlace(QUESTIONS_BY_THEME, TOTAL, _QUESTION_COLUMN_TITLES[parts[0]])
        if len(parts) == 3 and parts[2] in _QUESTION_COLUMN_TITLES:
            table = QUESTIONS_BY_THEME if parts[0] == "theme" else QUESTIONS_BY_SUBTOPIC
            return FigurePlace(table, parts[1], _QUESTION_COLUMN_TITLES[parts[2]])
    if head == "proposals":
        if not parts:
            return FigurePlace(PROPOSALS, TOTAL)
        if len(parts) == 2:
            prefix = {"theme": "theme", "subtopic": "sous-theme", "origin": "origine"}.get(parts[0])
            if prefix:
                return FigurePlace(PROPOSALS, f"{prefix}-{parts[1]}")
    if head in ("regions", "departements") and len(parts) == 1:
        return FigurePlace(head, parts[0])
    return None


_NOT_IN_ID = re.compile(r"[^a-z0-9-]+")


def row_anchor(table_key, row_key):
    """Return the identifier of a table row in the documents: "chiffres-forums-held"."""
    return _NOT_IN_ID.sub("-", f"chiffres-{table_key}-{row_key}".lower()).strip("-")


def figure_label(path, tables):
    """Return how a footnote names a figure: « tableau « Forums et couverture », ligne « Forums tenus » ».

    ``tables`` are the document's FigureTables; a figure none of them shows is named by its table
    of figures alone.
    """
    place = figure_place(path)
    table = next((table for table in tables if place and table.key == place.table), None)
    row = table.row(place.row) if table is not None else None
    if row is None:
        return "tableau des chiffres"
    label = f"tableau {guillemets(table.title)}, ligne {guillemets(row.short or row.label)}"
    if place.column:
        label += f", colonne {guillemets(place.column)}"
    return label


def figure_anchor(path):
    """Return the identifier of the row holding a figure, or None."""
    place = figure_place(path)
    return row_anchor(place.table, place.row) if place else None
