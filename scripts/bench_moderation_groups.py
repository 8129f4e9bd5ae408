"""Clear a department's moderation queue by groups on the bench database; print the figures.

Usage: .venv/bin/python scripts/bench_moderation_groups.py --database-url URL [--department 59] [--repeat 5]
           [--server-port 8140 --requests 30]

On a database seeded with ``flask bench seed`` (bench consultation current), for one department:
the number of pending questions, the time to build the groups page (the page's queries and the
grouping, in process, median and slowest of ``--repeat`` runs), then the whole queue cleared page
by page of groups the way a moderator would (a repeat of a published question merged into it,
repeats published once with the others merged into it, very short texts refused, a question alone
published): the number of groups, that is of decisions, against one decision per question, and the
time taken. Everything is done in one transaction that is rolled back: the database is left as it
was. With ``--server-port``, the groups page is also asked ``--requests`` times, one at a time,
through gunicorn with the production settings (``gunicorn.conf.py``, access log off), as a
moderator of the department (an agent created for the run, removed after it), beside the bare
stack's constant page (``scripts/load/baseline.py``) on the next port. It asserts nothing: tests
pin behaviour, this prints figures.
"""
import argparse
import http.client
import logging
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from load import servers  # noqa: E402
from forums import create_app  # noqa: E402
from forums.extensions import db  # noqa: E402
from forums.models import Agent, RejectionReason, Role  # noqa: E402
from forums.services import moderation_groups  # noqa: E402
from forums.services.moderation_groups import GroupKind  # noqa: E402


def decide(group, department_code):
    """Take the decision a moderator would most likely take for ``group``; return its name."""
    ids = [question.id for question in group.members]
    if group.kind is GroupKind.SHORT:
        action, options = "reject", {"reason": RejectionReason.OFF_TOPIC.value}
    elif group.original is not None:
        action, options = "merge", {"original_id": group.original.id}
    else:
        action, options = "publish", {"keep_id": group.representative.id}
    moderation_groups.decide_group(department_code, ids, action, None, **options)
    return action


def request(port, method, path, cookie=None, body=None):
    """Send one request to 127.0.0.1:``port``; return (status, headers, body, seconds)."""
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start = time.perf_counter()
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    content = response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    return response.status, response.headers, content.decode(errors="replace"), elapsed


def log_in(port, email, password):
    """Log in through the login form; return the session cookie."""
    status, headers, page, _ = request(port, "GET", "/auth/login")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urlencode({"email": email, "password": password, "csrf_token": token})
    status, headers, _, _ = request(port, "POST", "/auth/login", cookie, body)
    if status != 302:
        raise SystemExit(f"login refused ({status})")
    return headers["Set-Cookie"].split(";", 1)[0]


def timings(port, path, count, cookie=None):
    """Return the sorted times of ``count`` GET ``path``, one at a time, in seconds."""
    found = []
    for _ in range(count):
        status, _, _, elapsed = request(port, "GET", path, cookie)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        found.append(elapsed)
    return sorted(found)


def through_server(app, args):
    """Print the groups page's times through gunicorn, as a moderator, beside the bare stack's constant page."""
    # Not the desk bench's account (banc-moderation-…), which that script keeps between runs.
    email, password = f"banc-groupes-{args.department}@interieur.gouv.fr", secrets.token_urlsafe(16)
    with app.app_context():
        agent = Agent(email=email, full_name="Banc d'essai", role=Role.MODERATOR, department_code=args.department)
        agent.set_password(password)
        db.session.add(agent)
        db.session.commit()
    env = dict(os.environ, FORUMS_ENV="production", FORUMS_SECRET_KEY=secrets.token_hex(32),
               FORUMS_DATABASE_URL=args.database_url, FORUMS_RATELIMIT_STORAGE_URL="memory://",
               FORUMS_MAIL_BACKEND="log", PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "scripts")]))
    folder = Path(tempfile.mkdtemp(prefix="bench-groups-"))
    product = servers.Gunicorn("product", "wsgi:app", args.server_port,
                               dict(env, FORUMS_BIND=f"127.0.0.1:{args.server_port}"), folder / "product.log")
    baseline = servers.Gunicorn("baseline", "load.baseline:create_app()", args.server_port + 1,
                                dict(env, FORUMS_BIND=f"127.0.0.1:{args.server_port + 1}"), folder / "baseline.log")
    try:
        product.start(probe="/healthz")
        baseline.start()
        cookie = log_in(args.server_port, email, password)
        path = f"/moderation/departements/{args.department}/groupes"
        timings(args.server_port, path, 2, cookie)
        page = timings(args.server_port, path, args.requests, cookie)
        floor = timings(args.server_port + 1, "/", args.requests)
        p95 = max(1, int(len(page) * 0.95)) - 1
        print(f"through gunicorn, {args.requests} requests one at a time (load average "
              f"{' '.join(f'{value:.2f}' for value in os.getloadavg())}):")
        print(f"  {path}: median {milliseconds(statistics.median(page))}, p95 {milliseconds(page[p95])}")
        print(f"  bare stack, constant page: median {milliseconds(statistics.median(floor))}, "
              f"p95 {milliseconds(floor[p95])}; ratio of medians "
              f"{statistics.median(page) / statistics.median(floor):,.0f}")
    finally:
        product.stop()
        baseline.stop()
        with app.app_context():
            db.session.execute(db.delete(Agent).where(Agent.email == email))
            db.session.commit()


def milliseconds(seconds):
    return f"{seconds * 1000:,.0f} ms".replace(",", " ")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("FORUMS_DATABASE_URL"))
    parser.add_argument("--department", default="59")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--server-port", type=int, help="also measure through gunicorn on this port and the next")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    if not args.database_url:
        raise SystemExit("--database-url (or FORUMS_DATABASE_URL) is required: the bench database.")
    app = create_app({"ENV": "testing", "SECRET_KEY": "bench", "DATABASE_URL": args.database_url,
                      "PUBLIC_URL": "https://forums.example"})
    # One line per merge would bury the figures.
    logging.getLogger("forums.moderation").setLevel(logging.WARNING)
    code = args.department
    with app.test_request_context():
        page_times = []
        for _ in range(args.repeat):
            db.session.expire_all()
            start = time.perf_counter()
            first = moderation_groups.pending_groups(code)
            page_times.append(time.perf_counter() - start)
        pending = first.pending
        print(f"database: {db.engine.dialect.name}, department {code}, load average "
              f"{' '.join(f'{value:.2f}' for value in os.getloadavg())}")
        print(f"pending questions: {pending}")
        print(f"groups page ({len(first.groups)} groups, {first.questions_shown} questions, "
              f"window {moderation_groups.WINDOW}): median {milliseconds(statistics.median(page_times))}, "
              f"slowest {milliseconds(max(page_times))} over {args.repeat} runs")

        kinds, actions, sizes = Counter(), Counter(), []
        build, apply, pages = 0.0, 0.0, 0
        start_all = time.perf_counter()
        try:
            while True:
                start = time.perf_counter()
                page = moderation_groups.pending_groups(code)
                build += time.perf_counter() - start
                if not page.groups:
                    break
                pages += 1
                start = time.perf_counter()
                for group in page.groups:
                    kinds[group.kind.value] += 1
                    actions[decide(group, code)] += 1
                    sizes.append(group.size)
                db.session.flush()
                apply += time.perf_counter() - start
                db.session.expire_all()
        finally:
            db.session.rollback()
        total = time.perf_counter() - start_all
        decided = sum(sizes)
        print(f"queue cleared by groups: {decided} questions in {len(sizes)} group decisions "
              f"(one by one: {decided} decisions; {decided / max(len(sizes), 1):.1f} questions per decision), "
              f"{pages} pages of groups")
        print(f"groups by kind: {dict(kinds)}; decisions: {dict(actions)}; largest group {max(sizes, default=0)}")
        print(f"time: {milliseconds(total)} in all, building the {pages} pages {milliseconds(build)} "
              f"(mean {milliseconds(build / max(pages, 1))}), applying the decisions {milliseconds(apply)} "
              f"(mean {milliseconds(apply / max(len(sizes), 1))} per group); rolled back")
    if args.server_port:
        through_server(app, args)


if __name__ == "__main__":
    main()
