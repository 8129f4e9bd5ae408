"""Named invitees of a forum: add, edit, remove, import and export as CSV, record attendance."""
import csv
import io
import unicodedata
from datetime import UTC

from email_validator import EmailNotValidError, validate_email

from ..extensions import db
from ..models import Invitee, InviteeQuality
from ..spreadsheets import read_cell, spreadsheet_csv
from ..text import single_line
from ..timeutils import utcnow
from .audit import diff_fields, record_event

NAME_MAX_LENGTH = 150
ORGANISATION_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254
#: Largest CSV file accepted, in bytes, and most invitees in one file.
IMPORT_MAX_BYTES = 1024 * 1024
IMPORT_MAX_ROWS = 2000

#: Columns of the CSV files, in order; ``present`` is exported and ignored on import.
COLUMNS = ("nom", "qualite", "organisation", "email")
EXPORT_COLUMNS = COLUMNS + ("present",)
REQUIRED_COLUMNS = ("nom", "qualite")
#: Header spellings accepted for each column, compared without case, accents, spaces or dashes.
COLUMN_ALIASES = {
    "nom": ("nom", "nomcomplet", "nometprenom", "prenometnom", "nomprenom"),
    "qualite": ("qualite",),
    "organisation": ("organisation", "organisme", "structure"),
    "email": ("email", "mail", "courriel", "adresseelectronique", "adressecourriel", "adressemail"),
    "present": ("present", "presente", "presence"),
}
FIELDS = ("full_name", "quality", "organisation", "email")


class InviteeError(ValueError):
    """Raised when invitee data is refused; ``errors`` maps each field at fault to a French message."""

    def __init__(self, errors):
        self.errors = dict(errors)
        self.message = " ".join(self.errors.values())
        super().__init__(self.message)


class InviteeImportError(ValueError):
    """Raised when a CSV file is refused; ``errors`` lists every problem, each naming its line."""

    def __init__(self, errors):
        self.errors = list(errors)
        count = len(self.errors)
        self.message = (
            f"Le fichier n'a pas été importé : {count} erreur{'s' if count > 1 else ''} à corriger. "
            "Aucun invité n'a été ajouté."
        )
        super().__init__(self.message)


def quality_choices_text():
    """Return the accepted qualities as French text, for error messages and hints."""
    return ", ".join(quality.label for quality in InviteeQuality)


def parse_quality(value):
    """Return the InviteeQuality named by its code or French label (any case, accents or not), or None."""
    return _QUALITIES.get(_words(value))


def add_invitee(forum, data, by):
    """Add a named invitee to the forum; flush only."""
    values = _validated(data)
    _refuse_duplicate(forum, values)
    invitee = Invitee(forum=forum, **values)
    db.session.add(invitee)
    db.session.flush()
    record_event(
        "invitee.add", "forum", forum.id, by=by, department_code=forum.department_code,
        summary=f"Invité ajouté : {_describe(invitee)}.",
        changes={name: [None, _plain(getattr(invitee, name))] for name in FIELDS},
    )
    return invitee


def update_invitee(invitee, data, by):
    """Change an invitee's name, quality, organisation or e-mail; return the changes; flush only."""
    values = _validated(data)
    _refuse_duplicate(invitee.forum, values, exclude_id=invitee.id)
    changes = diff_fields(invitee, values, FIELDS)
    if not changes:
        return changes
    for name, value in values.items():
        setattr(invitee, name, value)
    db.session.flush()
    forum = invitee.forum
    record_event(
        "invitee.update", "forum", forum.id, by=by, department_code=forum.department_code,
        summary=f"Invité modifié : {_describe(invitee)}.", changes=changes,
    )
    return changes


def remove_invitee(invitee, by):
    """Remove an invitee from its forum; flush only."""
    forum = invitee.forum
    description = _describe(invitee)
    changes = {name: [_plain(getattr(invitee, name)), None] for name in FIELDS}
    forum.invitees.remove(invitee)
    db.session.flush()
    record_event(
        "invitee.remove", "forum", forum.id, by=by, department_code=forum.department_code,
        summary=f"Invité retiré : {description}.", changes=changes,
    )


def has_started(forum, now=None):
    """Tell whether the forum's start time has passed, so attendance may be recorded."""
    if forum.starts_at is None:
        return False
    starts_at = forum.starts_at
    if starts_at.tzinfo is None:
        # SQLite hands back naive datetimes; they were stored as UTC.
        starts_at = starts_at.replace(tzinfo=UTC)
    return starts_at <= (now or utcnow())


def record_attendance(forum, attended_ids, by):
    """Mark the invitees whose ids are given as present and every other invitee as absent; flush only.

    Return the number of invitees whose attendance changed.
    """
    if not has_started(forum):
        raise InviteeError({"attended": "La présence ne peut être relevée qu'une fois le forum commencé."})
    attended_ids = {int(invitee_id) for invitee_id in attended_ids}
    invitees = _invitees_of(forum)
    unknown = attended_ids - {invitee.id for invitee in invitees}
    if unknown:
        listed = ", ".join(str(invitee_id) for invitee_id in sorted(unknown))
        raise InviteeError({"attended": f"Invités inconnus pour ce forum : {listed}."})
    changes = {}
    for invitee in invitees:
        attended = invitee.id in attended_ids
        if invitee.attended is not attended:
            changes[f"{invitee.full_name} (n° {invitee.id})"] = [invitee.attended, attended]
            invitee.attended = attended
    db.session.flush()
    present = len(attended_ids)
    record_event(
        "invitee.attendance", "forum", forum.id, by=by, department_code=forum.department_code,
        summary=f"Présence relevée : {present} présent{'s' if present > 1 else ''} "
                f"sur {len(invitees)} invité{'s' if len(invitees) > 1 else ''}.",
        changes=changes,
    )
    return len(changes)


def import_invitees_csv(forum, source, by):
    """Add every invitee of a CSV file (bytes, text or a file object), or none; return them; flush only.

    Raise InviteeImportError listing every problem, each with its line number, if any line is wrong.
    """
    rows = _parse_csv(_read_text(source))
    existing = {_identity(name, organisation) for name, organisation in db.session.execute(
        db.select(Invitee.full_name, Invitee.organisation).where(Invitee.forum_id == forum.id)
    )}
    errors, accepted, seen = [], [], {}
    for line, cells, extra in rows:
        values, problems = _check(cells)
        problems += extra
        if not problems:
            key = _identity(values["full_name"], values["organisation"])
            if key in existing:
                problems.append(f"{_describe_values(values)} figure déjà parmi les invités du forum")
            elif key in seen:
                problems.append(f"{_describe_values(values)} figure déjà à la ligne {seen[key]}")
            else:
                seen[key] = line
        if problems:
            errors.extend(f"ligne {line} : {problem}" for problem in problems)
        else:
            accepted.append(values)
    if errors:
        raise InviteeImportError(errors)
    invitees = [Invitee(forum=forum, **values) for values in accepted]
    db.session.add_all(invitees)
    db.session.flush()
    count = len(invitees)
    record_event(
        "invitee.import", "forum", forum.id, by=by, department_code=forum.department_code,
        summary=f"{count} invité{'s' if count > 1 else ''} importé{'s' if count > 1 else ''} "
                "depuis un fichier CSV.",
        changes={"invitees": [len(existing), len(existing) + count]},
    )
    return invitees


def export_invitees_csv(forum):
    """Return the forum's invitees as CSV text for a spreadsheet: BOM, ``;``, French headers."""
    presence = {True: "oui", False: "non", None: ""}
    return spreadsheet_csv(EXPORT_COLUMNS, [
        [invitee.full_name, invitee.quality.label, invitee.organisation, invitee.email or "",
         presence[invitee.attended]]
        for invitee in sorted_invitees(_invitees_of(forum))
    ])


def sorted_invitees(invitees):
    """Return invitees in alphabetical order, ignoring case and accents (the same on every database)."""
    return sorted(invitees, key=lambda invitee: (_words(invitee.full_name), invitee.id))


def _invitees_of(forum):
    return db.session.scalars(db.select(Invitee).where(Invitee.forum_id == forum.id)).all()


def _validated(data):
    values, problems = _check({
        "nom": data.get("full_name"), "qualite": data.get("quality"),
        "organisation": data.get("organisation"), "email": data.get("email"),
    }, by_field=True)
    if problems:
        raise InviteeError(problems)
    return values


def _check(cells, by_field=False):
    """Return (values, problems) for one invitee given by CSV column name.

    Problems are short French phrases naming the field: a list, or a {field: message} dict for forms.
    """
    problems = {}
    full_name = single_line(_text(cells.get("nom")))
    if not full_name:
        problems["full_name"] = "nom obligatoire"
    elif len(full_name) > NAME_MAX_LENGTH:
        problems["full_name"] = f"nom trop long ({NAME_MAX_LENGTH} caractères au plus)"
    raw_quality = _text(cells.get("qualite")).strip()
    quality = parse_quality(raw_quality)
    if not raw_quality:
        problems["quality"] = f"qualité obligatoire (valeurs possibles : {quality_choices_text()})"
    elif quality is None:
        problems["quality"] = (
            f"qualité « {raw_quality} » inconnue (valeurs possibles : {quality_choices_text()})"
        )
    organisation = single_line(_text(cells.get("organisation")))
    if len(organisation) > ORGANISATION_MAX_LENGTH:
        problems["organisation"] = f"organisation trop longue ({ORGANISATION_MAX_LENGTH} caractères au plus)"
    email = _text(cells.get("email")).strip() or None
    if email is not None:
        if len(email) > EMAIL_MAX_LENGTH:
            problems["email"] = f"adresse électronique trop longue ({EMAIL_MAX_LENGTH} caractères au plus)"
        else:
            try:
                validate_email(email, check_deliverability=False)
            except EmailNotValidError:
                problems["email"] = f"adresse électronique « {email} » invalide"
    values = {"full_name": full_name, "quality": quality, "organisation": organisation, "email": email}
    if by_field:
        return values, {field: _sentence(message) for field, message in problems.items()}
    return values, list(problems.values())


def _refuse_duplicate(forum, values, exclude_id=None):
    query = db.select(Invitee.id, Invitee.full_name, Invitee.organisation).where(Invitee.forum_id == forum.id)
    key = _identity(values["full_name"], values["organisation"])
    for invitee_id, name, organisation in db.session.execute(query):
        if invitee_id != exclude_id and _identity(name, organisation) == key:
            raise InviteeError({"full_name": _sentence(
                f"{_describe_values(values)} figure déjà parmi les invités du forum"
            )})


def _read_text(source):
    """Return the text of an uploaded file, refusing what is too big or not text."""
    if hasattr(source, "read"):
        source = source.read(IMPORT_MAX_BYTES + 1)
    if len(source) > IMPORT_MAX_BYTES:
        raise InviteeImportError([
            f"Le fichier dépasse la taille maximale de {IMPORT_MAX_BYTES // 1024 // 1024} Mo : "
            "découpez-le en plusieurs fichiers."
        ])
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError:
            try:
                # French Excel saves "CSV (séparateur : point-virgule)" in Windows-1252.
                source = source.decode("cp1252")
            except UnicodeDecodeError:
                raise InviteeImportError([
                    "Encodage du fichier non reconnu : enregistrez-le au format CSV UTF-8."
                ]) from None
    return source.removeprefix("\ufeff")


def _parse_csv(text):
    """Return [(line number, {column: cell})] for the non-blank rows under the header."""
    if not text.strip():
        raise InviteeImportError([
            f"Le fichier est vide : il doit commencer par la ligne d'en-tête {';'.join(COLUMNS)}."
        ])
    # The header line tells the delimiter: French Excel writes ";", others ",".
    first_line = next(line for line in text.splitlines() if line.strip())
    delimiter = max(";,\t", key=first_line.count)
    # Strict: an unclosed quote would otherwise swallow every following line into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header, header_line, rows = None, 0, []
    last_line = 0
    try:
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header, header_line = _header(cells, line), line
                continue
            if len(rows) == IMPORT_MAX_ROWS:
                raise InviteeImportError([
                    f"Le fichier compte plus de {IMPORT_MAX_ROWS} invités : "
                    "découpez-le en plusieurs fichiers."
                ])
            rows.append((line, header, cells))
    except csv.Error:
        raise InviteeImportError([
            f"ligne {last_line + 1} : format CSV illisible (guillemet non fermé ou mal placé ?)."
        ]) from None
    if not rows:
        raise InviteeImportError([
            f"ligne {header_line} : le fichier ne contient que l'en-tête, aucun invité à importer."
        ])
    return [_row(line, columns, cells) for line, columns, cells in rows]


def _row(line, columns, cells):
    """Return (line, {column: cell}, problems): a value under no named column is a problem."""
    values, stray = {}, False
    for position, cell in enumerate(cells):
        column = columns[position] if position < len(columns) else None
        if column is None:
            stray = stray or bool(cell.strip())
        else:
            values[column] = read_cell(cell)
    problems = []
    if stray:
        named = sum(column is not None for column in columns)
        problems.append(
            f"{len(cells)} valeurs pour {named} colonnes (un séparateur de trop ? "
            "mettez entre guillemets les valeurs qui en contiennent)"
        )
    return line, values, problems


def _header(cells, line):
    columns, unknown = [], []
    aliases = {alias: column for column, names in COLUMN_ALIASES.items() for alias in names}
    for cell in cells:
        name = _words(cell).replace(" ", "").replace("-", "").replace("'", "")
        column = aliases.get(name)
        if column is None and cell.strip():
            unknown.append(cell.strip())
        columns.append(column)
    expected = ";".join(COLUMNS)
    if not set(columns) & set(REQUIRED_COLUMNS):
        raise InviteeImportError([
            f"ligne {line} : en-tête manquant ou incorrect ; la première ligne doit nommer les colonnes "
            f"{expected}."
        ])
    errors = [f"ligne {line} : colonne « {name} » inconnue (colonnes attendues : {expected})"
              for name in unknown]
    errors += [f"ligne {line} : colonne « {column} » manquante dans l'en-tête"
               for column in REQUIRED_COLUMNS if column not in columns]
    errors += [f"ligne {line} : colonne « {column} » présente plusieurs fois"
               for column in COLUMN_ALIASES if columns.count(column) > 1]
    if errors:
        raise InviteeImportError(errors)
    return columns


def _text(value):
    return "" if value is None else value if isinstance(value, str) else str(value)


def _words(value):
    """Return ``value`` without accents, case, typographic apostrophes or repeated spaces."""
    value = unicodedata.normalize("NFKD", _text(value).replace("’", "'").replace("_", " "))
    return " ".join("".join(c for c in value if not unicodedata.combining(c)).casefold().split())


def _identity(full_name, organisation):
    return " ".join(full_name.casefold().split()), " ".join((organisation or "").casefold().split())


def _describe(invitee):
    return _describe_values({"full_name": invitee.full_name, "organisation": invitee.organisation})


def _describe_values(values):
    organisation = f" ({values['organisation']})" if values["organisation"] else ""
    return f"« {values['full_name']} »{organisation}"


def _sentence(phrase):
    return phrase[0].upper() + phrase[1:] + "."


def _plain(value):
    return value.value if isinstance(value, InviteeQuality) else value


_QUALITIES = {
    key: quality for quality in InviteeQuality for key in (_words(quality.value), _words(quality.label))
} | {
    # Feminine forms, as people naturally write them.
    _words("Élue"): InviteeQuality.ELECTED,
    _words("Présidente d'association"): InviteeQuality.ASSOCIATION,
    _words("Référente participation citoyenne"): InviteeQuality.CITIZEN_REFERENT,
}
