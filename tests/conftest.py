"""Shared fixtures: one app per test session on SQLite or PostgreSQL, a clean database per test."""
import csv
import email
import email.policy
import gzip
import os
import shutil
import socket
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.security import generate_password_hash

from forums import create_app
from forums.extensions import db as _db
from forums.extensions import limiter
from forums.models.agents import PASSWORD_METHOD, SECOND_FACTOR_ROLES
from forums.models import (
    Agent, Arrondissement, Canton, CantonKind, Commune, Consultation, Department, Forum, ForumStatus,
    Question, QuestionContact, QuestionStatus, Region, Role, Subtopic, Theme, ThemePart,
)
from synthesis import french
from forums.services.demo import DEMO_DEPARTMENTS
from forums.services.territories import DEFAULT_DIRECTORY
from forums.models.territories import commune_postal_codes
from forums.public_cache import clear_cache
from forums.text import search_key
from forums.timeutils import PARIS

#: Set to a PostgreSQL URL to run the suite on PostgreSQL; SQLite otherwise.
TEST_DATABASE_URL = os.environ.get("FORUMS_TEST_DATABASE_URL")
PASSWORD = "mot-de-passe-de-test-1"
#: One real scrypt hash of PASSWORD, computed once: hashing per agent would slow every test down.
PASSWORD_HASH = generate_password_hash(PASSWORD, method=PASSWORD_METHOD)
#: The authenticator secret of the agents the factory enrols (ministry and admin by default).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def database_url(tmp_path_factory):
    """Return the URL of the database the suite runs on."""
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def make_test_config(url, **extra):
    """Return a testing configuration for ``url``."""
    config = {
        "ENV": "testing",
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URL": "memory://",
        # Every request reads the version: query counts do not depend on how fast the test runs.
        "PUBLICATION_VERSION_TTL": 0,
    }
    config.update(extra)
    return config


def drop_everything(engine):
    """Drop every table, including Alembic's, so the schema is built from the migrations."""
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            # Dropping the FTS5 table drops its shadow tables, which reflection would list too.
            connection.exec_driver_sql("DROP TABLE IF EXISTS questions_fts")
    metadata = sa.MetaData()
    metadata.reflect(bind=engine)
    metadata.drop_all(bind=engine)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """Return the application, its schema built by the migrations."""
    app = create_app(make_test_config(database_url(tmp_path_factory),
                                      UPLOAD_DIRECTORY=str(tmp_path_factory.mktemp("uploads")),
                                      OPEN_DATA_DIRECTORY=str(tmp_path_factory.mktemp("open-data"))))
    with app.app_context():
        drop_everything(_db.engine)
        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Empty every table, the open data files and the rate-limit counters after each test that used the app."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        _db.session.remove()
        with _db.engine.begin() as connection:
            for table in reversed(_db.metadata.sorted_tables):
                connection.execute(table.delete())
        limiter.reset()
        clear_cache()
        shutil.rmtree(app.config["OPEN_DATA_DIRECTORY"], ignore_errors=True)


@pytest.fixture
def db(app):
    """Yield the database inside an application context."""
    with app.app_context():
        yield _db
        _db.session.remove()


@pytest.fixture
def count_queries(db):
    """Return a context manager that records the SQL statements run inside it: ``with count_queries() as statements:``."""

    @contextmanager
    def count():
        statements = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return count


class IsolatedClient(FlaskClient):
    """A client whose every request gets its own app context (fresh `g` and session), as on a server.

    The `db` fixture keeps an app context pushed for the whole test; requests would otherwise
    share its `g`, where Flask-Login caches the current agent, and a stale session could pass.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def new_client(app):
    """Return a fresh browser: a client with its own cookies."""
    return IsolatedClient(app, app.response_class)


@pytest.fixture
def client(app):
    return new_client(app)


@pytest.fixture
def other_app(app):
    """Return a factory of extra apps on the same database, e.g. with a small login throttle."""
    made = []

    def make(**settings):
        # Files go where the session's app keeps them, never into the instance folder.
        settings = {"UPLOAD_DIRECTORY": app.config["UPLOAD_DIRECTORY"],
                    "OPEN_DATA_DIRECTORY": app.config["OPEN_DATA_DIRECTORY"], **settings}
        extra = create_app(make_test_config(app.config["DATABASE_URL"], **settings))
        made.append(extra)
        return extra

    yield make
    for extra in made:
        with extra.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def territories(db):
    """Create a small France: Bouches-du-Rhône, Paris, Corse-du-Sud and Martinique.

    Canton 1305 spans arrondissements 131 and 132; Martinique has no cantons.
    """
    regions = [Region(code="93", name="Provence-Alpes-Côte d'Azur", is_metropolitan=True),
               Region(code="11", name="Île-de-France", is_metropolitan=True),
               Region(code="94", name="Corse", is_metropolitan=True),
               Region(code="02", name="Martinique", is_metropolitan=False)]
    departments = [
        Department(code="13", name="Bouches-du-Rhône", full_name="Département des Bouches-du-Rhône",
                   region_code="93", is_metropolitan=True, capital_code="13055", capital_name="Marseille"),
        Department(code="75", name="Paris", full_name="Ville de Paris", region_code="11",
                   is_metropolitan=True, capital_code="75056", capital_name="Paris"),
        Department(code="2A", name="Corse-du-Sud", full_name="Département de la Corse-du-Sud",
                   region_code="94", is_metropolitan=True, capital_code="2A004", capital_name="Ajaccio"),
        Department(code="972", name="Martinique", full_name="Département de la Martinique",
                   region_code="02", is_metropolitan=False, capital_code="97209", capital_name="Fort-de-France"),
    ]
    arrondissements = [
        Arrondissement(code="131", name="Aix-en-Provence", department_code="13", capital_code="13001"),
        Arrondissement(code="132", name="Arles", department_code="13", capital_code="13004"),
        Arrondissement(code="751", name="Paris", department_code="75", capital_code="75056"),
        Arrondissement(code="2A1", name="Ajaccio", department_code="2A", capital_code="2A004"),
        Arrondissement(code="9721", name="Fort-de-France", department_code="972", capital_code="97209"),
    ]
    cantons = [
        Canton(code="1301", name="Aix-en-Provence-1", department_code="13", kind=CantonKind.CANTON,
               capital_code="13001"),
        Canton(code="1305", name="Berre-l'Étang", department_code="13", kind=CantonKind.CANTON,
               capital_code="13014"),
        Canton(code="1306", name="Arles", department_code="13", kind=CantonKind.CANTON,
               capital_code="13004"),
        Canton(code="7501", name="Paris-1", department_code="75", kind=CantonKind.CANTON,
               capital_code="75056"),
        Canton(code="2A01", name="Ajaccio-1", department_code="2A", kind=CantonKind.CANTON,
               capital_code="2A004"),
    ]
    communes = [
        Commune(code="13001", name="Aix-en-Provence", department_code="13", arrondissement_code="131",
                canton_code="1301", postal_codes="13080 13090 13100", population=147478),
        Commune(code="13014", name="Berre-l'Étang", department_code="13", arrondissement_code="131",
                canton_code="1305", postal_codes="13130", population=14000),
        Commune(code="13062", name="Rognac", department_code="13", arrondissement_code="132",
                canton_code="1305", postal_codes="13340", population=12000),
        Commune(code="13004", name="Arles", department_code="13", arrondissement_code="132",
                canton_code="1306", postal_codes="13200 13280", population=51000),
        Commune(code="75056", name="Paris", department_code="75", arrondissement_code="751",
                canton_code="7501", postal_codes="75001", population=2100000),
        Commune(code="2A004", name="Ajaccio", department_code="2A", arrondissement_code="2A1",
                canton_code="2A01", postal_codes="20000 20090", population=72000),
        Commune(code="97209", name="Fort-de-France", department_code="972", arrondissement_code="9721",
                canton_code=None, postal_codes="97200 97234", population=75506),
    ]
    db.session.add_all(regions + departments + arrondissements + cantons + communes)
    db.session.flush()
    links = {"1301": ["131"], "1305": ["131", "132"], "1306": ["132"], "7501": ["751"], "2A01": ["2A1"]}
    for canton in cantons:
        canton.arrondissements = [db.session.get(Arrondissement, code) for code in links[canton.code]]
    for commune in communes:
        commune.search_name = search_key(commune.name)
        commune.cantons = [canton for canton in cantons if canton.code == commune.canton_code]
    db.session.execute(commune_postal_codes.insert(), [
        {"commune_code": commune.code, "postal_code": postal}
        for commune in communes for postal in commune.postal_codes.split()
    ])
    db.session.commit()
    return {d.code: d for d in departments}


@pytest.fixture(scope="session")
def demo_territories_dir(tmp_path_factory):
    """Return a folder of the real COG files cut down to the demo departments and their regions."""
    directory = tmp_path_factory.mktemp("cog-demo")
    with gzip.open(DEFAULT_DIRECTORY / "departments.csv.gz", "rt", encoding="utf-8", newline="") as stream:
        regions = {row["region_code"] for row in csv.DictReader(stream) if row["code"] in DEMO_DEPARTMENTS}
    for name in ("regions", "departments", "arrondissements", "cantons", "communes"):
        column = "code" if name in ("regions", "departments") else "department_code"
        wanted = regions if name == "regions" else set(DEMO_DEPARTMENTS)
        with gzip.open(DEFAULT_DIRECTORY / f"{name}.csv.gz", "rt", encoding="utf-8", newline="") as source, \
                gzip.open(directory / f"{name}.csv.gz", "wt", encoding="utf-8", newline="") as target:
            reader = csv.DictReader(source)
            writer = csv.DictWriter(target, reader.fieldnames)
            writer.writeheader()
            writer.writerows(row for row in reader if row[column] in wanted)
    (directory / "arrondissement_cantons.csv.gz").write_bytes(
        (DEFAULT_DIRECTORY / "arrondissement_cantons.csv.gz").read_bytes())
    return directory


@pytest.fixture
def create_agent(db, territories):
    """Return a factory of agents: ``create_agent(Role.PREFECTURE, department="13")``."""
    counter = iter(range(1, 10_000))

    def create(role, department=None, arrondissement=None, email=None, password=PASSWORD, active=True,
               second_factor=None):
        role = Role(role)
        if second_factor is None:
            second_factor = role in SECOND_FACTOR_ROLES
        if arrondissement and not department:
            department = db.session.get(Arrondissement, arrondissement).department_code
        agent = Agent(
            email=email or f"{role.value}{next(counter)}@example.gouv.fr",
            full_name=f"Agent {role.label}",
            role=role,
            department_code=department,
            arrondissement_code=arrondissement,
            is_active=active,
        )
        if second_factor:
            agent.totp_secret, agent.totp_confirmed_at = TOTP_SECRET, datetime.now(UTC)
        if password == PASSWORD:
            agent.password_hash = PASSWORD_HASH
        else:
            agent.set_password(password)
        db.session.add(agent)
        db.session.commit()
        return agent

    return create


@pytest.fixture
def login(client):
    """Return a helper that logs an agent in through the login form."""

    def do_login(agent, password=PASSWORD):
        response = client.post("/auth/login", data={"email": agent.email, "password": password})
        if response.status_code == 302 and response.location.startswith("/auth/code"):
            response = second_step(client, agent)
        return response

    return do_login


def second_step(browser, agent, **data):
    """Give the code of ``agent``'s authenticator on ``browser``, after their password, and return the response."""
    return browser.post("/auth/code", data={"code": fresh_totp_code(agent.email), **data})


def fresh_totp_code(email):
    """Return a code of a test agent's authenticator, its time step made unused as if 30 seconds had passed."""
    with _db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE agents SET totp_last_step = NULL WHERE email = :email"), {"email": email})
    return pyotp.TOTP(TOTP_SECRET).now()


@pytest.fixture
def consultation(db):
    """Return the current consultation: forums between 16 March and 18 May 2009."""
    consultation = Consultation(
        slug="2009", name="Vos libertés, votre sécurité : parlons-en ensemble",
        meetings_start_on=date(2009, 3, 16), meetings_end_on=date(2009, 5, 18),
        synthesis_due_on=date(2009, 5, 22), is_current=True,
    )
    db.session.add(consultation)
    db.session.commit()
    return consultation


def paris_time(year, month, day, hour=18, minute=30):
    """Return an aware UTC datetime for a wall-clock time in Paris."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


@pytest.fixture
def create_forum(db, territories, consultation):
    """Return a factory of complete forums, written directly to the database.

    ``create_forum(cantons=["1301"], status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 17))``
    """

    def create(cantons=("1301",), communes=(), department="13", status=ForumStatus.DRAFT,
               starts_at=None, hours=2, commune="13001", **fields):
        starts_at = starts_at or paris_time(2009, 3, 17)
        forum = Forum(
            consultation=fields.pop("consultation", consultation),
            department_code=department,
            arrondissement_code=db.session.get(Commune, commune).arrondissement_code,
            title=fields.pop("title", "Forum de sécurité"),
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            venue_name=fields.pop("venue_name", "Salle des fêtes"),
            address=fields.pop("address", "1 place de la Mairie"),
            commune_code=commune,
            accessibility=fields.pop("accessibility", "Salle de plain-pied, boucle magnétique."),
            animator_name=fields.pop("animator_name", "Sous-préfet d'Aix-en-Provence"),
            status=status,
            **fields,
        )
        forum.cantons = [db.session.get(Canton, code) for code in cantons]
        forum.communes = [db.session.get(Commune, code) for code in communes]
        db.session.add(forum)
        db.session.commit()
        return forum

    return create


@pytest.fixture
def subtopics(db, consultation):
    """Give the consultation its two themes, one part each with two sub-topics; return sub-topics by code.

    Codes: "1.A.1" Vidéo-protection, "1.A.2" Fichiers de police (theme 1); "2.A.1" Polices
    municipales, "2.A.2" Sécurité privée (theme 2).
    """
    layout = {
        ("1", "La sécurité, un devoir vis-à-vis de nos concitoyens"): (
            "1.A", "La modernisation au service de l'efficacité",
            [("1.A.1", "Vidéo-protection"), ("1.A.2", "Fichiers de police")]),
        ("2", "La sécurité, une responsabilité partagée"): (
            "2.A", "Les acteurs locaux de la sécurité",
            [("2.A.1", "Polices municipales"), ("2.A.2", "Sécurité privée")]),
    }
    found = {}
    for position, ((code, title), (part_code, part_title, subs)) in enumerate(layout.items(), start=1):
        theme = Theme(consultation=consultation, code=code, position=position, title=title)
        part = ThemePart(theme=theme, code=part_code, position=1, title=part_title)
        for sub_position, (sub_code, sub_title) in enumerate(subs, start=1):
            found[sub_code] = Subtopic(part=part, code=sub_code, position=sub_position, title=sub_title)
        db.session.add(theme)
    db.session.commit()
    return found


@pytest.fixture
def create_question(db, territories, subtopics):
    """Return a factory of questions written directly to the database.

    ``create_question("Texte…", status=QuestionStatus.PUBLISHED, forum=forum, email="a@b.fr")``;
    the returned question carries its clear follow-up token as ``question.followup_token``.
    """
    counter = iter(range(1, 1_000_000))

    def create(text="Que fait la police contre les cambriolages dans notre quartier ?", department="13",
               forum=None, subtopic="1.A.1", status=QuestionStatus.PENDING, email=None, display_name=None,
               submitted_at=None, **fields):
        number = next(counter)
        token = f"test-token-{number}"
        public_text = fields.pop("public_text", text)
        sub = subtopics[subtopic]
        question = Question(
            consultation_id=sub.part.theme.consultation_id,
            department_code=forum.department_code if forum else department,
            forum_id=forum.id if forum else None,
            theme_id=sub.part.theme_id,
            subtopic_id=sub.id,
            reference=f"{forum.department_code if forum else department}-{number:06d}",
            text=text,
            fingerprint=french.fingerprint(text),
            status=status,
            followup_token_hash=Question.hash_token(token),
            submitted_at=submitted_at or datetime.now(UTC),
            **fields,
        )
        question.set_public_text(public_text)
        if email or display_name:
            question.contact = QuestionContact(email=email, display_name=display_name)
        db.session.add(question)
        db.session.commit()
        question.followup_token = token
        return question

    return create


class ReceivedMail:
    """Messages received by the loopback SMTP server, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message.envelope_recipients = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port():
    """Return a TCP port free on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Run a real SMTP server on loopback; yield it with ``.port``, ``.messages`` and ``.settings``.

    ``other_app(**smtp_server.settings)`` gives an app that sends its mail there.
    """
    from aiosmtpd.controller import Controller

    handler = ReceivedMail()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    handler.settings = {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port}
    try:
        yield handler
    finally:
        controller.stop()
