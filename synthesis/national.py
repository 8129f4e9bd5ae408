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
from .document import DIAGNOSIS, INSIGHT, PROPOSALS, Annex, Draft, Part, Section
from .drafting import (
    PART_TITLES, SourceNames, blocks_markdown, concern_lines, diagnosis_blocks, diagnosis_items,
    forum_label, origins_sentence, paragraph, questions_sentence,
)
from .figure_tables import FigureRow, FigureTable, coverage_units, figure_tables
from .figures import Figures, sum_figures
from .typography import (
    NBSP, agree, capitalize_first, count, department_name, format_decimal, format_number, format_percent,
    guillemets, md_escape, of,
)

#: Bumped whenever the dictionary form of a DepartmentResult changes.
SCHEMA_VERSION = 2
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
    #: INSEE's name with its article ("Département des Bouches-du-Rhône"), for sentences.
    full_name: str
    region_code: str
    region_name: str
    consultation_name: str
    figures: Figures
    concerns: ConcernReport
    #: Part key → Markdown as submitted: the generated blocks and the prefecture's own text.
    parts: Mapping[str, str]
    #: The minutes' strengths and weaknesses, one item each.
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    proposals: tuple[ProposalEntry, ...]

    def to_dict(self):
        """Return a JSON-safe dictionary (see :meth:`from_dict`)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "code": self.code, "name": self.name, "full_name": self.full_name,
            "region_code": self.region_code, "region_name": self.region_name,
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
            code=data["code"], name=data["name"], full_name=data["full_name"],
            region_code=data["region_code"], region_name=data["region_name"],
            consultation_name=data["consultation_name"],
            figures=Figures.from_dict(data["figures"]), concerns=ConcernReport.from_dict(data["concerns"]),
            parts=MappingProxyType(dict(data["parts"])),
            strengths=tuple(data["strengths"]), weaknesses=tuple(data["weaknesses"]),
            proposals=tuple(ProposalEntry(**entry) for entry in data["proposals"]),
        )


def department_result(department, figures, concerns, parts):
    """Return the DepartmentResult of a department: its input, Figures, ConcernReport and parts' text.

    ``parts`` maps part keys (INSIGHT, DIAGNOSIS, PROPOSALS) to the Markdown the prefecture submitted.
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
        full_name=department.department_full_name, region_code=department.region_code, region_name=department.region_name,
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

NATIONAL_FIGURES_TITLE = "La consultation en chiffres"
NATIONAL_ANNEXES_TITLE = f"Annexes{NBSP}: synthèses départementales"
REGIONS_TABLE, DEPARTMENTS_TABLE = "regions", "departements"


def _departments_sentence(aggregate):
    number = len(aggregate.departments)
    return (f"{capitalize_first(count(number, 'département'))} "
            f"{agree(number, 'a transmis sa', 'ont transmis leur')} synthèse.")


def _national_forums(aggregate, notes):
    figures = aggregate.figures
    held = figures.forums.held
    attendance = figures.attendance
    gathered = (f", réunissant {count(attendance.total.value, 'participant')} d’après les comptes-rendus"
                + (f", soit {format_decimal(attendance.average)} en moyenne par forum"
                   if attendance.forums_reporting.value > 1 else "")) if attendance.total.value else ""
    blocks = [paragraph(
        _departments_sentence(aggregate) + " "
        + (f"{capitalize_first(count(held.value, 'forum'))} {agree(held.value, 's’y est tenu', 's’y sont tenus')}"
           if held.value else "Aucun forum ne s’y est encore tenu")
        + f"{gathered}." + notes.cite([refs.department(code) for code in held.sources], refs.figure("forums/held")))]
    coverage = figures.coverage
    if coverage is not None and coverage.total:
        singular, plural, _ = coverage_units(coverage.unit_kind)
        blocks.append(paragraph(
            f"Les forums annoncés couvrent {format_percent(coverage.percentage)} des {plural} à couvrir "
            f"({format_number(coverage.covered)} sur {format_number(coverage.total)})."
            + notes.cite([], refs.figure("coverage"))))
    return blocks_markdown(blocks)


def _national_questions(aggregate, notes):
    # Notes are numbered as they are cited: the sentence first, then the ranking.
    sentence = paragraph(questions_sentence(aggregate.figures.questions.total, notes))
    lines = []
    for rank, topic in enumerate(aggregate.theme_ranking, 1):
        lines.append(paragraph(
            f"{rank}. **Thème {topic.code}** {guillemets(md_escape(topic.title))} : "
            f"{count(topic.published, 'question publiée', 'questions publiées', zero='aucune')} sur "
            f"{format_number(topic.received)} {agree(topic.received, 'reçue', 'reçues')}, "
            f"{count(topic.proposals, 'proposition', zero='aucune')}."
            + notes.cite([], refs.figure(f"questions/theme/{topic.code}/published"))))
    return blocks_markdown([sentence, "\n".join(lines)])


def _national_subtopics(aggregate, notes):
    lines = []
    for rank, topic in enumerate((t for t in aggregate.subtopic_ranking if t.received), 1):
        lines.append(paragraph(
            f"{rank}. {topic.code} {md_escape(topic.title)} : "
            f"{count(topic.published, 'question publiée', 'questions publiées', zero='aucune')}, "
            f"{count(topic.proposals, 'proposition', zero='aucune')}."
            + notes.cite([], refs.figure(f"questions/subtopic/{topic.code}/published"))))
    return "\n".join(lines) if lines else paragraph("Aucune question n’a été reçue.")


def _national_concerns(aggregate, notes):
    def describe(concern):
        return f"{count(concern.documents, 'contribution')}, {count(len(concern.sources), 'département')}"

    unit = ("autre département", "autres départements")
    blocks = []
    if aggregate.concerns.overall:
        blocks.append("\n".join(paragraph(line) for line in
                                concern_lines(aggregate.concerns.overall, notes, describe, unit)))
    else:
        blocks.append(paragraph("Aucune préoccupation ne revient dans plusieurs contributions."))
    titles = {code: title for code, title, _ in aggregate.figures.subtopics}
    for code, ranked in aggregate.concerns.by_subtopic.items():
        blocks.append(f"#### {code} {md_escape(titles.get(code, ''))}".rstrip())
        blocks.append("\n".join(paragraph(line) for line in
                                concern_lines(ranked[:SUBTOPIC_CONCERNS_IN_DRAFT], notes, describe, unit)))
    return blocks_markdown(blocks)


def _national_regions(aggregate, notes):
    lines = []
    for region in aggregate.regions:
        if region.concerns:
            labels = ", ".join(f"{md_escape(concern.label)} ({count(concern.documents, 'contribution')})"
                               for concern in region.concerns)
            lines.append(paragraph(
                f"- **{md_escape(region.name)}** : {labels}."
                + notes.cite([refs.department(code) for code in region.department_codes],
                             unit=("autre département", "autres départements"))))
    return "\n".join(lines) if lines else paragraph("Aucune région ne présente de préoccupation récurrente.")


def _national_insight(aggregate, names):
    notes = refs.Footnotes("ne", names)
    sections = (
        Section("insight.forums", "Les forums", _national_forums(aggregate, notes)),
        Section("insight.questions", "Les questions des citoyens", _national_questions(aggregate, notes)),
        Section("insight.subtopics", "Les sous-thèmes les plus abordés", _national_subtopics(aggregate, notes)),
        Section("insight.concerns", "Les préoccupations récurrentes à l’échelle nationale",
                _national_concerns(aggregate, notes)),
        Section("insight.regions", "Les préoccupations par région", _national_regions(aggregate, notes)),
        Section("insight.analysis", "Analyse du ministère", "",
                "La lecture nationale des problématiques dégagées par les départements."),
    )
    return Part(INSIGHT, PART_TITLES[INSIGHT], sections, notes.render())


def _national_diagnosis(aggregate, names):
    notes = refs.Footnotes("nd", names)
    departments = aggregate.departments
    labels = {refs.department(result.code): result.name for result in departments}
    unit = ("département", "départements")
    intro = paragraph(
        "Ce diagnostic rassemble les constats que plusieurs départements partagent ; le diagnostic propre à "
        "chaque département figure dans sa synthèse."
        + notes.cite([refs.department(result.code) for result in departments],
                     unit=("autre département", "autres départements")))
    sections = [Section("diagnosis.sources", "", intro)]
    for key, title, attribute in (("diagnosis.strengths", "Points forts", "strengths"),
                                  ("diagnosis.weaknesses", "Points faibles", "weaknesses")):
        items = [(refs.department(result.code), text) for result in departments for text in getattr(result, attribute)]
        sections.append(Section(key, title, diagnosis_blocks(items, labels, notes, unit, per_source=False)))
    sections.append(Section("diagnosis.analysis", "Appréciation du ministère", "",
                            "Le diagnostic national : forces et faiblesses communes, écarts entre territoires."))
    return Part(DIAGNOSIS, PART_TITLES[DIAGNOSIS], tuple(sections), notes.render())


def _national_proposals(aggregate, names):
    notes = refs.Footnotes("np", names)
    everything = aggregate.catalogue.select()
    total = len(everything.entries)
    sections = []
    if not total:
        sections.append(Section("proposals.summary", "", paragraph(
            "Aucune proposition n’a été transmise." + notes.cite([], refs.figure("proposals")))))
    else:
        sections.append(Section("proposals.summary", "", blocks_markdown([
            paragraph(f"Les départements ont transmis {count(total, 'proposition')}."
                      + notes.cite([], refs.figure("proposals"))
                      + origins_sentence(everything.counts["origin"], notes)),
            paragraph("Pour chaque sous-thème, les idées qui reviennent dans plusieurs propositions sont présentées "
                      "ci-dessous, avec le nombre de départements qui les portent ; le catalogue complet des "
                      "propositions, filtrable par thème, sous-thème, origine et région, les recense toutes."),
        ])))
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
        blocks = [paragraph(f"{capitalize_first(count(len(in_theme), 'proposition', zero='aucune'))}."
                            + notes.cite([], refs.figure(f"proposals/theme/{theme_code}")))]
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
                blocks.append(paragraph(f"{capitalize_first(count(number, 'proposition'))} ; aucune idée n’y revient "
                                        "dans plusieurs propositions." + notes.cite([], summary)))
                continue
            blocks.append(paragraph(f"{capitalize_first(count(number, 'proposition'))} ; idées récurrentes :"
                                    + notes.cite([], summary)))
            blocks.append("\n".join(paragraph(line) for line in concern_lines(
                ranked, notes, describe, ("autre proposition", "autres propositions"))))
        sections.append(Section(f"proposals.theme.{theme_code}", f"Thème {theme_code} — {md_escape(theme_title)}",
                                blocks_markdown(blocks)))
    sections.append(Section("proposals.own", "Orientations du ministère", "",
                            "Les orientations que le ministère retient pour les assises."))
    return Part(PROPOSALS, PART_TITLES[PROPOSALS], tuple(sections), notes.render())


def national_tables(aggregate):
    """Return the FigureTables of the national document: the sums, the regions and the departments compared."""
    tables = figure_tables(aggregate.figures, extra_forum_rows=(
        FigureRow("departments", "Départements ayant transmis leur synthèse",
                  (format_number(len(aggregate.departments)),)),))
    regions = FigureTable(
        REGIONS_TABLE, "Régions",
        ("Région", "Départements", "Forums tenus", "Participants", "Questions reçues", "Questions publiées",
         "Propositions"),
        tuple(FigureRow(region.code, region.name, (
            format_number(len(region.department_codes)), format_number(region.figures.forums.held.value),
            format_number(region.figures.attendance.total.value),
            format_number(region.figures.questions.total.received.value),
            format_number(region.figures.questions.total.published.value),
            format_number(region.figures.proposals.total.value))) for region in aggregate.regions))
    departments = FigureTable(
        DEPARTMENTS_TABLE, "Départements comparés",
        ("Département", "Forums tenus", "Couverture", "Participants", "Questions reçues", "Questions publiées",
         "Propositions", "Première préoccupation"),
        tuple(FigureRow(row.code, f"{row.code} {row.name}", short=row.name, cells=(
            format_number(row.forums_held),
            format_percent(row.coverage_percentage) if row.coverage_percentage is not None else "—",
            format_number(row.attendance), format_number(row.questions_received),
            format_number(row.questions_published), format_number(row.proposals), row.top_concern or "—"))
            for row in aggregate.comparison))
    return (*tables, regions, departments)


def national_names(aggregate, tables):
    """Return the SourceNames of the national document: departments by name, proposals by their forum."""
    names = {result.code: department_name(result.name, result.full_name) for result in aggregate.departments}
    proposals = {}
    for entry in aggregate.catalogue.entries:
        where = names[entry.proposal.department_code]
        proposals[entry.proposal.id] = (f"proposition de la préfecture {where.of}" if entry.proposal.forum_id is None
                                        else f"proposition du {entry.proposal.forum_label} ({where.name})")
    return SourceNames(tables, departments=names, proposal_labels=proposals)


def draft_national_synthesis(aggregate):
    """Return the Draft of the national synthesis for the assises: the same three parts, figures, annexes.

    Its annexes are the departmental syntheses.
    """
    tables = national_tables(aggregate)
    names = national_names(aggregate, tables)
    submitted = count(len(aggregate.departments), "synthèse départementale", "synthèses départementales",
                      zero="aucune")
    return Draft(
        title="Synthèse nationale — Assises de la sécurité intérieure",
        subtitle=paragraph(f"Consultation {guillemets(aggregate.consultation_name)} — établie à partir "
                           f"{of(submitted)}"),
        parts=(
            _national_insight(aggregate, names),
            _national_diagnosis(aggregate, names),
            _national_proposals(aggregate, names),
        ),
        tables=tables,
        annexes=tuple(Annex(refs.department(result.code), f"Synthèse départementale {names.departments[result.code].of}"
                                                          f" ({result.code})")
                      for result in aggregate.departments),
        annexes_title=NATIONAL_ANNEXES_TITLE,
        figures_title=NATIONAL_FIGURES_TITLE,
    )
