"""The demonstration data set: agents per role, a current demo edition of the consultation, its forums.

Everything is created through the services (agents, consultations, forums, invitees), acting as the
demo agents, so validation and the audit trail are real. The forums are data
(forums/data/demo/forums.json), dated relative to an anchor day: the day the demo consultation was
first loaded, 30 days after the start of its window.

Loading again creates only what is missing: accounts are known by e-mail, the consultation by its
slug, forums by their title within the demo consultation. An existing demo consultation keeps its
window (its forums were dated inside it) and an existing demo forum is left as it is, whatever was
done to it since.
"""
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    Agent, Arrondissement, Canton, Commune, Consultation, Department, Forum, ForumStatus, Role, Theme,
    ThemePart,
)
from ..timeutils import PARIS, utcnow
from .agents import create_agent
from .consultations import seed_consultation
from .coverage import national_coverage
from .demo_minutes import load_demo_minutes
from .demo_questions import load_demo_questions
from .syntheses import department_synthesis, prepare_draft
from .forums import (
    ForumData, ForumError, SpeakerData, cancel_forum, mark_forum_held, paris_datetime, postpone_forum,
    publish_forum, schedule_forum,
)
from .invitees import InviteeError, add_invitee, record_attendance

#: The demo department and arrondissement of the sub-prefecture agent: Bouches-du-Rhône, Aix-en-Provence.
DEMO_DEPARTMENT = "13"
DEMO_ARRONDISSEMENT = "131"
#: Departments with demo forums: partly covered, fully covered, covered commune by commune.
DEMO_DEPARTMENTS = ("13", "90", "972")
#: Shared password of every demo account, printed by ``flask demo load`` and given in the README.
DEMO_PASSWORD = "demo-forums-2026"

#: (email, full name, role, department, arrondissement) of each demo account.
DEMO_AGENTS = (
    ("admin@demo.forums-securite.fr", "Alice Administratrice", Role.ADMIN, None, None),
    ("ministere@demo.forums-securite.fr", "Marc Ministère", Role.MINISTRY, None, None),
    ("prefecture13@demo.forums-securite.fr", "Paule Préfecture", Role.PREFECTURE, DEMO_DEPARTMENT, None),
    ("sous-prefecture131@demo.forums-securite.fr", "Serge Sous-Préfet", Role.SUBPREFECTURE, None,
     DEMO_ARRONDISSEMENT),
    ("moderation13@demo.forums-securite.fr", "Maud Modératrice", Role.MODERATOR, DEMO_DEPARTMENT, None),
    ("prefecture90@demo.forums-securite.fr", "Théo Territoire", Role.PREFECTURE, "90", None),
    ("prefecture972@demo.forums-securite.fr", "Manon Madinina", Role.PREFECTURE, "972", None),
)

#: The consultation whose themes the demo edition copies.
SOURCE_SLUG = "2009"
DEMO_SLUG = "demo-2026"
DEMO_NAME = "Vos libertés, votre sécurité : parlons-en ensemble — édition de démonstration"
#: The window of a new demo consultation, around the day it is loaded.
DAYS_BEFORE = 30
DAYS_AFTER = 60
SYNTHESIS_DELAY = 10
ASSISES_DELAY = 21

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "demo" / "forums.json"


class DemoError(RuntimeError):
    """Raised when the demo cannot be loaded; the message says what to do first."""


@dataclass(frozen=True)
class DemoAccount:
    """A demo account as reported to the person who loaded the demo."""

    email: str
    role: Role
    territory: str
    created: bool


@dataclass(frozen=True)
class DemoDepartment:
    """The demo forums of one department: how many in each status, and its coverage."""

    code: str
    name: str
    counts: dict
    coverage: object

    @property
    def total(self):
        """Return the number of demo forums in the department."""
        return sum(self.counts.values())


@dataclass
class DemoReport:
    """What ``load_demo`` found or created."""

    accounts: list
    consultation: Consultation | None = None
    consultation_created: bool = False
    #: Changes made to an existing demo consultation (its themes follow those of 2009).
    consultation_changes: list = field(default_factory=list)
    forums_created: list = field(default_factory=list)
    invitees_added: int = 0
    questions_created: int = 0
    minutes_recorded: int = 0
    synthesis_prepared: bool = False
    departments: list = field(default_factory=list)

    @property
    def changed(self):
        """Tell whether the load wrote anything."""
        return bool(any(account.created for account in self.accounts) or self.consultation_created
                    or self.consultation_changes or self.forums_created or self.invitees_added
                    or self.questions_created or self.minutes_recorded
                    or self.synthesis_prepared)


def load_demo(now=None):
    """Create whatever part of the demo is missing and return a DemoReport. Flush only.

    ``now`` is the moment of the load (the current time by default): a new demo consultation's
    window is placed around it.
    """
    now = now or utcnow()
    specs = json.loads(DATA_FILE.read_text(encoding="utf-8"))["forums"]
    source = _check_prerequisites(specs)
    accounts, agents = _load_agents()
    report = DemoReport(accounts=accounts)
    _load_consultation(source, now.astimezone(PARIS).date(), report)
    _load_forums(specs, agents, now, report)
    report.questions_created = load_demo_questions(report.consultation, agents, now)
    report.minutes_recorded = load_demo_minutes(report.consultation, agents, now)
    report.synthesis_prepared = _load_synthesis(report.consultation, agents, now)
    report.departments = _summarise(report.consultation)
    return report


def _load_synthesis(consultation, agents, now):
    """Prepare the demo department's synthesis draft, as its prefecture, unless it exists; tell whether it did."""
    if department_synthesis(consultation, DEMO_DEPARTMENT) is not None:
        return False
    prepare_draft(consultation, DEMO_DEPARTMENT, agents[f"prefecture{DEMO_DEPARTMENT}@demo.forums-securite.fr"], now)
    return True


def _check_prerequisites(specs):
    """Return the source consultation, or raise DemoError naming every command to run first."""
    missing = []
    cantons = {code for spec in specs for code in spec.get("cantons", ())}
    communes = {code for spec in specs for code in (spec["commune"], *spec.get("communes", ()))}
    found_cantons = db.session.scalar(
        db.select(db.func.count()).select_from(Canton).where(Canton.code.in_(cantons))
    )
    found_communes = db.session.scalar(
        db.select(db.func.count()).select_from(Commune).where(Commune.code.in_(communes))
    )
    if (found_cantons != len(cantons) or found_communes != len(communes)
            or any(db.session.get(Department, code) is None for code in DEMO_DEPARTMENTS)
            or db.session.get(Arrondissement, DEMO_ARRONDISSEMENT) is None):
        missing.append("les territoires (« flask territories load »)")
    source = db.session.scalar(
        db.select(Consultation).where(Consultation.slug == SOURCE_SLUG)
        .options(selectinload(Consultation.themes).selectinload(Theme.parts)
                 .selectinload(ThemePart.subtopics))
    )
    if source is None or not source.themes:
        missing.append(f"la consultation {SOURCE_SLUG} (« flask consultations seed »)")
    if missing:
        raise DemoError("Chargez d'abord " + " puis ".join(missing) + ".")
    return source


def _load_agents():
    accounts, agents = [], {}
    for email, full_name, role, department, arrondissement in DEMO_AGENTS:
        agent = db.session.scalar(db.select(Agent).where(Agent.email == email))
        created = agent is None
        if created:
            agent = create_agent({
                "email": email, "full_name": full_name, "role": role, "department_code": department,
                "arrondissement_code": arrondissement, "password": DEMO_PASSWORD,
            })
        agents[email] = agent
        accounts.append(DemoAccount(email, agent.role, agent.territory_label, created))
    return accounts, agents


def _load_consultation(source, today, report):
    """Create the demo edition with the source's themes, or bring its themes up to date."""
    existing = db.session.scalar(db.select(Consultation).where(Consultation.slug == DEMO_SLUG))
    if existing is not None:
        # Its forums were dated inside this window: moving it could leave them outside.
        start, end = existing.meetings_start_on, existing.meetings_end_on
        due, assises = existing.synthesis_due_on, existing.assises_on
    else:
        start, end = today - timedelta(days=DAYS_BEFORE), today + timedelta(days=DAYS_AFTER)
        due = end + timedelta(days=SYNTHESIS_DELAY)
        assises = due + timedelta(days=ASSISES_DELAY)
    data = {
        "slug": DEMO_SLUG,
        "name": DEMO_NAME,
        "description": (
            "> **Édition de démonstration.** Les forums, les intervenants, les invités et les comptes "
            "de cette édition sont fictifs ; les thèmes sont ceux de la consultation de 2009.\n\n"
            + source.description
        ),
        "meetings_start_on": start, "meetings_end_on": end, "synthesis_due_on": due, "assises_on": assises,
        "themes": [_theme_data(theme) for theme in source.themes],
    }
    # Only a new demo edition becomes current: a later choice of the current consultation stands.
    seeded = seed_consultation(data, make_current=existing is None)
    report.consultation = seeded.consultation
    report.consultation_created = seeded.created
    if not seeded.created:
        report.consultation_changes = seeded.changes


def _theme_data(theme):
    return {
        "code": theme.code, "title": theme.title, "key_message": theme.key_message,
        "description": theme.description,
        "parts": [{
            "code": part.code, "title": part.title, "key_messages": part.key_messages,
            "subtopics": [{"code": s.code, "title": s.title, "description": s.description}
                          for s in part.subtopics],
        } for part in theme.parts],
    }


def _load_forums(specs, agents, now, report):
    consultation = report.consultation
    anchor = consultation.meetings_start_on + timedelta(days=DAYS_BEFORE)
    existing = {(department, title) for department, title in db.session.execute(
        db.select(Forum.department_code, Forum.title).where(Forum.consultation_id == consultation.id)
    )}
    for spec in specs:
        if (spec["department"], spec["title"]) in existing:
            continue
        by = agents[spec.get("by") or f"prefecture{spec['department']}@demo.forums-securite.fr"]
        try:
            forum = _create_forum(spec, consultation, anchor, by, now)
            report.invitees_added += _add_invitees(forum, spec.get("invitees", ()), by)
        except (ForumError, InviteeError) as error:
            raise DemoError(f"Le forum de démonstration « {spec['title']} » est refusé : {error}") from error
        report.forums_created.append(forum.title)


def _create_forum(spec, consultation, anchor, by, now):
    """Schedule the forum, then take it through the life cycle to its demo status."""
    starts_at, ends_at = _moment(anchor, spec)
    data = ForumData(
        title=spec["title"], starts_at=starts_at, ends_at=ends_at, venue_name=spec["venue_name"],
        address=spec["address"], commune_code=spec["commune"], accessibility=spec.get("accessibility", ""),
        capacity=spec.get("capacity"), animator_name=spec["animator_name"],
        animator_function=spec.get("animator_function") or _animator_function(spec),
        description="\n".join(spec["description"]), canton_codes=list(spec.get("cantons", ())),
        commune_codes=list(spec.get("communes", ())),
        speakers=[SpeakerData(s["kind"], s["name"], s["function"]) for s in spec.get("speakers", ())],
    )
    forum = schedule_forum(spec["department"], consultation, data, by,
                           confirm_shared=spec.get("shared_coverage", False))
    status = ForumStatus(spec["status"])
    if status is ForumStatus.DRAFT:
        return forum
    publish_forum(forum, by)
    if status is ForumStatus.POSTPONED:
        postponement = spec["postponement"]
        postpone_forum(forum, *_moment(anchor, postponement), postponement["reason"], by)
    elif status is ForumStatus.CANCELLED:
        cancel_forum(forum, spec["cancellation_reason"], by)
    elif status is ForumStatus.HELD:
        mark_forum_held(forum, by, now=now)
    return forum


def _add_invitees(forum, invitees, by):
    fields = ("full_name", "quality", "organisation", "email")
    added = [add_invitee(forum, {key: invitee.get(key) for key in fields}, by) for invitee in invitees]
    if forum.status is ForumStatus.HELD and added:
        present = [row.id for row, invitee in zip(added, invitees, strict=True) if invitee.get("attended")]
        record_attendance(forum, present, by)
    return len(added)


def _moment(anchor, spec):
    day = anchor + timedelta(days=spec["day"])
    return (paris_datetime(day, time.fromisoformat(spec["start"])),
            paris_datetime(day, time.fromisoformat(spec["end"])))


def _animator_function(spec):
    """Return e.g. "Sous-préfet de l'arrondissement d'Aix-en-Provence", from the venue's arrondissement."""
    name = db.session.get(Commune, spec["commune"]).arrondissement.name
    return f"{spec['animator_title']} de l'arrondissement {_of(name)}"


def _of(name):
    """Return French "de" + ``name`` with its elision or contraction: d'Arles, du Marin, de Belfort."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[0] in "AEIOUYÉÈÊÂÎH":
        return "d'" + name
    return "de " + name


def _summarise(consultation):
    counts = Counter((department, status) for department, status in db.session.execute(
        db.select(Forum.department_code, Forum.status)
        .where(Forum.consultation_id == consultation.id, Forum.department_code.in_(DEMO_DEPARTMENTS))
    ))
    coverage = national_coverage(consultation, list(DEMO_DEPARTMENTS))
    departments = []
    for code in DEMO_DEPARTMENTS:
        by_status = {status: counts[(code, status)] for status in ForumStatus if counts[(code, status)]}
        name = db.session.get(Department, code).name
        departments.append(DemoDepartment(code, name, by_status, coverage[code]))
    return departments
