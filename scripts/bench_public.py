"""Benchmark the public pages, feeds and API against a trivial route; print the figures.

Usage: .venv/bin/python scripts/bench_public.py [--database-url URL] [--requests N]

Without --database-url a scratch SQLite database is built in a temporary folder with the real
territories, the 2009 consultation and the demo. Requests go through the WSGI app in-process (no
network), one at a time, as an anonymous visitor: "cached" is the normal case (the body comes from
the in-process cache), "rendered" clears that cache before each request, "304" is a conditional
request from a browser that already has the page.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from forums import create_app  # noqa: E402
from forums.extensions import db  # noqa: E402
from forums.models import Forum, ForumStatus  # noqa: E402
from forums.public_cache import clear_cache  # noqa: E402


def build_app(database_url):
    """Return an app on ``database_url``, with territories, the 2009 consultation and the demo loaded."""
    app = create_app({"ENV": "testing", "SECRET_KEY": "bench", "DATABASE_URL": database_url})

    @app.get("/bench-trivial")
    def trivial():
        return "ok"

    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    for command in (["territories", "load"], ["consultations", "seed"], ["demo", "load"]):
        result = runner.invoke(args=command)
        if result.exit_code != 0:
            raise SystemExit(f"{' '.join(command)} failed: {result.output}")
    return app


def measure(client, url, count, mode):
    """Return the median and 95th percentile time of ``count`` requests, in milliseconds."""
    etag = client.get(url).headers.get("ETag")
    headers = {"If-None-Match": etag} if mode == "304" and etag else {}
    timings = []
    for _ in range(count):
        if mode == "rendered":
            clear_cache()
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
        expected = 304 if mode == "304" and etag else 200
        if response.status_code != expected:
            raise SystemExit(f"{url} ({mode}) answered {response.status_code}")
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or "sqlite:///" + str(Path(folder) / "bench.sqlite3")
        app = build_app(url)
        with app.app_context():
            forum_id = db.session.scalar(
                db.select(Forum.id).where(Forum.department_code == "13", Forum.status == ForumStatus.PUBLISHED)
            )
        client = app.test_client()
        urls = ["/bench-trivial", "/healthz", "/", "/agenda", "/departements/13", f"/forums/{forum_id}",
                "/trouver-mon-forum?q=marseille", "/calendrier.ics", "/departements/13/calendrier.ics",
                "/api/v1/forums", "/api/v1/departments/13/coverage"]
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('://')[0]}, "
              f"{args.requests} requests per line, median / 95th percentile in ms")
        print(f"{'URL':<36} {'cached':>15} {'rendered':>15} {'304':>15}")
        for path in urls:
            cells = []
            for mode in ("cached", "rendered", "304"):
                if path in ("/bench-trivial", "/healthz") and mode != "cached":
                    cells.append("—")
                    continue
                median, p95 = measure(client, path, args.requests, mode)
                cells.append(f"{median:6.2f} / {p95:6.2f}")
            print(f"{path:<36} {cells[0]:>15} {cells[1]:>15} {cells[2]:>15}")


if __name__ == "__main__":
    main()
