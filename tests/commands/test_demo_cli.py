"""`flask demo load`: accounts, a current demo edition with forums, idempotent, refused when it cannot run."""
import re

import pyotp

from forums import create_app
from forums.models import Agent, Forum, Role
from forums.services.demo import DEMO_AGENTS, DEMO_PASSWORD

from ..conftest import new_client


def test_demo_loads_once_prints_a_summary_and_its_agents_can_log_in(db, runner, client, demo_territories_dir):
    # As `make run` does, with the real territories of the demo departments only, to stay fast.
    assert runner.invoke(args=["territories", "load", "--directory", str(demo_territories_dir)]).exit_code == 0
    assert runner.invoke(args=["consultations", "seed"]).exit_code == 0

    result = runner.invoke(args=["demo", "load"])

    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.stdout
    assert "demo-2026, créée, consultation courante" in result.stdout
    assert "90 Territoire de Belfort : 4 forums" in result.stdout
    assert "couverture 9/9 cantons (100 %)" in result.stdout
    assert "972 Martinique" in result.stdout and "communes" in result.stdout
    agents = db.session.scalars(db.select(Agent)).all()
    assert {agent.role for agent in agents} == set(Role)
    sub_prefect = db.session.scalar(db.select(Agent).where(Agent.role == Role.SUBPREFECTURE))
    assert (sub_prefect.department_code, sub_prefect.arrondissement_code) == ("13", "131")
    response = client.post("/auth/login", data={"email": "prefecture90@demo.forums-securite.fr",
                                                "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/prefecture/"
    # The ministry's demo account enrols its second factor at first sign-in, then reaches its pages.
    ministry = new_client(client.application)
    response = ministry.post("/auth/login", data={"email": "ministere@demo.forums-securite.fr",
                                                  "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/auth/enrolment"
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>',
                       ministry.get("/auth/enrolment").get_data(as_text=True)).group(1).replace(" ", "")
    assert ministry.post("/auth/enrolment", data={"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert ministry.get("/ministry/").status_code == 200
    forums = db.session.scalar(db.select(db.func.count()).select_from(Forum))

    second = runner.invoke(args=["demo", "load"])

    assert second.exit_code == 0, second.output
    assert "déjà chargée" in second.stdout and "dates conservées" in second.stdout
    assert db.session.scalar(db.select(db.func.count()).select_from(Agent)) == len(DEMO_AGENTS)
    assert db.session.scalar(db.select(db.func.count()).select_from(Forum)) == forums


def test_demo_needs_territories(db, runner):
    result = runner.invoke(args=["demo", "load"])

    assert result.exit_code == 1
    assert "flask territories load" in result.stderr
    assert db.session.scalar(db.select(db.func.count()).select_from(Agent)) == 0


def test_demo_is_refused_in_production(tmp_path):
    app = create_app({"ENV": "production", "SECRET_KEY": "s" * 32,
                      "DATABASE_URL": "sqlite:///" + str(tmp_path / "prod.db")})
    result = app.test_cli_runner().invoke(args=["demo", "load"])

    assert result.exit_code == 1
    assert "production" in result.stderr
