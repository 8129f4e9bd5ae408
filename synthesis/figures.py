"""The figures of a synthesis: forums, coverage, attendance, questions and proposals, each with its sources.

What counts, decided once here:

- a forum is *planned* once announced: published, postponed or held (drafts are not announced,
  cancelled forums will not take place); *held*, *cancelled* are its status; *with minutes* and
  *with signed document* look at the latest version of the minutes of held forums;
- *received* questions are every question a citizen submitted, whatever its moderation outcome
  (pending, published, rejected, merged into a duplicate): it measures participation; then
  *published*, *rejected*, *pending*, *merged* split them by status; *answered* (written answer
  from the prefecture) and *taken up* (at a forum) are counted whatever the status, as recorded;
- attendance adds the minutes of held forums; its average is per forum whose minutes are in,
  since a forum without minutes has no known attendance;
- proposals count once each; by sub-topic only those tagged with one, so the sub-topics of a
  theme may add up to less than the theme.

Every count keeps its sources: ids of the forums, questions or proposals counted in a
department; codes of the departments counted in a national or regional sum. A figure has a path
("questions/theme/1/published") so that a sentence can cite it (``[Chiffre …]``, see
:mod:`synthesis.sources`) and the web app can list what it counts.
"""
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .coverage import COUNTING_STATUSES
from .records import ATTENDANCE_CATEGORIES, PROPOSAL_ORIGINS

#: Bumped whenever the dictionary form changes; from_dict refuses any other version.
SCHEMA_VERSION = 1

FORUM_MEASURES = ("planned", "held", "cancelled", "with_minutes", "with_signed_document", "held_without_minutes")
QUESTION_MEASURES = ("received", "pending", "published", "rejected", "merged", "answered", "taken_up")


@dataclass(frozen=True)
class Count:
    """A number and what it counts: record ids in a department, department codes in a sum."""

    value: int
    sources: tuple = ()


def _count(ids):
    ids = sorted(set(ids))
    return Count(len(ids), tuple(ids))


def _frozen(mapping):
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class ForumFigures:
    """How many forums were planned, held, cancelled, and how many have their minutes."""

    planned: Count
    held: Count
    cancelled: Count
    with_minutes: Count
    with_signed_document: Count
    #: Held forums whose minutes are missing: the synthesis cannot be submitted while there are any.
    held_without_minutes: Count


@dataclass(frozen=True)
class CoverageFigures:
    """How many cantons (or communes) the planned forums cover."""

    #: "canton", "commune", or "mixte" in a sum of departments of both kinds.
    unit_kind: str
    covered: int
    total: int

    @property
    def percentage(self):
        """Return the share of units covered, 0 to 100, with one decimal."""
        return round(100 * self.covered / self.total, 1) if self.total else 0.0


@dataclass(frozen=True)
class AttendanceFigures:
    """Attendance from the minutes: per category, in all, and the forums whose minutes report it."""

    by_category: Mapping[str, Count]
    total: Count
    forums_reporting: Count

    @property
    def average(self):
        """Return the average attendance per forum with minutes, with one decimal (0.0 without any)."""
        reporting = self.forums_reporting.value
        return round(self.total.value / reporting, 1) if reporting else 0.0


@dataclass(frozen=True)
class QuestionCounts:
    """The questions of one scope (all, one theme, one sub-topic) by outcome."""

    received: Count
    pending: Count
    published: Count
    rejected: Count
    merged: Count
    answered: Count
    taken_up: Count


@dataclass(frozen=True)
class QuestionFigures:
    """Questions in all, by theme and by sub-topic (every theme and sub-topic listed, zeros included)."""

    total: QuestionCounts
    by_theme: Mapping[str, QuestionCounts]
    by_subtopic: Mapping[str, QuestionCounts]


@dataclass(frozen=True)
class ProposalFigures:
    """Proposals in all, by theme, by sub-topic (those tagged with one) and by origin."""

    total: Count
    by_theme: Mapping[str, Count]
    by_subtopic: Mapping[str, Count]
    by_origin: Mapping[str, Count]


@dataclass(frozen=True)
class Figures:
    """The figures of one department, or of a sum of departments (a region, the nation)."""

    #: "department", "region" or "national".
    scope: str
    #: Department or region code; "FR" nationally.
    code: str
    name: str
    #: (code, title) of each theme, in the consultation's order.
    themes: tuple[tuple[str, str], ...]
    #: (code, title, theme code) of each sub-topic, in the consultation's order.
    subtopics: tuple[tuple[str, str, str], ...]
    forums: ForumFigures
    coverage: CoverageFigures | None
    attendance: AttendanceFigures
    questions: QuestionFigures
    proposals: ProposalFigures

    def count(self, path):
        """Return the Count at ``path``, e.g. "forums/held", "questions/subtopic/1.B.1/published",
        "attendance/public", "proposals/origin/elu". Raise KeyError for an unknown path."""
        head, _, rest = path.partition("/")
        parts = rest.split("/") if rest else []
        try:
            if head == "forums" and len(parts) == 1 and parts[0] in FORUM_MEASURES:
                return getattr(self.forums, parts[0])
            if head == "attendance" and len(parts) == 1:
                if parts[0] == "total":
                    return self.attendance.total
                if parts[0] == "forums_reporting":
                    return self.attendance.forums_reporting
                return self.attendance.by_category[parts[0]]
            if head == "questions":
                if len(parts) == 1:
                    counts, measure = self.questions.total, parts[0]
                elif len(parts) == 3 and parts[0] in ("theme", "subtopic"):
                    group = self.questions.by_theme if parts[0] == "theme" else self.questions.by_subtopic
                    counts, measure = group[parts[1]], parts[2]
                else:
                    raise KeyError(path)
                if measure not in QUESTION_MEASURES:
                    raise KeyError(path)
                return getattr(counts, measure)
            if head == "proposals":
                if not parts:
                    return self.proposals.total
                if len(parts) == 2 and parts[0] in ("theme", "subtopic", "origin"):
                    return getattr(self.proposals, "by_" + parts[0])[parts[1]]
        except KeyError:
            pass
        raise KeyError(path)

    def without_sources(self):
        """Return the same figures with every source list left out: what a national sum needs."""
        return Figures.from_dict(self.to_dict(sources=False))

    def to_dict(self, sources=True):
        """Return a JSON-safe dictionary; ``sources=False`` leaves the source lists out (lighter)."""
        def count(value):
            return {"value": value.value, "sources": list(value.sources)} if sources else {"value": value.value}

        def question_counts(counts):
            return {measure: count(getattr(counts, measure)) for measure in QUESTION_MEASURES}

        return {
            "schema_version": SCHEMA_VERSION,
            "scope": self.scope,
            "code": self.code,
            "name": self.name,
            "themes": [list(theme) for theme in self.themes],
            "subtopics": [list(subtopic) for subtopic in self.subtopics],
            "forums": {measure: count(getattr(self.forums, measure)) for measure in FORUM_MEASURES},
            "coverage": None if self.coverage is None else {
                "unit_kind": self.coverage.unit_kind, "covered": self.coverage.covered,
                "total": self.coverage.total, "percentage": self.coverage.percentage,
            },
            "attendance": {
                "by_category": {key: count(value) for key, value in self.attendance.by_category.items()},
                "total": count(self.attendance.total),
                "forums_reporting": count(self.attendance.forums_reporting),
                "average": self.attendance.average,
            },
            "questions": {
                "total": question_counts(self.questions.total),
                "by_theme": {key: question_counts(value) for key, value in self.questions.by_theme.items()},
                "by_subtopic": {key: question_counts(value) for key, value in self.questions.by_subtopic.items()},
            },
            "proposals": {
                "total": count(self.proposals.total),
                **{f"by_{group}": {key: count(value) for key, value in getattr(self.proposals, f"by_{group}").items()}
                   for group in ("theme", "subtopic", "origin")},
            },
        }

    @classmethod
    def from_dict(cls, data):
        """Return the Figures written by :meth:`to_dict` (derived values such as percentages are recomputed)."""
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"figures of schema version {data.get('schema_version')!r}, "
                             f"expected {SCHEMA_VERSION}")

        def count(value):
            return Count(value["value"], tuple(value.get("sources", ())))

        def question_counts(counts):
            return QuestionCounts(*(count(counts[measure]) for measure in QUESTION_MEASURES))

        def counts(mapping, build=count):
            return _frozen((key, build(value)) for key, value in mapping.items())

        coverage = data["coverage"]
        attendance, questions, proposals = data["attendance"], data["questions"], data["proposals"]
        return cls(
            scope=data["scope"],
            code=data["code"],
            name=data["name"],
            themes=tuple(tuple(theme) for theme in data["themes"]),
            subtopics=tuple(tuple(subtopic) for subtopic in data["subtopics"]),
            forums=ForumFigures(*(count(data["forums"][measure]) for measure in FORUM_MEASURES)),
            coverage=None if coverage is None else CoverageFigures(
                coverage["unit_kind"], coverage["covered"], coverage["total"]),
            attendance=AttendanceFigures(
                counts(attendance["by_category"]), count(attendance["total"]),
                count(attendance["forums_reporting"])),
            questions=QuestionFigures(
                question_counts(questions["total"]),
                counts(questions["by_theme"], question_counts),
                counts(questions["by_subtopic"], question_counts)),
            proposals=ProposalFigures(
                count(proposals["total"]), counts(proposals["by_theme"]),
                counts(proposals["by_subtopic"]), counts(proposals["by_origin"])),
        )


def _question_counts(questions):
    ids = {measure: [] for measure in QUESTION_MEASURES}
    for question in questions:
        ids["received"].append(question.id)
        ids[question.status].append(question.id)
        if question.answered:
            ids["answered"].append(question.id)
        if question.addressed_forum_id is not None:
            ids["taken_up"].append(question.id)
    return QuestionCounts(*(_count(ids[measure]) for measure in QUESTION_MEASURES))


def department_figures(department):
    """Return the Figures of a department from its DepartmentInput."""
    forums = department.forums
    minutes = department.current_minutes()
    held = [forum.id for forum in forums if forum.status == "held"]
    forum_figures = ForumFigures(
        planned=_count(forum.id for forum in forums if forum.status in COUNTING_STATUSES),
        held=_count(held),
        cancelled=_count(forum.id for forum in forums if forum.status == "cancelled"),
        with_minutes=_count(minutes),
        with_signed_document=_count(forum_id for forum_id, record in minutes.items() if record.has_signed_document),
        held_without_minutes=_count(forum_id for forum_id in held if forum_id not in minutes),
    )

    coverage = department.coverage
    coverage_figures = None if coverage is None else CoverageFigures(
        coverage.unit_kind, coverage.covered_count, coverage.total)

    attendance = AttendanceFigures(
        by_category=_frozen(
            (category, Count(sum(record.attendance[category] for record in minutes.values()),
                             tuple(forum_id for forum_id, record in minutes.items() if record.attendance[category])))
            for category in ATTENDANCE_CATEGORIES
        ),
        total=Count(sum(record.total_attendance for record in minutes.values()),
                    tuple(forum_id for forum_id, record in minutes.items() if record.total_attendance)),
        forums_reporting=_count(minutes),
    )

    by_theme = {code: [] for code, _ in department.themes}
    by_subtopic = {subtopic.code: [] for subtopic in department.subtopics}
    for question in department.questions:
        by_theme[question.theme_code].append(question)
        by_subtopic[question.subtopic_code].append(question)
    question_figures = QuestionFigures(
        total=_question_counts(department.questions),
        by_theme=_frozen((code, _question_counts(items)) for code, items in by_theme.items()),
        by_subtopic=_frozen((code, _question_counts(items)) for code, items in by_subtopic.items()),
    )

    proposals = department.proposals
    proposal_figures = ProposalFigures(
        total=_count(proposal.id for proposal in proposals),
        by_theme=_frozen((code, _count(p.id for p in proposals if p.theme_code == code))
                         for code, _ in department.themes),
        by_subtopic=_frozen((subtopic.code, _count(p.id for p in proposals if p.subtopic_code == subtopic.code))
                            for subtopic in department.subtopics),
        by_origin=_frozen((origin, _count(p.id for p in proposals if p.origin == origin))
                          for origin in PROPOSAL_ORIGINS),
    )

    return Figures(
        scope="department",
        code=department.department_code,
        name=department.department_name,
        themes=department.themes,
        subtopics=tuple((s.code, s.title, s.theme_code) for s in department.subtopics),
        forums=forum_figures,
        coverage=coverage_figures,
        attendance=attendance,
        questions=question_figures,
        proposals=proposal_figures,
    )


#: The counts of a theme or sub-topic a department's figures do not list (another consultation's).
_NO_QUESTIONS = QuestionCounts(*(Count(0) for _ in QUESTION_MEASURES))


def _summed(parts, value):
    """Return the Count summing ``value(part)`` over ``parts``; its sources are the parts that count."""
    total = 0
    sources = []
    for part in parts:
        number = value(part).value
        total += number
        if number:
            sources.append(part.code)
    return Count(total, tuple(sorted(sources)))


def _union_order(pairs_per_part):
    """Return the keys of several ordered key lists, in first-seen order (the consultation's order)."""
    seen = {}
    for pairs in pairs_per_part:
        for pair in pairs:
            seen.setdefault(pair[0], pair)
    return tuple(seen.values())


def sum_figures(parts, scope, code, name):
    """Return the Figures of a region or of the nation: every count is the sum of the parts' counts.

    The sources of each count become the codes of the parts (departments) that contribute to it;
    coverage adds the units covered and the units to cover of the parts that have a coverage.
    """
    parts = sorted(parts, key=lambda part: part.code)
    themes = _union_order(part.themes for part in parts)
    subtopics = _union_order(part.subtopics for part in parts)

    def summed(value):
        return _summed(parts, value)

    def question_counts(select):
        return QuestionCounts(*(summed(lambda part, m=measure: getattr(select(part), m))
                                for measure in QUESTION_MEASURES))

    with_coverage = [part.coverage for part in parts if part.coverage is not None]
    kinds = sorted({coverage.unit_kind for coverage in with_coverage})
    coverage = None if not with_coverage else CoverageFigures(
        kinds[0] if len(kinds) == 1 else "mixte",
        sum(c.covered for c in with_coverage), sum(c.total for c in with_coverage))

    empty = Count(0)
    return Figures(
        scope=scope,
        code=code,
        name=name,
        themes=themes,
        subtopics=subtopics,
        forums=ForumFigures(*(summed(lambda part, m=measure: getattr(part.forums, m)) for measure in FORUM_MEASURES)),
        coverage=coverage,
        attendance=AttendanceFigures(
            by_category=_frozen(
                (category, summed(lambda part, c=category: part.attendance.by_category.get(c, empty)))
                for category in ATTENDANCE_CATEGORIES),
            total=summed(lambda part: part.attendance.total),
            forums_reporting=summed(lambda part: part.attendance.forums_reporting),
        ),
        questions=QuestionFigures(
            total=question_counts(lambda part: part.questions.total),
            by_theme=_frozen(
                (theme_code, question_counts(lambda part, t=theme_code: part.questions.by_theme.get(t, _NO_QUESTIONS)))
                for theme_code, _ in themes),
            by_subtopic=_frozen(
                (code, question_counts(lambda part, s=code: part.questions.by_subtopic.get(s, _NO_QUESTIONS)))
                for code, _, _ in subtopics),
        ),
        proposals=ProposalFigures(
            total=summed(lambda part: part.proposals.total),
            by_theme=_frozen((theme_code, summed(lambda part, t=theme_code: part.proposals.by_theme.get(t, empty)))
                             for theme_code, _ in themes),
            by_subtopic=_frozen((s[0], summed(lambda part, c=s[0]: part.proposals.by_subtopic.get(c, empty)))
                                for s in subtopics),
            by_origin=_frozen((origin, summed(lambda part, o=origin: part.proposals.by_origin.get(o, empty)))
                              for origin in PROPOSAL_ORIGINS),
        ),
    )
