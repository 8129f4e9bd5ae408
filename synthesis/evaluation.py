"""Measure a recurring-concerns engine against a labelled corpus: how an analyst would have grouped it.

The corpus (``tests/synthesis/data/concerns_corpus.jsonl``) holds citizens' questions, each with the
sub-topic the citizen chose, its text, and the concern an analyst reads in it — or "bruit"
(greetings, tests, off-topic) or "isolee" (a real question nobody else asks). It is split by id
parity: odd ids to tune the engine, even ids held out to measure it.

Figures, for the questions of one half run through :func:`synthesis.concerns.find_concerns`:

- **ARI** (adjusted Rand index) and **V-measure** of the engine's grouping against the analyst's:
  every question is in the overall concern holding it, or alone; noise and isolated questions are
  each alone in the analyst's grouping.
- **coverage**: share of the questions of a real concern that the engine puts in some concern.
- **redundant pairs**: pairs of listed concerns (in one sub-topic, or overall) sharing more than
  half the sources of the smaller one.
- **bad labels**: labels made only of function, time or subject words, or equal to their
  sub-topic's title; and the share of one-word labels.
- **noise leakage**: share of the questions inside concerns that are noise.
"""
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from . import sources as refs
from .concerns import Document, find_concerns, signature_groups
from .french import strip_accents
from .meaning import IGNORED, SUBJECT_WORDS, TIME_WORDS, WORD

NOISE = "bruit"
ISOLATED = "isolee"


@dataclass(frozen=True)
class Labelled:
    """One question of the labelled corpus."""

    id: int
    subtopic_code: str
    text: str
    concern: str
    stance: str = ""

    @property
    def reference(self):
        """Return the question reference it is analysed under."""
        return f"00-{self.id:06d}"


def _concern(name):
    """Return the analyst's concern in this module's terms: the fresh corpus writes noise "noise" and a
    question nobody else asks "single-…"."""
    if name == "noise":
        return NOISE
    return ISOLATED if name.startswith("single-") else name


def load_corpus(path):
    """Return the Labelled questions of a JSON-lines file."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            rows.append(Labelled(data["id"], data["subtopic"], data["text"], _concern(data["concern"]),
                                 data.get("stance", "")))
    return rows


def halves(rows):
    """Return (tuning, held-out) halves: odd ids, even ids."""
    return [row for row in rows if row.id % 2], [row for row in rows if not row.id % 2]


def _comb2(number):
    return number * (number - 1) / 2


def adjusted_rand_index(truth, found):
    """Return the adjusted Rand index of two labellings of the same items (1 identical, ~0 chance)."""
    pairs = Counter(zip(truth, found))
    index = sum(_comb2(n) for n in pairs.values())
    rows = sum(_comb2(n) for n in Counter(truth).values())
    columns = sum(_comb2(n) for n in Counter(found).values())
    total = _comb2(len(truth))
    expected = rows * columns / total if total else 0.0
    maximum = (rows + columns) / 2
    return 1.0 if maximum == expected else (index - expected) / (maximum - expected)


def _entropy(counts, total):
    return -sum(n / total * math.log(n / total) for n in counts if n)


def v_measure(truth, found):
    """Return the V-measure (harmonic mean of homogeneity and completeness) of two labellings."""
    total = len(truth)
    joint = Counter(zip(truth, found))
    truth_counts, found_counts = Counter(truth), Counter(found)
    h_truth, h_found = _entropy(truth_counts.values(), total), _entropy(found_counts.values(), total)
    h_truth_given = -sum(n / total * math.log(n / found_counts[f]) for (_, f), n in joint.items())
    h_found_given = -sum(n / total * math.log(n / truth_counts[t]) for (t, _), n in joint.items())
    homogeneity = 1.0 if not h_truth else 1 - h_truth_given / h_truth
    completeness = 1.0 if not h_found else 1 - h_found_given / h_found
    return 0.0 if not homogeneity + completeness else 2 * homogeneity * completeness / (homogeneity + completeness)


def _alone(row):
    return f"_{row.id}"


def _truth(rows):
    return [_alone(row) if row.concern in (NOISE, ISOLATED) else row.concern for row in rows]


@dataclass(frozen=True)
class Scores:
    """The figures of one grouping of one half (see the module docstring)."""

    questions: int
    concerns: int
    ari: float
    v_measure: float
    coverage: float
    redundant_pairs: int
    bad_labels: int
    one_word_labels: float
    noise_leakage: float


def score_grouping(rows, groups, listed=(), titles=None):
    """Return the Scores of ``groups`` (group id or None per row, in order) on ``rows``.

    ``listed`` are the label lists to check, as (sub-topic code or None, [(label, set of
    references)]); ``titles`` maps sub-topic codes to titles.
    """
    found = [group if group is not None else _alone(row) for row, group in zip(rows, groups)]
    real = [row.concern not in (NOISE, ISOLATED) for row in rows]
    inside = [group is not None for group in groups]
    noise_inside = sum(1 for row, flag in zip(rows, inside) if flag and row.concern == NOISE)
    redundant = bad = words = labels = 0
    for code, concerns in listed:
        for position, (label, members) in enumerate(concerns):
            labels += 1
            bad += not sane_label(label, (titles or {}).get(code))
            words += len(WORD.findall(label)) == 1
            for _, others in concerns[position + 1:]:
                if len(members & others) * 2 > min(len(members), len(others)):
                    redundant += 1
    return Scores(
        questions=len(rows), concerns=len({group for group in groups if group is not None}),
        ari=adjusted_rand_index(_truth(rows), found), v_measure=v_measure(_truth(rows), found),
        coverage=sum(flag for flag, is_real in zip(inside, real) if is_real) / max(1, sum(real)),
        redundant_pairs=redundant, bad_labels=bad, one_word_labels=words / max(1, labels),
        noise_leakage=noise_inside / max(1, sum(inside)),
    )


def sane_label(label, title=None):
    """Tell whether a label names something: not only function, time or subject words, not the title."""
    terms = [strip_accents(word.casefold()) for word in WORD.findall(label)]
    meaningful = [term for term in terms if term not in IGNORED and term not in TIME_WORDS and len(term) > 2]
    if not meaningful or all(term in SUBJECT_WORDS for term in meaningful):
        return False
    folded = "".join(terms)
    return title is None or folded != "".join(strip_accents(word.casefold()) for word in WORD.findall(title))


def evaluate_engine(rows, titles, **options):
    """Return the Scores of :func:`find_concerns` on ``rows``, every concern listed."""
    documents = [Document(refs.question(row.reference), row.subtopic_code, row.text) for row in rows]
    report = find_concerns(documents, per_subtopic=1000, overall=100_000, subtopic_titles=titles, **options)
    group_of = {}
    for concern in report.overall:
        for source in concern.sources:
            group_of[source.key] = concern.key
    listed = [(None, [(c.label, {s.key for s in c.sources}) for c in report.overall])]
    listed += [(code, [(c.label, {s.key for s in c.sources}) for c in ranked]) for code, ranked in
               report.by_subtopic.items()]
    return score_grouping(rows, [group_of.get(row.reference) for row in rows], listed, titles), report


def evaluate_combination(rows, titles, parts=3):
    """Return the Scores of concerns found in ``parts`` pseudo-departments, then combined as the nation does.

    Questions are dealt to the parts in turn; each part's concerns are found on its questions
    alone, and a question belongs to the national group its part's concern joins.
    """
    found = []
    for part in range(parts):
        _, report = evaluate_engine(rows[part::parts], titles)
        found.extend(report.overall)
    group_of = {}
    for group, positions in enumerate(signature_groups(found)):
        for position in positions:
            for source in found[position].sources:
                group_of[source.key] = group
    return score_grouping(rows, [group_of.get(row.reference) for row in rows])


def evaluate_baseline(rows):
    """Return the Scores of the trivial grouping: one group per sub-topic."""
    return score_grouping(rows, [row.subtopic_code for row in rows])


def gold_sizes(rows):
    """Return {concern: number of questions} of the analyst's grouping, noise and isolated included."""
    sizes = defaultdict(int)
    for row in rows:
        sizes[row.concern] += 1
    return dict(sizes)
