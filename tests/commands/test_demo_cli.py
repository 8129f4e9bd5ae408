"""`flask demo load`: one agent per role, idempotent, refused without territories or in production."""
from forums import create_app
from forums.models import Agent, Role
from forums.services.demo import DEMO_AGENTS, DEMO_PASSWORD


def test_demo_creates_one_agent_per_role_who_can_log_in(db, territories, runner, client):
    result = runner.invoke(args=["demo", "load"])

    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.stdout
    agents = db.session.scalars(db.select(Agent)).all()
    assert {agent.role for agent in agents} == set(Role)
    sub_prefect = db.session.scalar(db.select(Agent).where(Agent.role == Role.SUBPREFECTURE))
    assert (sub_prefect.department_code, sub_prefect.arrondissement_code) == ("13", "131")
    email = DEMO_AGENTS[2][0]
    response = client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/prefecture/"


def test_demo_twice_changes_nothing(db, territories, runner):
    runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load"])

    assert second.exit_code == 0
    assert "déjà chargée" in second.stdout
    assert db.session.scalar(db.select(db.func.count()).select_from(Agent)) == len(DEMO_AGENTS)


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
