"""The bench database of a run: is it seeded and current, the baseline's scratch table, read-backs.

Every statement is plain SQL on the tables the product defines, so that the driver does not load
the application it measures.
"""
import hashlib

from sqlalchemy import create_engine, make_url, text

BENCH_SLUG = "bench"
#: The baseline's table (scripts/load/baseline.py), created and dropped around each run.
SCRATCH_TABLE = "load_test_scratch"

SEEDING_COMMANDS = """\
  psql -h {host} -U {user} -c 'CREATE DATABASE {database}'
  export FORUMS_DATABASE_URL={url}
  .venv/bin/flask --app forums db upgrade
  .venv/bin/flask --app forums territories load
  .venv/bin/flask --app forums consultations seed
  .venv/bin/flask --app forums bench seed --questions 1000000   # about 5-6 minutes
  .venv/bin/flask --app forums consultations set-current bench
The database is kept between runs: seed it once."""


class BenchNotReady(Exception):
    """The database cannot be measured as it is; the message says what to run."""


def engine_for(url):
    """Return an engine on the bench database (psycopg 3 whatever form the URL has)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    return create_engine(url)


def check_bench(engine, url, min_questions):
    """Return a description of the bench (counts, migration, forum used); raise BenchNotReady otherwise."""
    parts = make_url(engine.url)
    howto = SEEDING_COMMANDS.format(url=url, host=parts.host or "127.0.0.1", user=parts.username or "postgres",
                                    database=parts.database)
    try:
        with engine.connect() as connection:
            version = connection.scalar(text("SELECT version_num FROM alembic_version"))
            bench = connection.execute(text("SELECT id, is_current FROM consultations WHERE slug = :slug"),
                                       {"slug": BENCH_SLUG}).first()
            if bench is None:
                raise BenchNotReady(f"No `{BENCH_SLUG}` consultation in the database: seed it with\n{howto}")
            if not bench.is_current:
                raise BenchNotReady(f"The `{BENCH_SLUG}` consultation is not the current one: run\n"
                                    f"  FORUMS_DATABASE_URL={url} .venv/bin/flask --app forums "
                                    f"consultations set-current {BENCH_SLUG}")
            questions = connection.scalar(text("SELECT count(*) FROM questions WHERE consultation_id = :id"),
                                          {"id": bench.id})
            published = connection.scalar(text(
                "SELECT count(*) FROM questions WHERE consultation_id = :id AND status = 'published'"),
                {"id": bench.id})
            forum_id = connection.scalar(text(
                "SELECT id FROM forums WHERE consultation_id = :id AND department_code = '59' "
                "AND status IN ('published', 'held') ORDER BY id LIMIT 1"), {"id": bench.id})
            server = connection.scalar(text("SHOW server_version"))
    except BenchNotReady:
        raise
    except Exception as error:
        raise BenchNotReady(f"The bench database cannot be read ({type(error).__name__}: "
                            f"{str(error).splitlines()[0]}).\nCreate and seed it with\n{howto}") from None
    if questions < min_questions:
        raise BenchNotReady(f"The `{BENCH_SLUG}` consultation holds {questions:,} questions, fewer than "
                            f"{min_questions:,} (--min-questions): seed it with\n{howto}")
    if forum_id is None:
        raise BenchNotReady(f"No public forum in the Nord (59) in `{BENCH_SLUG}`: seed it with\n{howto}")
    return {"consultation_id": bench.id, "questions": questions, "published": published,
            "forum_id": forum_id, "migration": version, "server_version": server}


def create_scratch(engine):
    """Create the baseline's scratch table, empty."""
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {SCRATCH_TABLE}"))
        connection.execute(text(f"CREATE TABLE {SCRATCH_TABLE} (id bigserial PRIMARY KEY, body text NOT NULL, "
                                "created_at timestamptz NOT NULL DEFAULT now())"))


def drop_scratch(engine):
    """Drop the baseline's scratch table."""
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {SCRATCH_TABLE}"))


def found_baseline_rows(engine, keys):
    """Return how many of the acknowledged row ids are in the scratch table."""
    ids = [int(key) for key in keys if key.isdigit()]
    if not ids:
        return 0
    with engine.connect() as connection:
        return connection.scalar(text(f"SELECT count(*) FROM {SCRATCH_TABLE} WHERE id = ANY(:ids)"), {"ids": ids})


def token_hash(token):
    """Return the stored form of a follow-up token (Question.hash_token: SHA-256 in hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def found_questions(engine, tokens):
    """Return how many of the acknowledged follow-up tokens have their question in the database."""
    hashes = [token_hash(token) for token in tokens]
    if not hashes:
        return 0
    with engine.connect() as connection:
        return connection.scalar(text("SELECT count(*) FROM questions WHERE followup_token_hash = ANY(:hashes)"),
                                 {"hashes": hashes})


def run_questions_filter(marker, since):
    """Return the SQL condition and parameters that select the questions a run wrote since ``since``."""
    return "submitted_at >= :since AND text LIKE :pattern", {"since": since, "pattern": f"Question de charge {marker}x%"}


def count_run_questions(engine, marker, since):
    """Return how many questions of this run are stored (acknowledged or still in flight at the end)."""
    condition, parameters = run_questions_filter(marker, since)
    with engine.connect() as connection:
        return connection.scalar(text(f"SELECT count(*) FROM questions WHERE {condition}"), parameters)


def delete_run_questions(engine, marker, since):
    """Delete the questions this run wrote, so that the bench stays the same from run to run."""
    condition, parameters = run_questions_filter(marker, since)
    with engine.begin() as connection:
        return connection.execute(text(f"DELETE FROM questions WHERE {condition}"), parameters).rowcount
