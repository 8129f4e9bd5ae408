"""Numbers an agent cites in their own text, and whether the figures they stood for have changed since.

When the prefecture writes « 173 personnes ont participé », the number is its own words: the
engine does not rewrite it. What it can do is remember, when the text is saved, which figures of
the synthesis had that value (:func:`cite_numbers`), and later say which cited numbers no figure
they stood for still has (:func:`outdated_citations`), so that the edit page can flag them.
"""
import re
from dataclasses import dataclass

from .figures import FORUM_MEASURES, QUESTION_MEASURES
from .records import ATTENDANCE_CATEGORIES, PROPOSAL_ORIGINS

#: A number as French writes it: "173", "1 250" (any space or a dot between groups), "66,7".
#: Each branch is bounded and nothing repeats around it: the scan stays linear on any text.
_NUMBER = re.compile(r"(?<![\d,.])(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:,(\d+))?(?![\d])")
#: Longest text read for numbers: longer texts are refused by the parts' own limit first.
MAX_TEXT = 200_000


@dataclass(frozen=True)
class Citation:
    """A number the agent wrote, as written, its value, and the figure paths that had that value then."""

    text: str
    value: float
    paths: tuple[str, ...]

    def to_list(self):
        """Return a JSON-safe list (see :meth:`from_list`)."""
        return [self.text, self.value, list(self.paths)]

    @classmethod
    def from_list(cls, data):
        """Return the Citation written by :meth:`to_list`."""
        text, value, paths = data
        return cls(text, value, tuple(paths))


def figure_values(figures):
    """Return {figure path: value} of every figure a text may cite: counts, coverage, average attendance."""
    values = {}
    for measure in FORUM_MEASURES:
        values[f"forums/{measure}"] = getattr(figures.forums, measure).value
    for category in ATTENDANCE_CATEGORIES:
        values[f"attendance/{category}"] = figures.attendance.by_category[category].value
    values["attendance/total"] = figures.attendance.total.value
    values["attendance/forums_reporting"] = figures.attendance.average
    for measure in QUESTION_MEASURES:
        values[f"questions/{measure}"] = getattr(figures.questions.total, measure).value
        for group, counts in (("theme", figures.questions.by_theme), ("subtopic", figures.questions.by_subtopic)):
            for code, scope in counts.items():
                values[f"questions/{group}/{code}/{measure}"] = getattr(scope, measure).value
    values["proposals"] = figures.proposals.total.value
    for group, counts in (("theme", figures.proposals.by_theme), ("subtopic", figures.proposals.by_subtopic)):
        for code, number in counts.items():
            values[f"proposals/{group}/{code}"] = number.value
    for origin in PROPOSAL_ORIGINS:
        values[f"proposals/origin/{origin}"] = figures.proposals.by_origin[origin].value
    if figures.coverage is not None:
        values["coverage"] = figures.coverage.percentage
        values["coverage/covered"] = figures.coverage.covered
        values["coverage/total"] = figures.coverage.total
    return values


def numbers_in(text):
    """Return (number as written, value) for each distinct number of ``text``, in order."""
    found = {}
    for match in _NUMBER.finditer((text or "")[:MAX_TEXT]):
        whole, fraction = match.group(1), match.group(2)
        digits = re.sub(r"\D", "", whole)
        value = float(f"{digits}.{fraction}") if fraction else float(digits)
        found.setdefault(match.group(0), value)
    return list(found.items())


def cite_numbers(text, values):
    """Return the Citations of ``text``: its numbers that some figure of ``values`` had (see figure_values)."""
    by_value = {}
    for path, value in values.items():
        by_value.setdefault(float(value), []).append(path)
    return tuple(Citation(written, value, tuple(sorted(by_value[value])))
                 for written, value in numbers_in(text) if value in by_value)


@dataclass(frozen=True)
class OutdatedCitation:
    """A cited number no figure it stood for still has: what it was, and each figure's value now."""

    citation: Citation
    #: (figure path, value now) of the figures the number stood for.
    now: tuple[tuple[str, float], ...]


def outdated_citations(citations, values):
    """Return the OutdatedCitations of ``citations`` against the figures' ``values`` now.

    A number stays current while at least one of the figures it matched still has it: « 2 » may
    have matched many figures, and the agent meant one of them.
    """
    outdated = []
    for citation in citations:
        known = [(path, values[path]) for path in citation.paths if path in values]
        if known and all(float(value) != citation.value for _, value in known):
            outdated.append(OutdatedCitation(citation, tuple(known)))
    return outdated
