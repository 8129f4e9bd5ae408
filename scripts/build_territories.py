"""Build the packaged territories (forums/data/cog-2025/) from the INSEE COG 2025 flat files.

A developer script, run once per COG vintage; its output is committed and is what
``flask territories load`` reads, so the running product never needs the source files.

Usage::

    python scripts/build_territories.py /path/to/cog-2025 [--output forums/data/cog-2025]

The source directory holds regions.csv, departments.csv, arrondissements.csv, cantons.csv and
communes.csv (INSEE COG 2025 with Etalab postal codes and populations). The script writes one
gzip-compressed UTF-8 CSV file per level, with only the columns the models need, named as the
model fields, rows sorted by code, every value kept as text (codes keep their leading zeros and
Corsica stays "2A"/"2B"). The gzip header carries no timestamp, so an unchanged source gives
byte-identical files. Checking the data is the loader's job (forums/services/territories.py);
this script only refuses a source file whose columns are missing.

The flat files lack the municipal arrondissements of Paris, Lyon and Marseille and say nothing of
which cantons serve Marseille's: ``scripts/cog-2025-supplement/`` holds those facts with their
sources, and is merged in here (``--supplement`` to read another copy).
"""
import argparse
import csv
import gzip
import io
import re
import sys
from pathlib import Path

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "forums" / "data" / "cog-2025"
DEFAULT_SUPPLEMENT = Path(__file__).resolve().parent / "cog-2025-supplement"

#: INSEE pseudo-cantons standing for a territory that has no canton at all: Paris (collectivité à
#: statut particulier) and the Métropole de Lyon (outside the Rhône's cantons since 2015). Their
#: communes are written without a canton, like Martinique's and Guyane's (sources: the supplement's
#: README).
NO_CANTON_PSEUDO_CANTONS = {"6999", "7599"}

#: COG commune types: a commune, or a municipal arrondissement of Paris, Lyon or Marseille.
COMMUNE, MUNICIPAL_ARRONDISSEMENT = "COM", "ARM"

#: Article capitalised by INSEE after "de" ("Département de La Gironde").
CAPITAL_ARTICLE = re.compile(r"\bde (La |L')")


def full_name(row):
    """Return the department's group name with its article in lower case, as French writes it.

    The article stays capitalised when it belongs to the name itself ("de La Réunion").
    """
    name = row["group_name"]
    if row["name"].startswith(("La ", "L'")):
        return name
    return CAPITAL_ARTICLE.sub(lambda match: "de " + match.group(1).lower(), name)


#: Per level: output file, then (output column, source column, function of the source row
#: replacing the plain copy) in output order.
LEVELS = {
    "regions": (
        "regions.csv.gz",
        [("code", "code", None), ("name", "name", None), ("is_metropolitan", "is_metropolitan", None)],
    ),
    "departments": (
        "departments.csv.gz",
        [
            ("code", "code", None),
            ("name", "name", None),
            ("full_name", "group_name", full_name),
            ("region_code", "region_code", None),
            ("is_metropolitan", "is_metropolitan", None),
            ("capital_code", "capital_code", None),
            ("capital_name", "capital_name", None),
        ],
    ),
    "arrondissements": (
        "arrondissements.csv.gz",
        [
            ("code", "code", None),
            ("name", "name", None),
            ("department_code", "department_code", None),
            ("capital_code", "capital_code", None),
        ],
    ),
    "cantons": (
        "cantons.csv.gz",
        [
            ("code", "code", None),
            ("name", "name", None),
            ("department_code", "department_code", None),
            ("kind", "type_code", None),
            ("composition", "composition_name", None),
            ("capital_code", "capital_code", None),
        ],
    ),
    "communes": (
        "communes.csv.gz",
        [
            ("code", "code", None),
            ("name", "name", None),
            ("kind", "code", lambda row: COMMUNE),
            ("parent_code", "code", lambda row: ""),
            ("department_code", "department_code", None),
            ("arrondissement_code", "arrondissement_code", None),
            ("canton_code", "canton_code",
             lambda row: "" if row["canton_code"] in NO_CANTON_PSEUDO_CANTONS else row["canton_code"]),
            ("postal_codes", "postal_codes", None),
            ("population", "population", None),
        ],
    ),
}

README = """\
# Territoires : COG 2025 empaqueté

Source : INSEE, Code officiel géographique (COG) 2025 — Licence Ouverte / Open Licence; codes postaux et populations : Etalab, découpage administratif.
Arrondissements municipaux de Paris, Lyon et Marseille, communes sans canton et cantons de Marseille : `scripts/cog-2025-supplement/` (sources citées dans son README).

These files are the project's own packaged copy of the French administrative geography,
read by `flask territories load` (forums/services/territories.py). They are generated by
`python scripts/build_territories.py SOURCE_DIR` from the COG 2025 flat files and the supplement
`scripts/cog-2025-supplement/`: do not edit them by hand, rebuild them.

Format: gzip-compressed CSV, UTF-8, comma-separated, one header line, one row per territory,
sorted by code. Every value is text: codes keep their leading zeros ("01", "01001") and
Corsica is "2A"/"2B". Booleans are `true`/`false`.

| file | rows | columns |
|---|---|---|
{table}

Columns:

- `code`: INSEE code of the territory.
- `name`: its name. `full_name` (departments): the name with its article,
  "Département des Bouches-du-Rhône" (INSEE's "de La"/"de L'" written "de la"/"de l'" unless
  the article belongs to the name, as in "Département de La Réunion").
- `region_code`, `department_code`, `arrondissement_code`, `canton_code`: the parent's code.
  `arrondissement_code` is empty for the communes of Mayotte (976), which has no arrondissements.
  `canton_code` is empty for the communes that lie in no canton: those of Martinique (972) and
  Guyane (973), which have no cantons, and Paris and the communes of the Métropole de Lyon, which
  INSEE lists in the pseudo-cantons 7599 and 6999 but no canton covers.
- `is_metropolitan`: `true` for metropolitan France, `false` overseas.
- `capital_code`, `capital_name`: INSEE code (and name) of the chief town: prefecture,
  sub-prefecture, or the canton's bureau centralisateur.
- `kind` (cantons): INSEE canton type, `C` canton, `V` canton-ville or pseudo-canton grouping the
  fractions of a commune split across cantons, `N` fictive canton of a new commune.
- `composition` (cantons): INSEE wording of how the canton is made of whole communes and
  fractions of communes; empty for `V` and `N`.
- `kind` (communes): COG type, `COM` commune or `ARM` municipal arrondissement of Paris
  (75101–75120), Lyon (69381–69389) or Marseille (13201–13216). `parent_code`: for an `ARM`, the
  commune it divides (75056, 69123, 13055); empty otherwise. An arrondissement has its commune's
  department, arrondissement and canton.
- `postal_codes` (communes): space-separated postal codes.
- `population` (communes): municipal population; 0 for a municipal arrondissement, whose
  inhabitants are counted in its commune's.
- `arrondissement_cantons.csv.gz`: the real cantons serving each municipal arrondissement of
  Marseille (décret n° 2014-271 du 27 février 2014), one row per pair; empty until the table is
  filled in the supplement. An arrondissement without a row is served by all its commune's cantons.
"""


def read_source(path, columns):
    """Return the rows of ``path`` reduced to ``columns``, sorted by code."""
    with open(path, newline="", encoding="utf-8-sig") as source:
        reader = csv.DictReader(source)
        missing = [src for _, src, _ in columns if src not in (reader.fieldnames or [])]
        if missing:
            sys.exit(f"{path}: missing column(s) {', '.join(missing)}")
        rows = [
            [transform(row) if transform else row[src] for _, src, transform in columns]
            for row in reader
        ]
    return sorted(rows, key=lambda row: row[0])


def write_gzip_csv(path, header, rows):
    """Write ``rows`` as a reproducible gzip-compressed CSV file."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        out.write(text.getvalue().encode("utf-8"))


def municipal_arrondissement_rows(supplement, communes):
    """Return the packaged rows of the municipal arrondissements, placed where their commune is.

    An arrondissement takes its commune's department, arrondissement and canton; its population
    stays in its commune's (0 here), so that no inhabitant is counted twice.
    """
    columns = [name for name, _, _ in LEVELS["communes"][1]]
    parents = {row[0]: dict(zip(columns, row)) for row in communes}
    rows = []
    for row in read_supplement(supplement / "municipal_arrondissements.csv",
                               ["code", "name", "parent_code", "postal_codes"]):
        parent = parents.get(row["parent_code"])
        if parent is None:
            sys.exit(f"municipal_arrondissements.csv: commune {row['parent_code']} unknown")
        values = {**parent, "code": row["code"], "name": row["name"], "kind": MUNICIPAL_ARRONDISSEMENT,
                  "parent_code": row["parent_code"], "postal_codes": row["postal_codes"], "population": "0"}
        rows.append([values[name] for name in columns])
    return rows


def read_supplement(path, columns):
    """Return the rows of a supplement file as dicts, refusing one whose columns differ."""
    with open(path, newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source)
        if reader.fieldnames != columns:
            sys.exit(f"{path}: columns {reader.fieldnames}, expected {columns}")
        return list(reader)


def build(source, output, supplement=DEFAULT_SUPPLEMENT):
    """Write the packaged files and their README; return {file name: row count}."""
    output.mkdir(parents=True, exist_ok=True)
    counts = {}
    for level, (file_name, columns) in LEVELS.items():
        rows = read_source(source / f"{level}.csv", columns)
        if level == "communes":
            rows = sorted(rows + municipal_arrondissement_rows(supplement, rows), key=lambda row: row[0])
        write_gzip_csv(output / file_name, [name for name, _, _ in columns], rows)
        counts[file_name] = (len(rows), [name for name, _, _ in columns])
    links = ["commune_code", "canton_code"]
    rows = sorted([row[name] for name in links]
                  for row in read_supplement(supplement / "arrondissement_cantons.csv", links))
    write_gzip_csv(output / "arrondissement_cantons.csv.gz", links, rows)
    counts["arrondissement_cantons.csv.gz"] = (len(rows), links)
    table = "\n".join(
        f"| {name} | {count:,} | {', '.join(columns)} |" for name, (count, columns) in counts.items()
    )
    (output / "README.md").write_text(README.format(table=table), encoding="utf-8")
    return {name: count for name, (count, _) in counts.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="directory of the COG 2025 CSV files")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="packaged directory")
    parser.add_argument("--supplement", type=Path, default=DEFAULT_SUPPLEMENT,
                        help="directory of the hand-kept facts on Paris, Lyon and Marseille")
    args = parser.parse_args(argv)
    for name, count in build(args.source, args.output, args.supplement).items():
        size = (args.output / name).stat().st_size
        print(f"{name}: {count} rows, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
