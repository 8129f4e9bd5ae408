"""The national synthesis: every department's result added up, compared, and drafted for the assises.

A department's result is what its synthesis step produced — its figures, its concerns with their
term table, the text of its parts as submitted, its diagnosis items and its proposals — stored by
the web app as JSON (:meth:`DepartmentResult.to_dict`). The nation never reads the departments'
questions again: national figures are sums of the departments' figures, national concerns sums of
their term tables, so that the chain of traces runs national synthesis → departmental synthesis
→ minutes and questions.
"""
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from . import sources as refs
from .concerns import Concern, ConcernReport, Document, combine_reports, find_concerns
from .drafting import (
    ANNEXES, DIAGNOSIS, FIGURES, INSIGHT, ORIGIN_LABELS, PART_TITLES, PROPOSALS, Draft, Part,
    concern_lines, diagnosis_items, diagnosis_section, figures_markdown, forum_label, paragraph,
    questions_sentence, with_notes,
)
from .figures import Figures, sum_figures
from .records import PROPOSAL_ORIGINS
from .typography import (
    NBSP, agree, capitalize_first, count, format_decimal, format_number, format_percent, guillemets, md_escape,
    md_table,
)

#: Bumped whenever the dictionary form of a DepartmentResult changes.
SCHEMA_VERSION = 1
NATIONAL_CODE = "FR"
#: Concerns listed per region, and per sub-topic in the national document.
REGION_CONCERNS = 5
SUBTOPIC_CONCERNS_IN_DRAFT = 3
#: Recurring proposals listed per sub-topic in the national document.
RECURRING_PROPOSALS = 3


@dataclass(frozen=True)
class ProposalEntry:
    """One proposal as the nation sees it: its department, and its forum already named."""

    id: int
    department_code: str
    forum_id: int | None
    #: "forum du 17 mars 2009 — Arles", or "hors forum".
    forum_label: str
    theme_code: str
    subtopic_code: str | None
    origin: str
    text: str


@dataclass(frozen=True)
class DepartmentResult:
    """What a department's synthesis produced, as the national aggregation reads it."""

    code: str
    name: str
    region_code: str
    region_name: str
    consultation_name: str
    figures: Figures
    concerns: ConcernReport
    #: Part key → Markdown as submitted (edited by the prefecture).
    parts: Mapping[str, str]
    #: The minutes' strengths and weaknesses, one item each.
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    proposals: tuple[ProposalEntry, ...]

    def to_dict(self):
        """Return a JSON-safe dictionary (see :meth:`from_dict`)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "code": self.code, "name": self.name, "region_code": self.region_code, "region_name": self.region_name,
            "consultation_name": self.consultation_name,
            "figures": self.figures.to_dict(), "concerns": self.concerns.to_dict(), "parts": dict(self.parts),
            "strengths": list(self.strengths), "weaknesses": list(self.weaknesses),
            "proposals": [vars(entry).copy() for entry in self.proposals],
        }

    @classmethod
    def from_dict(cls, data):
        """Return the DepartmentResult written by :meth:`to_dict`."""
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"department result of schema version {data.get('schema_version')!r}, "
                             f"expected {SCHEMA_VERSION}")
        return cls(
            code=data["code"], name=data["name"], region_code=data["region_code"], region_name=data["region_name"],
            consultation_name=data["consultation_name"],
            figures=Figures.from_dict(data["figures"]), concerns=ConcernReport.from_dict(data["concerns"]),
            parts=MappingProxyType(dict(data["parts"])),
            strengths=tuple(data["strengths"]), weaknesses=tuple(data["weaknesses"]),
            proposals=tuple(ProposalEntry(**entry) for entry in data["proposals"]),
        )


def department_result(department, figures, concerns, parts):
    """Return the DepartmentResult of a department: its input, Figures, ConcernReport and parts' text.

    ``parts`` maps part keys (INSIGHT, DIAGNOSIS, PROPOSALS…) to the Markdown the prefecture submitted.
    The figures and concerns lose their source lists (question and forum ids): they stay with the
    department's own synthesis, which the nation cites as a whole (``[Département 13]``). The
    term table keeps the terms the department mentions in several texts (see
    :meth:`ConcernReport.for_aggregation`), so that a hundred departments' results stay light to
    store and quick to add up.
    """
    strengths, weaknesses = diagnosis_items(department)
    forums = {forum.id: forum for forum in department.forums}
    return DepartmentResult(
        code=department.department_code, name=department.department_name,
        region_code=department.region_code, region_name=department.region_name,
        consultation_name=department.consultation_name,
        figures=figures.without_sources(), concerns=concerns.for_aggregation(), parts=MappingProxyType(dict(parts)),
        strengths=tuple(text for _, text in strengths), weaknesses=tuple(text for _, text in weaknesses),
        proposals=tuple(
            ProposalEntry(p.id, p.department_code, p.forum_id,
                          forum_label(forums[p.forum_id]) if p.forum_id is not None else "hors forum",
                          p.theme_code, p.subtopic_code, p.origin, p.text)
            for p in sorted(department.proposals, key=lambda p: p.id)
        ),
    )


@dataclass(frozen=True)
class RankedTopic:
    """A theme or sub-topic in the national ranking, by questions published."""

    code: str
    title: str
    received: int
    published: int
    proposals: int


@dataclass(frozen=True)
class RegionSummary:
    """A region: its departments' figures added up and its most recurring concerns."""

    code: str
    name: str
    department_codes: tuple[str, ...]
    figures: Figures
    concerns: tuple[Concern, ...]


@dataclass(frozen=True)
class DepartmentRow:
    """One row of the departments compared."""

    code: str
    name: str
    region_code: str
    forums_planned: int
    forums_held: int
    coverage_percentage: float | None
    attendance: int
    questions_received: int
    questions_published: int
    questions_answered: int
    proposals: int
    minutes_missing: int
    #: The label of the department's most recurring concern ("" without any).
    top_concern: str


@dataclass(frozen=True)
class CatalogueEntry:
    """One proposal of the national catalogue, with where it comes from."""

    proposal: ProposalEntry
    department_name: str
    region_code: str
    region_name: str


@dataclass(frozen=True)
class CatalogueSelection:
    """The proposals matching a filter, and their counts by theme, sub-topic, origin and region."""

    entries: tuple[CatalogueEntry, ...]
    #: Facet ("theme", "subtopic", "origin", "region") → value → number of entries.
    counts: Mapping[str, Mapping[str, int]]


@dataclass(frozen=True)
class ProposalCatalogue:
    """Every proposal of every department, in the consultation's order, to filter and count."""

    entries: tuple[CatalogueEntry, ...]

    def select(self, theme=None, subtopic=None, origin=None, region=None):
        """Return the CatalogueSelection of the entries matching every filter given (None: any)."""
        entries = tuple(
            entry for entry in self.entries
            if (theme is None or entry.proposal.theme_code == theme)
            and (subtopic is None or entry.proposal.subtopic_code == subtopic)
            and (origin is None or entry.proposal.origin == origin)
            and (region is None or entry.region_code == region)
        )
        facets = {"theme": Counter(), "subtopic": Counter(), "origin": Counter(), "region": Counter()}
        for entry in entries:
            facets["theme"][entry.proposal.theme_code] += 1
            if entry.proposal.subtopic_code is not None:
                facets["subtopic"][entry.proposal.subtopic_code] += 1
            facets["origin"][entry.proposal.origin] += 1
            facets["region"][entry.region_code] += 1
        return CatalogueSelection(entries, MappingProxyType({
            facet: MappingProxyType(dict(sorted(counter.items()))) for facet, counter in facets.items()
        }))


@dataclass(frozen=True)
class NationalAggregate:
    """Every department's result added up: figures, rankings, concerns, proposals, comparison."""

    consultation_name: str
    departments: tuple[DepartmentResult, ...]
    figures: Figures
    regions: tuple[RegionSummary, ...]
    theme_ranking: tuple[RankedTopic, ...]
    subtopic_ranking: tuple[RankedTopic, ...]
    concerns: ConcernReport
    catalogue: ProposalCatalogue
    comparison: tuple[DepartmentRow, ...]


def _ranking(items, counts_of, proposals_of):
    ranked = [RankedTopic(code, title, counts_of(code).received.value, counts_of(code).published.value,
                          proposals_of(code).value) for code, title in items]
    return tuple(sorted(ranked, key=lambda topic: (-topic.published, -topic.received, -topic.proposals)))


def aggregate_national(department_results):
    """Return the NationalAggregate of DepartmentResults (or their dictionaries, as stored)."""
    departments = tuple(sorted(
        (result if isinstance(result, DepartmentResult) else DepartmentResult.from_dict(result)
         for result in department_results),
        key=lambda result: result.code,
    ))
    if len({result.code for result in departments}) != len(departments):
        raise ValueError("a department appears twice in the national aggregation")
    figures = sum_figures([result.figures for result in departments], "national", NATIONAL_CODE, "France")
    concerns = combine_reports([(refs.department(result.code), result.concerns) for result in departments])

    by_region = defaultdict(list)
    for result in departments:
        by_region[result.region_code].append(result)
    regions = tuple(
        RegionSummary(
            code=code, name=members[0].region_name, department_codes=tuple(result.code for result in members),
            figures=sum_figures([result.figures for result in members], "region", code, members[0].region_name),
            concerns=combine_reports([(refs.department(result.code), result.concerns) for result in members],
                                     per_subtopic=0, overall=REGION_CONCERNS).overall,
        )
        for code, members in sorted(by_region.items())
    )

    themes = figures.themes
    subtopics = [(code, title) for code, title, _ in figures.subtopics]
    theme_order = {code: position for position, (code, _) in enumerate(themes)}
    subtopic_order = {code: position for position, (code, _) in enumerate(subtopics)}
    catalogue = ProposalCatalogue(tuple(sorted(
        (CatalogueEntry(entry, result.name, result.region_code, result.region_name)
         for result in departments for entry in result.proposals),
        key=lambda entry: (theme_order.get(entry.proposal.theme_code, len(theme_order)),
                           entry.proposal.subtopic_code is None,
                           subtopic_order.get(entry.proposal.subtopic_code, len(subtopic_order)),
                           entry.proposal.department_code, entry.proposal.id),
    )))

    comparison = tuple(
        DepartmentRow(
            code=result.code, name=result.name, region_code=result.region_code,
            forums_planned=result.figures.forums.planned.value, forums_held=result.figures.forums.held.value,
            coverage_percentage=result.figures.coverage.percentage if result.figures.coverage else None,
            attendance=result.figures.attendance.total.value,
            questions_received=result.figures.questions.total.received.value,
            questions_published=result.figures.questions.total.published.value,
            questions_answered=result.figures.questions.total.answered.value,
            proposals=result.figures.proposals.total.value,
            minutes_missing=result.figures.forums.held_without_minutes.value,
            top_concern=result.concerns.overall[0].label if result.concerns.overall else "",
        )
        for result in departments
    )
    return NationalAggregate(
        consultation_name=departments[0].consultation_name if departments else "",
        departments=departments,
        figures=figures,
        regions=regions,
        theme_ranking=_ranking(themes, figures.questions.by_theme.__getitem__, figures.proposals.by_theme.__getitem__),
        subtopic_ranking=_ranking(subtopics, figures.questions.by_subtopic.__getitem__,
                                  figures.proposals.by_subtopic.__getitem__),
        concerns=concerns,
        catalogue=catalogue,
        comparison=comparison,
    )


# --- The national document ----------------------------------------------------------------------

def _national_insight(aggregate):
    notes = refs.Footnotes("ne")
    figures = aggregate.figures
    departments = aggregate.departments
    blocks = ["### Les forums"]
    held = figures.forums.held
    attendance = figures.attendance
    gathered = (f", réunissant {count(attendance.total.value, 'participant')} d'après les comptes-rendus, "
                f"soit {format_decimal(attendance.average)} en moyenne par forum") if attendance.total.value else ""
    blocks.append(paragraph(
        f"{capitalize_first(count(len(departments), 'département'))} "
        f"{agree(len(departments), 'a transmis sa', 'ont transmis leur')} synthèse. "
        f"{capitalize_first(count(held.value, 'forum'))} {agree(held.value, 's’y est tenu', 's’y sont tenus')}"
        f"{gathered}." + notes.cite([refs.department(code) for code in held.sources], refs.figure("forums/held"))))
    if figures.coverage is not None and figures.coverage.total:
        blocks.append(paragraph(
            f"Les forums annoncés couvrent {format_percent(figures.coverage.percentage)} des cantons et communes "
            f"à couvrir ({format_number(figures.coverage.covered)} sur {format_number(figures.coverage.total)})."
            + notes.cite([refs.figure("forums/planned")])))

    blocks.append("### Les questions des citoyens")
    blocks.append(paragraph(questions_sentence(figures.questions.total, notes)))
    lines = []
    for rank, topic in enumerate(aggregate.theme_ranking, 1):
        lines.append(paragraph(
            f"{rank}. **Thème {topic.code}** {guillemets(md_escape(topic.title))} : "
            f"{count(topic.published, 'question publiée', 'questions publiées')} sur "
            f"{format_number(topic.received)} {agree(topic.received, 'reçue', 'reçues')}, "
            f"{count(topic.proposals, 'proposition')}."
            + notes.cite([refs.figure(f"questions/theme/{topic.code}/published")])))
    blocks.append("\n".join(lines))
    blocks.append("### Les sous-thèmes les plus abordés")
    lines = []
    for rank, topic in enumerate((t for t in aggregate.subtopic_ranking if t.received), 1):
        lines.append(paragraph(
            f"{rank}. {topic.code} {md_escape(topic.title)} : "
            f"{count(topic.published, 'question publiée', 'questions publiées')}, "
            f"{count(topic.proposals, 'proposition')}."
            + notes.cite([refs.figure(f"questions/subtopic/{topic.code}/published")])))
    blocks.append("\n".join(lines) if lines else paragraph("Aucune question n'a été reçue."))

    def describe(concern):
        return (f"{count(concern.documents, 'contribution')}, "
                f"{count(len(concern.sources), 'département')}")

    blocks.append("### Les préoccupations récurrentes à l'échelle nationale")
    if aggregate.concerns.overall:
        blocks.append("\n".join(paragraph(line) for line in concern_lines(aggregate.concerns.overall, notes, describe)))
    else:
        blocks.append(paragraph("Aucune préoccupation ne revient dans plusieurs contributions."))
    titles = {code: title for code, title, _ in aggregate.figures.subtopics}
    for code, ranked in aggregate.concerns.by_subtopic.items():
        blocks.append(f"#### {code} {md_escape(titles.get(code, ''))}".rstrip())
        blocks.append("\n".join(paragraph(line) for line in
                                concern_lines(ranked[:SUBTOPIC_CONCERNS_IN_DRAFT], notes, describe)))

    blocks.append("### Les préoccupations par région")
    lines = []
    for region in aggregate.regions:
        if region.concerns:
            labels = ", ".join(f"{md_escape(concern.label)} ({count(concern.documents, 'contribution')})"
                               for concern in region.concerns)
            lines.append(paragraph(
                f"- **{md_escape(region.name)}** : {labels}."
                + notes.cite([refs.department(code) for code in region.department_codes])))
    blocks.append("\n".join(lines) if lines else paragraph("Aucune région ne présente de préoccupation récurrente."))
    return with_notes(blocks, notes)


def _national_diagnosis(aggregate):
    notes = refs.Footnotes("nd")
    departments = aggregate.departments
    labels = {refs.department(result.code): result.name for result in departments}
    blocks = [paragraph(
        "Ce diagnostic rassemble les constats que plusieurs départements partagent ; le diagnostic propre à "
        "chaque département figure dans sa synthèse."
        + notes.cite([refs.department(result.code) for result in departments]))]
    for title, attribute in (("Points forts", "strengths"), ("Points faibles", "weaknesses")):
        items = [(refs.department(result.code), text) for result in departments for text in getattr(result, attribute)]
        blocks += diagnosis_section(title, items, labels, notes, ("département", "départements"), per_source=False)
    return with_notes(blocks, notes)


def _national_proposals(aggregate):
    notes = refs.Footnotes("np")
    everything = aggregate.catalogue.select()
    total = len(everything.entries)
    if not total:
        return paragraph("Aucune proposition n'a été transmise." + notes.cite([refs.figure("proposals")]))
    origins = ", ".join(f"{ORIGIN_LABELS[origin]} {format_number(everything.counts['origin'].get(origin, 0))}"
                        for origin in PROPOSAL_ORIGINS if everything.counts["origin"].get(origin))
    blocks = [paragraph(
        f"Les départements ont transmis {count(total, 'proposition')}." + notes.cite([refs.figure("proposals")])
        + f" Origine : {origins}."
        + notes.cite([refs.figure(f"proposals/origin/{origin}") for origin in PROPOSAL_ORIGINS
                      if everything.counts["origin"].get(origin)]))]
    blocks.append(paragraph(
        "Pour chaque sous-thème, les idées qui reviennent dans plusieurs propositions sont présentées "
        "ci-dessous, avec le nombre de départements qui les portent ; le catalogue complet des "
        "propositions, filtrable par thème, sous-thème, origine et région, les recense toutes."))
    # Proposals without a sub-topic are grouped under their theme's code ("1"), which no sub-topic has.
    documents = [Document(refs.proposal(entry.proposal.id), entry.proposal.subtopic_code or entry.proposal.theme_code,
                          entry.proposal.text)
                 for entry in everything.entries]
    recurring = find_concerns(documents, per_subtopic=RECURRING_PROPOSALS, overall=0)
    department_of = {refs.proposal(entry.proposal.id): entry.proposal.department_code for entry in everything.entries}
    titles = {code: title for code, title, _ in aggregate.figures.subtopics}

    def describe(concern):
        departments = {department_of[source] for source in concern.sources}
        return f"{count(concern.documents, 'proposition')}, {count(len(departments), 'département')}"

    for theme_code, theme_title in aggregate.figures.themes:
        in_theme = aggregate.catalogue.select(theme=theme_code).entries
        if not in_theme:
            continue
        blocks.append(f"### Thème {theme_code} — {md_escape(theme_title)}")
        blocks.append(paragraph(f"{capitalize_first(count(len(in_theme), 'proposition'))}."
                                + notes.cite([refs.figure(f"proposals/theme/{theme_code}")])))
        groups = [code for code, _, theme in aggregate.figures.subtopics if theme == theme_code] + [theme_code]
        for code in groups:
            number = sum(1 for entry in in_theme if (entry.proposal.subtopic_code or entry.proposal.theme_code) == code)
            if not number:
                continue
            blocks.append(f"#### {code} {md_escape(titles[code])}" if code in titles
                          else "#### Propositions générales sur le thème")
            ranked = recurring.by_subtopic.get(code, ())
            summary = refs.figure(f"proposals/subtopic/{code}" if code in titles else f"proposals/theme/{code}")
            if not ranked:
                blocks.append(paragraph(f"{capitalize_first(count(number, 'proposition'))} ; aucune idée n'y revient "
                                        "dans plusieurs propositions." + notes.cite([summary])))
                continue
            blocks.append(paragraph(f"{capitalize_first(count(number, 'proposition'))} ; idées récurrentes :"
                                    + notes.cite([summary])))
            blocks.append("\n".join(paragraph(line) for line in
                                    concern_lines(ranked, notes, describe, summary=lambda _, ref=summary: ref)))
    return with_notes(blocks, notes)


def _national_figures(aggregate):
    notes = refs.Footnotes("nc")
    blocks = figures_markdown(aggregate.figures, notes, extra_rows=(
        ("Départements ayant transmis leur synthèse", format_number(len(aggregate.departments))),))
    blocks.append(paragraph("**Régions**" + notes.cite([refs.department(r.code) for r in aggregate.departments])))
    rows = [(md_escape(region.name), format_number(len(region.department_codes)),
             format_number(region.figures.forums.held.value), format_number(region.figures.attendance.total.value),
             format_number(region.figures.questions.total.received.value),
             format_number(region.figures.questions.total.published.value),
             format_number(region.figures.proposals.total.value))
            for region in aggregate.regions]
    blocks.append(md_table(["Région", "Départements", "Forums tenus", "Participants", "Questions reçues",
                            "Questions publiées", "Propositions"], rows, ["l"] + ["r"] * 6))
    blocks.append(paragraph("**Départements comparés**"
                            + notes.cite([refs.department(row.code) for row in aggregate.comparison])))
    rows = [(f"{row.code} {md_escape(row.name)}", format_number(row.forums_held),
             format_percent(row.coverage_percentage) if row.coverage_percentage is not None else "—",
             format_number(row.attendance), format_number(row.questions_received),
             format_number(row.questions_published), format_number(row.proposals),
             md_escape(row.top_concern) or "—")
            for row in aggregate.comparison]
    blocks.append(md_table(["Département", "Forums tenus", "Couverture", "Participants", "Questions reçues",
                            "Questions publiées", "Propositions", "Première préoccupation"], rows,
                           ["l", "r", "r", "r", "r", "r", "r", "l"]))
    return with_notes(blocks, notes)


def _national_annexes(aggregate):
    notes = refs.Footnotes("na")
    lines = [paragraph(f"{number}. Synthèse départementale — {md_escape(result.name)} ({result.code})"
                       + notes.cite([refs.department(result.code)]))
             for number, result in enumerate(aggregate.departments, 1)]
    return with_notes(["\n".join(lines)] if lines else [paragraph("Aucune synthèse départementale n'a été transmise.")],
                      notes)


def draft_national_synthesis(aggregate):
    """Return the Draft of the national synthesis for the assises: the same three parts, figures, annexes.

    Its annexes are the departmental syntheses; ``Draft.annexes`` stays empty (no forum minutes).
    """
    return Draft(
        title="Synthèse nationale — Assises de la sécurité intérieure",
        subtitle=paragraph(
            f"Consultation {guillemets(aggregate.consultation_name)} — "
            f"{count(len(aggregate.departments), 'synthèse départementale', 'synthèses départementales')}"),
        parts=(
            Part(INSIGHT, PART_TITLES[INSIGHT], _national_insight(aggregate)),
            Part(DIAGNOSIS, PART_TITLES[DIAGNOSIS], _national_diagnosis(aggregate)),
            Part(PROPOSALS, PART_TITLES[PROPOSALS], _national_proposals(aggregate)),
        ),
        figures=Part(FIGURES, "La consultation en chiffres", _national_figures(aggregate)),
        annexes=(),
        annexes_part=Part(ANNEXES, f"Annexes{NBSP}: synthèses départementales", _national_annexes(aggregate)),
    )
