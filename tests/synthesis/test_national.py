"""National aggregation: the sum of its departments, rankings, concerns, catalogue, and its draft."""
import json
import random
from dataclasses import replace

import pytest

from synthesis import sources
from synthesis.concerns import department_concerns
from synthesis.document import DIAGNOSIS, INSIGHT, PROPOSALS
from synthesis.drafting import draft_department_synthesis
from synthesis.figures import FORUM_MEASURES, QUESTION_MEASURES, department_figures
from synthesis.national import DepartmentResult, aggregate_national, department_result, draft_national_synthesis
from synthesis.records import ATTENDANCE_CATEGORIES, PROPOSAL_ORIGINS

from .fixtures import corpus_department, fixture_department

OCCITANIE = ("76", "Occitanie")


def result_of(department):
    figures = department_figures(department)
    concerns = department_concerns(department)
    draft = draft_department_synthesis(department, figures, concerns)
    return department_result(department, figures, concerns, {part.key: draft.part_markdown(part.key)
                                                              for part in draft.parts})


@pytest.fixture(scope="module")
def results():
    return [
        result_of(fixture_department()),
        result_of(corpus_department(code="84", name="Vaucluse", full_name="Département de Vaucluse")),
        result_of(corpus_department(code="30", name="Gard", region=OCCITANIE, full_name="Département du Gard")),
    ]


@pytest.fixture(scope="module")
def aggregate(results):
    # As the web app stores them: JSON.
    return aggregate_national(json.loads(json.dumps(result.to_dict())) for result in results)


def paths(figures):
    """Return the path of every count of ``figures``."""
    found = [f"forums/{m}" for m in FORUM_MEASURES]
    found += ["attendance/total", "attendance/forums_reporting"] + [f"attendance/{c}" for c in ATTENDANCE_CATEGORIES]
    found += [f"questions/{m}" for m in QUESTION_MEASURES]
    for code, _ in figures.themes:
        found += [f"questions/theme/{code}/{m}" for m in QUESTION_MEASURES] + [f"proposals/theme/{code}"]
    for code, _, _ in figures.subtopics:
        found += [f"questions/subtopic/{code}/{m}" for m in QUESTION_MEASURES] + [f"proposals/subtopic/{code}"]
    return found + ["proposals"] + [f"proposals/origin/{o}" for o in PROPOSAL_ORIGINS]


def test_national_figures_are_the_sum_of_the_departments(results, aggregate):
    national = aggregate.figures
    checked = paths(national)
    assert len(checked) > 100
    for path in checked:
        parts = [result.figures.count(path).value for result in results]
        assert national.count(path).value == sum(parts), path
        # The sources of a national figure are the departments that contribute to it.
        assert national.count(path).sources == tuple(sorted(r.code for r, n in zip(results, parts) if n)), path
    assert national.questions.total.received.value == 12 + 30 + 30
    assert national.forums.held.value == 4 + 1 + 1
    assert (national.coverage.covered, national.coverage.total) == (6, 8)
    assert national.attendance.average == round(317 / 5, 1)
    assert (national.scope, national.code) == ("national", "FR")


def test_regions_are_the_sum_of_their_departments(results, aggregate):
    assert [(r.code, r.name, r.department_codes) for r in aggregate.regions] == [
        ("76", "Occitanie", ("30",)), ("93", "Provence-Alpes-Côte d'Azur", ("13", "84"))]
    paca = aggregate.regions[1]
    for path in paths(paca.figures):
        assert paca.figures.count(path).value == sum(r.figures.count(path).value for r in results
                                                     if r.region_code == "93"), path
    assert paca.concerns and all(c.subtopic_code is None for c in paca.concerns)


def test_national_concerns_add_up_the_departments_concerns(results, aggregate):
    top = {concern.key: concern for concern in aggregate.concerns.overall}
    speeding = top["vitesse-excessive"]
    parts = [concern for r in results for concern in r.concerns.overall if concern.key == "vitesse-excessive"]
    assert len(parts) == 2 and speeding.documents == sum(c.documents for c in parts) + 2
    assert [str(ref) for ref in speeding.sources] == ["[Département 13]", "[Département 30]", "[Département 84]"]
    assert speeding.subtopics == (("1.B.2", speeding.documents),)
    assert aggregate.concerns.documents["1.B.2"] == sum(r.concerns.documents.get("1.B.2", 0) for r in results)


def test_national_quotes_come_from_the_departments_in_turn(results, aggregate):
    concern = next(c for c in aggregate.concerns.by_subtopic["1.B.1"] if c.key == "vacances")
    department_quotes = {quote for r in results for c in r.concerns.by_subtopic.get("1.B.1", ()) for quote in c.quotes}
    assert concern.quotes and set(concern.quotes) <= department_quotes
    # The departments mentioning it most come first; identical words are quoted once.
    assert len({quote.text for quote in concern.quotes}) == len(concern.quotes)
    assert [quote.source.key for quote in concern.quotes][:2] == ["30-000009", "11"]


def test_rankings(aggregate):
    assert [(t.code, t.published, t.received) for t in aggregate.theme_ranking] == [("1", 41, 50), ("2", 18, 22)]
    ranking = aggregate.subtopic_ranking
    assert ranking[0].code == "1.B.1" and ranking[0].published == 10
    assert [t.published for t in ranking] == sorted((t.published for t in ranking), reverse=True)
    assert ranking[-1].code == "1.A.3" and ranking[-1].received == 0


def test_catalogue_filters_and_counts(aggregate):
    everything = aggregate.catalogue.select()
    assert len(everything.entries) == 6
    assert dict(everything.counts["origin"]) == {"association": 1, "elu": 2, "forces_de_l_ordre": 1, "public": 2}
    assert dict(everything.counts["region"]) == {"93": 6}
    elus = aggregate.catalogue.select(theme="1", origin="elu")
    assert [entry.proposal.id for entry in elus.entries] == [202, 203]
    assert dict(elus.counts["subtopic"]) == {"1.A.1": 1, "1.B.2": 1}
    assert elus.entries[0].proposal.forum_label == "forum d’Aix-en-Provence du 17 mars 2009"
    assert aggregate.catalogue.select(region="76").entries == ()
    assert [e.proposal.id for e in aggregate.catalogue.select(subtopic="2.B.1").entries] == [206]
    # In the consultation's order: theme, sub-topic (general ones last), department, id.
    assert [e.proposal.id for e in everything.entries] == [202, 201, 203, 205, 204, 206]


def test_departments_compared(results, aggregate):
    rows = {row.code: row for row in aggregate.comparison}
    assert list(rows) == ["13", "30", "84"]
    assert (rows["13"].forums_held, rows["13"].coverage_percentage, rows["13"].attendance,
            rows["13"].questions_received, rows["13"].proposals, rows["13"].minutes_missing) == (4, 75.0, 157, 12, 6, 1)
    assert rows["30"].coverage_percentage is None
    assert rows["30"].top_concern == next(r for r in results if r.code == "30").concerns.overall[0].label


def test_objects_and_stored_dictionaries_give_the_same_aggregate(results, aggregate):
    direct = aggregate_national(results)
    assert direct.figures == aggregate.figures
    assert direct.concerns == aggregate.concerns
    assert draft_national_synthesis(direct) == draft_national_synthesis(aggregate)


def test_department_result_round_trip(results):
    for result in results:
        assert DepartmentResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    data = results[0].to_dict()
    data["schema_version"] = 99
    with pytest.raises(ValueError, match="schema version"):
        DepartmentResult.from_dict(data)


def test_a_department_counted_twice_is_refused(results):
    with pytest.raises(ValueError, match="twice"):
        aggregate_national([results[0], results[0]])


def national_text(draft, key):
    return draft.part_markdown(key)


def test_the_national_draft(aggregate):
    draft = draft_national_synthesis(aggregate)
    assert [part.key for part in draft.parts] == [INSIGHT, DIAGNOSIS, PROPOSALS]
    insight = national_text(draft, INSIGHT)
    assert "3 départements ont transmis leur synthèse. 6 forums s’y sont tenus" in insight
    assert "Les citoyens ont adressé 72 questions en ligne" in insight
    assert "- **Vacances** (10 contributions, 3 départements)" in insight
    occitanie = aggregate.regions[0].concerns[0]
    assert f"- **Occitanie**\u00a0: {occitanie.label} ({occitanie.documents} contributions)" in insight
    assert "Les départements ont transmis 6 propositions." in national_text(draft, PROPOSALS)
    assert draft.subtitle.endswith("établie à partir de 3 synthèses départementales")
    departments = next(table for table in draft.tables if table.key == "departements")
    assert departments.row("13").cells == ("4", "75,0\u00a0%", "157", "12", "7", "6", "école")
    assert [annex.title for annex in draft.annexes] == [
        "Synthèse départementale des Bouches-du-Rhône (13)", "Synthèse départementale du Gard (30)",
        "Synthèse départementale de Vaucluse (84)"]
    # Every source resolves, and is named in words: departments by name, figures by their row.
    text = "\n".join(national_text(draft, part.key) for part in draft.parts)
    assert "[Synthèse des Bouches-du-Rhône](source:departement/13)" in text
    for ref in sources.linked_refs(text):
        if ref.kind == sources.DEPARTMENT:
            assert ref.key in {"13", "30", "84"}
        elif ref.kind == sources.FIGURE:
            assert ref.key == "coverage" or aggregate.figures.count(ref.key) is not None
        else:
            assert ref.kind in (sources.QUESTION, sources.MINUTES, sources.PROPOSAL), ref


def test_the_national_diagnosis_groups_what_departments_share(results):
    said = {"13": "Bonne réactivité des gendarmes.", "30": "Réactivité saluée.", "84": "Réactivité des patrouilles."}
    shared = [replace(result, strengths=(said[result.code],)) for result in results]
    text = national_text(draft_national_synthesis(aggregate_national(shared)), DIAGNOSIS)
    assert "- **Réactivité** — relevé par 3 départements" in text
    assert "(Bouches-du-Rhône)" in text and "(Gard)" in text


def test_recurring_proposals_across_departments(results):
    extra = [replace(results[1], proposals=tuple(replace(p, department_code="84", id=p.id + 1000)
                                                 for p in results[0].proposals))]
    text = national_text(draft_national_synthesis(aggregate_national([results[0], *extra])), PROPOSALS)
    assert "idées récurrentes" in text
    assert "(2 propositions, 2 départements)" in text


def test_same_departments_in_any_order_same_national_draft(results):
    expected = draft_national_synthesis(aggregate_national(results))
    shuffled = list(results)
    random.Random(7).shuffle(shuffled)
    assert draft_national_synthesis(aggregate_national(shuffled)) == expected


def test_no_department_yet():
    aggregate = aggregate_national([])
    draft = draft_national_synthesis(aggregate)
    assert aggregate.figures.questions.total.received.value == 0
    assert draft.annexes == ()
    assert "Aucune question n’a été adressée en ligne." in national_text(draft, INSIGHT)
