"""CSV files for French spreadsheets: UTF-8 with a BOM, semicolons, and no formula injection."""
import csv
import io

from flask import Response

#: Spreadsheets run a cell starting with one of these as a formula: such cells get a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Return ``value`` ready for a cell: text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def read_cell(value):
    """Undo ``safe_cell`` on a cell read back from a file this application exported."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def spreadsheet_csv(header, rows):
    """Return CSV text that Excel and LibreOffice open correctly in French."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


def csv_download(text, filename, personal_data=False):
    """Return a response that downloads ``text`` as ``filename``."""
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if personal_data:
        # Personal data (e-mail addresses) stays out of shared caches.
        response.headers["Cache-Control"] = "private, no-store"
    return response
