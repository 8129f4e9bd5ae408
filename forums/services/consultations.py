"""Consultations as data: validate a consultation file, seed it, choose the current consultation.

A consultation file is JSON: the consultation's fields, then its themes, each with its parts,
each with its sub-topics, in display order. Markdown texts may be written as a list of lines.
Themes, parts and sub-topics are matched by code, so re-seeding an edited file keeps their ids
and whatever refers to them later (questions, proposals) keeps pointing at the same sub-topic.
"""
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import AuditEvent, Consultation, Subtopic, Theme, ThemePart

#: Folder of the consultation files shipped with the application.
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "consultations"

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DATE_FIELDS = ("meetings_start_on", "meetings_end_on", "synthesis_due_on", "assises_on")


class ConsultationDataError(ValueError):
    """Raised when a consultation file or dict is not a valid consultation."""


@dataclass
class SeedReport:
    """What a seed did: the consultation, whether it was created, and what it changed."""

    consultation: Consultation
    created: bool = False
    #: One French line per change, for people.
    changes: list[str] = field(default_factory=list)
    #: The same changes for the audit log: {"thème 1.title": [old, new]}.
    diff: dict = field(default_factory=dict)

    @property
    def changed(self):
        """Tell whether the seed wrote anything."""
        return self.created or bool(self.changes)

    def record(self, key, old, new, line):
        """Note one change."""
        self.changes.append(line)
        self.diff[key] = [_plain(old), _plain(new)]


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


# --- Validation -------------------------------------------------------------------------------

#: For each level: required keys, optional keys with their default, Markdown keys, max lengths.
_LEVELS = {
    "consultation": {
        "required": ("slug", "name", "meetings_start_on", "meetings_end_on", "synthesis_due_on", "themes"),
        "optional": {"description": "", "assises_on": None},
        "markdown": ("description",),
        "lengths": {"slug": 60, "name": 200},
    },
    "theme": {
        "required": ("code", "title", "parts"),
        "optional": {"key_message": "", "description": ""},
        "markdown": ("key_message", "description"),
        "lengths": {"code": 10, "title": 200},
    },
    "part": {
        "required": ("code", "title", "subtopics"),
        "optional": {"key_messages": ""},
        "markdown": ("key_messages",),
        "lengths": {"code": 10, "title": 200},
    },
    "subtopic": {
        "required": ("code", "title"),
        "optional": {"description": ""},
        "markdown": ("description",),
        "lengths": {"code": 12, "title": 200},
    },
}

_CHILDREN = {"consultation": ("themes", "theme"), "theme": ("parts", "part"), "part": ("subtopics", "subtopic")}


def load_consultation_file(path):
    """Read a consultation JSON file and return it validated, as a plain dict."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConsultationDataError(f"{path} : lecture impossible ({error.strerror}).") from error
    except json.JSONDecodeError as error:
        raise ConsultationDataError(
            f"{path} : JSON invalide ligne {error.lineno}, colonne {error.colno} ({error.msg})."
        ) from error
    try:
        return validate_consultation(raw)
    except ConsultationDataError as error:
        raise ConsultationDataError(f"{path} : {error}") from error


def validate_consultation(raw):
    """Return a consultation given as a dict, checked and normalised (dates as ``date``, texts as str)."""
    data = _validate_level(raw, "consultation", "", parent_code=None)
    for name in DATE_FIELDS:
        data[name] = _parse_date(data[name], name, required=name != "assises_on")
    if data["meetings_end_on"] < data["meetings_start_on"]:
        raise ConsultationDataError(
            "meetings_end_on : la fin de la période des réunions précède son début."
        )
    if data["synthesis_due_on"] < data["meetings_end_on"]:
        raise ConsultationDataError(
            "synthesis_due_on : la date limite des synthèses précède la fin des réunions."
        )
    if data["assises_on"] is not None and data["assises_on"] < data["synthesis_due_on"]:
        raise ConsultationDataError(
            "assises_on : les assises précèdent la date limite des synthèses."
        )
    if not SLUG_PATTERN.match(data["slug"]):
        raise ConsultationDataError(
            "slug : seuls les minuscules non accentuées, les chiffres et le tiret sont permis."
        )
    seen = {}
    for where, code in _codes(data):
        if code in seen:
            raise ConsultationDataError(
                f"{where}.code : le code « {code} » est déjà utilisé par {seen[code]}."
            )
        seen[code] = where
    return data


def _validate_level(raw, level, where, parent_code):
    if not isinstance(raw, dict):
        raise ConsultationDataError(f"{where or 'consultation'} : un objet JSON est attendu.")
    spec = _LEVELS[level]
    unknown = sorted(set(raw) - set(spec["required"]) - set(spec["optional"]))
    if unknown:
        raise ConsultationDataError(f"{where or 'consultation'} : clé inconnue « {unknown[0]} ».")
    missing = [key for key in spec["required"] if key not in raw]
    if missing:
        raise ConsultationDataError(f"{where or 'consultation'} : clé manquante « {missing[0]} ».")
    data = {**spec["optional"], **raw}
    for key in spec["markdown"]:
        data[key] = _text(data[key], _join(where, key))
    for key, limit in spec["lengths"].items():
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            raise ConsultationDataError(f"{_join(where, key)} : un texte non vide est attendu.")
        if len(value) > limit:
            raise ConsultationDataError(f"{_join(where, key)} : {limit} caractères au plus.")
        data[key] = value.strip()
    if parent_code is not None and not data["code"].startswith(parent_code + "."):
        raise ConsultationDataError(
            f"{where}.code : « {data['code']} » devrait commencer par « {parent_code}. »."
        )
    if level in _CHILDREN:
        key, child_level = _CHILDREN[level]
        children = data[key]
        if not isinstance(children, list) or not children:
            raise ConsultationDataError(f"{_join(where, key)} : une liste non vide est attendue.")
        data[key] = [
            _validate_level(child, child_level, f"{_join(where, key)}[{index}]",
                            parent_code=data["code"] if level != "consultation" else None)
            for index, child in enumerate(children)
        ]
    return data


def _join(where, key):
    return f"{where}.{key}" if where else key


def _text(value, where):
    # Long Markdown reads better in JSON as a list of lines.
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "\n".join(value).strip()
    if isinstance(value, str):
        return value.strip()
    raise ConsultationDataError(f"{where} : un texte ou une liste de lignes est attendu.")


def _parse_date(value, name, required):
    if value is None and not required:
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ConsultationDataError(f"{name} : date invalide « {value} » (format attendu AAAA-MM-JJ).")


def _codes(data):
    for t, theme in enumerate(data["themes"]):
        yield f"themes[{t}]", theme["code"]
        for p, part in enumerate(theme["parts"]):
            yield f"themes[{t}].parts[{p}]", part["code"]
            for s, subtopic in enumerate(part["subtopics"]):
                yield f"themes[{t}].parts[{p}].subtopics[{s}]", subtopic["code"]


# --- Seeding ----------------------------------------------------------------------------------


def seed_consultation(data, make_current=False):
    """Create or update a consultation from its data, matching children by code; return a SeedReport."""
    data = validate_consultation(data)
    consultation = db.session.scalar(
        select(Consultation)
        .where(Consultation.slug == data["slug"])
        .options(_with_children())
    )
    report = SeedReport(consultation=consultation)
    if consultation is None:
        consultation = Consultation(slug=data["slug"], is_current=False)
        db.session.add(consultation)
        report.consultation = consultation
        report.created = True
    _assign(consultation, data, ("name", "description", *DATE_FIELDS), "consultation", report)
    for theme, theme_data in _sync_children(consultation.themes, data["themes"], Theme, report):
        _assign(theme, theme_data, ("title", "key_message", "description"), f"thème {theme.code}", report)
        for part, part_data in _sync_children(theme.parts, theme_data["parts"], ThemePart, report):
            _assign(part, part_data, ("title", "key_messages"), f"partie {part.code}", report)
            subtopics = _sync_children(part.subtopics, part_data["subtopics"], Subtopic, report)
            for subtopic, subtopic_data in subtopics:
                _assign(subtopic, subtopic_data, ("title", "description"), f"sous-thème {subtopic.code}", report)
    db.session.flush()
    if report.changed:
        verb = "créée" if report.created else "mise à jour"
        _audit(consultation, "consultation.seed",
               f"Consultation « {consultation.name} » {verb} depuis son fichier de données.", report.diff)
    if make_current and set_current_consultation(consultation):
        report.changes.append("devient la consultation courante")
    return report


def _sync_children(children, items, model, report):
    """Match ``children`` to ``items`` by code: keep, create, reorder, delete; return the pairs."""
    label = {Theme: "thème", ThemePart: "partie", Subtopic: "sous-thème"}[model]
    by_code = {child.code: child for child in children}
    wanted = {item["code"] for item in items}
    for child in list(children):
        if child.code not in wanted:
            children.remove(child)
            report.record(f"{label} {child.code}.position", child.position, None,
                          f"{label} {child.code} : supprimé")
    pairs = []
    for position, item in enumerate(items, start=1):
        child = by_code.get(item["code"])
        if child is None:
            child = model(code=item["code"], position=position)
            children.append(child)
            if not report.created:
                report.record(f"{label} {item['code']}.position", None, position,
                              f"{label} {item['code']} : créé")
        elif child.position != position:
            report.record(f"{label} {item['code']}.position", child.position, position,
                          f"{label} {item['code']} : déplacé en position {position}")
            child.position = position
        pairs.append((child, item))
    children.sort(key=lambda child: child.position)
    return pairs


def _assign(obj, data, fields, label, report):
    # A new object's fields are part of its creation, not changes worth listing.
    fresh = obj.id is None
    for name in fields:
        old = getattr(obj, name)
        if old != data[name]:
            setattr(obj, name, data[name])
            if not fresh:
                report.record(f"{label}.{name}", old, data[name], f"{label} : {name} modifié")


# --- The current consultation -----------------------------------------------------------------


def set_current_consultation(consultation, by=None):
    """Make ``consultation`` the only current one; return whether anything changed."""
    if consultation.id is None:
        db.session.flush()
    others = db.session.execute(
        update(Consultation)
        .where(Consultation.id != consultation.id, Consultation.is_current.is_(True))
        .values(is_current=False)
    ).rowcount
    if consultation.is_current and not others:
        return False
    consultation.is_current = True
    db.session.flush()
    _audit(consultation, "consultation.set_current",
           f"Consultation « {consultation.name} » désignée comme consultation courante.", {}, by=by)
    return True


def _with_children():
    # One query per level, whatever the number of rows: pages stay at a fixed query count.
    return selectinload(Consultation.themes).selectinload(Theme.parts).selectinload(ThemePart.subtopics)


def load_current_consultation():
    """Return the current consultation with its themes, parts and sub-topics loaded, or None."""
    return db.session.scalar(
        select(Consultation)
        .where(Consultation.is_current.is_(True))
        .options(_with_children())
    )


def _audit(consultation, action, summary, changes, by=None):
    db.session.add(AuditEvent(
        agent_id=by.id if by is not None else None,
        action=action,
        object_type="consultation",
        object_id=str(consultation.id),
        summary=summary,
        changes=changes,
    ))
