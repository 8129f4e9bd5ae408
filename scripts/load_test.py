"""Load-test the product through gunicorn against the bare stack, in one run, and print one table.

Usage (from the repository root):

    .venv/bin/python scripts/load_test.py --database-url postgresql+psycopg://postgres@127.0.0.1/forums_bench \
        [--duration 10s] [--connections 8] [--only cached,304,...] [--list]

Two gunicorn servers start with the production settings (gunicorn.conf.py, access log off,
FORUMS_ENV=production, rate limits in a private Redis): the product (wsgi:app) and the bare stack
(scripts/load/baseline.py: a constant page; a GET page + one INSERT … ; COMMIT) on the same
database, which must hold the current `bench` consultation (`flask bench seed`). wrk runs each
scenario with the Lua scripts of scripts/load/: cached pages, 304 revalidations, uncached pages,
searches, API pages, and question submission, whose acknowledged questions are read back from the
database (then deleted, so that the bench stays the same). Then one worker's memory is read after
10,000 requests, and (``--only cold``) a new worker's first request to each page, without and with
gunicorn.conf.py's warm-up. Every server is stopped on exit, Ctrl-C included.
"""
import argparse
import os
import platform
import re
import runpy
import secrets
import shutil
import signal
import sys
import tempfile
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

from load import bench, scenarios as scenario_list, servers
from load.cold import cold_paths, first_requests
from load.opendata import time_downloads
from load.report import Row, add_ratios, describe_failures, percentile, table
from load.submissions import read_submissions
from load.wrk import WrkError, run_wrk, wrk_version

ROOT = Path(__file__).resolve().parent.parent
#: Limits raised while measuring: a load from one address would otherwise be refused after 5 questions.
#: Every per-address limit: the load comes from one address, as a crowd behind one proxy would.
RAISED_LIMITS = {f"FORUMS_{name}": "1000000 per hour" for name in (
    "QUESTION_RATE_LIMIT", "SUPPORT_RATE_LIMIT", "LOGIN_THROTTLE", "SEARCH_RATE_LIMIT", "API_RATE_LIMIT",
    "OPEN_DATA_RATE_LIMIT")}
GOAL_RSS_MIB = 150


def parse_duration(value):
    """Return seconds from "10s", "2m" or "15"."""
    match = re.fullmatch(r"(\d+)\s*([sm]?)", value.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"a duration like 10s or 2m, not {value!r}")
    return int(match.group(1)) * (60 if match.group(2) == "m" else 1)


def parse_args(argv=None):
    """Return the command line's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("FORUMS_DATABASE_URL"),
                        help="the seeded bench database (PostgreSQL); default $FORUMS_DATABASE_URL")
    parser.add_argument("--duration", type=parse_duration, default=10, help="of each scenario (default 10s)")
    parser.add_argument("--warmup", type=parse_duration, default=2,
                        help="unreported load before each cached scenario (default 2s)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent visitors (default 8)")
    parser.add_argument("--only", help="comma-separated scenario keys or groups (see --list); "
                                       "'rss', 'csv' and 'cold' name the memory, open-data and new-worker measures")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py's, "
                                                     "FORUMS_WORKERS or 2 × cores + 1)")
    parser.add_argument("--port", type=int, default=8850, help="first of four ports used (default 8850)")
    parser.add_argument("--min-questions", type=int, default=1_000_000,
                        help="refuse a bench with fewer questions (default 1,000,000)")
    parser.add_argument("--departments", default=",".join(scenario_list.DEFAULT_DEPARTMENTS),
                        help="departments the questions are asked in, in turn")
    parser.add_argument("--rss-requests", type=int, default=10_000, help="requests before reading a worker's RSS")
    parser.add_argument("--rss-seconds", type=int, default=300, help="upper bound of the memory measure")
    parser.add_argument("--downloads", type=int, default=3, help="downloads of the open-data file")
    parser.add_argument("--download-timeout", type=int, default=60, help="upper bound of one download, seconds")
    parser.add_argument("--keep-questions", action="store_true",
                        help="keep the questions the run submitted (deleted by default)")
    parser.add_argument("--out", type=Path, help="also write the report to this Markdown file")
    args = parser.parse_args(argv)
    if not args.list and not args.database_url:
        parser.error("--database-url (or FORUMS_DATABASE_URL) is required")
    return args


def selected(scenario_keys, only):
    """Return whether a scenario (its key and group) is selected by ``--only``."""
    if not only:
        return True
    wanted = {item.strip() for item in only.split(",") if item.strip()}
    return bool(wanted & set(scenario_keys))


def with_baselines(every, only):
    """Return the scenarios selected by ``--only``, with the baselines they are compared with, in run order."""
    chosen = [scenario for scenario in every if selected((scenario.key, scenario.group), only)]
    needed = {scenario.baseline for scenario in chosen}
    return [scenario for scenario in every
            if scenario in chosen or scenario.rate_key in needed]


def interrupt(signum, frame):
    """End the run as Ctrl-C does, through the clauses that stop the servers."""
    raise KeyboardInterrupt


def say(message):
    """Print progress on standard error, so that standard output holds the report alone."""
    print(message, file=sys.stderr, flush=True)


def machine():
    """Return a one-line description of this machine."""
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = "?"
    try:
        kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")))
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return (f"{os.cpu_count()} cores ({cpu}), {memory} RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def server_env(args, redis_url, port, workers):
    """Return the environment of a gunicorn server of the run: production settings, limits raised."""
    env = dict(os.environ, FORUMS_ENV="production", FORUMS_SECRET_KEY=secrets.token_hex(32),
               FORUMS_DATABASE_URL=args.database_url, FORUMS_BIND=f"127.0.0.1:{port}",
               FORUMS_RATELIMIT_STORAGE_URL=redis_url or "memory://",
               # No question carries an e-mail address: no message is queued; none may leave the machine.
               FORUMS_MAIL_BACKEND="log", PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "scripts")]),
               **RAISED_LIMITS)
    if workers:
        env["FORUMS_WORKERS"] = str(workers)
    return env


def result_row(scenario, result):
    """Return the table row of a paths or 304 scenario."""
    extra = {}
    if result.counters.get("repeated"):
        extra["requests repeated a path (list exhausted)"] = result.counters["repeated"]
    if result.counters.get("no_etag"):
        extra["threads got no ETag"] = result.counters["no_etag"]
    failures = describe_failures(result.unexpected(scenario.expected), result.socket_errors, extra)
    if not result.requests:
        # Each request took longer than the scenario: wrk measured none.
        return Row(scenario.label, scenario.server, 0.0, None, None, None,
                   f"none answered within {result.seconds:.0f} s", key=scenario.rate_key, baseline=scenario.baseline)
    return Row(scenario.label, scenario.server, result.rate, result.p50, result.p95, result.p99, failures,
               key=scenario.rate_key, baseline=scenario.baseline)


def submission_rows(scenario, result, run_dir):
    """Return the two rows of a submission scenario (per HTTP request; per question) and its submissions."""
    found = read_submissions(Path(run_dir) / scenario.key)
    flows = [flow for _, flow, _ in found.acknowledged]
    posts = [post for _, _, post in found.acknowledged]
    refused = {f"refused ({reason})": count for reason, count in found.refused.items()}
    confirmations = {"confirmations asked": result.counters.get("confirmations", 0)}
    requests_row = Row(f"{scenario.label}, per HTTP request", scenario.server, result.rate, result.p50,
                       result.p95, result.p99,
                       describe_failures(result.unexpected(scenario.expected), result.socket_errors),
                       key=f"{scenario.rate_key}:requests",
                       baseline=scenario.baseline and f"{scenario.baseline}:requests")
    post_p95 = f"POST p95 {percentile(posts, 0.95):.0f} ms" if posts else "no question acknowledged"
    question_row = Row(f"{scenario.label}, per acknowledged question (whole flow; {post_p95})", scenario.server,
                       len(flows) / result.seconds if result.seconds else 0.0,
                       *((percentile(flows, share) for share in (0.5, 0.95, 0.99)) if flows else (None,) * 3),
                       describe_failures({}, None, {**refused, **confirmations}), unit="questions/s",
                       key=scenario.rate_key, baseline=scenario.baseline)
    return [requests_row, question_row], found


def main(argv=None):
    """Run the harness; return the process's exit status."""
    args = parse_args(argv)
    # SIGTERM ends the run as Ctrl-C does: through the finally clauses that stop the servers.
    signal.signal(signal.SIGTERM, interrupt)
    run_id = str(int(time.time()))
    departments = [code.strip() for code in args.departments.split(",") if code.strip()]
    if args.list:
        with tempfile.TemporaryDirectory() as scratch:
            for scenario in scenario_list.build(scratch, 1, args.connections, run_id, departments):
                print(f"{scenario.key:24} {scenario.group:10} {scenario.server:9} {scenario.label}")
        print(f"{'csv':24} {'csv':10} {'product':9} /donnees-ouvertes/questions.csv, one download at a time")
        print(f"{'rss':24} {'rss':10} {'product':9} one worker's memory after {args.rss_requests:,} requests")
        print(f"{'cold':24} {'cold':10} {'rendering':9} a new worker's first request to each page, then its second")
        return 0
    try:
        wrk_line = wrk_version()
    except WrkError as error:
        say(str(error))
        return 2
    engine = bench.engine_for(args.database_url)
    try:
        state = bench.check_bench(engine, args.database_url, args.min_questions)
    except bench.BenchNotReady as error:
        say(f"The bench database is not ready.\n{error}")
        return 2
    run_dir = Path(tempfile.mkdtemp(prefix=f"load-test-{run_id}-"))
    every = scenario_list.build(run_dir, state["forum_id"], args.connections, run_id, departments)
    unknown = set((args.only or "").replace(" ", "").split(",")) - {""} - {"csv", "rss", "cold"} - {
        name for scenario in every for name in (scenario.key, scenario.group)}
    if unknown:
        say(f"Unknown in --only: {', '.join(sorted(unknown))} (see --list).")
        return 2
    scenarios = with_baselines(every, args.only)
    needs_baseline = any(scenario.server == "baseline" for scenario in scenarios)
    needs_rendering = any(scenario.server == "rendering" for scenario in scenarios)
    started_at = datetime.now(timezone.utc)
    lines = [f"Load test of {started_at:%Y-%m-%d %H:%M} UTC, commit {git_commit()}",
             f"Machine: {machine()}; PostgreSQL {state['server_version']} on the same machine; {wrk_line}.",
             f"Bench: {state['questions']:,} questions in the current `bench` consultation "
             f"({state['published']:,} published), migration {state['migration']}.",
             f"Load: {args.connections} connections (one wrk thread each), {args.duration} s per scenario "
             f"(each after {args.warmup} s of unreported warm-up), on loopback; the machine may be shared: "
             "compare the ratios of one run, not absolute figures across runs."]
    redis_url = None
    product = baseline_server = rendering = None
    rows, notes = [], []
    try:
        redis_url = servers.start_redis(args.port + 3, run_dir / "redis.log")
        product = servers.Gunicorn("product", "wsgi:app", args.port,
                                   server_env(args, redis_url, args.port, args.workers), run_dir / "product.log")
        baseline_server = servers.Gunicorn("baseline", "load.baseline:create_app()", args.port + 1,
                                           server_env(args, redis_url, args.port + 1, args.workers),
                                           run_dir / "baseline.log")
        # The same product with its page cache off: what the first visitor after a change gets.
        rendering = servers.Gunicorn("rendering", "wsgi:app", args.port + 2,
                                     dict(server_env(args, redis_url, args.port + 2, args.workers),
                                          FORUMS_PUBLIC_CACHE_MB="0"), run_dir / "rendering.log")
        if needs_baseline:
            bench.create_scratch(engine)
        say(f"Starting gunicorn (product on :{args.port}, baseline on :{args.port + 1}, product without its "
            f"page cache on :{args.port + 2}); logs in {run_dir}")
        product.start(probe="/healthz")
        if needs_baseline:
            baseline_server.start()
        if needs_rendering:
            rendering.start(probe="/healthz")
        settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
        lines.append(f"Servers: gunicorn -c gunicorn.conf.py --access-logfile /dev/null, {len(product.workers())} "
                     f"workers × {settings['threads']} threads each (FORUMS_WORKERS="
                     f"{args.workers or os.environ.get('FORUMS_WORKERS') or 'unset: 2 × cores + 1'}), max_requests "
                     f"{settings['max_requests']} ± {settings['max_requests_jitter']}; FORUMS_ENV=production; rate limits in "
                     f"{'a private Redis' if redis_url else 'memory (redis-server absent)'}, raised for the run: "
                     + ", ".join(f"{name}={value!r}" for name, value in RAISED_LIMITS.items()) + ".")
        run_scenarios(args, scenarios, {"product": product, "baseline": baseline_server, "rendering": rendering}, run_dir,
                      rows, notes, engine, run_id)
        add_ratios(rows)
        if selected(("csv",), args.only):
            rows.extend(open_data_rows(args, product, notes))
        notes.append("Product workers' VmRSS at the end (recycled after max_requests): " + ", ".join(
            f"pid {pid} {rss_text(pid)}" for pid in product.workers()))
        product.stop()
        baseline_server.stop()
        rendering.stop()
        if selected(("rss",), args.only):
            notes.append(measure_rss(args, redis_url, state["forum_id"], run_dir))
        if selected(("cold",), args.only):
            notes.append(measure_cold(args, redis_url, state["forum_id"], run_dir))
    except KeyboardInterrupt:
        say("Interrupted: stopping the servers; the report below holds what was measured.")
        status = 130
    except (WrkError, SystemExit) as error:
        say(f"The run stopped: {error}\nLogs and scenario files are kept in {run_dir}.")
        status = 1
    except Exception:
        say(traceback.format_exc() + f"Logs and scenario files are kept in {run_dir}.")
        status = 1
    else:
        status = 0
        shutil.rmtree(run_dir, ignore_errors=True)
    finally:
        servers.stop_all()
        if needs_baseline:
            bench.drop_scratch(engine)
        if not args.keep_questions:
            deleted = bench.delete_run_questions(engine, run_id, started_at)
            if deleted:
                say(f"Deleted the {deleted:,} questions this run submitted (--keep-questions keeps them).")
    if status:
        notes.insert(0, "INCOMPLETE RUN: the scenarios below the last row were not measured.")
    report = "\n".join(lines) + "\n\n" + table(rows) + "\n\n" + "\n".join(f"- {note}" for note in notes) + "\n" + LEGEND
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    return status


LEGEND = """
Legend: rate is requests (or acknowledged questions) per second over the scenario; median, p95, p99
are wrk's latencies per request in milliseconds (for "per acknowledged question", the time from the
GET of the form to the 303, measured in the Lua script). Failures are statuses other than expected
(200; 304 for If-None-Match; 303 or the form page for a submission), socket errors and timeouts.
× baseline is the product's rate over the bare stack's in this run: the constant route (mean of its
two loads) for pages, the GET page + INSERT + COMMIT flow for questions."""


def run_scenarios(args, scenarios, targets, run_dir, rows, notes, engine, run_id):
    """Run each scenario with wrk and append its rows (and, for submissions, the read-back) to the report."""
    expected_seconds = sum(args.duration + (args.warmup if scenario.warmup else 0) + 2 for scenario in scenarios)
    say(f"{len(scenarios)} scenarios, at least {expected_seconds // 60} min {expected_seconds % 60} s.")
    for number, scenario in enumerate(scenarios, 1):
        target = targets[scenario.server]
        servers.wait_idle([pid for server in targets.values() for pid in server.workers()])
        if scenario.script == "submit.lua":
            (Path(run_dir) / scenario.key).mkdir(exist_ok=True)
        if scenario.warmup and args.warmup and not warm_up(args, target, scenario, run_dir):
            notes.append(f"{scenario.label}: some answers still took over {WARM_MAX_MS} ms after "
                         f"{WARMUP_ROUNDS} warm-up rounds: its figures include renderings.")
        # Questions stored from here on are the measured ones: the warm-up's are not counted.
        measured_at = datetime.now(timezone.utc)
        ticks = servers.cpu_ticks(target.workers())
        result = run_wrk(target.url, scenario.script, scenario.arguments, args.connections, args.duration)
        if scenario.script == "submit.lua":
            # What the requests received before wrk stopped still cost: counted once they are done.
            servers.wait_idle(target.workers())
            ticks = servers.cpu_ticks(target.workers()) - ticks
            new_rows, found = submission_rows(scenario, result, run_dir)
            notes.append(read_back_note(scenario, found, engine, run_id, measured_at))
            notes.append(cpu_note(scenario, found, ticks))
        else:
            new_rows = [result_row(scenario, result)]
        rows.extend(new_rows)
        last = new_rows[-1]
        p95 = "—" if last.p95 is None else f"{last.p95:.1f} ms"
        say(f"[{number}/{len(scenarios)}] {scenario.server}: {scenario.label}: {last.rate:,.1f} {last.unit}, "
            f"p95 {p95}, failures {last.failures}")


#: A warm-up round is repeated until no answer takes longer than this: then every worker has the page.
WARM_MAX_MS = 500
WARMUP_ROUNDS = 6


def warm_up(args, target, scenario, run_dir):
    """Load a scenario, unreported, until every worker serves it from its cache; return whether it does.

    A submission or a page of the server without cache is never served from a cache: one round warms
    every worker, on other paths than the measured ones when each is to be asked once (mode=distinct).
    """
    if scenario.script == "submit.lua" or scenario.server == "rendering":
        run_wrk(target.url, scenario.script, warmup_arguments(scenario, run_dir), args.connections, args.warmup)
        servers.wait_idle(target.workers())
        return True
    for _ in range(WARMUP_ROUNDS):
        result = run_wrk(target.url, scenario.script, scenario.arguments, args.connections, args.warmup)
        servers.wait_idle(target.workers())
        if result.requests and result.max < WARM_MAX_MS:
            return True
    return False


def warmup_arguments(scenario, run_dir):
    """Return a scenario's wrk arguments for its warm-up: distinct paths asked from the end of the list.

    The measured load asks them from the start: none is answered from PostgreSQL's cache by the warm-up
    (unless the load exhausts the list, which the report says).
    """
    if "mode=distinct" not in scenario.arguments:
        return scenario.arguments
    arguments = []
    for argument in scenario.arguments:
        if argument.startswith("paths="):
            paths = Path(argument.removeprefix("paths=")).read_text(encoding="utf-8").splitlines()
            argument = "paths=" + scenario_list.write_paths(run_dir, f"{scenario.key}-warmup", paths[::-1])
        arguments.append(argument)
    return tuple(arguments)


def read_back_note(scenario, found, engine, run_id, since):
    """Check that every acknowledged submission is in the database; return the sentence that says so.

    ``since`` is when the measured load started: the questions stored since then are counted.
    """
    keys = [key for key, _, _ in found.acknowledged]
    if scenario.server == "baseline":
        present = bench.found_baseline_rows(engine, keys)
        return (f"Nothing lost, baseline: {len(keys):,} rows acknowledged, {present:,} found in the scratch table"
                + ("." if present == len(keys) else f": {len(keys) - present:,} MISSING."))
    present = bench.found_questions(engine, keys)
    stored = bench.count_run_questions(engine, run_id, since)
    return (f"Nothing lost, product: {len(keys):,} questions acknowledged (303), {present:,} found by their "
            f"follow-up token" + ("" if present == len(keys) else f": {len(keys) - present:,} MISSING")
            + f"; {stored:,} stored in all (more when some were still in flight as wrk stopped)."
            + (f" Refusals: {found.samples}." if found.samples else ""))


def cpu_note(scenario, found, ticks):
    """Return the sentence giving the CPU time the server's workers spent per acknowledged submission."""
    seconds = ticks / os.sysconf("SC_CLK_TCK")
    per_question = f"{seconds * 1000 / len(found.acknowledged):.1f} ms" if found.acknowledged else "—"
    return (f"CPU of the {scenario.server}'s workers (user + system, PostgreSQL and wrk not included): "
            f"{seconds:.1f} s, {per_question} per acknowledged question.")


def open_data_rows(args, product, notes):
    """Time whole downloads of the open-data file, one at a time; return its rows."""
    path = "/donnees-ouvertes/questions.csv"
    say(f"Downloading {path} {args.downloads} times (at most {args.download_timeout} s each)…")
    timings = time_downloads(product.url + path, args.downloads, args.download_timeout)
    if not timings.completed and not timings.first_byte:
        notes.append(f"`{path}`: no answer ({timings.failure}).")
        return []
    notes.append(f"`{path}`: {timings.size_text}; {len(timings.completed)} of {args.downloads} downloads "
                 f"completed within {args.download_timeout} s" + (f" ({timings.failure})" if timings.failure else "")
                 + ". Constant time means the first byte and the whole file take the same time whatever the "
                   "number of questions.")
    label = f"`{path}`, one download at a time"
    first = timings.first_byte
    rows = [Row(f"{label}: first byte", "product", 0.0, percentile(first, 0.5), percentile(first, 0.95),
                percentile(first, 0.99), timings.failure_count_text, rate_text=f"{len(first)} downloads")]
    if timings.completed:
        done = timings.completed
        rows.append(Row(f"{label}: whole file", "product", 0.0, percentile(done, 0.5), percentile(done, 0.95),
                        percentile(done, 0.99), timings.failure_count_text, rate_text=f"{len(done)} downloads"))
    return rows


def measure_rss(args, redis_url, forum_id, run_dir):
    """Serve ``--rss-requests`` requests with one worker that is never recycled; return its memory in words."""
    port = args.port + 2
    server = servers.Gunicorn("rss", "wsgi:app", port, server_env(args, redis_url, port, 1), run_dir / "rss.log",
                              extra_args=("--max-requests", "0"))
    paths = scenario_list.rss_paths(forum_id, args.rss_requests)
    paths_file = scenario_list.write_paths(run_dir, "rss", paths)
    # As many connections as the worker has threads: more would only queue and time out.
    connections = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["threads"]
    say(f"Memory: one worker (max_requests off) serves {args.rss_requests:,} requests "
        f"(the cached paths in turn, one in ten a distinct page or API list), at most {args.rss_seconds} s…")
    server.start(probe="/healthz")
    try:
        (worker,) = server.workers()
        before = servers.memory_kib(worker)
        limit = -(-args.rss_requests // connections)
        result = run_wrk(server.url, "paths.lua", (f"paths={paths_file}", f"threads={connections}",
                                                   f"limit={limit}"), connections, args.rss_seconds)
        after = servers.memory_kib(worker)
    finally:
        server.stop()
    verdict = "under" if after[0] / 1024 < GOAL_RSS_MIB else "OVER"
    shortfall = (f" (only {result.requests:,} of {args.rss_requests:,} requests within {args.rss_seconds} s)"
                 if result.requests < args.rss_requests else "")
    return (f"Memory: one worker's VmRSS {before[0] / 1024:.0f} MiB after its first request, "
            f"{after[0] / 1024:.0f} MiB after {result.requests:,} requests{shortfall} ({verdict} the {GOAL_RSS_MIB} MB goal; "
            f"peak VmHWM {after[1] / 1024:.0f} MiB; {result.rate:,.0f} req/s, failures "
            f"{describe_failures(result.unexpected({200}), result.socket_errors)}).")


def measure_cold(args, redis_url, forum_id, run_dir):
    """Time a new worker's first request to each page, then its second, without and with the warm-up.

    Return the two in words. Without: gunicorn.conf.py with its ``post_worker_init`` hook removed.
    """
    port = args.port + 2
    unwarmed_config = run_dir / "gunicorn-unwarmed.conf.py"
    unwarmed_config.write_text(f"exec(open({str(ROOT / 'gunicorn.conf.py')!r}).read())\ndel post_worker_init\n",
                               encoding="utf-8")
    paths = cold_paths(forum_id, scenario_list.DEPARTMENT)
    notes = []
    for label, extra_args in (("without warm-up", ("-c", str(unwarmed_config))), ("warmed (post_worker_init)", ())):
        server = servers.Gunicorn("cold", "wsgi:app", port, dict(server_env(args, redis_url, port, 1),
                                                                  FORUMS_PUBLIC_CACHE_SIZE="0"),
                                  run_dir / "cold.log", extra_args=extra_args)
        say(f"New worker, {label}: its first request to each page, then its second…")
        server.start(probe=None)
        try:
            timings, rss_kib = first_requests(server, paths)
        finally:
            server.stop()
        cold_total, warm_total = (sum(timing[index] for timing in timings) for index in (2, 3))
        statuses = {status for _, status, _, _ in timings} - {200}
        notes.append(f"{label}: " + ", ".join(f"`{path}` {cold:.0f} / {warm:.0f}" for path, _, cold, warm in timings)
                     + f"; in all {cold_total:.0f} / {warm_total:.0f} ms; VmRSS before the first request "
                     + (f"{rss_kib / 1024:.0f} MiB" if rss_kib else "unknown")
                     + (f" (statuses other than 200: {sorted(statuses)})" if statuses else ""))
    return ("New worker (one, page cache off, asked once idle after its start), first / second request of each "
            "page in ms, " + "; ".join(notes) + ".")


def rss_text(pid):
    """Return a worker's VmRSS in MiB as text."""
    memory = servers.memory_kib(pid)
    return f"{memory[0] / 1024:.0f} MiB" if memory else "gone"


def git_commit():
    """Return the short commit of the working tree, marked when it has local changes."""
    import subprocess
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        return "?"
    return commit + (" with local changes" if dirty else "")


if __name__ == "__main__":
    sys.exit(main())
