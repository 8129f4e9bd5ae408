"""Time the moderation desk on the bench database: in process and through gunicorn; print the figures.

Usage (from the repository root, on a database filled by ``flask bench seed``):

    .venv/bin/python scripts/bench_moderation_desk.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1/forums_bench [--department 59] [--requests 20] \
        [--port 8130] [--in-process-only | --server-only]

Signed in as the department's moderator and as a ministry agent (both created on first use, with a
password set for the run and an enrolled second factor, as the roles require), each page is asked
``--requests`` times one after the other, after one warm-up request: the queue (pages 1, 20 and
the last, whose questions have the most earlier ones to compare with) and its filters,
the list of all questions (pages 1 and 20, by status, awaiting an answer, by reference), a pending
question's page, the ministry's dashboard; then bulk decisions (20 questions refused at once, put
back pending afterwards so that the bench stays the same). In process the figures come with the
number of SQL statements of each page. Through gunicorn (production settings, access log off) the
bare stack (scripts/load/baseline.py, a constant page on the same settings) is measured in the same
run, as MEASURE.md asks. Nothing is asserted: figures are printed.
"""
import argparse
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from html import unescape
from pathlib import Path

import pyotp
import requests
from sqlalchemy import event, text

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from forums import create_app  # noqa: E402
from forums.extensions import db  # noqa: E402
from forums.models import Agent, Consultation, Question, QuestionStatus, Role  # noqa: E402
from forums.services import agents as agent_service  # noqa: E402
from forums.services import second_factor  # noqa: E402
from forums.services.moderation import PAGE_SIZE  # noqa: E402
from load.report import percentile  # noqa: E402
from load.servers import Gunicorn, stop_all  # noqa: E402

#: Accounts of the bench, created on first use: one moderator per department measured, one ministry agent.
MODERATOR_EMAIL = "banc-moderation-{code}@interieur.gouv.fr"
MINISTRY_EMAIL = "banc-ministere@interieur.gouv.fr"
#: Questions refused at once by the bulk decision measured.
BULK_SIZE = 20
#: Every per-address limit raised: all the requests come from one address.
RAISED_LIMITS = {f"FORUMS_{name}": "1000000 per hour" for name in (
    "QUESTION_RATE_LIMIT", "SUPPORT_RATE_LIMIT", "LOGIN_THROTTLE", "SEARCH_RATE_LIMIT", "API_RATE_LIMIT",
    "OPEN_DATA_RATE_LIMIT")}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("FORUMS_DATABASE_URL"), required=False)
    parser.add_argument("--department", default="59")
    parser.add_argument("--requests", type=int, default=20, help="requests per page")
    parser.add_argument("--port", type=int, default=8130, help="the product's port; the baseline's is the next")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--in-process-only", action="store_true")
    only.add_argument("--server-only", action="store_true")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or FORUMS_DATABASE_URL")
    return args


def say(message):
    """Print progress on standard error, so that standard output holds the figures alone."""
    print(message, file=sys.stderr, flush=True)


# --- the accounts and the pages --------------------------------------------------------------------

def prepare(app, code):
    """Return ({email: (password, TOTP secret)}, {page name: path}, pending ids for the bulk decision).

    The accounts are created if missing, given a fresh password and an enrolled second factor.
    """
    accounts = {}
    with app.app_context():
        for email, role, department in ((MODERATOR_EMAIL.format(code=code), Role.MODERATOR, code),
                                        (MINISTRY_EMAIL, Role.MINISTRY, None)):
            password = secrets.token_urlsafe(18)
            agent = db.session.scalar(db.select(Agent).where(Agent.email == email))
            if agent is None:
                agent = agent_service.create_agent({"email": email, "role": role.value, "department_code": department,
                                                    "full_name": "Banc d'essai", "password": password})
            else:
                agent_service.set_agent_password(agent, password)
            if not agent.has_second_factor:
                secret = second_factor.start_enrolment(agent)
                second_factor.confirm_enrolment(agent, pyotp.TOTP(secret).now())
            accounts[email] = (password, agent.totp_secret)
        db.session.commit()
        paths = pages(code)
        consultation = Consultation.current()
        bulk_ids = db.session.scalars(
            db.select(Question.id).where(Question.department_code == code, Question.status == QuestionStatus.PENDING,
                                         Question.consultation_id == consultation.id)
            .order_by(Question.submitted_at.desc()).limit(BULK_SIZE)
        ).all()
    return accounts, paths, bulk_ids


def pages(code):
    """Return {name: path} of the pages measured, with a pending question of the department and a reference."""
    consultation = Consultation.current()
    if consultation is None:
        raise SystemExit("No current consultation: run `flask consultations set-current bench`.")
    pending = db.session.scalar(
        db.select(Question).where(Question.department_code == code, Question.status == QuestionStatus.PENDING,
                                  Question.consultation_id == consultation.id)
        .order_by(Question.submitted_at).limit(1))
    waiting = db.session.scalar(
        db.select(db.func.count()).where(Question.department_code == code, Question.status == QuestionStatus.PENDING,
                                         Question.consultation_id == consultation.id))
    theme = consultation.themes[0].code if consultation.themes else "1"
    base = f"/moderation/departements/{code}"
    return {
        "queue": base,
        "queue, theme": f"{base}?theme={theme}",
        "queue, department target": f"{base}?forum=departement",
        "queue, page 20": f"{base}?page=20",
        "queue, last page": f"{base}?page={-(-waiting // PAGE_SIZE)}",
        "questions, page 1": f"{base}/questions",
        "questions, page 20": f"{base}/questions?page=20",
        "questions, refused": f"{base}/questions?statut=rejected",
        "questions, refused, page 20": f"{base}/questions?statut=rejected&page=20",
        "questions, awaiting answer": f"{base}/questions?statut=a-repondre",
        "questions, reference": f"{base}/questions?reference={pending.reference}",
        "question (pending)": f"/moderation/questions/{pending.id}",
        "dashboard (ministry)": "/ministry/tableau-de-bord",
    }


def reset_steps(app):
    # Each sign-in spends a time step; two sign-ins within 30 s would otherwise be refused as a replay.
    with app.app_context():
        db.session.execute(text("UPDATE agents SET totp_last_step = NULL WHERE email LIKE 'banc-%'"))
        db.session.commit()


def put_back_pending(app, ids):
    """Undo the bulk decision on the bench: the questions are pending again (the audit log keeps the trace)."""
    with app.app_context():
        db.session.execute(
            db.update(Question).where(Question.id.in_(ids))
            .values(status=QuestionStatus.PENDING, rejection_reason=None, rejection_note="", moderated_at=None,
                    moderated_by_id=None))
        db.session.commit()


# --- clients ---------------------------------------------------------------------------------------

class Browser:
    """A signed-in agent on one transport: ``get(path)`` / ``post(path, data)`` return (status, body)."""

    def sign_in(self, email, password, secret):
        status, body = self.get("/auth/login")
        status, body = self.post("/auth/login", {"email": email, "password": password, "csrf_token": _csrf(body)})
        status, body = self.get("/auth/code")
        status, body = self.post("/auth/code", {"code": pyotp.TOTP(secret).now(), "csrf_token": _csrf(body)})
        if status >= 400 or "/auth/" in self.location:
            raise SystemExit(f"sign-in of {email} failed ({status})")


class InProcess(Browser):
    """The Flask test client, HTTPS so that the secure session cookie comes back."""

    def __init__(self, app):
        self.client = app.test_client()
        self.location = ""

    def get(self, path):
        response = self.client.get(path, base_url="https://localhost")
        self.location = response.location or ""
        return response.status_code, response.get_data(as_text=True)

    def post(self, path, data):
        # Over HTTPS, Flask-WTF also checks that the form comes from the same site.
        response = self.client.post(path, data=data, base_url="https://localhost",
                                    headers={"Referer": "https://localhost/"})
        self.location = response.location or ""
        return response.status_code, response.get_data(as_text=True)


class OverHttp(Browser):
    """requests over loopback; the session cookie, marked Secure in production, is sent by hand."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.http = requests.Session()
        self.cookies = {}
        self.location = ""

    def _send(self, method, path, data=None):
        response = self.http.request(method, self.base_url + path, data=data, allow_redirects=False, timeout=120,
                                     headers={"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())})
        self.cookies.update({cookie.name: cookie.value for cookie in response.cookies})
        self.http.cookies.clear()
        self.location = response.headers.get("Location", "")
        return response.status_code, response.text

    def get(self, path):
        return self._send("GET", path)

    def post(self, path, data):
        return self._send("POST", path, data)


def _csrf(body):
    found = CSRF.search(body)
    if not found:
        raise SystemExit("no CSRF token on the page")
    return unescape(found.group(1))


# --- measures --------------------------------------------------------------------------------------

def timed(call, count):
    """Return the times of ``count`` calls of ``call`` (after one warm-up), in milliseconds, and the last result."""
    result = call()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


def measure_pages(browsers, paths, count, app=None):
    """Return rows (page, median, p95, statements or None) for every page, each through the right agent."""
    rows = []
    for name, path in paths.items():
        browser = browsers["ministry" if name.startswith("dashboard") else "moderator"]
        statements = []
        if app is not None:
            with app.app_context():
                engine = db.engine
            listener = lambda *args: statements.append(1)  # noqa: E731
            event.listen(engine, "before_cursor_execute", listener)
        try:
            times, (status, _) = timed(lambda: browser.get(path), count)
        finally:
            if app is not None:
                event.remove(engine, "before_cursor_execute", listener)
        if status != 200:
            raise SystemExit(f"{name} ({path}) answered {status}")
        per_request = len(statements) // (count + 1) if app is not None else None
        rows.append((name, statistics.median(times), percentile(times, 0.95), per_request))
        say(f"  {name}: {statistics.median(times):.0f} ms")
    return rows


def measure_bulk(browser, app, code, ids, count):
    """Return the row of a bulk refusal of ``ids`` (put back pending after each), with the redirect it answers."""
    times = []
    for _ in range(count):
        _, body = browser.get(f"/moderation/departements/{code}")
        data = {"csrf_token": _csrf(body), "question_ids": [str(i) for i in ids], "action": "reject",
                "reason": "hors_sujet", "note": ""}
        start = time.perf_counter()
        status, _ = browser.post(f"/moderation/departements/{code}/decisions", data)
        times.append((time.perf_counter() - start) * 1000)
        put_back_pending(app, ids)
        if status != 303:
            raise SystemExit(f"bulk decision answered {status}")
    return (f"bulk refusal of {len(ids)} (POST)", statistics.median(times), percentile(times, 0.95), None)


def print_table(title, rows, baseline=None):
    print(f"\n{title}")
    print(f"{'page':<36} {'median ms':>10} {'p95 ms':>8} {'SQL':>5}" + ("  ×baseline" if baseline else ""))
    for name, median, p95, statements in rows:
        ratio = f"  {median / baseline:>9.0f}" if baseline else ""
        print(f"{name:<36} {median:>10.1f} {p95:>8.1f} {statements if statements is not None else '':>5}{ratio}")


def main(argv=None):
    args = parse_args(argv)
    say(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    config = {"ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": args.database_url,
              "MAIL_BACKEND": "log", "RATELIMIT_STORAGE_URL": "memory://",
              **{name.removeprefix("FORUMS_"): value for name, value in RAISED_LIMITS.items()}}
    app = create_app(config)
    accounts, paths, bulk_ids = prepare(app, args.department)
    moderator, ministry = MODERATOR_EMAIL.format(code=args.department), MINISTRY_EMAIL
    print(f"Moderation desk of department {args.department}, {args.requests} requests per page "
          f"(median and 95th percentile), one at a time, after a warm-up request.")

    if not args.server_only:
        say("in process…")
        reset_steps(app)
        browsers = {"moderator": InProcess(app), "ministry": InProcess(app)}
        browsers["moderator"].sign_in(moderator, *accounts[moderator])
        browsers["ministry"].sign_in(ministry, *accounts[ministry])
        rows = measure_pages(browsers, paths, args.requests, app)
        rows.append(measure_bulk(browsers["moderator"], app, args.department, bulk_ids, min(args.requests, 5)))
        print_table("In process (Flask test client): SQL statements per request", rows)

    if not args.in_process_only:
        say("through gunicorn…")
        env = dict(os.environ, FORUMS_ENV="production", FORUMS_SECRET_KEY=secrets.token_hex(32),
                   FORUMS_DATABASE_URL=args.database_url, FORUMS_RATELIMIT_STORAGE_URL="memory://",
                   FORUMS_MAIL_BACKEND="log", PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "scripts")]),
                   **RAISED_LIMITS)
        if args.workers:
            env["FORUMS_WORKERS"] = str(args.workers)
        logs = Path(tempfile.mkdtemp(prefix="bench-desk-"))
        servers = []
        try:
            product = Gunicorn("product", "wsgi:app", args.port, dict(env, FORUMS_BIND=f"127.0.0.1:{args.port}"),
                               logs / "product.log").start(probe="/healthz")
            servers.append(product)
            base = Gunicorn("baseline", "load.baseline:create_app()", args.port + 1,
                            dict(env, FORUMS_BIND=f"127.0.0.1:{args.port + 1}"), logs / "baseline.log").start()
            servers.append(base)
            reset_steps(app)
            browsers = {"moderator": OverHttp(product.url), "ministry": OverHttp(product.url)}
            browsers["moderator"].sign_in(moderator, *accounts[moderator])
            browsers["ministry"].sign_in(ministry, *accounts[ministry])
            bare = OverHttp(base.url)
            baseline_times, _ = timed(lambda: bare.get("/"), args.requests)
            baseline = statistics.median(baseline_times)
            rows = measure_pages(browsers, paths, args.requests)
            rows.append(measure_bulk(browsers["moderator"], app, args.department, bulk_ids, min(args.requests, 5)))
            print_table(f"Through gunicorn (production settings, access log off; baseline: a constant page, "
                        f"median {baseline:.1f} ms, p95 {percentile(baseline_times, 0.95):.1f} ms)", rows, baseline)
        finally:
            for server in reversed(servers):
                server.stop()
            stop_all()
    say(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
