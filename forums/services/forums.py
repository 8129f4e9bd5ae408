"""Scheduling forums: validation, overlap checks and the life cycle. Operations flush, never commit.

A forum goes draft → published → held, or from published (or postponed) to cancelled (reason
required) or postponed (new dates, the old ones kept in ForumDateChange).
"""
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from babel.dates import format_date, format_datetime

from sqlalchemy.orm import selectinload

from ..extensions import db
from synthesis.coverage import CANTON, COMMUNE, MIXED

from ..models import (
    AuditEvent, Canton, CantonKind, Commune, Forum, ForumDateChange, ForumStatus, Role, Speaker, SpeakerKind,
)
from ..models.forums import forum_cantons, forum_communes
from ..text import fold, natural_key, single_line
from ..timeutils import PARIS, utcnow
from .audit import diff_fields, record_event
from .errors import FieldErrors

#: A forum is an evening meeting: anything longer is a typing mistake.
MAX_DURATION = timedelta(hours=12)

#: Fields a forum must have before it is published, with their French names.
REQUIRED_FOR_PUBLICATION = {
    "title": "le titre",
    "starts_at": "la date et l'heure de début",
    "ends_at": "l'heure de fin",
    "venue_name": "le lieu",
    "address": "l'adresse",
    "commune_code": "la commune",
    "accessibility": "les informations d'accessibilité",
    "animator_name": "l'animateur",
}

#: Fields whose change the public sees, and which therefore bump the iCalendar SEQUENCE.
PUBLIC_FIELDS = (
    "title", "starts_at", "ends_at", "venue_name", "address", "commune_code", "accessibility",
    "capacity", "animator_name", "animator_function", "description",
)
#: Fields shown on one line and quoted in mail subjects: kept without line breaks nor control characters.
SINGLE_LINE_FIELDS = frozenset({"title", "venue_name", "address", "animator_name", "animator_function"})

TEXT_LIMITS = {"title": 200, "venue_name": 200, "address": 300, "animator_name": 150,
               "animator_function": 150, "accessibility": 2000, "description": 10000}

#: Statuses from which each transition may start.
TRANSITIONS = {
    "publish": {ForumStatus.DRAFT},
    "postpone": {ForumStatus.PUBLISHED, ForumStatus.POSTPONED},
    "cancel": {ForumStatus.PUBLISHED, ForumStatus.POSTPONED},
    "hold": {ForumStatus.PUBLISHED, ForumStatus.POSTPONED},
    "delete": {ForumStatus.DRAFT},
}


@dataclass
class SpeakerData:
    """One speaker as entered: kind, name, function."""

    kind: str = ""
    name: str = ""
    function: str = ""


@dataclass
class ForumData:
    """A forum's details as entered by an agent; datetimes are aware (any zone)."""

    title: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    venue_name: str = ""
    address: str = ""
    commune_code: str | None = None
    accessibility: str = ""
    capacity: int | None = None
    animator_name: str = ""
    animator_function: str = ""
    description: str = ""
    canton_codes: list[str] = field(default_factory=list)
    commune_codes: list[str] = field(default_factory=list)
    speakers: list[SpeakerData] = field(default_factory=list)

    @classmethod
    def from_forum(cls, forum):
        """Return the data of an existing forum, for editing."""
        return cls(
            **{name: getattr(forum, name) for name in PUBLIC_FIELDS},
            canton_codes=[canton.code for canton in forum.cantons],
            commune_codes=[commune.code for commune in forum.communes],
            speakers=[SpeakerData(s.kind.value, s.name, s.function) for s in forum.speakers],
        )


class ForumError(FieldErrors):
    """Raised when a forum operation is refused.

    ``errors`` maps a field name (or "__all__") to French messages; ``warnings`` lists what the
    agent may confirm (another forum covering the same canton).
    """

    def __init__(self, errors=None, warnings=None):
        self.warnings = warnings or []
        super().__init__(errors)
        if not self.errors:
            self.args = ("; ".join(self.warnings),)


def paris_datetime(day, time):
    """Combine a date and a wall-clock time in Paris into an aware UTC datetime."""
    return datetime.combine(day, time, tzinfo=PARIS).astimezone(UTC)


def department_unit_kind(department_code):
    """Return what forums cover in the department: CANTON, COMMUNE or MIXED (synthesis.coverage).

    Cantons, except where no canton covers a commune: Martinique and Guyane, Paris (by its
    municipal arrondissements) are covered commune by commune; the Rhône is mixed (its cantons,
    and the Métropole de Lyon's communes with Lyon's arrondissements).
    """
    has_cantons, has_communes = db.session.execute(db.select(
        db.exists().where(Canton.department_code == department_code, Canton.kind == CantonKind.CANTON),
        db.exists().where(Commune.department_code == department_code, Commune.is_coverage_unit),
    )).one()
    if has_cantons and has_communes:
        return MIXED
    return COMMUNE if has_communes else CANTON


#: What an agent must still choose to publish, for each kind of department.
MISSING_UNITS = {CANTON: "les cantons couverts", COMMUNE: "les communes couvertes",
                 MIXED: "les cantons ou communes couverts"}


def validate_forum(data, department_code, consultation, by, forum=None, publishing=False):
    """Return (errors, warnings) for ``data`` as a forum of the department; nothing is written."""
    errors = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    if not data.title.strip():
        add("title", "Saisissez le titre du forum.")
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(data, name) or "") > limit:
            add(name, f"Ce texte dépasse {limit} caractères.")
    if data.capacity is not None and data.capacity <= 0:
        add("capacity", "La capacité doit être un nombre de places supérieur à zéro.")

    commune = _check_commune(data, department_code, by, add)
    if data.commune_code is None:
        add("commune_code", "Choisissez la commune où se tient le forum.")
    _check_dates(data, consultation, add)
    unit_kind = department_unit_kind(department_code)
    units = _check_covered_units(data, department_code, unit_kind, by, add)
    _check_speakers(data, add)
    if publishing:
        missing = [label for name, label in REQUIRED_FOR_PUBLICATION.items() if not getattr(data, name)]
        if not units:
            missing.append(MISSING_UNITS[unit_kind])
        if missing:
            add("__all__", "Pour publier le forum, complétez : " + ", ".join(missing) + ".")
    if errors:
        return errors, []
    _check_overlaps(data, department_code, commune, forum, add)
    return errors, _shared_coverage_warnings(units, consultation, forum)


def schedule_forum(department_code, consultation, data, by, confirm_shared=False):
    """Create a draft forum; raise ForumError when invalid or when a shared canton is unconfirmed."""
    _validate_or_raise(data, department_code, consultation, by, None, confirm_shared)
    forum = Forum(consultation=consultation, department_code=department_code, status=ForumStatus.DRAFT,
                  created_by=by)
    _apply(forum, data)
    db.session.add(forum)
    db.session.flush()
    changes = {name: [None, _plain(getattr(forum, name))] for name in PUBLIC_FIELDS
               if getattr(forum, name) not in (None, "")}
    # The history shows what the forum was created with, places and speakers included, as an update would.
    for name, values in (("cantons", sorted(data.canton_codes)), ("communes", sorted(data.commune_codes)),
                         ("speakers", [speaker.name for speaker in _clean_speakers(data.speakers)])):
        if values:
            changes[name] = [None, values]
    record_event("forum.create", "forum", forum.id, by=by, department_code=department_code,
                 summary=f"Forum « {forum.title} » créé (brouillon).", changes=changes)
    return forum


def update_forum(forum, data, by, confirm_shared=False):
    """Change a forum's details; a change the public sees bumps its iCalendar sequence."""
    _refuse_if_closed(forum)
    _validate_or_raise(data, forum.department_code, forum.consultation, by, forum, confirm_shared,
                       publishing=forum.status is not ForumStatus.DRAFT)
    before = ForumData.from_forum(forum)
    changes = diff_fields(forum, _field_values(data), PUBLIC_FIELDS)
    if before.canton_codes != sorted(data.canton_codes):
        changes["cantons"] = [before.canton_codes, sorted(data.canton_codes)]
    if before.commune_codes != sorted(data.commune_codes):
        changes["communes"] = [before.commune_codes, sorted(data.commune_codes)]
    if [vars(s) for s in before.speakers] != [vars(s) for s in _clean_speakers(data.speakers)]:
        changes["speakers"] = [[s.name for s in before.speakers], [s.name for s in _clean_speakers(data.speakers)]]
    if not changes:
        return forum
    _apply(forum, data)
    if forum.status.is_public:
        forum.sequence += 1
    record_event("forum.update", "forum", forum.id, by=by, department_code=forum.department_code,
                 summary=f"Forum « {forum.title} » modifié.", changes=changes)
    return forum


def check_publishable(forum, by):
    """Raise ForumError unless the forum is a draft complete enough to be published by ``by``."""
    _check_transition(forum, "publish")
    data = ForumData.from_forum(forum)
    errors, _ = validate_forum(data, forum.department_code, forum.consultation, by, forum, publishing=True)
    if errors:
        raise ForumError(errors)


def publish_forum(forum, by):
    """Publish a complete draft: it appears on the public site and in the ministry's list."""
    check_publishable(forum, by)
    forum.status = ForumStatus.PUBLISHED
    forum.published_at = utcnow()
    forum.sequence += 1
    record_event("forum.publish", "forum", forum.id, by=by, department_code=forum.department_code,
                 summary=f"Forum « {forum.title} » publié.", changes={"status": ["draft", "published"]})
    return forum


def postpone_forum(forum, starts_at, ends_at, reason, by):
    """Move a published forum to new dates, keeping the old ones in its history."""
    _check_transition(forum, "postpone")
    data = ForumData.from_forum(forum)
    data.starts_at, data.ends_at = starts_at, ends_at
    errors, _ = validate_forum(data, forum.department_code, forum.consultation, by, forum, publishing=True)
    if starts_at and forum.starts_at and starts_at == forum.starts_at:
        errors.setdefault("starts_at", []).append("Choisissez une date différente de la date actuelle.")
    if errors:
        raise ForumError(errors)
    forum.date_changes.append(ForumDateChange(
        previous_starts_at=forum.starts_at, previous_ends_at=forum.ends_at, starts_at=starts_at,
        ends_at=ends_at, reason=reason.strip(), recorded_by_id=by.id if by else None,
    ))
    old_status = forum.status
    changes = diff_fields(forum, {"starts_at": starts_at, "ends_at": ends_at}, ["starts_at", "ends_at"])
    forum.starts_at, forum.ends_at = starts_at, ends_at
    forum.status = ForumStatus.POSTPONED
    forum.sequence += 1
    changes["status"] = [old_status.value, "postponed"]
    record_event("forum.postpone", "forum", forum.id, by=by, department_code=forum.department_code,
                 summary=f"Forum « {forum.title} » reporté." + (f" Motif : {reason.strip()}" if reason.strip() else ""),
                 changes=changes)
    return forum


def cancel_forum(forum, reason, by):
    """Cancel a published forum; its public page stays, with the reason."""
    _check_transition(forum, "cancel")
    if not (reason or "").strip():
        raise ForumError.single("Indiquez le motif de l'annulation : il sera affiché au public.", "reason")
    if len(reason) > 1000:
        raise ForumError.single("Le motif ne doit pas dépasser 1 000 caractères.", "reason")
    old_status = forum.status
    forum.status = ForumStatus.CANCELLED
    forum.cancellation_reason = reason.strip()
    forum.sequence += 1
    record_event("forum.cancel", "forum", forum.id, by=by, department_code=forum.department_code,
                 summary=f"Forum « {forum.title} » annulé. Motif : {forum.cancellation_reason}",
                 changes={"status": [old_status.value, "cancelled"]})
    return forum


def mark_forum_held(forum, by, now=None):
    """Record that a published forum took place; only once it has started."""
    _check_transition(forum, "hold")
    if forum.starts_at > (now or utcnow()):
        raise ForumError.single("Un forum ne peut être marqué comme tenu qu'à partir de son heure de début.")
    old_status = forum.status
    forum.status = ForumStatus.HELD
    forum.sequence += 1
    record_event("forum.hold", "forum", forum.id, by=by, department_code=forum.department_code,
                 summary=f"Forum « {forum.title} » tenu.", changes={"status": [old_status.value, "held"]})
    return forum


def delete_forum(forum, by):
    """Delete a draft that was never published; its audit trail remains."""
    _check_transition(forum, "delete")
    record_event("forum.delete", "forum", forum.id, by=by, department_code=forum.department_code,
                 summary=f"Brouillon « {forum.title} » supprimé.")
    db.session.delete(forum)
    db.session.flush()


def forum_history(forum):
    """Return the forum's audit events, oldest first, with their agents."""
    return db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.object_type == "forum", AuditEvent.object_id == str(forum.id))
        .options(selectinload(AuditEvent.agent))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()


def _validate_or_raise(data, department_code, consultation, by, forum, confirm_shared, publishing=False):
    errors, warnings = validate_forum(data, department_code, consultation, by, forum, publishing)
    if errors or (warnings and not confirm_shared):
        raise ForumError(errors, warnings)


def _check_transition(forum, transition):
    if forum.status not in TRANSITIONS[transition]:
        verbs = {"publish": "publier", "postpone": "reporter", "cancel": "annuler",
                 "hold": "marquer comme tenu", "delete": "supprimer"}
        raise ForumError.single(
            f"Impossible de {verbs[transition]} un forum dont l'état est « {forum.status.label} »."
        )


def _refuse_if_closed(forum):
    if forum.status in (ForumStatus.HELD, ForumStatus.CANCELLED):
        raise ForumError.single(f"Un forum « {forum.status.label.lower()} » ne se modifie plus.")


def _check_commune(data, department_code, by, add):
    if data.commune_code is None:
        return None
    commune = db.session.get(Commune, data.commune_code)
    if commune is None or commune.department_code != department_code:
        add("commune_code", "Choisissez une commune du département.")
        return None
    if by is not None and by.role is Role.SUBPREFECTURE and commune.arrondissement_code != by.arrondissement_code:
        add("commune_code", "Choisissez une commune de votre arrondissement.")
    return commune


def _check_dates(data, consultation, add):
    if data.starts_at is None and data.ends_at is None:
        return
    if data.starts_at is None or data.ends_at is None:
        add("starts_at" if data.starts_at is None else "ends_at",
            "Indiquez à la fois l'heure de début et l'heure de fin.")
        return
    start, end = data.starts_at.astimezone(PARIS), data.ends_at.astimezone(PARIS)
    first, last = consultation.meetings_start_on, consultation.meetings_end_on
    if not first <= start.date() <= last:
        add("starts_at", f"Le forum doit se tenir entre le {_day(first)} et le {_day(last)}, "
                         "période fixée pour la consultation.")
    if end <= start:
        add("ends_at", "L'heure de fin doit être postérieure à l'heure de début.")
    elif end - start > MAX_DURATION:
        add("ends_at", "Un forum ne peut pas durer plus de 12 heures : vérifiez l'heure de fin.")
    elif end.date() > last:
        add("ends_at", f"Le forum doit se terminer au plus tard le {_day(last)}.")


def _check_covered_units(data, department_code, unit_kind, by, add):
    """Check the cantons and communes the forum covers; return their codes."""
    canton_codes, commune_codes = sorted(set(data.canton_codes)), sorted(set(data.commune_codes))
    if canton_codes and unit_kind == COMMUNE:
        add("canton_codes", "Ce département n'a pas de cantons : indiquez les communes couvertes.")
    elif canton_codes:
        _check_cantons(canton_codes, department_code, by, add)
    if commune_codes and unit_kind == CANTON:
        add("commune_codes", "Ce département a des cantons : indiquez les cantons couverts.")
    elif commune_codes:
        _check_communes(commune_codes, department_code, by, add)
    return canton_codes + commune_codes


def _check_cantons(codes, department_code, by, add):
    cantons = db.session.scalars(
        db.select(Canton).where(Canton.code.in_(codes)).options(selectinload(Canton.arrondissements))
    ).all()
    found = {canton.code: canton for canton in cantons}
    unknown = [code for code in codes if code not in found]
    if unknown:
        add("canton_codes", "Canton(s) inconnu(s) : " + ", ".join(unknown) + ".")
    foreign = [c.name for c in cantons if c.department_code != department_code]
    if foreign:
        add("canton_codes", "Ces cantons n'appartiennent pas au département : " + _names(foreign) + ".")
    not_real = [c.name for c in cantons if c.department_code == department_code and not c.is_electoral]
    if not_real:
        add("canton_codes", "Choisissez des cantons, pas des pseudo-cantons INSEE : " + _names(not_real) + ".")
    if by is not None and by.role is Role.SUBPREFECTURE:
        outside = [c.name for c in cantons if by.arrondissement_code not in {a.code for a in c.arrondissements}]
        if outside:
            add("canton_codes", "Ces cantons ne touchent pas votre arrondissement : " + _names(outside) + ".")


def _check_communes(codes, department_code, by, add):
    """Accept only communes that no canton covers; name the others by name and postal code."""
    communes = db.session.scalars(
        db.select(Commune).where(Commune.code.in_(codes)).options(selectinload(Commune.cantons))
    ).all()
    found = {commune.code for commune in communes}
    unknown = [code for code in codes if code not in found]
    if unknown:
        add("commune_codes", "Commune(s) inconnue(s) : " + ", ".join(unknown) + ".")
    local = [c for c in communes if c.department_code == department_code]
    foreign = [c.label for c in communes if c.department_code != department_code]
    if foreign:
        add("commune_codes", "Ces communes n'appartiennent pas au département : " + _names(foreign) + ".")
    for commune in sorted(local, key=lambda c: natural_key(c.name)):
        if commune.has_municipal_arrondissements:
            add("commune_codes", f"{commune.name} est divisée en arrondissements municipaux : "
                                 "cochez ceux que le forum couvre.")
    in_cantons = [c for c in local if not c.has_municipal_arrondissements and not c.is_coverage_unit]
    if in_cantons:
        details = sorted(in_cantons, key=lambda c: natural_key(c.name))
        add("commune_codes", "Ces communes font partie d'un canton, cochez-le plutôt : " + " ; ".join(
            f"{c.label} : {_names(k.name for k in c.cantons) or 'canton non précisé'}" for c in details) + ".")
    if by is not None and by.role is Role.SUBPREFECTURE:
        outside = [c.label for c in local if c.arrondissement_code != by.arrondissement_code]
        if outside:
            add("commune_codes", "Ces communes ne sont pas dans votre arrondissement : " + _names(outside) + ".")


def _names(names):
    """Join names in natural order: "Marseille-2, Marseille-10"."""
    return ", ".join(sorted(names, key=natural_key))


def _check_speakers(data, add):
    for index, speaker in enumerate(data.speakers, start=1):
        if not any((speaker.kind, speaker.name.strip(), speaker.function.strip())):
            continue
        if not speaker.name.strip():
            add("speakers", f"Intervenant {index} : indiquez son nom.")
        if speaker.kind not in {kind.value for kind in SpeakerKind}:
            add("speakers", f"Intervenant {index} : choisissez police nationale, gendarmerie, police municipale ou autre.")
        if len(speaker.name) > 150 or len(speaker.function) > 200:
            add("speakers", f"Intervenant {index} : nom ou fonction trop long.")


def _check_overlaps(data, department_code, commune, forum, add):
    """Refuse a second forum at the same time for the same animator or in the same venue."""
    if data.starts_at is None or data.ends_at is None:
        return
    # Candidates are found in SQL by time; names are compared folded in Python so that accents,
    # case and spacing count the same on SQLite and PostgreSQL.
    query = db.select(Forum).where(
        Forum.department_code == department_code,
        Forum.status != ForumStatus.CANCELLED,
        Forum.starts_at < data.ends_at,
        Forum.ends_at > data.starts_at,
    )
    if forum is not None and forum.id is not None:
        query = query.where(Forum.id != forum.id)
    animator, venue = fold(data.animator_name), fold(data.venue_name)
    for other in db.session.scalars(query):
        when = _moment(other.starts_at)
        if animator and fold(other.animator_name) == animator:
            add("animator_name", f"{data.animator_name.strip()} anime déjà le forum « {other.title} » {when}.")
        if venue and commune is not None and other.commune_code == commune.code and fold(other.venue_name) == venue:
            add("venue_name", f"Le lieu « {data.venue_name.strip()} » accueille déjà le forum « {other.title} » {when}.")


def _shared_coverage_warnings(codes, consultation, forum):
    """Warn when another forum of the consultation already covers one of these cantons or communes."""
    if not codes:
        return []
    warnings = []
    for table, column, model in ((forum_cantons, "canton_code", Canton), (forum_communes, "commune_code", Commune)):
        query = (
            db.select(table.c[column], model.name,
                      Commune.postal_codes if model is Commune else db.literal(""), Forum.title, Forum.starts_at)
            .join(Forum, Forum.id == table.c.forum_id)
            .join(model, model.code == table.c[column])
            .where(table.c[column].in_(codes), Forum.consultation_id == consultation.id,
                   Forum.status != ForumStatus.CANCELLED)
            .order_by(table.c[column], Forum.starts_at)
        )
        if forum is not None and forum.id is not None:
            query = query.where(Forum.id != forum.id)
        for _code, name, postal_codes, title, starts_at in db.session.execute(query):
            place = f"Le canton {name}" if model is Canton else f"La commune {name}"
            if postal_codes:
                place += f" ({postal_codes.split()[0]})"
            warnings.append(f"{place} est déjà couvert(e) par le forum « {title} »"
                            + (f" {_moment(starts_at)}" if starts_at else "") + ".")
    return warnings


def _apply(forum, data):
    for name, value in _field_values(data).items():
        setattr(forum, name, value)
    commune = db.session.get(Commune, data.commune_code) if data.commune_code else None
    forum.arrondissement_code = commune.arrondissement_code if commune else None
    forum.cantons = db.session.scalars(db.select(Canton).where(Canton.code.in_(data.canton_codes))).all() \
        if data.canton_codes else []
    forum.communes = db.session.scalars(db.select(Commune).where(Commune.code.in_(data.commune_codes))).all() \
        if data.commune_codes else []
    forum.speakers = [
        Speaker(position=index, kind=SpeakerKind(s.kind), name=s.name, function=s.function)
        for index, s in enumerate(_clean_speakers(data.speakers))
    ]


def _field_values(data):
    values = {name: getattr(data, name) for name in PUBLIC_FIELDS}
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = single_line(value) if name in SINGLE_LINE_FIELDS else value.strip()
    return values


def _clean_speakers(speakers):
    return [SpeakerData(s.kind, single_line(s.name), single_line(s.function)) for s in speakers
            if any((s.kind, single_line(s.name), single_line(s.function)))]


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _day(value):
    return format_date(value, "d MMMM y", locale="fr")


def _moment(value):
    return format_datetime(value, "'le' d MMMM y 'à' H 'h' mm", tzinfo=PARIS, locale="fr")
