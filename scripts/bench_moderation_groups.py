"""Clear a department's moderation queue by groups on the bench database; print the figures.

Usage: .venv/bin/python scripts/bench_moderation_groups.py --database-url URL [--department 59] [--repeat 5]

On a database seeded with ``flask bench seed`` (bench consultation current), for one department:
the number of pending questions, the time to build the groups page (the page's queries and the
grouping, in process, median and slowest of ``--repeat`` runs), then the whole queue cleared page
by page of groups the way a moderator would (a repeat of a published question merged into it,
repeats published once with the others merged into it, very short texts refused, a question alone
published): the number of groups, that is of decisions, against one decision per question, and the
time taken. Everything is done in one transaction that is rolled back: the database is left as it
was. It asserts nothing: tests pin behaviour, this prints figures.
"""
import argparse
import logging
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forums import create_app  # noqa: E402
from forums.extensions import db  # noqa: E402
from forums.models import RejectionReason  # noqa: E402
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


def milliseconds(seconds):
    return f"{seconds * 1000:,.0f} ms".replace(",", " ")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("FORUMS_DATABASE_URL"))
    parser.add_argument("--department", default="59")
    parser.add_argument("--repeat", type=int, default=5)
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


if __name__ == "__main__":
    main()
