"""Coverage math: grouping, cancellations, postponements and departments without cantons."""
import subprocess
import sys

import pytest

from synthesis.coverage import ForumCover, Unit, compute_coverage

CANTONS = [
    Unit("1301", "Aix-en-Provence-1", ("131",)),
    Unit("1302", "Aix-en-Provence-2", ("131",)),
    Unit("1305", "Berre-l'Étang", ("131", "132")),
    Unit("1306", "Arles", ("132",)),
]


def test_nothing_published_covers_nothing():
    coverage = compute_coverage(CANTONS, [ForumCover(1, "draft", ("1301", "1302"))])

    assert coverage.covered == ()
    assert coverage.percentage == 0.0
    assert not coverage.is_complete
    # A canton touching two arrondissements is listed under both.
    assert [(code, [u.code for u in units]) for code, units in coverage.uncovered_by_arrondissement] == [
        ("131", ["1301", "1302", "1305"]), ("132", ["1305", "1306"]),
    ]


def test_a_grouped_forum_covers_every_canton_it_names():
    coverage = compute_coverage(CANTONS, [ForumCover(1, "published", ("1301", "1302", "1305"))])

    assert [u.code for u in coverage.covered] == ["1301", "1302", "1305"]
    assert coverage.percentage == 75.0
    assert [(code, [u.code for u in units]) for code, units in coverage.uncovered_by_arrondissement] == [
        ("132", ["1306"]),
    ]


@pytest.mark.parametrize("status, counts", [("published", True), ("postponed", True), ("held", True),
                                            ("cancelled", False), ("draft", False)])
def test_which_statuses_count(status, counts):
    coverage = compute_coverage(CANTONS, [ForumCover(1, status, ("1306",))])
    assert (coverage.covered_count == 1) is counts


def test_cancelled_forum_does_not_hide_another_forum_on_the_same_canton():
    forums = [ForumCover(1, "cancelled", ("1306",)), ForumCover(2, "postponed", ("1306",))]
    assert compute_coverage(CANTONS, forums).covered_count == 1


def test_full_coverage():
    forums = [ForumCover(1, "held", ("1301", "1302")), ForumCover(2, "published", ("1305", "1306"))]
    coverage = compute_coverage(CANTONS, forums)

    assert coverage.is_complete
    assert coverage.percentage == 100.0
    assert coverage.uncovered_by_arrondissement == ()
    assert coverage.uncovered_count == 0


def test_codes_outside_the_department_are_ignored():
    coverage = compute_coverage(CANTONS, [ForumCover(1, "published", ("7501", "1301"))])
    assert [u.code for u in coverage.covered] == ["1301"]


def test_department_without_cantons_is_covered_by_commune():
    communes = [Unit("97209", "Fort-de-France", ("9721",)), Unit("97213", "Le Lamentin", ("9721",)),
                Unit("97229", "Schœlcher", ("9721",))]
    coverage = compute_coverage(communes, [ForumCover(1, "published", ("97209",))], unit_kind="commune")

    assert coverage.unit_kind == "commune"
    assert coverage.percentage == 33.3
    assert [u.code for u in coverage.uncovered_by_arrondissement[0][1]] == ["97213", "97229"]


def test_units_without_arrondissement_are_grouped_last():
    units = [Unit("97601", "Acoua"), Unit("1301", "Aix-en-Provence-1", ("131",))]
    coverage = compute_coverage(units, [])
    assert [code for code, _ in coverage.uncovered_by_arrondissement] == ["131", None]


def test_empty_department():
    coverage = compute_coverage([], [])
    assert (coverage.total, coverage.percentage, coverage.is_complete) == (0, 0.0, False)


def test_synthesis_imports_neither_flask_nor_sqlalchemy():
    # A fresh interpreter: this test process has long imported Flask for the other tests.
    code = (
        "import sys, synthesis, synthesis.coverage; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'forums')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
