"""The ministry's dashboard: every department's forums, moderation backlog, minutes and synthesis, on a table,
a tile map of France and in CSV."""
from typing import NamedTuple

from flask import abort, current_app, render_template, request
from flask_login import current_user

from ... import permissions
from ...extensions import db
from ...models import Region
from ...services.dashboard import dashboard_rows, dashboard_totals
from ...services.moderation_throughput import furthest_behind
from ...services.national import french_decimal, french_percentage
from ...services.syntheses import STATUS_LABELS
from ...spreadsheets import spreadsheet_csv
from ...timeutils import PARIS
from . import bp
from .routes import all_consultations, chosen_consultation, dated_csv, refuse_bad_filters
from .syntheses import consultation_args
from .synthesis_forms import SORT_COLUMNS, DashboardFiltersForm

#: The departments as a tile-grid cartogram: one line per row of tiles, "." where the grid is empty.
#: Shapes are bent so that each department keeps its neighbours; Paris and its inner ring sit in the middle
#: of Île-de-France. The overseas departments form the last row, apart.
FRANCE_GRID = """
.   .   .   .   .   62  59  .   .   .   .   .   .
.   .   .   .   76  80  60  02  08  .   .   .   .
.   .   .   50  14  27  95  93  51  55  54  57  67
29  22  35  53  61  78  92  75  77  10  52  88  68
.   56  44  49  72  28  91  94  89  21  70  90  .
.   .   85  79  37  41  45  18  58  71  39  25  .
.   .   17  16  86  36  23  03  42  69  01  74  .
.   .   33  24  87  19  63  43  .   38  73  .   .
.   .   40  47  46  15  12  48  07  26  05  .   .
.   .   64  32  82  81  34  30  84  04  06  .   .
.   .   .   65  31  11  .   .   13  83  .   2B  .
.   .   .   .   09  66  .   .   .   .   .   2A  .
.   .   .   .   .   .   .   .   .   .   .   .   .
971 972 973 974 976 .   .   .   .   .   .   .   .
"""


def _grid_positions(grid):
    """Return {department code: (column, row)} of a grid drawn as text."""
    positions = {}
    for row, line in enumerate(grid.strip("\n").splitlines()):
        for column, cell in enumerate(line.split()):
            if cell != ".":
                positions[cell] = (column, row)
    return positions


#: Department code → (column, row) of its tile.
TILE_POSITIONS = _grid_positions(FRANCE_GRID)
#: Size of the grid, in tiles.
GRID_COLUMNS = max(column for column, _ in TILE_POSITIONS.values()) + 1
OVERSEAS_ROW = max(row for _, row in TILE_POSITIONS.values())
#: CSV columns of the dashboard export, in the table's order.
CSV_COLUMNS = (
    "région", "département (code)", "département (nom)", "forums prévus", "forums publiés", "forums tenus",
    "forums annulés", "unité de couverture", "unités à couvrir", "unités couvertes", "couverture (%)",
    "questions en attente de modération", "forums tenus sans compte-rendu", "synthèse (état)",
    "synthèse transmise le", "date limite dépassée sans transmission", "transmise par anticipation",
    "complément reçu le",
)


class MapTile(NamedTuple):
    """One department on the tile map: its place in the grid, its dashboard row (None: outside the selection)."""

    code: str
    column: int
    row: int
    data: object


@bp.get("/tableau-de-bord")
def dashboard():
    """Show every department's forums, coverage, moderation backlog, missing minutes and synthesis status."""
    form, consultation = _dashboard_filters()
    rows = totals = tiles = None
    behind = []
    if consultation is not None:
        rows = dashboard_rows(consultation, form.region.data or None, form.sort_key, form.descending)
        totals = dashboard_totals(rows)
        tiles = map_tiles(rows)
        by_code = {row.code: row for row in rows}
        behind = [by_code[code] for code, _ in furthest_behind({row.code: row.moderation for row in rows})]
    # Whoever reads one department's synthesis nationally reads them all (the ministry; not the administrators).
    can_read_syntheses = permissions.can_read_department_synthesis(current_user, None)
    return render_template(
        "ministry/dashboard.html", form=form, consultation=consultation, rows=rows, totals=totals, tiles=tiles,
        args=form.query_args(), sort_columns=SORT_COLUMNS, status_labels=STATUS_LABELS,
        grid_columns=GRID_COLUMNS, grid_rows=OVERSEAS_ROW + 1, overseas_row=OVERSEAS_ROW,
        can_read_syntheses=can_read_syntheses, behind=behind,
        can_read_queues=permissions.can_read_moderation(current_user, None),
        handling_days=current_app.config["QUESTION_HANDLING_DAYS"],
        synthesis_args=consultation_args(consultation) if consultation is not None else {},
        percentage=french_percentage, short_date=_paris_date,
    )


@bp.get("/tableau-de-bord.csv")
def dashboard_csv():
    """Export the dashboard, filtered and sorted as on screen, as CSV with a totals line."""
    form, consultation = _dashboard_filters()
    if consultation is None:
        abort(404)
    rows = dashboard_rows(consultation, form.region.data or None, form.sort_key, form.descending)
    return dated_csv(dashboard_csv_text(rows, dashboard_totals(rows)), f"tableau-de-bord-{consultation.slug}")


def map_tiles(rows):
    """Return a MapTile per department of the grid, and one per department the grid lacks, on the last row."""
    by_code = {row.code: row for row in rows}
    tiles = [MapTile(code, column, row, by_code.get(code)) for code, (column, row) in TILE_POSITIONS.items()]
    # A department the grid does not know still gets its tile, after the overseas ones.
    column = max(column for column, row in TILE_POSITIONS.values() if row == OVERSEAS_ROW) + 1
    for code in sorted(set(by_code) - set(TILE_POSITIONS)):
        tiles.append(MapTile(code, column, OVERSEAS_ROW, by_code[code]))
        column += 1
    return tiles


def dashboard_csv_text(rows, totals):
    """Return the dashboard rows and their totals as CSV text for a French spreadsheet."""
    lines = [
        [row.region_name, row.code, row.name, row.forums_planned, row.forums_published, row.forums_held,
         row.forums_cancelled, row.coverage_unit, row.units_total, row.units_covered,
         french_decimal(row.coverage_percentage), row.questions_pending, row.minutes_missing, row.synthesis_label,
         _paris_date(row.synthesis_submitted_at), "oui" if row.synthesis_overdue else "non",
         "oui" if row.synthesis_is_early else "non", _paris_date(row.synthesis_addendum_at)]
        for row in rows
    ]
    submitted = f"{totals.syntheses_submitted} transmise{'s' if totals.syntheses_submitted > 1 else ''} " \
                f"sur {totals.departments}"
    lines.append([
        "Total", "", f"{totals.departments} départements", totals.forums_planned, totals.forums_published,
        totals.forums_held, sum(row.forums_cancelled for row in rows), "", totals.units_total,
        totals.units_covered, french_decimal(totals.coverage_percentage), totals.questions_pending,
        totals.minutes_missing, submitted, "", sum(1 for row in rows if row.synthesis_overdue),
        sum(1 for row in rows if row.synthesis_is_early), sum(1 for row in rows if row.synthesis_addendum_at),
    ])
    return spreadsheet_csv(CSV_COLUMNS, lines)


def _dashboard_filters():
    form = DashboardFiltersForm(formdata=request.args)
    consultations = all_consultations()
    form.set_choices(consultations, db.session.scalars(db.select(Region).order_by(Region.code)).all())
    refuse_bad_filters(form)
    return form, chosen_consultation(consultations, form)


def _paris_date(moment):
    return moment.astimezone(PARIS).strftime("%d/%m/%Y") if moment is not None else ""
