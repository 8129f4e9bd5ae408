"""The app factory, configuration and health check."""
import pytest

from forums import create_app
from forums.config import ConfigurationError


def test_home_answers_in_french(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="fr"' in response.get_data(as_text=True)


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("FORUMS_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="FORUMS_SECRET_KEY"):
        create_app({"ENV": "production", "DATABASE_URL": "sqlite://"})


@pytest.mark.parametrize("key", ["x", "a" * 31, "é" * 15])
def test_production_refuses_a_short_secret_key(key):
    with pytest.raises(ConfigurationError, match="32"):
        create_app({"ENV": "production", "DATABASE_URL": "sqlite://", "SECRET_KEY": key})


def test_production_starts_with_a_32_byte_secret_key():
    app = create_app({"ENV": "production", "DATABASE_URL": "sqlite://", "SECRET_KEY": "k" * 32})
    assert app.config["ENV"] == "production"


def test_environment_overrides_defaults(monkeypatch):
    monkeypatch.setenv("FORUMS_DATABASE_URL", "postgresql://someone@db.example/forums")
    app = create_app({"ENV": "testing", "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db.example/forums"


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_says_503_when_database_is_unreachable(tmp_path):
    app = create_app({"ENV": "testing", "SECRET_KEY": "x",
                      "DATABASE_URL": "sqlite:///" + str(tmp_path / "missing" / "nowhere.db")})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
