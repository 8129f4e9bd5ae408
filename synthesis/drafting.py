"""The generated side of a departmental synthesis: the three parts the ministry asks for, section by section.

The instruction of 26 February 2009 asks each prefect for a synthesis that (1) sheds local light
on the problems raised, (2) diagnoses strengths and weaknesses, (3) sets out every proposal that
may strengthen the bond of trust between the population and the security forces, with the
minutes of every forum annexed. Each part is made of sections (:mod:`synthesis.document`); the
engine writes each section's block from the figures, the recurring concerns, the minutes and
the proposals, and the prefecture writes its own text after it. Blocks are recomputed with the
figures, so that a sentence never states a number the figures table does not show.

Every sentence that states a fact ends with a footnote naming what it comes from, in words a
reader understands (« question 13-000124 », « compte-rendu du forum d’Arles du 17 mars 2009 »,
« tableau « Forums et couverture », ligne « Forums tenus » »), each a link the web app resolves
(:mod:`synthesis.sources`). Citizens' words and the minutes' text are quoted as written, escaped
so that Markdown cannot turn them into links or HTML; the names of the agents who wrote the
minutes never appear.
"""
import re

from . import sources as refs
from .concerns import MIN_DOCUMENTS, Document, find_concerns
from .document import DIAGNOSIS, INSIGHT, PROPOSALS, Annex, Draft, Part, Section
from .figure_tables import ORIGIN_LABELS, coverage_units, figure_label, figure_tables
from .records import PROPOSAL_ORIGINS
from .typography import (
    NBSP, NNBSP, agree, capitalize_first, count, department_name, format_date, format_date_range, format_decimal,
    format_number, format_percent, guillemets, local_date, md_escape, of, typeset,
)

#: The three parts the instruction requires, with their titles.
PART_TITLES = {
    INSIGHT: "Éclairage de proximité sur les problématiques dégagées",
    DIAGNOSIS: f"Diagnostic{NBSP}: points forts et points faibles",
    PROPOSALS: "Propositions pour renforcer le lien de confiance entre la population et les forces de sécurité",
}
FIGURES_TITLE = "Les forums en chiffres"
ANNEXES_TITLE = f"Annexes{NBSP}: comptes-rendus des forums"
#: How many recurring strengths or weaknesses are grouped before the per-forum list.
DIAGNOSIS_GROUPS = 5
#: How a footnote counts what it leaves out.
QUESTIONS_UNIT = ("autre contribution", "autres contributions")


# --- Helpers shared with the national synthesis -------------------------------------------------

def join_fr(items):
    """Return items joined the French way: "a", "a et b", "a, b et c"."""
    items = [item for item in items if item]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def forum_name(forum):
    """Return how a forum is named, in plain text: "forum d’Arles", or its title when it has no place.

    A title that already says « Forum … » is not doubled into « forum « Forum … » ».
    """
    if forum.place:
        return f"forum {of(forum.place)}"
    title = " ".join((forum.title or "").split())
    if title.casefold().startswith("forum"):
        return "forum" + title[5:]
    return f"forum {guillemets(title)}" if title else f"forum n°{NBSP}{forum.id}"


def forum_label(forum):
    """Return how a forum is named in a synthesis: "forum d’Arles du 17 mars 2009"."""
    name = forum_name(forum)
    if forum.starts_at is None:
        return name
    return f"{name} du {format_date(forum.starts_at, weekday=False)}"


def annex_title(forum):
    """Return the title of a forum's annex: "Compte-rendu du forum d’Arles du 17 mars 2009"."""
    return f"Compte-rendu du {forum_label(forum)}"


def quote_text(text):
    """Return a citizen's or the minutes' words ready for Markdown: typeset, escaped, in « »."""
    return guillemets(md_escape(typeset(text)))


def plain(text):
    """Return free text (a proposal, a strength) typeset and escaped for Markdown."""
    return md_escape(typeset(text))


def paragraph(text):
    """Return a generated sentence or paragraph set in French typography (Markdown kept as is)."""
    return typeset(text)


def concern_lines(concerns, notes, describe=None, unit=QUESTIONS_UNIT):
    """Return Markdown list lines for ranked concerns, each with its quotes and one footnote.

    ``describe(concern)`` returns what follows the label ("4 contributions"); the footnote names
    the quoted sources first, then the others.
    """
    lines = []
    for concern in concerns:
        quoted = [quote.source for quote in concern.quotes]
        others = [source for source in concern.sources if source not in quoted]
        marker = notes.cite(quoted + others, unit=unit)
        what = describe(concern) if describe else count(concern.documents, "contribution")
        line = f"- **{md_escape(capitalize_first(concern.label))}** ({what}){marker}"
        if concern.quotes:
            line += f"{NBSP}: " + f"{NNBSP}; ".join(quote_text(quote.text) for quote in concern.quotes)
        lines.append(line)
    return lines


def blocks_markdown(blocks):
    """Return blocks of Markdown separated by blank lines, the empty ones left out."""
    return "\n\n".join(block for block in blocks if block)


class SourceNames:
    """Name the sources of a document in words: forums by place and date, figures by their table row.

    ``forums`` maps forum ids to ForumRecords, ``proposals`` proposal ids to the forum id they
    come from (None: the prefecture's own) — or ``proposal_labels`` to their words, when the
    forums are not at hand —, ``departments`` department codes to their DepartmentName, and
    ``tables`` are the document's FigureTables.
    """

    def __init__(self, tables, forums=None, proposals=None, departments=None, proposal_labels=None):
        self.tables = tables
        self.forums = forums or {}
        self.proposals = proposals or {}
        self.departments = departments or {}
        self.proposal_labels = proposal_labels or {}

    def __call__(self, ref):
        """Return the words naming ``ref``."""
        if ref.kind == refs.QUESTION:
            return f"question {ref.key}"
        if ref.kind == refs.FIGURE:
            return figure_label(ref.key, self.tables)
        if ref.kind == refs.DEPARTMENT:
            name = self.departments.get(ref.key)
            return f"synthèse {name.of}" if name else f"synthèse du département {ref.key}"
        if ref.kind == refs.PROPOSAL:
            if int(ref.key) in self.proposal_labels:
                return self.proposal_labels[int(ref.key)]
            forum_id = self.proposals.get(int(ref.key))
            if forum_id is None:
                return "proposition de la préfecture"
            return "compte-rendu du " + self._forum(forum_id)
        if ref.kind == refs.MINUTES:
            return "compte-rendu du " + self._forum(int(ref.key))
        if ref.kind == refs.FORUM:
            return self._forum(int(ref.key))
        return "préoccupation récurrente"

    def _forum(self, forum_id):
        forum = self.forums.get(forum_id)
        return forum_label(forum) if forum is not None else f"forum n°{NBSP}{forum_id}"


# --- Part 1: éclairage de proximité ---------------------------------------------------------------

def _forums_section(department, figures, notes):
    where = department_name(department.department_name, department.department_full_name)
    forums = {forum.id: forum for forum in department.forums}
    held = [forums[forum_id] for forum_id in figures.forums.held.sources]
    dated = sorted(forum.starts_at for forum in held if forum.starts_at is not None)
    cite_held = notes.cite([refs.forum(forum.id) for forum in forums_in_order(held)], refs.figure("forums/held"))
    blocks = []
    if not held:
        blocks.append(paragraph(f"Aucun forum ne s’est encore tenu {where.in_}.{cite_held}"))
    else:
        when = f" {format_date_range(dated[0], dated[-1])}" if dated else ""
        verb = "s’est tenu" if len(held) == 1 else "se sont tenus"
        blocks.append(paragraph(
            f"{capitalize_first(where.in_)}, {count(len(held), 'forum')} {verb}{when}.{cite_held}"))
    attendance = figures.attendance
    reporting = attendance.forums_reporting.value
    if reporting:
        public = attendance.by_category["public"].value
        of_public = f", dont {format_number(public)} {agree(public, 'membre', 'membres')} du public" if public else ""
        source = ("Le compte-rendu saisi fait" if reporting == 1
                  else f"Les {format_number(reporting)} comptes-rendus saisis font")
        average = "" if reporting == 1 else f", soit {format_decimal(attendance.average)} en moyenne par forum"
        blocks.append(paragraph(
            f"{source} état de {count(attendance.total.value, 'participant')}{of_public}{average}."
            + notes.cite([refs.minutes(forum_id) for forum_id in attendance.forums_reporting.sources],
                         refs.figure("attendance/total"))))
    others = []
    cancelled = figures.forums.cancelled
    if cancelled.value:
        others.append(f"{count(cancelled.value, 'forum')} {agree(cancelled.value, 'a été annulé', 'ont été annulés')}"
                      + notes.cite([refs.forum(i) for i in cancelled.sources], refs.figure("forums/cancelled")))
    upcoming = forums_in_order(forums[i] for i in set(figures.forums.planned.sources) - set(figures.forums.held.sources))
    if upcoming:
        named = join_fr([md_escape(forum_label(forum)) for forum in upcoming])
        others.append(f"{count(len(upcoming), 'forum')} {agree(len(upcoming), 'reste', 'restent')} à tenir "
                      f"({named})" + notes.cite([refs.forum(forum.id) for forum in upcoming],
                                                refs.figure("forums/planned")))
    if others:
        blocks.append(paragraph(capitalize_first(join_fr(others)) + "."))
    coverage = figures.coverage
    if coverage is not None and coverage.total:
        singular, plural, _ = coverage_units(coverage.unit_kind)
        cite = notes.cite([], refs.figure("coverage"))
        if coverage.covered == coverage.total:
            every = f"le seul {singular}" if coverage.total == 1 else f"les {count(coverage.total, singular, plural)}"
            sentence = f"Les forums annoncés couvrent {every} du département."
        elif not coverage.covered:
            sentence = (f"Aucun forum annoncé ne couvre encore l’un des {count(coverage.total, singular, plural)} "
                        "du département.")
        else:
            sentence = (f"Les forums annoncés couvrent {count(coverage.covered, singular, plural)} sur "
                        f"{format_number(coverage.total)} ({format_percent(coverage.percentage)}).")
        blocks.append(paragraph(sentence + cite))
    return blocks_markdown(blocks)


def _questions_section(department, figures, notes):
    blocks = [paragraph(questions_sentence(figures.questions.total, notes))]
    lines = []
    for code, title in figures.themes:
        counts = figures.questions.by_theme[code]
        received, published = counts.received.value, counts.published.value
        lines.append(paragraph(
            f"- **Thème {code}** {guillemets(md_escape(title))} : {count(received, 'question', zero='aucune')} "
            f"{agree(received, 'reçue', 'reçues')}"
            + (f", dont {format_number(published)} {agree(published, 'publiée', 'publiées')}" if received else "")
            + "." + notes.cite([], refs.figure(f"questions/theme/{code}/received"))))
    blocks.append("\n".join(lines))
    return blocks_markdown(blocks)


def _concerns_section(department, figures, concerns, notes):
    blocks = [paragraph(
        "Les préoccupations ci-dessous reviennent dans plusieurs contributions — questions publiées "
        "et comptes-rendus des forums ; chacune est illustrée par des citations anonymes.")]
    minutes_by_subtopic = _minutes_by_subtopic(department)
    silent = []
    for code, title, _ in figures.subtopics:
        published = figures.questions.by_subtopic[code].published
        forums_here = minutes_by_subtopic.get(code, ())
        if not published.value and not forums_here:
            silent.append((code, title))
            continue
        blocks.append(f"#### {code} {md_escape(title)}")
        said = []
        if published.value:
            said.append(count(published.value, "question publiée", "questions publiées"))
        if forums_here:
            said.append(count(len(forums_here), "compte-rendu de forum", "comptes-rendus de forum"))
        total = published.value + len(forums_here)
        blocks.append(paragraph(
            f"{capitalize_first(join_fr(said))} {agree(total, 'aborde', 'abordent')} ce sous-thème."
            + notes.cite([refs.minutes(i) for i in forums_here], refs.figure(f"questions/subtopic/{code}/published"))))
        ranked = concerns.by_subtopic.get(code, ())
        if ranked:
            blocks.append("\n".join(paragraph(line) for line in concern_lines(ranked, notes)))
        else:
            blocks.append(paragraph(f"Aucune préoccupation n’y revient dans au moins {MIN_DOCUMENTS} contributions."))
    if silent:
        blocks.append(paragraph(
            "Aucune question publiée ni aucun compte-rendu n’aborde les sous-thèmes suivants : "
            + f"{NNBSP}; ".join(md_escape(f"{code} {title}") for code, title in silent) + "."
            + notes.cite([refs.figure(f"questions/subtopic/{code}/published") for code, _ in silent])))
    return blocks_markdown(blocks)


def _overall_section(figures, concerns, notes):
    if not concerns.overall:
        return ""
    titles = {code: title for code, title, _ in figures.subtopics}

    def describe(concern):
        where = [code for code, _ in concern.subtopics[:3]]
        text = count(concern.documents, "contribution")
        if where:
            text += " — " + ", ".join(f"{code} {md_escape(titles.get(code, ''))}".strip() for code in where)
        return text

    return "\n".join(paragraph(line) for line in concern_lines(concerns.overall, notes, describe))


def _insight(department, figures, concerns, names):
    notes = refs.Footnotes("e", names)
    sections = (
        Section("insight.forums", "Les forums", _forums_section(department, figures, notes)),
        Section("insight.questions", "Les questions des citoyens", _questions_section(department, figures, notes)),
        Section("insight.concerns", "Préoccupations récurrentes par sous-thème",
                _concerns_section(department, figures, concerns, notes)),
        Section("insight.overall", "Les préoccupations les plus fréquentes dans le département",
                _overall_section(figures, concerns, notes)),
        Section("insight.analysis", "Éclairage de la préfecture", "",
                "Votre lecture des problématiques dégagées : contexte local, évolutions, ce que les chiffres "
                "ne disent pas."),
    )
    return Part(INSIGHT, PART_TITLES[INSIGHT], sections, notes.render())


def questions_sentence(counts, notes):
    """Return the sentences on questions received and what became of them (shared with the national draft)."""
    received = counts.received.value
    if not received:
        return "Aucune question n’a été adressée en ligne." + notes.cite([], refs.figure("questions/received"))
    outcomes = []
    for measure, singular, plural in (
        ("published", "a été publiée après modération", "ont été publiées après modération"),
        ("rejected", "n’a pas été publiée au regard de la charte", "n’ont pas été publiées au regard de la charte"),
        ("pending", "est en attente de modération", "sont en attente de modération"),
        ("merged", "a été regroupée avec une question identique", "ont été regroupées avec une question identique"),
    ):
        number = getattr(counts, measure).value
        if number:
            outcomes.append(f"{format_number(number)} {agree(number, singular, plural)}")
    text = (f"Les citoyens ont adressé {count(received, 'question')} en ligne : {join_fr(outcomes)}."
            + notes.cite([], refs.figure("questions/received")))
    follow_up = []
    cited = []
    answered, taken_up = counts.answered.value, counts.taken_up.value
    if answered:
        follow_up.append(f"{count(answered, 'question')} {agree(answered, 'a', 'ont')} reçu une réponse écrite "
                         "de la préfecture")
        cited.append(refs.figure("questions/answered"))
    if taken_up:
        follow_up.append(f"{format_number(taken_up)} {agree(taken_up, 'a été reprise', 'ont été reprises')} "
                         "lors d’un forum")
        cited.append(refs.figure("questions/taken_up"))
    if follow_up:
        text += " " + capitalize_first(join_fr(follow_up)) + "." + notes.cite(cited)
    return text


def _minutes_by_subtopic(department):
    found = {}
    for forum_id, minutes in department.current_minutes().items():
        for topic in minutes.topics:
            found.setdefault(topic.subtopic_code, [])
            if forum_id not in found[topic.subtopic_code]:
                found[topic.subtopic_code].append(forum_id)
    return found


# --- Part 2: diagnostic -------------------------------------------------------------------------

_LIST_MARKER = re.compile(r"^\s*(?:[-*•–]|\d+[.)])\s+")


def split_items(text):
    """Return the items of a free-text list: one per line, list markers removed, empty lines dropped."""
    return [_LIST_MARKER.sub("", line).strip() for line in (text or "").splitlines() if line.strip()]


def diagnosis_blocks(items, labels, notes, unit, per_source=True):
    """Return the Markdown of "Points forts" or "Points faibles".

    ``items`` are (SourceRef, text) pairs; ``labels`` names each source in plain text ("forum
    d’Arles du 17 mars 2009", or a department); ``unit`` is (singular, plural) of what a source is.
    First the observations shared by several sources, grouped like recurring concerns, with
    attributed quotes; then, with ``per_source``, every item, source by source.
    """
    if not items:
        return paragraph("Aucun constat n’a été relevé.")
    blocks = []
    by_source = {}
    for source, text in items:
        by_source.setdefault(source, []).append(text)
    documents = [Document(source, "", "\n".join(texts)) for source, texts in by_source.items()]
    shared = [concern for concern in find_concerns(documents, per_subtopic=DIAGNOSIS_GROUPS).by_subtopic.get("", ())
              if len(set(concern.sources)) >= MIN_DOCUMENTS]
    if shared:
        blocks.append(f"#### Constats partagés par plusieurs {unit[1]}")
        lines = []
        for concern in shared:
            marker = notes.cite(list(concern.sources))
            quoted = f"{NNBSP}; ".join(f"{quote_text(quote.text)} ({md_escape(labels[quote.source])})"
                                       for quote in concern.quotes)
            lines.append(paragraph(
                f"- **{md_escape(capitalize_first(concern.label))}** — relevé par "
                f"{count(len(set(concern.sources)), *unit)}{marker} : {quoted}"))
        blocks.append("\n".join(lines))
    elif not per_source:
        blocks.append(paragraph(f"Aucun constat n’est partagé par plusieurs {unit[1]}."))
    if per_source:
        if shared:
            blocks.append(f"#### Constats par {unit[0]}")
        # In the order the items came: the caller sorts them (forums by date, departments by code).
        blocks.append("\n".join(
            paragraph(f"- {md_escape(capitalize_first(labels[source]))} : "
                      + " ".join(plain(text) for text in texts) + notes.cite([source]))
            for source, texts in by_source.items()))
    return blocks_markdown(blocks)


def forums_in_order(forums):
    """Return forums by day in Paris (undated last), then id: the order of annexes and of the diagnosis."""
    return sorted(forums, key=lambda forum: (forum.starts_at is None,
                                             local_date(forum.starts_at) if forum.starts_at else None, forum.id))


def diagnosis_items(department):
    """Return (strengths, weaknesses) of a department: (minutes source, item text) pairs, forums by date."""
    minutes = department.current_minutes()
    strengths, weaknesses = [], []
    for forum in forums_in_order(department.forum(forum_id) for forum_id in minutes):
        record = minutes[forum.id]
        strengths.extend((refs.minutes(forum.id), item) for item in split_items(record.strengths))
        weaknesses.extend((refs.minutes(forum.id), item) for item in split_items(record.weaknesses))
    return strengths, weaknesses


def _diagnosis(department, figures, names):
    notes = refs.Footnotes("d", names)
    minutes = department.current_minutes()
    labels = {refs.minutes(forum_id): forum_label(department.forum(forum_id)) for forum_id in minutes}
    strengths, weaknesses = diagnosis_items(department)
    intro = []
    if not minutes:
        intro.append(paragraph(
            "Aucun compte-rendu de forum n’a encore été saisi : le diagnostic sera établi à partir des "
            "points forts et des points faibles qu’ils relèveront."))
    else:
        intro.append(paragraph(
            "Ce diagnostic reprend les points forts et les points faibles relevés par "
            + ("le compte-rendu du seul forum saisi" if len(minutes) == 1
               else f"les comptes-rendus {of(count(len(minutes), 'forum'))}")
            + "." + notes.cite([refs.minutes(forum_id) for forum_id in minutes], refs.figure("forums/with_minutes"))))
    missing = figures.forums.held_without_minutes
    if missing.value:
        intro.append(paragraph(
            f"{capitalize_first(count(missing.value, 'forum tenu', 'forums tenus'))} "
            f"{agree(missing.value, 'n’a', 'n’ont')} pas encore de compte-rendu : "
            + join_fr([md_escape(forum_label(department.forum(i))) for i in missing.sources]) + "."
            + notes.cite([refs.forum(i) for i in missing.sources], refs.figure("forums/held_without_minutes"))))
    unit = ("forum", "forums")
    sections = (
        Section("diagnosis.sources", "", blocks_markdown(intro)),
        Section("diagnosis.strengths", "Points forts",
                diagnosis_blocks(strengths, labels, notes, unit) if minutes else ""),
        Section("diagnosis.weaknesses", "Points faibles",
                diagnosis_blocks(weaknesses, labels, notes, unit) if minutes else ""),
        Section("diagnosis.analysis", "Appréciation de la préfecture", "",
                "Votre diagnostic : ce qui fonctionne, ce qui doit progresser, au-delà des constats des forums."),
    )
    return Part(DIAGNOSIS, PART_TITLES[DIAGNOSIS], sections, notes.render())


# --- Part 3: propositions -----------------------------------------------------------------------

def _proposal_line(proposal, forum_text, notes):
    """Return the list line of one proposal: its text, origin and forum, and its source."""
    origin = ORIGIN_LABELS[proposal.origin]
    return paragraph(f"- {plain(proposal.text)} — *{origin}, {forum_text}*" + notes.cite([refs.proposal(proposal.id)]))


def origins_sentence(by_origin, notes):
    """Return « Origine : public 2, élus 2… » from {origin: number}, each origin's figure cited."""
    present = [origin for origin in PROPOSAL_ORIGINS if by_origin.get(origin)]
    return (f" Origine : {', '.join(f'{ORIGIN_LABELS[o]} {format_number(by_origin[o])}' for o in present)}."
            + notes.cite([refs.figure(f"proposals/origin/{origin}") for origin in present]))


def _proposals(department, figures, names):
    notes = refs.Footnotes("p", names)
    total = figures.proposals.total
    sections = []
    if not total.value:
        summary = paragraph("Aucune proposition n’a encore été enregistrée."
                            + notes.cite([], refs.figure("proposals")))
    else:
        summary = paragraph(
            f"Les forums ont recueilli {count(total.value, 'proposition')}."
            + notes.cite([], refs.figure("proposals"))
            + origins_sentence({o: figures.proposals.by_origin[o].value for o in PROPOSAL_ORIGINS}, notes))
    sections.append(Section("proposals.summary", "", summary))
    forums = {forum.id: forum for forum in department.forums}
    order = {subtopic.code: position for position, subtopic in enumerate(department.subtopics)}
    origin_order = {origin: position for position, origin in enumerate(PROPOSAL_ORIGINS)}
    titles = {subtopic.code: subtopic.title for subtopic in department.subtopics}

    def forum_text(proposal):
        if proposal.forum_id is None:
            return "hors forum"
        return md_escape(forum_label(forums[proposal.forum_id]))

    for theme_code, theme_title in department.themes:
        in_theme = [p for p in department.proposals if p.theme_code == theme_code]
        blocks = []
        if not in_theme:
            blocks.append(paragraph("Aucune proposition n’a été faite sur ce thème."
                                    + notes.cite([], refs.figure(f"proposals/theme/{theme_code}"))))
        groups = {}
        for proposal in sorted(in_theme, key=lambda p: (p.subtopic_code is None, order.get(p.subtopic_code, 0),
                                                        origin_order[p.origin], p.id)):
            groups.setdefault(proposal.subtopic_code, []).append(proposal)
        for subtopic_code, items in groups.items():
            heading = (f"{subtopic_code} {md_escape(titles[subtopic_code])}" if subtopic_code
                       else "Propositions générales sur le thème")
            blocks.append(f"#### {heading}")
            blocks.append("\n".join(_proposal_line(p, forum_text(p), notes) for p in items))
        sections.append(Section(f"proposals.theme.{theme_code}", f"Thème {theme_code} — {md_escape(theme_title)}",
                                blocks_markdown(blocks)))
    sections.append(Section("proposals.own", "Propositions de la préfecture", "",
                            "Les propositions que la préfecture porte elle-même, au-delà de celles des forums."))
    return Part(PROPOSALS, PART_TITLES[PROPOSALS], tuple(sections), notes.render())


# --- The draft ----------------------------------------------------------------------------------

def department_annexes(department):
    """Return the annexes of a department: the minutes of each held forum, by date."""
    minutes = department.current_minutes()
    held = forums_in_order(forum for forum in department.forums if forum.status == "held")
    return tuple(Annex(refs.minutes(forum.id), annex_title(forum), forum.id in minutes) for forum in held)


def department_names(department, tables):
    """Return the SourceNames of a department's document."""
    return SourceNames(
        tables,
        forums={forum.id: forum for forum in department.forums},
        proposals={proposal.id: proposal.forum_id for proposal in department.proposals},
    )


def draft_department_synthesis(department, figures, concerns):
    """Return the Draft of a department's synthesis from its input, Figures and ConcernReport."""
    tables = figure_tables(figures)
    names = department_names(department, tables)
    where = department_name(department.department_name, department.department_full_name)
    return Draft(
        title=f"Synthèse départementale {where.of} ({department.department_code})",
        subtitle=typeset(f"Consultation {guillemets(department.consultation_name)} — synthèse à transmettre au "
                         f"plus tard le {format_date(department.deadline)}"),
        parts=(
            _insight(department, figures, concerns, names),
            _diagnosis(department, figures, names),
            _proposals(department, figures, names),
        ),
        tables=tables,
        annexes=department_annexes(department),
        annexes_title=ANNEXES_TITLE,
        figures_title=FIGURES_TITLE,
    )
