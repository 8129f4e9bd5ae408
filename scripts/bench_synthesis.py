"""Benchmark the departmental and national syntheses on a seeded database; print the timings.

Usage: .venv/bin/python scripts/bench_synthesis.py [--database-url URL] [--department 13]
       [--consultation bench] [--profile]

The database must hold a bench consultation (``flask bench seed``, one million questions and
3,000 minutes by default); without --database-url the app's configured database is used. Steps:

1. loading one department's input (forums.services.synthesis_inputs.department_input) and
   compiling it (compile_department: figures, recurring concerns, draft), for the department with
   the most questions, the median one, and --department if given;
2. submitting every department's synthesis as a prefecture does: prepare_draft, then
   submit_synthesis, which stores the result the nation reads (figures, concerns, proposals);
3. the national aggregation (national_aggregate) over the submitted results, and its draft;
4. what an agent waits for on the pages: a draft's page when nothing changed (the one query that
   tells whether its data changed, department_stamp) and when a question was just published
   (recomputing the department's content), for the largest department; preparing the national
   synthesis (prepare_national), and its page when nothing changed (national_stamp).

Step 2 replaces the bench consultation's syntheses (and nothing else). Wall-clock time is shown
with the process's CPU time, which the database server's work does not include. --profile prints
where the time goes (cProfile) in the largest department's compilation and the national step.
"""
import argparse
import cProfile
import pstats
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, func, select  # noqa: E402

from forums import create_app  # noqa: E402
from forums.extensions import db  # noqa: E402
from forums.models import (  # noqa: E402
    Agent, Consultation, Department, DepartmentSynthesis, NationalSynthesis, Question, QuestionStatus, Role,
    SynthesisAnnex,
)
from forums.services.bench_seed import DEFAULT_SLUG  # noqa: E402
from forums.services.national_synthesis import (  # noqa: E402
    national_aggregate, national_stamp, prepare_national, refreshed_national,
)
from forums.services.syntheses import prepare_draft, refreshed_generated, reopen_synthesis, submit_synthesis  # noqa: E402
from forums.services.synthesis_content import department_stamp  # noqa: E402
from forums.services.synthesis_inputs import compile_department, department_input  # noqa: E402
from forums.timeutils import PARIS  # noqa: E402
from synthesis.national import draft_national_synthesis  # noqa: E402

#: The agent the bench submits syntheses as; it cannot log in (no usable password).
BENCH_AGENT = "banc-essai@bench.invalid"


class Timer:
    """Wall-clock and CPU seconds of a block: ``with Timer() as timer: ...; timer.wall, timer.cpu``."""

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu

    def __str__(self):
        return f"{self.wall:8.3f} s ({self.cpu:7.3f} s CPU)"


def profiled(function, *args):
    """Run ``function(*args)`` under cProfile, print the 15 heaviest calls, return its result."""
    profiler = cProfile.Profile()
    result = profiler.runcall(function, *args)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(15)
    stats.sort_stats("tottime").print_stats(10)
    return result


def question_counts(consultation):
    """Return [(department code, questions)], most questions first."""
    rows = db.session.execute(
        select(Question.department_code, func.count()).where(Question.consultation_id == consultation.id)
        .group_by(Question.department_code).order_by(func.count().desc(), Question.department_code)
    ).all()
    return [(code, count) for code, count in rows]


def measure_department(consultation, code, count, profile):
    """Print the input loading and compilation times of one department."""
    with Timer() as loading:
        department = department_input(consultation, code)
    with Timer() as compiling:
        compiled = profiled(compile_department, consultation, code) if profile else \
            compile_department(consultation, code)
    db.session.rollback()
    top = ", ".join(concern.label for concern in compiled.concerns.overall[:3]) or "—"
    print(f"  {code:<4} {count:>7} questions, {len(department.minutes):>3} minutes: "
          f"input {loading}, compile_department {compiling}; top concerns: {top}")
    return compiling.wall


def bench_agent():
    """Return the ministry agent the syntheses are submitted as, created on first use."""
    agent = db.session.scalar(select(Agent).where(Agent.email == BENCH_AGENT))
    if agent is None:
        agent = Agent(email=BENCH_AGENT, full_name="Banc d'essai", role=Role.MINISTRY, password_hash="!")
        db.session.add(agent)
        db.session.commit()
    return agent


def submit_all(consultation, codes):
    """Prepare and submit every department's synthesis, committing each; return the per-department times."""
    db.session.execute(delete(NationalSynthesis).where(NationalSynthesis.consultation_id == consultation.id))
    syntheses = select(DepartmentSynthesis.id).where(DepartmentSynthesis.consultation_id == consultation.id)
    db.session.execute(delete(SynthesisAnnex).where(SynthesisAnnex.synthesis_id.in_(syntheses.scalar_subquery())))
    db.session.execute(delete(DepartmentSynthesis).where(DepartmentSynthesis.consultation_id == consultation.id))
    db.session.commit()
    agent = bench_agent()
    # On the deadline day: on time.
    now = datetime.combine(consultation.synthesis_due_on, datetime.min.time().replace(hour=12), tzinfo=PARIS)
    prepare, submit = [], []
    for code in codes:
        with Timer() as preparing:
            synthesis = prepare_draft(consultation, code, agent, now=now)
        with Timer() as submitting:
            # The bench leaves some forums published, not held: the transmission is early, with its reason.
            submit_synthesis(synthesis, agent, now=now, early_reason="Banc d'essai : forums restants reportés.")
            db.session.commit()
        prepare.append(preparing.wall)
        submit.append(submitting.wall)
    return prepare, submit


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="the seeded database (default: the app's configuration)")
    parser.add_argument("--department", help="a department to measure besides the largest and the median")
    parser.add_argument("--consultation", default=DEFAULT_SLUG, help="slug of the bench consultation")
    parser.add_argument("--profile", action="store_true", help="print cProfile statistics of the heavy steps")
    args = parser.parse_args()
    settings = {"DATABASE_URL": args.database_url} if args.database_url else None
    app = create_app(settings)
    if app.config["ENV"] == "production":
        raise SystemExit("refused: the bench replaces syntheses, never run it in production")
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == args.consultation))
        if consultation is None:
            raise SystemExit(f"no consultation {args.consultation!r}: run `flask bench seed` first")
        counts = question_counts(consultation)
        codes = db.session.scalars(select(Department.code).order_by(Department.code)).all()
        by_code = dict(counts)
        total = sum(by_code.values())
        print(f"database: {db.engine.url.get_backend_name()}, consultation {consultation.slug}: "
              f"{len(codes)} departments, {total} questions")

        print("1. one department: input loading, then compile_department (input + figures + concerns + draft)")
        largest = counts[0][0]
        median = counts[len(counts) // 2][0]
        extra = [args.department] if args.department not in (None, largest, median) else []
        measured = [largest, median, *extra]
        for index, code in enumerate(measured):
            measure_department(consultation, code, by_code.get(code, 0), args.profile and index == 0)

        print("2. every department: prepare_draft, then submit_synthesis (stores the submitted result)")
        with Timer() as submitting:
            prepare, submit = submit_all(consultation, codes)
        print(f"  {len(codes)} departments {submitting}; per department: prepare_draft median "
              f"{statistics.median(prepare):.3f} s, max {max(prepare):.3f} s; submit_synthesis median "
              f"{statistics.median(submit):.3f} s, max {max(submit):.3f} s")
        stored = db.session.scalars(select(func.length(func.cast(DepartmentSynthesis.submitted_result, db.Text)))
                                    .where(DepartmentSynthesis.consultation_id == consultation.id)).all()
        print(f"  stored results: {sum(stored) / 1024 / 1024:.1f} MiB, {max(stored) / 1024:.0f} KiB the largest")

        print("3. nation: national_aggregate over the submitted results, then the national draft")
        with Timer() as aggregating:
            aggregate = profiled(national_aggregate, consultation) if args.profile else \
                national_aggregate(consultation)
        with Timer() as drafting:
            draft = draft_national_synthesis(aggregate)
        characters = sum(len(draft.part_markdown(part.key)) for part in draft.parts)
        print(f"  national_aggregate {aggregating}; draft_national_synthesis {drafting}; "
              f"{characters} characters of Markdown")

        print(f"4. pages: the largest department ({largest}) and the nation")
        agent = bench_agent()
        synthesis = db.session.scalar(select(DepartmentSynthesis).where(
            DepartmentSynthesis.consultation_id == consultation.id, DepartmentSynthesis.department_code == largest))
        reopen_synthesis(synthesis, "Banc d'essai : mesurer un projet.", agent)
        db.session.commit()
        refreshed_generated(synthesis)
        db.session.commit()
        with Timer() as stamping:
            department_stamp(consultation, largest)
        pending = db.session.scalar(select(Question).where(
            Question.consultation_id == consultation.id, Question.department_code == largest,
            Question.status == QuestionStatus.PENDING).limit(1))
        pending.status = QuestionStatus.PUBLISHED
        db.session.commit()
        with Timer() as recomputing:
            refreshed_generated(synthesis)
            db.session.commit()
        print(f"  draft page, nothing changed (department_stamp) {stamping}; after a question is published "
              f"(recomputed) {recomputing}")
        db.session.execute(delete(NationalSynthesis).where(NationalSynthesis.consultation_id == consultation.id))
        submit_synthesis(synthesis, agent, early_reason="Banc d'essai : forums restants reportés.")
        db.session.commit()
        with Timer() as preparing:
            national = prepare_national(consultation, agent)
            db.session.commit()
        with Timer() as checking:
            national_stamp(consultation)
        assert not refreshed_national(national)[1]
        print(f"  prepare_national {preparing}; national page, nothing changed (national_stamp) {checking}")


if __name__ == "__main__":
    main()
