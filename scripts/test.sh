#!/usr/bin/env bash
# Run the suite on SQLite, then on PostgreSQL when it is reachable; say loudly when it is not.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=".venv/bin/pytest"
PG_URL="${FORUMS_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"

echo "== Test suite on SQLite"
env -u FORUMS_TEST_DATABASE_URL "$PYTEST" "$@"
sqlite_status=$?

if .venv/bin/python - "$PG_URL" <<'PY'
import sys
import sqlalchemy as sa
try:
    sa.create_engine(sys.argv[1]).connect().close()
except Exception as exc:
    print(f"  ({type(exc).__name__}: {exc})".splitlines()[0])
    sys.exit(1)
PY
then
  echo "== Test suite on PostgreSQL ($PG_URL)"
  FORUMS_TEST_DATABASE_URL="$PG_URL" "$PYTEST" "$@"
  pg_status=$?
else
  echo "!!!!!! POSTGRESQL UNREACHABLE at $PG_URL: THE POSTGRESQL PASS WAS SKIPPED, NOT RUN !!!!!!"
  pg_status=0
fi

[ "$sqlite_status" -eq 0 ] && [ "$pg_status" -eq 0 ]
