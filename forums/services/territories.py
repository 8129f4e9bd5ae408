"""Load the packaged French territories (INSEE COG 2025, forums/data/cog-2025/) into the database.

Every file is read and checked before anything is written, so a bad file leaves the database
untouched. Rows are then compared in memory with what the database holds and written in bulk
(Core ``insert``/``update`` with executemany): loading the 35,000 communes takes seconds, and a
second load writes nothing. Territories that disappear from the data are kept and reported as
obsolete, since forums, agents and questions may still refer to them.

The municipal arrondissements of Paris, Lyon and Marseille are communes of kind ``ARM`` with their
commune as parent, as in the COG: forums, questions and searches link to them like to any commune.
"""
import csv
import gzip
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import and_, bindparam, delete, func, insert, select, update

from ..extensions import db
from ..models.territories import (
    Arrondissement, Canton, CantonKind, Commune, CommuneKind, Department, Region, canton_arrondissements,
    commune_cantons, commune_postal_codes,
)
from ..publication import bump_publication_version
from ..text import search_key

DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "data" / "cog-2025"


class TerritoryDataError(ValueError):
    """A packaged territory file is missing, corrupt or inconsistent; nothing was written."""

    def __init__(self, file_name, line, message):
        self.file_name = file_name
        self.line = line
        self.message = message
        where = f"{file_name}, ligne {line}" if line else file_name
        super().__init__(f"{where} : {message}")


class _BadValue(ValueError):
    """A field that cannot be read; its message is French and names the column."""


def _required(column, value):
    if value == "":
        raise _BadValue(f"{column} vide")
    if value != value.strip():
        raise _BadValue(f"{column} « {value} » entouré d'espaces")
    return value


def _optional_code(column, value):
    return _required(column, value) if value else None


def _text(column, value):
    return value


def _boolean(column, value):
    if value not in ("true", "false"):
        raise _BadValue(f"{column} « {value} » n'est ni true ni false")
    return value == "true"


def _count(column, value):
    if not value.isascii() or not value.isdigit():
        raise _BadValue(f"{column} « {value} » n'est pas un nombre entier positif ou nul")
    return int(value)


def _kind(column, value):
    try:
        return CantonKind(value)
    except ValueError:
        raise _BadValue(f"{column} « {value} » n'est pas un type de canton (C, V ou N)") from None


def _commune_kind(column, value):
    try:
        return CommuneKind(value)
    except ValueError:
        raise _BadValue(f"{column} « {value} » n'est pas un type de commune (COM ou ARM)") from None


@dataclass(frozen=True)
class _Level:
    name: str
    #: French plural shown in reports, and whether it is feminine (for "créées"/"créés").
    label: str
    feminine: bool
    model: type
    #: Columns of the packaged file, in order, with the function that reads each value.
    fields: dict
    #: Columns computed when loading (by ``_derive_columns``), stored with the others.
    derived: tuple = ()

    @property
    def file_name(self):
        return f"{self.name}.csv.gz"

    @property
    def table(self):
        return self.model.__table__


LEVELS = (
    _Level("regions", "régions", True, Region,
           {"code": _required, "name": _required, "is_metropolitan": _boolean}),
    _Level("departments", "départements", False, Department,
           {"code": _required, "name": _required, "full_name": _required, "region_code": _required,
            "is_metropolitan": _boolean, "capital_code": _required, "capital_name": _required}),
    _Level("arrondissements", "arrondissements", False, Arrondissement,
           {"code": _required, "name": _required, "department_code": _required,
            "capital_code": _required}),
    _Level("cantons", "cantons", False, Canton,
           {"code": _required, "name": _required, "department_code": _required, "kind": _kind,
            "composition": _text, "capital_code": _required}),
    _Level("communes", "communes (arrondissements municipaux compris)", True, Commune,
           {"code": _required, "name": _required, "kind": _commune_kind, "parent_code": _optional_code,
            "department_code": _required,
            # Empty in Mayotte (no arrondissements), and where no canton covers the commune.
            "arrondissement_code": _optional_code, "canton_code": _optional_code,
            "postal_codes": _text, "population": _count},
           ("search_name", "has_municipal_arrondissements")),
)

#: The real cantons serving each municipal arrondissement of Marseille, when known.
ARRONDISSEMENT_CANTONS_FILE = "arrondissement_cantons.csv.gz"


@dataclass
class LevelReport:
    """What a load did to one level of territories."""

    label: str
    feminine: bool
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: Codes in the database that the data no longer has: kept, only counted.
    obsolete: int = 0


@dataclass
class LinkCounts:
    """What a load did to one derived link table."""

    total: int = 0
    created: int = 0
    removed: int = 0


@dataclass
class LoadReport:
    """Per-level counts of a territory load, plus the derived links."""

    levels: dict = field(default_factory=dict)
    #: Canton–arrondissement links.
    links: LinkCounts = field(default_factory=LinkCounts)
    #: Commune–canton links.
    commune_links: LinkCounts = field(default_factory=LinkCounts)
    #: Commune–postal code links.
    postal_links: LinkCounts = field(default_factory=LinkCounts)

    @property
    def changed(self):
        """Tell whether the load wrote anything."""
        return bool(
            any(links.created or links.removed
                for links in (self.links, self.commune_links, self.postal_links))
            or any(level.created or level.updated for level in self.levels.values())
        )


@dataclass
class _Rows:
    """The checked rows of one file, by code, with the line each came from."""

    file_name: str
    values: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)

    def fail(self, code, message):
        raise TerritoryDataError(self.file_name, self.lines.get(code), message)


def load_territories(directory=DEFAULT_DIRECTORY):
    """Check the packaged territory files, then create or update every territory; flush only."""
    directory = Path(directory)
    data = {level.name: _read_level(directory, level) for level in LEVELS}
    _check_references(data)
    arrondissement_cantons = _read_arrondissement_cantons(directory, data)
    _derive_columns(data)
    report = LoadReport()
    for level in LEVELS:
        report.levels[level.name] = _upsert(level, data[level.name].values)
    cantons, communes = data["cantons"].values, data["communes"].values
    report.postal_links = _sync_pairs(commune_postal_codes, derive_postal_codes(communes), keep=communes)
    report.links = _sync_pairs(
        canton_arrondissements, derive_canton_arrondissements(cantons, communes), keep=cantons
    )
    report.commune_links = _sync_pairs(
        commune_cantons, derive_commune_cantons(cantons, communes, arrondissement_cantons), keep=communes
    )
    if report.changed:
        bump_publication_version(db.session)
    db.session.flush()
    return report


def count_territories():
    """Return the number of territories of each level in the database, plus detail counts."""

    def count(table, *criteria):
        return db.session.scalar(select(func.count()).select_from(table).where(*criteria))

    kinds = dict(db.session.execute(select(Canton.kind, func.count()).group_by(Canton.kind)).all())
    return {
        "municipal_arrondissements": count(Commune, Commune.kind == CommuneKind.MUNICIPAL_ARRONDISSEMENT),
        "regions": count(Region),
        "departments": count(Department),
        "arrondissements": count(Arrondissement),
        "cantons": count(Canton),
        "cantons_by_kind": {kind: kinds.get(kind, 0) for kind in CantonKind},
        "communes": count(Commune, Commune.kind == CommuneKind.COMMUNE),
        "communes_without_canton": count(
            Commune, Commune.kind == CommuneKind.COMMUNE, Commune.canton_code.is_(None)
        ),
        "links": count(canton_arrondissements),
        "commune_links": count(commune_cantons),
        "postal_links": count(commune_postal_codes),
    }


def _read_level(directory, level):
    """Read and check one packaged file on its own; return its rows."""
    rows = _Rows(level.file_name)
    columns = list(level.fields)
    lengths = {
        name: level.table.c[name].type.length
        for name in columns
        if getattr(level.table.c[name].type, "length", None)
    }
    line = 0
    try:
        with gzip.open(directory / level.file_name, "rt", encoding="utf-8", newline="") as stream:
            reader = csv.reader(stream, strict=True)
            header = next(reader, None)
            line = 1
            _check_header(level, header)
            for record in reader:
                line = reader.line_num
                _add_row(rows, level, columns, lengths, line, record)
    except FileNotFoundError:
        raise TerritoryDataError(
            level.file_name, None, f"fichier introuvable dans {directory}"
        ) from None
    except gzip.BadGzipFile:
        raise TerritoryDataError(level.file_name, None, "pas un fichier gzip") from None
    except (EOFError, zlib.error):
        raise TerritoryDataError(
            level.file_name, line + 1, "fichier gzip tronqué ou corrompu"
        ) from None
    except UnicodeDecodeError:
        raise TerritoryDataError(
            level.file_name, line + 1, "texte qui n'est pas de l'UTF-8"
        ) from None
    except csv.Error as exc:
        raise TerritoryDataError(level.file_name, line + 1, f"CSV mal formé ({exc})") from None
    return rows


def _check_header(level, header):
    expected = list(level.fields)
    if header is None:
        raise TerritoryDataError(level.file_name, None, "fichier vide")
    if header == expected:
        return
    missing = [name for name in expected if name not in header]
    extra = [name for name in header if name not in expected]
    problems = []
    if missing:
        problems.append("colonne(s) manquante(s) : " + ", ".join(missing))
    if extra:
        problems.append("colonne(s) en trop : " + ", ".join(extra))
    if not problems:
        problems.append("colonnes dans le désordre, attendues : " + ", ".join(expected))
    raise TerritoryDataError(level.file_name, 1, " ; ".join(problems))


def _add_row(rows, level, columns, lengths, line, record):
    if len(record) != len(columns):
        raise TerritoryDataError(
            level.file_name, line, f"{len(record)} champ(s) au lieu de {len(columns)}"
        )
    values = {}
    for (name, read), raw in zip(level.fields.items(), record, strict=True):
        try:
            value = read(name, raw)
        except _BadValue as exc:
            raise TerritoryDataError(level.file_name, line, str(exc)) from None
        # SQLite ignores VARCHAR lengths and PostgreSQL refuses longer values: check here so
        # both databases accept the same data.
        if isinstance(value, str) and name in lengths and len(value) > lengths[name]:
            raise TerritoryDataError(
                level.file_name, line, f"{name} plus long que {lengths[name]} caractères"
            )
        values[name] = value
    code = values["code"]
    if code in rows.values:
        raise TerritoryDataError(
            level.file_name, line, f"code « {code} » en double (déjà ligne {rows.lines[code]})"
        )
    rows.values[code] = values
    rows.lines[code] = line


def _check_references(data):
    """Check that every parent, capital and code prefix agrees across the files."""
    regions, departments = data["regions"], data["departments"]
    arrondissements, cantons, communes = data["arrondissements"], data["cantons"], data["communes"]

    def parent(rows, code, column, parents):
        value = rows.values[code][column]
        if value is not None and value not in parents.values:
            rows.fail(code, f"{column} « {value} » inconnu dans {parents.file_name}")
        return value

    for code in departments.values:
        parent(departments, code, "region_code", regions)
    for rows in (arrondissements, cantons, communes):
        for code in rows.values:
            department = parent(rows, code, "department_code", departments)
            if not code.startswith(department):
                rows.fail(
                    code,
                    f"le code « {code} » ne commence pas par celui de son département « {department} »",
                )
    for code, values in communes.values.items():
        for label, column, parents in (
            ("l'arrondissement", "arrondissement_code", arrondissements),
            ("le canton", "canton_code", cantons),
        ):
            parent_code = parent(communes, code, column, parents)
            if parent_code is None:
                continue
            department = parents.values[parent_code]["department_code"]
            if department != values["department_code"]:
                communes.fail(
                    code,
                    f"{label} « {parent_code} » est dans le département « {department} », "
                    f"pas dans « {values['department_code']} »",
                )
    for code, values in communes.values.items():
        parent_code = values["parent_code"]
        if values["kind"] is CommuneKind.COMMUNE:
            if parent_code is not None:
                communes.fail(code, f"parent_code « {parent_code} » donné à une commune qui n'est pas "
                                    "un arrondissement municipal")
            continue
        parent = communes.values.get(parent_code)
        if parent is None or parent["kind"] is not CommuneKind.COMMUNE:
            communes.fail(code, f"l'arrondissement municipal a pour parent_code « {parent_code} », "
                                "qui n'est pas une commune des données")
        if parent["department_code"] != values["department_code"]:
            communes.fail(code, f"l'arrondissement municipal n'est pas dans le département de sa commune "
                                f"« {parent_code} »")

    def capital(rows, code, column, territory, where):
        capital_code = rows.values[code]["capital_code"]
        commune = communes.values.get(capital_code)
        if commune is None or commune[column] != territory:
            rows.fail(code, f"chef-lieu « {capital_code} » absent des communes {where}")

    for code in departments.values:
        capital(departments, code, "department_code", code, "de ce département")
    for code in arrondissements.values:
        capital(arrondissements, code, "arrondissement_code", code, "de cet arrondissement")
    for code, values in cantons.values.items():
        capital(cantons, code, "department_code", values["department_code"], "de son département")


def _read_arrondissement_cantons(directory, data):
    """Read and check the cantons serving Marseille's arrondissements; return {commune code: {canton codes}}."""
    file_name = ARRONDISSEMENT_CANTONS_FILE
    communes, cantons = data["communes"].values, data["cantons"].values
    links = {}
    line = 0
    try:
        with gzip.open(directory / file_name, "rt", encoding="utf-8", newline="") as stream:
            reader = csv.reader(stream, strict=True)
            header = next(reader, None)
            line = 1
            if header != ["commune_code", "canton_code"]:
                raise TerritoryDataError(file_name, 1, "colonnes attendues : commune_code, canton_code")
            for record in reader:
                line = reader.line_num
                if len(record) != 2:
                    raise TerritoryDataError(file_name, line, f"{len(record)} champ(s) au lieu de 2")
                commune_code, canton_code = record
                commune, canton = communes.get(commune_code), cantons.get(canton_code)
                if commune is None or commune["kind"] is not CommuneKind.MUNICIPAL_ARRONDISSEMENT:
                    raise TerritoryDataError(
                        file_name, line, f"« {commune_code} » n'est pas un arrondissement municipal des données")
                if canton is None or canton["kind"] is not CantonKind.CANTON \
                        or canton["department_code"] != commune["department_code"]:
                    raise TerritoryDataError(
                        file_name, line, f"« {canton_code} » n'est pas un canton du département de « {commune_code} »")
                if canton_code in links.get(commune_code, ()):
                    raise TerritoryDataError(file_name, line, f"lien « {commune_code} », « {canton_code} » en double")
                links.setdefault(commune_code, set()).add(canton_code)
    except FileNotFoundError:
        raise TerritoryDataError(file_name, None, f"fichier introuvable dans {directory}") from None
    except gzip.BadGzipFile:
        raise TerritoryDataError(file_name, None, "pas un fichier gzip") from None
    except (EOFError, zlib.error):
        raise TerritoryDataError(file_name, line + 1, "fichier gzip tronqué ou corrompu") from None
    except UnicodeDecodeError:
        raise TerritoryDataError(file_name, line + 1, "texte qui n'est pas de l'UTF-8") from None
    except csv.Error as exc:
        raise TerritoryDataError(file_name, line + 1, f"CSV mal formé ({exc})") from None
    return links


def _derive_columns(data):
    """Compute the communes' stored columns that come from the data rather than from a file."""
    communes = data["communes"].values
    divided = {values["parent_code"] for values in communes.values() if values["parent_code"]}
    for code, values in communes.items():
        values["search_name"] = search_key(values["name"])
        values["has_municipal_arrondissements"] = code in divided


def _upsert(level, rows):
    """Insert new rows and update changed ones of one level, in bulk; return its report."""
    table = level.table
    columns = list(level.fields) + list(level.derived)
    existing = {
        row[0]: tuple(row)
        for row in db.session.execute(select(*(table.c[name] for name in columns)))
    }
    created, changed = [], []
    for code, values in rows.items():
        current = existing.get(code)
        if current is None:
            created.append(values)
        elif current != tuple(values[name] for name in columns):
            changed.append({"key": code, **{name: values[name] for name in columns[1:]}})
    if created:
        db.session.execute(insert(table), created)
    if changed:
        db.session.execute(update(table).where(table.c.code == bindparam("key")), changed)
    return LevelReport(
        label=level.label,
        feminine=level.feminine,
        total=len(rows),
        created=len(created),
        updated=len(changed),
        unchanged=len(rows) - len(created) - len(changed),
        obsolete=len(existing.keys() - rows.keys()),
    )


def derive_canton_arrondissements(cantons, communes):
    """Return the (canton code, arrondissement code) pairs: where each canton's communes lie.

    A canton made only of fractions of communes is listed by no commune (INSEE gives the split
    commune a pseudo-canton instead): it gets the arrondissement of its chief town.
    """
    pairs = set()
    listed = set()
    for commune in communes.values():
        if commune["canton_code"] is not None:
            listed.add(commune["canton_code"])
            if commune["arrondissement_code"] is not None:
                pairs.add((commune["canton_code"], commune["arrondissement_code"]))
    for code, canton in cantons.items():
        if code not in listed:
            arrondissement = communes[canton["capital_code"]]["arrondissement_code"]
            if arrondissement is not None:
                pairs.add((code, arrondissement))
    return pairs


def derive_commune_cantons(cantons, communes, arrondissement_cantons=None):
    """Return the (commune code, canton code) pairs: the real cantons each commune lies in.

    A commune in a real canton gets it. A commune INSEE puts in a pseudo-canton (split across
    cantons) or a fictive one (a new commune) gets every real canton whose chief town it is:
    Marseille its twelve cantons, Gap its four. A municipal arrondissement of Marseille gets the
    cantons ``arrondissement_cantons`` ({commune code: canton codes}) gives it, or else its
    commune's. The COG says nothing more: a few split or new communes get no real canton, and
    searches there fall back to the department; Paris, the Métropole de Lyon, Martinique and
    Guyane have no canton at all.
    """
    arrondissement_cantons = arrondissement_cantons or {}
    pairs = set()
    chief_towns = {}
    for code, canton in cantons.items():
        if canton["kind"] == CantonKind.CANTON:
            chief_towns.setdefault(canton["capital_code"], []).append(code)

    def real_cantons(code, commune):
        canton_code = commune["canton_code"]
        if canton_code is None:
            return ()
        if cantons[canton_code]["kind"] == CantonKind.CANTON:
            return (canton_code,)
        return chief_towns.get(code, ())

    for code, commune in communes.items():
        if commune["kind"] is CommuneKind.MUNICIPAL_ARRONDISSEMENT:
            parent = commune["parent_code"]
            found = arrondissement_cantons.get(code) or real_cantons(parent, communes[parent])
        else:
            found = real_cantons(code, commune)
        pairs.update((code, real) for real in found)
    return pairs


def derive_postal_codes(communes):
    """Return the (commune code, postal code) pairs of the communes' space-separated postal codes.

    A commune divided into municipal arrondissements is left out: its postal codes are those of
    its arrondissements, which a search must find instead ("13013" is Marseille's 13th).
    """
    divided = {commune["parent_code"] for commune in communes.values() if commune["parent_code"]}
    return {
        (code, postal)
        for code, commune in communes.items() if code not in divided
        for postal in commune["postal_codes"].split()
    }


def _sync_pairs(table, derived, keep):
    """Make a two-column link table match ``derived``; rows of codes not in ``keep`` stay."""
    left, right = (column.name for column in table.primary_key.columns)
    existing = {tuple(row) for row in db.session.execute(select(table.c[left], table.c[right]))}
    # Links of obsolete territories are left alone, like the territories themselves.
    stale = [pair for pair in existing - derived if pair[0] in keep]
    new = sorted(derived - existing)
    if new:
        db.session.execute(insert(table), [{left: a, right: b} for a, b in new])
    if stale:
        db.session.execute(
            delete(table).where(and_(table.c[left] == bindparam("a"), table.c[right] == bindparam("b"))),
            [{"a": a, "b": b} for a, b in stale],
        )
    return LinkCounts(total=len(derived), created=len(new), removed=len(stale))
