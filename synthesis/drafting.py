"""The pre-filled draft of a departmental synthesis: the three parts the ministry asks for, in Markdown.

The instruction of 26 February 2009 asks each prefect for a synthesis that (1) sheds local light
on the problems raised, (2) diagnoses strengths and weaknesses, (3) sets out every proposal that
may strengthen the bond of trust between the population and the security forces, with the
minutes of every forum annexed. The draft fills each part from the figures, the recurring
concerns, the minutes and the proposals; the prefecture then edits it.

Every sentence that states a fact ends with a footnote whose traces (:mod:`synthesis.sources`)
name the forums, minutes, questions, proposals, figures or concerns it comes from. Citizens'
words and the minutes' text are quoted as written, escaped so that Markdown cannot turn them into
links or HTML; the names of the agents who wrote the minutes never appear.
"""
import re
from dataclasses import dataclass

from . import sources as refs
from .concerns import MIN_DOCUMENTS, Document, find_concerns
from .records import ATTENDANCE_CATEGORIES, PROPOSAL_ORIGINS
from .typography import (
    NBSP, agree, capitalize_first, count, format_date, format_date_range, format_decimal, format_number,
    format_percent, guillemets, local_date, md_escape, md_table, typeset,
)

INSIGHT = "insight"
DIAGNOSIS = "diagnosis"
PROPOSALS = "proposals"
FIGURES = "figures"
ANNEXES = "annexes"

#: The three parts the instruction requires, in order, with their titles.
PART_TITLES = {
    INSIGHT: "Éclairage de proximité sur les problématiques dégagées",
    DIAGNOSIS: f"Diagnostic{NBSP}: points forts et points faibles",
    PROPOSALS: "Propositions pour renforcer le lien de confiance entre la population et les forces de sécurité",
}
FIGURES_TITLE = "Les forums en chiffres"
ANNEXES_TITLE = f"Annexes{NBSP}: comptes-rendus des forums"

ATTENDANCE_LABELS = {
    "public": "Public", "elus": "Élus", "police_nationale": "Police nationale",
    "gendarmerie": "Gendarmerie nationale", "police_municipale": "Police municipale", "autres": "Autres",
}
ORIGIN_LABELS = {
    "public": "public", "elu": "élus", "association": "associations", "forces_de_l_ordre": "forces de l'ordre",
}
#: How many recurring strengths or weaknesses are grouped before the per-forum list.
DIAGNOSIS_GROUPS = 5


@dataclass(frozen=True)
class Part:
    """One part of a synthesis: its key, its title and its Markdown text (footnotes at the end)."""

    key: str
    title: str
    markdown: str


@dataclass(frozen=True)
class Annex:
    """One annex: the minutes of a held forum (``has_minutes`` False while they are missing)."""

    forum_id: int
    title: str
    has_minutes: bool


@dataclass(frozen=True)
class Draft:
    """A draft synthesis: its title, the three required parts, the figures and the list of annexes."""

    title: str
    subtitle: str
    parts: tuple[Part, ...]
    figures: Part
    annexes: tuple[Annex, ...]
    annexes_part: Part

    def part(self, key):
        """Return the part with ``key`` (INSIGHT, DIAGNOSIS, PROPOSALS, FIGURES or ANNEXES)."""
        for part in (*self.parts, self.figures, self.annexes_part):
            if part.key == key:
                return part
        raise KeyError(key)

    def markdown(self):
        """Return the whole document as one Markdown text: title, the three parts, figures, annexes."""
        sections = [f"# {self.title}", f"*{self.subtitle}*"]
        for number, part in enumerate(self.parts, 1):
            sections.append(f"## {number}. {part.title}\n\n{part.markdown}")
        for part in (self.figures, self.annexes_part):
            sections.append(f"## {part.title}\n\n{part.markdown}")
        return "\n\n".join(sections) + "\n"


# --- Helpers shared with the national synthesis -------------------------------------------------

def join_fr(items):
    """Return items joined the French way: "a", "a et b", "a, b et c"."""
    items = [item for item in items if item]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def forum_label(forum):
    """Return how a forum is named in a synthesis, in plain text: "forum du 17 mars 2009 — Aix-en-Provence"."""
    place = forum.place or forum.title
    if forum.starts_at is None:
        return f"forum {guillemets(place)}"
    return f"forum du {format_date(forum.starts_at, weekday=False)} — {place}"


def annex_title(forum):
    """Return the title of a forum's annex: "Compte-rendu du forum du 17 mars 2009 — Aix-en-Provence"."""
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


def concern_lines(concerns, notes, describe=None, summary=None):
    """Return Markdown list lines for ranked concerns, each with its quotes and one footnote.

    ``describe(concern)`` returns what follows the label ("4 contributions"); the footnote lists
    the quoted sources first, then the others, and when they are many starts with
    ``summary(concern)`` — by default the concern's own trace, which holds them all.
    """
    lines = []
    for concern in concerns:
        quoted = [quote.source for quote in concern.quotes]
        others = [source for source in concern.sources if source not in quoted]
        marker = notes.cite(quoted + others, summary(concern) if summary else concern.ref)
        what = describe(concern) if describe else count(concern.documents, "contribution")
        line = f"- **{md_escape(capitalize_first(concern.label))}** ({what}){marker}"
        if concern.quotes:
            line += f"{NBSP}: " + f"{chr(0x202f)}; ".join(quote_text(quote.text) for quote in concern.quotes)
        lines.append(line)
    return lines


def with_notes(blocks, notes):
    """Return a part's Markdown: its blocks separated by blank lines, then its footnotes."""
    text = "\n\n".join(block for block in blocks if block)
    footnotes = notes.render()
    return f"{text}\n\n{footnotes}" if footnotes else text


# --- Part 1: éclairage de proximité ---------------------------------------------------------------

def _insight(department, figures, concerns):
    notes = refs.Footnotes("e")
    blocks = ["### Les forums"]
    forums = {forum.id: forum for forum in department.forums}
    held = [forums[forum_id] for forum_id in figures.forums.held.sources]
    dated = sorted(forum.starts_at for forum in held if forum.starts_at is not None)
    cite_held = notes.cite([refs.forum(forum.id) for forum in held], refs.figure("forums/held"))
    if not held:
        blocks.append(paragraph(f"Aucun forum ne s'est encore tenu dans le département.{cite_held}"))
    else:
        when = f" {format_date_range(dated[0], dated[-1])}" if dated else ""
        verb = "s'est tenu" if len(held) == 1 else "se sont tenus"
        blocks.append(paragraph(f"Dans le département, {count(len(held), 'forum')} {verb}{when}.{cite_held}"))
    attendance = figures.attendance
    if attendance.forums_reporting.value:
        public = attendance.by_category["public"].value
        of_public = f", dont {format_number(public)} {agree(public, 'membre', 'membres')} du public" if public else ""
        reporting = attendance.forums_reporting.value
        blocks.append(paragraph(
            f"{agree(reporting, 'Le compte-rendu saisi fait', 'Les comptes-rendus saisis font')} état de "
            f"{count(attendance.total.value, 'participant')}{of_public}, soit "
            f"{format_decimal(attendance.average)} en moyenne par forum."
            + notes.cite([refs.minutes(forum_id) for forum_id in attendance.forums_reporting.sources],
                         refs.figure("attendance/total"))))
    others = []
    cancelled = figures.forums.cancelled
    if cancelled.value:
        others.append(f"{count(cancelled.value, 'forum')} {agree(cancelled.value, 'a été annulé', 'ont été annulés')}"
                      + notes.cite([refs.forum(i) for i in cancelled.sources], refs.figure("forums/cancelled")))
    upcoming = sorted(set(figures.forums.planned.sources) - set(figures.forums.held.sources))
    if upcoming:
        others.append(f"{count(len(upcoming), 'forum')} {agree(len(upcoming), 'reste', 'restent')} à tenir"
                      + notes.cite([refs.forum(i) for i in upcoming]))
    if others:
        blocks.append(paragraph(capitalize_first(join_fr(others)) + "."))
    if figures.coverage is not None and figures.coverage.total:
        coverage = figures.coverage
        unit = "canton" if coverage.unit_kind == "canton" else "commune"
        blocks.append(paragraph(
            f"Les forums annoncés couvrent {format_number(coverage.covered)} "
            f"{agree(coverage.covered, unit, unit + 's')} sur {format_number(coverage.total)} "
            f"({format_percent(coverage.percentage)})."
            + notes.cite([refs.forum(i) for i in figures.forums.planned.sources], refs.figure("forums/planned"))))

    blocks.append("### Les questions des citoyens")
    blocks.append(paragraph(questions_sentence(figures.questions.total, notes)))
    theme_lines = []
    for code, title in figures.themes:
        counts = figures.questions.by_theme[code]
        received, published = counts.received.value, counts.published.value
        theme_lines.append(paragraph(
            f"- **Thème {code}** {guillemets(title)} : {count(received, 'question')} "
            f"{agree(received, 'reçue', 'reçues')}, dont {format_number(published)} "
            f"{agree(published, 'publiée', 'publiées')}."
            + notes.cite(_question_refs(department, counts.received.sources),
                         refs.figure(f"questions/theme/{code}/received"))))
    blocks.append("\n".join(theme_lines))

    blocks.append("### Préoccupations récurrentes par sous-thème")
    blocks.append(paragraph(
        "Les préoccupations ci-dessous reviennent dans plusieurs contributions — questions publiées "
        "et comptes-rendus des forums ; chacune est illustrée par des citations anonymes."))
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
            said.append(f"{count(published.value, 'question publiée', 'questions publiées')}")
        if forums_here:
            said.append(count(len(forums_here), "compte-rendu de forum", "comptes-rendus de forum"))
        total = published.value + len(forums_here)
        blocks.append(paragraph(
            f"{capitalize_first(join_fr(said))} {agree(total, 'aborde', 'abordent')} ce sous-thème."
            + notes.cite(_question_refs(department, published.sources) + [refs.minutes(i) for i in forums_here],
                         refs.figure(f"questions/subtopic/{code}/published"))))
        ranked = concerns.by_subtopic.get(code, ())
        concerns_figure = refs.figure(f"questions/subtopic/{code}/published")
        if ranked:
            blocks.append("\n".join(paragraph(line) for line in concern_lines(ranked, notes)))
        else:
            blocks.append(paragraph(f"Aucune préoccupation n'y revient dans au moins {MIN_DOCUMENTS} contributions."
                                    + notes.cite([concerns_figure])))
    if silent:
        blocks.append(paragraph(
            "Aucune question publiée ni aucun compte-rendu n'aborde les sous-thèmes suivants : "
            + "\u202f; ".join(md_escape(f"{code} {title}") for code, title in silent) + "."
            + notes.cite([refs.figure(f"questions/subtopic/{code}/published") for code, _ in silent])))

    if concerns.overall:
        blocks.append("### Les préoccupations les plus fréquentes dans le département")
        titles = {code: title for code, title, _ in figures.subtopics}

        def describe(concern):
            where = [code for code, _ in sorted(concerns.table[concern.key].by_subtopic.items(),
                                                key=lambda item: -item[1][0])][:3]
            return f"{count(concern.documents, 'contribution')} — " + ", ".join(
                f"{code} {md_escape(titles.get(code, ''))}".strip() for code in where)

        blocks.append("\n".join(paragraph(line) for line in concern_lines(concerns.overall, notes, describe)))
    return with_notes(blocks, notes)


def _question_refs(department, ids):
    references = {question.id: question.reference for question in department.questions}
    return [refs.question(references[question_id]) for question_id in ids]


def questions_sentence(counts, notes):
    """Return the sentences on questions received and what became of them (shared with the national draft)."""
    received = counts.received.value
    if not received:
        return "Aucune question n'a été adressée en ligne." + notes.cite([refs.figure("questions/received")])
    outcomes = []
    for measure, singular, plural in (
        ("published", "a été publiée après modération", "ont été publiées après modération"),
        ("rejected", "n'a pas été publiée au regard de la charte", "n'ont pas été publiées au regard de la charte"),
        ("pending", "est en attente de modération", "sont en attente de modération"),
        ("merged", "a été regroupée avec une question identique", "ont été regroupées avec une question identique"),
    ):
        number = getattr(counts, measure).value
        if number:
            outcomes.append(f"{format_number(number)} {agree(number, singular, plural)}")
    text = (f"Les citoyens ont adressé {count(received, 'question')} en ligne : {join_fr(outcomes)}."
            + notes.cite([refs.figure(f"questions/{m}") for m in ("received", "published", "rejected", "pending",
                                                                   "merged") if getattr(counts, m).value]))
    follow_up = []
    cited = []
    answered, taken_up = counts.answered.value, counts.taken_up.value
    if answered:
        follow_up.append(f"{count(answered, 'question')} {agree(answered, 'a', 'ont')} reçu une réponse écrite "
                         "de la préfecture")
        cited.append(refs.figure("questions/answered"))
    if taken_up:
        follow_up.append(f"{format_number(taken_up)} {agree(taken_up, 'a été reprise', 'ont été reprises')} "
                         "lors d'un forum")
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


def diagnosis_section(title, items, labels, notes, unit, per_source=True):
    """Return the blocks of "Points forts" or "Points faibles".

    ``items`` are (SourceRef, text) pairs; ``labels`` names each source in plain text ("forum du
    17 mars 2009 — Arles", or a department); ``unit`` is (singular, plural) of what a source is ("forum").
    First the observations shared by several sources, found like recurring concerns, with
    attributed quotes; then, with ``per_source``, every item, source by source.
    """
    blocks = [f"### {title}"]
    if not items:
        blocks.append(paragraph("Aucun constat n'a été relevé."))
        return blocks
    by_source = {}
    for source, text in items:
        by_source.setdefault(source, []).append(text)
    documents = [Document(source, "", "\n".join(texts)) for source, texts in by_source.items()]
    shared = [concern for concern in find_concerns(documents, per_subtopic=DIAGNOSIS_GROUPS).by_subtopic.get("", ())
              if len(concern.sources) >= MIN_DOCUMENTS]
    if shared:
        blocks.append(f"#### Constats partagés par plusieurs {unit[1]}")
        lines = []
        for concern in shared:
            marker = notes.cite(list(concern.sources), concern.ref)
            quoted = "\u202f; ".join(f"{quote_text(quote.text)} ({md_escape(labels[quote.source])})"
                                     for quote in concern.quotes)
            lines.append(paragraph(
                f"- **{md_escape(capitalize_first(concern.label))}** — relevé par "
                f"{count(len(concern.sources), *unit)}{marker} : {quoted}"))
        blocks.append("\n".join(lines))
    elif not per_source:
        blocks.append(paragraph(f"Aucun constat n'est partagé par plusieurs {unit[1]}."))
    if not per_source:
        return blocks
    if shared:
        blocks.append(f"#### Constats par {unit[0]}")
    lines = []
    # In the order the items came: the caller sorts them (forums by date, departments by code).
    for source, texts in by_source.items():
        marker = notes.cite([source])
        lines.append(paragraph(f"- {md_escape(capitalize_first(labels[source]))} : "
                               + " ".join(plain(text) for text in texts) + marker))
    blocks.append("\n".join(lines))
    return blocks


def forums_in_order(forums):
    """Return forums by day in Paris (undated last), then id: the order of annexes and of the diagnosis."""
    return sorted(forums, key=lambda forum: (forum.starts_at is None,
                                             local_date(forum.starts_at) if forum.starts_at else None, forum.id))


def diagnosis_items(department):
    """Return (strengths, weaknesses) of a department: (minutes trace, item text) pairs, forums by date."""
    minutes = department.current_minutes()
    strengths, weaknesses = [], []
    for forum in forums_in_order(department.forum(forum_id) for forum_id in minutes):
        record = minutes[forum.id]
        strengths.extend((refs.minutes(forum.id), item) for item in split_items(record.strengths))
        weaknesses.extend((refs.minutes(forum.id), item) for item in split_items(record.weaknesses))
    return strengths, weaknesses


def _diagnosis(department, figures):
    notes = refs.Footnotes("d")
    minutes = department.current_minutes()
    if not minutes:
        return paragraph(
            "Aucun compte-rendu de forum n'a encore été saisi : le diagnostic sera établi à partir des "
            "points forts et des points faibles qu'ils relèveront.")
    labels = {refs.minutes(forum_id): forum_label(department.forum(forum_id)) for forum_id in minutes}
    strengths, weaknesses = diagnosis_items(department)
    blocks = [paragraph(
        f"Ce diagnostic reprend les points forts et les points faibles relevés par "
        f"{agree(len(minutes), 'le compte-rendu', 'les comptes-rendus')} de {count(len(minutes), 'forum')}."
        + notes.cite([refs.minutes(forum_id) for forum_id in minutes], refs.figure("forums/with_minutes")))]
    blocks += diagnosis_section("Points forts", strengths, labels, notes, ("forum", "forums"))
    blocks += diagnosis_section("Points faibles", weaknesses, labels, notes, ("forum", "forums"))
    missing = figures.forums.held_without_minutes
    if missing.value:
        blocks.append(paragraph(
            f"{capitalize_first(count(missing.value, 'forum tenu', 'forums tenus'))} "
            f"{agree(missing.value, 'n’a', 'n’ont')} pas encore de compte-rendu : "
            + join_fr([md_escape(forum_label(department.forum(i))) for i in missing.sources]) + "."
            + notes.cite([refs.forum(i) for i in missing.sources], refs.figure("forums/held_without_minutes"))))
    return with_notes(blocks, notes)


# --- Part 3: propositions -----------------------------------------------------------------------

def _proposal_line(proposal, forum_text, notes):
    """Return the list line of one proposal: its text, origin and forum, and its trace."""
    origin = ORIGIN_LABELS[proposal.origin]
    return paragraph(f"- {plain(proposal.text)} — *{origin}, {forum_text}*" + notes.cite([refs.proposal(proposal.id)]))


def _proposals(department, figures):
    notes = refs.Footnotes("p")
    proposals = department.proposals
    total = figures.proposals.total
    if not total.value:
        return paragraph("Aucune proposition n'a encore été enregistrée." + notes.cite((), refs.figure("proposals")))
    origins = [f"{ORIGIN_LABELS[origin]} {format_number(figures.proposals.by_origin[origin].value)}"
               for origin in PROPOSAL_ORIGINS if figures.proposals.by_origin[origin].value]
    blocks = [paragraph(
        f"Les forums et la préfecture ont recueilli {count(total.value, 'proposition')}."
        + notes.cite([refs.proposal(i) for i in total.sources], refs.figure("proposals"))
        + f" Origine : {', '.join(origins)}."
        + notes.cite([refs.figure(f"proposals/origin/{origin}") for origin in PROPOSAL_ORIGINS
                      if figures.proposals.by_origin[origin].value]))]
    forums = {forum.id: forum for forum in department.forums}
    order = {subtopic.code: position for position, subtopic in enumerate(department.subtopics)}
    origin_order = {origin: position for position, origin in enumerate(PROPOSAL_ORIGINS)}

    def forum_text(proposal):
        if proposal.forum_id is None:
            return "hors forum"
        return md_escape(forum_label(forums[proposal.forum_id]))

    for theme_code, theme_title in department.themes:
        in_theme = [p for p in proposals if p.theme_code == theme_code]
        if not in_theme:
            continue
        blocks.append(f"### Thème {theme_code} — {md_escape(theme_title)}")
        groups = {}
        for proposal in sorted(in_theme, key=lambda p: (p.subtopic_code is None, order.get(p.subtopic_code, 0),
                                                        origin_order[p.origin], p.id)):
            groups.setdefault(proposal.subtopic_code, []).append(proposal)
        titles = {subtopic.code: subtopic.title for subtopic in department.subtopics}
        for subtopic_code, items in groups.items():
            heading = (f"{subtopic_code} {md_escape(titles[subtopic_code])}" if subtopic_code
                       else "Propositions générales sur le thème")
            blocks.append(f"#### {heading}")
            blocks.append("\n".join(_proposal_line(p, forum_text(p), notes) for p in items))
    return with_notes(blocks, notes)


# --- Figures and annexes ------------------------------------------------------------------------

def forum_rows(figures, extra_rows=()):
    """Return the (label, French number) rows of the forums table: forums, minutes, coverage."""
    forums = figures.forums
    rows = [
        ("Forums annoncés (publiés, reportés ou tenus)", format_number(forums.planned.value)),
        ("Forums tenus", format_number(forums.held.value)),
        ("Forums annulés", format_number(forums.cancelled.value)),
        ("Comptes-rendus saisis", format_number(forums.with_minutes.value)),
        ("Comptes-rendus signés joints", format_number(forums.with_signed_document.value)),
        ("Forums tenus sans compte-rendu", format_number(forums.held_without_minutes.value)),
        *extra_rows,
    ]
    if figures.coverage is not None:
        unit = {"canton": "Cantons", "commune": "Communes"}.get(figures.coverage.unit_kind, "Cantons ou communes")
        rows.append((f"{unit} couverts", f"{format_number(figures.coverage.covered)} sur "
                                         f"{format_number(figures.coverage.total)} "
                                         f"({format_percent(figures.coverage.percentage)})"))
    return rows


def figures_markdown(figures, notes, extra_rows=()):
    """Return the figures section's blocks: forums, attendance, questions by theme and sub-topic, proposals.

    Shared with the national synthesis, where ``extra_rows`` adds lines to the forums table.
    """
    blocks = []
    blocks.append(paragraph("**Forums**" + notes.cite((), refs.figure("forums/planned"))))
    blocks.append(md_table(["Indicateur", "Nombre"], forum_rows(figures, extra_rows), ["l", "r"]))

    attendance = figures.attendance
    blocks.append(paragraph("**Participation** (d'après les comptes-rendus saisis)"
                            + notes.cite((), refs.figure("attendance/total"))))
    rows = [(ATTENDANCE_LABELS[c], format_number(attendance.by_category[c].value)) for c in ATTENDANCE_CATEGORIES]
    rows.append(("**Total**", f"**{format_number(attendance.total.value)}**"))
    rows.append(("Moyenne par forum", format_decimal(attendance.average)))
    blocks.append(md_table(["Catégorie", "Participants"], rows, ["l", "r"]))

    header = ["Thème", "Reçues", "Publiées", "Non publiées", "En attente", "Avec réponse", "Reprises en forum"]

    def question_row(label, counts):
        return (label, *(format_number(getattr(counts, m).value)
                         for m in ("received", "published", "rejected", "pending", "answered", "taken_up")))

    blocks.append(paragraph("**Questions par thème**" + notes.cite((), refs.figure("questions/received"))))
    rows = [question_row(f"{code} {md_escape(title)}", figures.questions.by_theme[code])
            for code, title in figures.themes]
    rows.append(question_row("**Total**", figures.questions.total))
    blocks.append(md_table(header, rows, ["l"] + ["r"] * 6))

    blocks.append(paragraph("**Questions par sous-thème**" + notes.cite((), refs.figure("questions/received"))))
    rows = [question_row(f"{code} {md_escape(title)}", figures.questions.by_subtopic[code])
            for code, title, _ in figures.subtopics]
    blocks.append(md_table(["Sous-thème", *header[1:]], rows, ["l"] + ["r"] * 6))

    proposals = figures.proposals
    blocks.append(paragraph("**Propositions par thème et par origine**" + notes.cite((), refs.figure("proposals"))))
    rows = [(f"{code} {md_escape(title)}", format_number(proposals.by_theme[code].value))
            for code, title in figures.themes]
    rows += [(capitalize_first(ORIGIN_LABELS[origin]), format_number(proposals.by_origin[origin].value))
             for origin in PROPOSAL_ORIGINS]
    rows.append(("**Total**", f"**{format_number(proposals.total.value)}**"))
    blocks.append(md_table(["Thème ou origine", "Propositions"], rows, ["l", "r"]))
    return blocks


def _annexes(department):
    notes = refs.Footnotes("a")
    minutes = department.current_minutes()
    held = forums_in_order(forum for forum in department.forums if forum.status == "held")
    annexes = tuple(Annex(forum.id, annex_title(forum), forum.id in minutes) for forum in held)
    if not annexes:
        return annexes, paragraph("Aucun forum ne s'est encore tenu : aucun compte-rendu n'est annexé.")
    lines = []
    for number, annex in enumerate(annexes, 1):
        if annex.has_minutes:
            lines.append(paragraph(f"{number}. {md_escape(annex.title)}" + notes.cite([refs.minutes(annex.forum_id)])))
        else:
            lines.append(paragraph(f"{number}. {md_escape(annex.title)} — *compte-rendu non encore saisi*"
                                   + notes.cite([refs.forum(annex.forum_id)])))
    return annexes, with_notes(["\n".join(lines)], notes)


def draft_department_synthesis(department, figures, concerns):
    """Return the Draft of a department's synthesis from its input, Figures and ConcernReport."""
    notes = refs.Footnotes("c")
    annexes, annexes_markdown = _annexes(department)
    return Draft(
        title=f"Synthèse départementale — {department.department_name} ({department.department_code})",
        subtitle=typeset(f"Consultation {guillemets(department.consultation_name)} — synthèse à transmettre au "
                         f"plus tard le {format_date(department.deadline)}"),
        parts=(
            Part(INSIGHT, PART_TITLES[INSIGHT], _insight(department, figures, concerns)),
            Part(DIAGNOSIS, PART_TITLES[DIAGNOSIS], _diagnosis(department, figures)),
            Part(PROPOSALS, PART_TITLES[PROPOSALS], _proposals(department, figures)),
        ),
        figures=Part(FIGURES, FIGURES_TITLE, with_notes(figures_markdown(figures, notes), notes)),
        annexes=annexes,
        annexes_part=Part(ANNEXES, ANNEXES_TITLE, annexes_markdown),
    )
