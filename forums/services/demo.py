"""The demonstration data set: one agent per role around a demo department."""
from dataclasses import dataclass

from ..extensions import db
from ..models import Agent, Arrondissement, Department, Role
from .agents import create_agent

#: The demo department and arrondissement: Bouches-du-Rhône, arrondissement d'Aix-en-Provence.
DEMO_DEPARTMENT = "13"
DEMO_ARRONDISSEMENT = "131"
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
)


class DemoError(RuntimeError):
    """Raised when the demo cannot be loaded; the message says what to do first."""


@dataclass(frozen=True)
class DemoAccount:
    """A demo account as reported to the person who loaded the demo."""

    email: str
    role: Role
    territory: str
    created: bool


def load_demo():
    """Create the demo accounts that do not exist yet; return every demo account. Flush only."""
    if db.session.get(Department, DEMO_DEPARTMENT) is None or db.session.get(
        Arrondissement, DEMO_ARRONDISSEMENT
    ) is None:
        raise DemoError("Les territoires ne sont pas chargés : lancez d'abord « flask territories load ».")
    accounts = []
    for email, full_name, role, department, arrondissement in DEMO_AGENTS:
        agent = db.session.scalar(db.select(Agent).where(Agent.email == email))
        created = agent is None
        if created:
            agent = create_agent({
                "email": email, "full_name": full_name, "role": role, "department_code": department,
                "arrondissement_code": arrondissement, "password": DEMO_PASSWORD,
            })
        accounts.append(DemoAccount(email, agent.role, agent.territory_label, created))
    return accounts
