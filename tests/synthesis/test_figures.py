"""Exact figures of the hand-built department 13: every number asserted, and where it comes from."""
import json

import pytest

from synthesis.figures import SCHEMA_VERSION, Count, Figures, department_figures
from synthesis.records import DepartmentInput, ForumRecord, MinutesRecord, ProposalRecord

from .fixtures import FIGURE_MINUTES, FORUMS, SUBTOPICS, fixture_department, q


@pytest.fixture(scope="module")
def figures():
    return department_figures(fixture_department())


def values(counts):
    """Return {measure: value} of a QuestionCounts."""
    return {name: getattr(counts, name).value for name in
            ("received", "pending", "published", "rejected", "merged", "answered", "taken_up")}


def test_forums(figures):
    forums = figures.forums
    # Announced: published, postponed or held; the draft (17) and the cancelled forum (15) are not.
    assert forums.planned == Count(5, (11, 12, 13, 14, 16))
    assert forums.held == Count(4, (11, 12, 13, 14))
    assert forums.cancelled == Count(1, (15,))
    assert forums.with_minutes == Count(3, (11, 12, 13))
    # Forum 11's signed document came with version 2 of its minutes.
    assert forums.with_signed_document == Count(2, (11, 13))
    assert forums.held_without_minutes == Count(1, (14,))


def test_coverage(figures):
    # Planned forums cover 1301, 1302, 1304, 1305, 1306 and 1308; 1307 (cancelled) and 1309 (draft) are not.
    assert (figures.coverage.unit_kind, figures.coverage.covered, figures.coverage.total) == ("canton", 6, 8)
    assert figures.coverage.percentage == 75.0


def test_attendance_adds_the_latest_minutes(figures):
    attendance = figures.attendance
    assert {category: count.value for category, count in attendance.by_category.items()} == {
        "public": 125, "elus": 11, "police_nationale": 6, "gendarmerie": 8, "police_municipale": 2, "autres": 5,
    }
    assert attendance.total == Count(157, (11, 12, 13))
    assert attendance.forums_reporting == Count(3, (11, 12, 13))
    assert attendance.average == 52.3
    # Sources of a category: the forums whose minutes count someone in it.
    assert attendance.by_category["police_municipale"].sources == (12,)
    assert attendance.by_category["gendarmerie"].sources == (11, 13)


def test_questions_in_all(figures):
    total = figures.questions.total
    assert values(total) == {"received": 12, "pending": 2, "published": 7, "rejected": 2, "merged": 1,
                             "answered": 3, "taken_up": 2}
    assert total.received.sources == tuple(range(101, 113))
    assert total.published.sources == (101, 102, 103, 104, 108, 109, 110)
    assert total.pending.sources == (105, 111)
    assert total.rejected.sources == (106, 112)
    assert total.merged.sources == (107,)
    assert total.answered.sources == (101, 103, 104)
    assert total.taken_up.sources == (102, 104)


def test_questions_by_theme(figures):
    by_theme = figures.questions.by_theme
    assert list(by_theme) == ["1", "2"]
    assert values(by_theme["1"]) == {"received": 8, "pending": 1, "published": 5, "rejected": 1, "merged": 1,
                                     "answered": 3, "taken_up": 2}
    assert values(by_theme["2"]) == {"received": 4, "pending": 1, "published": 2, "rejected": 1, "merged": 0,
                                     "answered": 0, "taken_up": 0}
    assert by_theme["2"].published.sources == (109, 110)


def test_questions_by_subtopic(figures):
    by_subtopic = figures.questions.by_subtopic
    # Every sub-topic is listed, in the consultation's order, zeros included.
    assert list(by_subtopic) == [subtopic.code for subtopic in SUBTOPICS]
    expected = {
        "1.A.1": (1, 0, 1, 0, 0, 1, 0),
        "1.A.3": (0, 0, 0, 0, 0, 0, 0),
        "1.B.1": (3, 0, 2, 0, 1, 1, 1),
        "1.B.2": (2, 1, 1, 0, 0, 1, 1),
        "1.B.3": (1, 0, 0, 1, 0, 0, 0),
        "1.B.7": (1, 0, 1, 0, 0, 0, 0),
        "2.A.1": (2, 0, 1, 1, 0, 0, 0),
        "2.B.1": (2, 1, 1, 0, 0, 0, 0),
    }
    assert {code: tuple(values(counts).values()) for code, counts in by_subtopic.items()} == expected
    assert by_subtopic["1.B.1"].received.sources == (102, 103, 107)


def test_proposals(figures):
    proposals = figures.proposals
    assert proposals.total == Count(6, (201, 202, 203, 204, 205, 206))
    assert {code: count.value for code, count in proposals.by_theme.items()} == {"1": 4, "2": 2}
    assert proposals.by_theme["1"].sources == (201, 202, 203, 205)
    # Proposal 205 has no sub-topic: counted in its theme only.
    assert {code: count.value for code, count in proposals.by_subtopic.items()} == {
        "1.A.1": 1, "1.A.3": 0, "1.B.1": 1, "1.B.2": 1, "1.B.3": 0, "1.B.7": 0, "2.A.1": 1, "2.B.1": 1,
    }
    assert {origin: count.value for origin, count in proposals.by_origin.items()} == {
        "public": 2, "elu": 2, "association": 1, "forces_de_l_ordre": 1,
    }
    assert proposals.by_origin["public"].sources == (201, 206)


def test_labels_travel_with_the_figures(figures):
    assert figures.themes == (("1", "La sécurité, un devoir vis-à-vis de nos concitoyens"),
                              ("2", "La sécurité, une responsabilité partagée"))
    assert figures.subtopics[0] == ("1.A.1", "Vidéo-protection", "1")
    assert (figures.scope, figures.code, figures.name) == ("department", "13", "Bouches-du-Rhône")


@pytest.mark.parametrize("path, value", [
    ("forums/held", 4), ("forums/held_without_minutes", 1), ("attendance/total", 157), ("attendance/public", 125),
    ("attendance/forums_reporting", 3), ("questions/received", 12), ("questions/theme/1/published", 5),
    ("questions/subtopic/1.B.1/merged", 1), ("proposals", 6), ("proposals/theme/2", 2),
    ("proposals/subtopic/1.A.1", 1), ("proposals/origin/elu", 2),
])
def test_a_figure_is_found_by_its_path(figures, path, value):
    assert figures.count(path).value == value


@pytest.mark.parametrize("path", ["forums", "forums/nope", "questions/theme/9/published", "questions/theme/1",
                                  "questions/subtopic/1.B.1/bogus", "proposals/origin/nobody", "nothing/at/all",
                                  "attendance/bogus"])
def test_an_unknown_path_is_refused(figures, path):
    with pytest.raises(KeyError):
        figures.count(path)


def test_json_round_trip(figures):
    data = json.loads(json.dumps(figures.to_dict()))
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["coverage"]["percentage"] == 75.0 and data["attendance"]["average"] == 52.3
    assert Figures.from_dict(data) == figures


def test_json_without_sources_keeps_the_values(figures):
    light = Figures.from_dict(json.loads(json.dumps(figures.to_dict(sources=False))))
    assert light.questions.total.published == Count(7)
    assert light.forums.held == Count(4)


def test_an_unknown_schema_version_is_refused(figures):
    data = figures.to_dict()
    data["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(ValueError, match="schema version"):
        Figures.from_dict(data)


def test_same_input_same_figures():
    assert department_figures(fixture_department()) == department_figures(fixture_department(
        forums=tuple(reversed(FORUMS)), minutes=tuple(reversed(FIGURE_MINUTES))))


def test_minutes_of_a_forum_no_longer_held_are_ignored():
    minutes = (*FIGURE_MINUTES, MinutesRecord(15, {"public": 1000}, 60))
    figures = department_figures(fixture_department(minutes=minutes))
    assert figures.attendance.total.value == 157
    assert figures.forums.with_minutes.sources == (11, 12, 13)


def test_an_empty_department():
    figures = department_figures(fixture_department(forums=(), questions=(), minutes=(), proposals=(), coverage=None))
    assert figures.forums.planned == Count(0, ())
    assert figures.coverage is None
    assert figures.attendance.average == 0.0
    assert figures.questions.total.received == Count(0, ())
    assert Figures.from_dict(json.loads(json.dumps(figures.to_dict()))) == figures


@pytest.mark.parametrize("change, message", [
    ({"questions": (q(1, "published", "1.A.1", "x", department="84"),)}, "belongs to department 84"),
    ({"questions": (q(1, "published", "9.Z.9", "x"),)}, "sub-topic 9.Z.9"),
    ({"questions": (q(1, "published", "1.A.1", "x", forum=99),)}, "unknown forum 99"),
    ({"questions": (q(1, "published", "1.A.1", "x"), q(1, "pending", "1.A.1", "y"))}, "duplicate question id"),
    ({"minutes": (MinutesRecord(99),)}, "unknown forum 99"),
    ({"proposals": (ProposalRecord(1, None, "13", "2", "1.A.1", "public", "x"),)}, "not one of theme 2"),
])
def test_inconsistent_records_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        fixture_department(**change)


@pytest.mark.parametrize("build, message", [
    (lambda: ForumRecord(1, "13", None, "x", None, "archived"), "forum status"),
    (lambda: q(1, "deleted", "1.A.1", "x"), "question status"),
    (lambda: MinutesRecord(1, {"journalistes": 3}), "attendance category"),
    (lambda: MinutesRecord(1, {"public": -1}), "negative attendance"),
    (lambda: ProposalRecord(1, None, "13", "1", None, "ministre", "x"), "proposal origin"),
])
def test_records_refuse_unknown_values(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_minutes_attendance_is_read_only_and_complete():
    minutes = MinutesRecord(1, {"public": 3})
    assert dict(minutes.attendance) == {"public": 3, "elus": 0, "police_nationale": 0, "gendarmerie": 0,
                                        "police_municipale": 0, "autres": 0}
    with pytest.raises(TypeError):
        minutes.attendance["public"] = 4


def test_input_is_frozen_into_tuples():
    department = DepartmentInput("13", "Bouches-du-Rhône", "93", "PACA", "c", None, list(SUBTOPICS),
                                 forums=list(FORUMS))
    assert isinstance(department.forums, tuple) and isinstance(department.subtopics, tuple)
