"""Finding published questions: filters, orders, pages and full-text search, alike on SQLite and PostgreSQL.

Both databases index ``questions.search_text``, the terms ``synthesis.french`` derives from the
public text (stems, accents folded, stop words removed). A query goes through the same function,
so "Cambriolages", "cambriolage" and "CAMBRIOLAGE" find the same questions everywhere; the last
term is matched as a prefix, so that "camb" already finds "cambriolages". User text never reaches
the database as query syntax: each term is quoted and bound as a parameter.

At national scale a list never counts or pages through everything: it counts up to a reach
(``LIST_REACH`` questions, ``SEARCH_REACH`` for a text search), says "more than" beyond it and
offers only the pages within it, so that every request does bounded work. Pages read the ids in
order from the partial indexes of published questions, then load the rows of one page only. A
text search first takes up to its reach of matches in no order, from the full-text index: when
that is all of them, the same query orders them and gives the page; a word found more often is
paged by walking the recent order, the vector read beside it in a PostgreSQL index.
"""
import re
from dataclasses import dataclass
from math import ceil

from flask import url_for
from sqlalchemy import func, literal_column, or_, select, true
from sqlalchemy import text as sql_text
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from synthesis import french

from ..extensions import db
from ..models import Consultation, Question, QuestionContact, QuestionStatus, Subtopic, Theme, ThemePart
from ..templating import render_markdown
from .open_data import iso

#: A question's reference: the department code, a dash, the number ("13-000124", "2A-000007").
REFERENCE = re.compile(r"[0-9AB]{2,3}-[0-9]{6,12}")
#: Orders a visitor may choose: newest published first, or most supported first.
ORDERS = ("recent", "supported")
DEFAULT_PER_PAGE = 20
#: Longest query taken into account, and most terms searched: enough for any real question.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
#: Most questions a list counts and shows page by page; beyond, the visitor is asked to narrow it.
LIST_REACH = 10_000
#: The same for a text search: its matches are checked one by one, so it counts fewer.
SEARCH_REACH = 1_000
#: The full-text vector of the public text, a generated column of PostgreSQL (see the migrations).
SEARCH_VECTOR = literal_column("questions.search_vector")


@dataclass(frozen=True)
class QuestionPage:
    """One page of published questions and what the search made of the query."""

    items: tuple[Question, ...]
    total: int
    page: int
    per_page: int
    pages: int
    #: The normalised terms searched; empty when there was no query or only common words.
    terms: tuple[str, ...] = ()
    #: A query was typed but held only common words ("le", "de"…): nothing was filtered on it.
    text_ignored: bool = False
    #: More questions match than ``total``, the reach of the list: only the first ``total`` are shown.
    capped: bool = False
    #: How many questions the list counts and pages through at most.
    reach: int = LIST_REACH

    @property
    def beyond_reach(self):
        """Tell whether the page asked starts past the questions the list pages through, whatever it holds."""
        return (self.page - 1) * self.per_page >= self.reach

    @property
    def has_prev(self):
        """Tell whether a previous page exists."""
        return self.page > 1

    @property
    def has_next(self):
        """Tell whether a next page exists."""
        return self.page < self.pages

    @property
    def prev_num(self):
        """Return the previous page number, or None."""
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self):
        """Return the next page number, or None."""
        return self.page + 1 if self.has_next else None

    def iter_pages(self, left_edge=1, left_current=2, right_current=3, right_edge=1):
        """Yield the page numbers a pager shows, None standing for a gap (as Flask-SQLAlchemy's pages do)."""
        shown = [
            number for number in range(1, self.pages + 1)
            if number <= left_edge or self.page - left_current <= number < self.page + right_current
            or number > self.pages - right_edge
        ]
        previous = 0
        for number in shown:
            if number != previous + 1:
                yield None
            yield number
            previous = number


@dataclass(frozen=True)
class ThemeChoice:
    """A theme of the consultation with its sub-topics, in display order, for the filter lists."""

    theme: Theme
    subtopics: tuple[Subtopic, ...]


def published_at(question):
    """Return when the question was published: its moderation time (its submission time if not recorded)."""
    return question.moderated_at or question.submitted_at


def search_terms(query):
    """Return the terms a query is searched by: normalised French terms, without repeats, at most MAX_TERMS."""
    query = query or ""
    if len(query) > MAX_QUERY_LENGTH:
        # Cut between words: half a word would be searched as a word of its own.
        query = (query[:MAX_QUERY_LENGTH].rsplit(None, 1) or [""])[0]
    found = french.terms(query)
    return tuple(dict.fromkeys(found))[:MAX_TERMS]


def fts5_query(terms):
    """Return an FTS5 MATCH expression requiring every term, the last as a prefix.

    Each term is a quoted string ("" escapes a quote inside), so words such as OR, NEAR or
    characters such as * and ( are searched for, never read as FTS5 syntax.
    """
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    quoted[-1] += "*"
    return " AND ".join(quoted)


def tsquery(terms):
    """Return a PostgreSQL tsquery source requiring every term, the last as a prefix (``:*``)."""
    quoted = ["'" + term.replace("\\", "\\\\").replace("'", "''") + "'" for term in terms]
    quoted[-1] += ":*"
    return " & ".join(quoted)


def full_text_condition(terms, in_order=False):
    """Return the WHERE condition matching questions whose public text holds every term.

    ``in_order`` is for a query that walks an ordered index once more than a reach of questions
    are known to match: the condition is then checked row by row, since PostgreSQL cannot use the
    full-text index for ``… IS true``. Its planner's estimates of a word's frequency are too rough
    to choose (it read and sorted all 42,000 matches of "week-end" to show 50 of them).
    """
    if db.session.get_bind().dialect.name == "sqlite":
        matching = sql_text("SELECT rowid FROM questions_fts WHERE questions_fts MATCH :fts_query").bindparams(
            fts_query=fts5_query(terms)
        ).columns(rowid=db.Integer)
        return Question.id.in_(matching)
    # The stored vector, indexed for published questions: a recheck does not parse the text again.
    query = func.to_tsquery(literal_column("'simple'"), tsquery(terms))
    condition = SEARCH_VECTOR.op("@@", is_comparison=True)(query)
    return condition.is_(true()) if in_order else condition


def _recent_key():
    return func.coalesce(Question.moderated_at, Question.submitted_at)


def search_published(department_code=None, forum_id=None, theme_id=None, subtopic_id=None, text=None,
                     order="recent", page=1, per_page=DEFAULT_PER_PAGE, consultation=None):
    """Return a QuestionPage of the consultation's published questions (the current one by default).

    ``forum_id`` selects the questions asked for that forum or taken up at it. ``text`` is a
    free query; ``order`` is "recent" (last published first) or "supported" (most supports first,
    then last published). At most ``LIST_REACH`` questions (``SEARCH_REACH`` with a text) are
    counted and paged: past them ``capped`` is set. A page past the last one is empty. Each
    question comes with its theme, sub-topic, forums, department and the display name its author
    chose to show (never the e-mail).
    """
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}")
    consultation = consultation or Consultation.current()
    if consultation is None:
        return QuestionPage(items=(), total=0, page=page, per_page=per_page, pages=1)
    conditions = [Question.consultation_id == consultation.id, Question.status == QuestionStatus.PUBLISHED]
    if department_code is not None:
        conditions.append(Question.department_code == department_code)
    if forum_id is not None:
        conditions.append(or_(Question.forum_id == forum_id, Question.addressed_forum_id == forum_id))
    if theme_id is not None:
        conditions.append(Question.theme_id == theme_id)
    if subtopic_id is not None:
        conditions.append(Question.subtopic_id == subtopic_id)
    terms = search_terms(text)
    ordering = [_recent_key().desc(), Question.id.desc()]
    if order == "supported":
        ordering.insert(0, Question.support_count.desc())
    reach = SEARCH_REACH if terms else LIST_REACH
    page_ids = None
    if terms:
        counted, page_ids = _search_within_reach(conditions, terms, order, reach, (page - 1) * per_page, per_page)
    else:
        # Counted up to the reach, in the list's order: the ordered index alone answers.
        counted_rows = select(Question.id).where(*conditions).order_by(*ordering).limit(reach + 1)
        counted = db.session.scalar(select(func.count()).select_from(counted_rows.subquery()))
    total = min(counted, reach)
    pages = max(1, ceil(total / per_page))
    items = ()
    # Past the last page there is nothing to fetch (and no huge OFFSET to send).
    if total and page <= pages:
        if page_ids is not None:
            items = _questions_by_ids(page_ids)
        else:
            if terms:
                conditions.append(full_text_condition(terms, in_order=True))
            start = (page - 1) * per_page
            # The page's ids first, skipped over in the index alone; then only their rows are read.
            ids = (select(Question.id).where(*conditions).order_by(*ordering)
                   .limit(min(per_page, total - start)).offset(start).subquery())
            items = tuple(db.session.scalars(
                select(Question).join(ids, ids.c.id == Question.id)
                .options(*page_question_options()).order_by(*ordering)
            ))
        attach_references(items, consultation)
    return QuestionPage(
        items=items, total=total, page=page, per_page=per_page, pages=pages, terms=terms,
        text_ignored=bool(text and text.strip()) and not terms, capped=counted > reach, reach=reach,
    )


def public_question_options():
    """Return loader options for what public pages and the API show of a question, in the same query.

    Only the display name of the contact is read: the e-mail address never leaves the database.
    """
    return (
        joinedload(Question.consultation),
        joinedload(Question.theme),
        joinedload(Question.subtopic),
        joinedload(Question.department),
        joinedload(Question.forum),
        joinedload(Question.addressed_forum),
        joinedload(Question.contact).load_only(QuestionContact.display_name),
    )


def _search_within_reach(conditions, terms, order, reach, start, per_page):
    """Return (matches counted up to reach + 1, the ids of the page asked) of a text search.

    At most reach + 1 matches are taken, in no order: the full-text index finds them whatever the
    word. When that is all of them, the database orders them (a thousand rows at most) and returns
    the page with the count, in one query; past the reach the ids are None, and the page is found
    in the list's order. A search sorted as a whole read every match of a common word (42,000
    rows, 0.6 s, for "week-end" at 1,000,000 questions).
    """
    columns = [Question.id, _recent_key().label("recent")]
    if order == "supported":
        columns.append(Question.support_count)
    matches = select(*columns).where(*conditions, full_text_condition(terms)).limit(reach + 1).subquery()
    ordering = [matches.c.recent.desc(), matches.c.id.desc()]
    if order == "supported":
        ordering.insert(0, matches.c.support_count.desc())
    rows = db.session.execute(
        select(matches.c.id, func.count().over().label("found")).order_by(*ordering).limit(per_page).offset(start)
    ).all()
    if rows:
        found = rows[0].found
    elif start:
        # A page past the last one: nothing came back, not even the count.
        found = db.session.scalar(select(func.count()).select_from(matches))
    else:
        found = 0
    return found, ([row.id for row in rows] if found <= reach else None)


def _questions_by_ids(ids):
    """Return the questions with these ids, in this order, loaded for the public pages."""
    if not ids:
        return ()
    found = {question.id: question for question in db.session.scalars(
        select(Question).where(Question.id.in_(ids)).options(*page_question_options())
    )}
    return tuple(found[ident] for ident in ids if ident in found)


def page_question_options():
    """Return loader options of a page of questions: what differs from one question to the next, in the same query.

    The consultation, themes and sub-topics are few and shared by the whole page: attach_references
    gives them afterwards. Joined to every row, they doubled the query's width and multiplied the
    planner's work (seven joins took 3 to 10 ms to plan, for half a millisecond of execution).
    """
    return (
        joinedload(Question.department),
        joinedload(Question.forum),
        joinedload(Question.addressed_forum),
        joinedload(Question.contact).load_only(QuestionContact.display_name),
    )


def attach_references(questions, consultation):
    """Give the consultation's questions their consultation, theme and sub-topic without a query per question.

    Themes and sub-topics already in the session (a list has loaded them for its filters) are used
    as they are; otherwise all the consultation's are read in one query.
    """
    wanted = {(Theme, q.theme_id) for q in questions} | {(Subtopic, q.subtopic_id) for q in questions}
    known = {key: db.session.identity_map.get(identity_key(*key)) for key in wanted}
    if None in known.values():
        for choice in theme_choices(consultation):
            known[Theme, choice.theme.id] = choice.theme
            known.update({(Subtopic, subtopic.id): subtopic for subtopic in choice.subtopics})
    for question in questions:
        set_committed_value(question, "consultation", consultation)
        # A reference still unknown (none should be) is left to load lazily, as before.
        for attribute, key in (("theme", (Theme, question.theme_id)), ("subtopic", (Subtopic, question.subtopic_id))):
            if known.get(key) is not None:
                set_committed_value(question, attribute, known[key])


def question_by_reference(reference):
    """Return the question with this reference, whatever its status, loaded for its public page, or None."""
    if not REFERENCE.fullmatch(reference or ""):
        return None
    return db.session.scalar(
        select(Question).where(Question.reference == reference).options(*public_question_options())
    )


def theme_choices(consultation):
    """Return the consultation's themes with their sub-topics, in display order, in one query."""
    rows = db.session.execute(
        select(Theme, Subtopic)
        .join(ThemePart, ThemePart.theme_id == Theme.id)
        .join(Subtopic, Subtopic.part_id == ThemePart.id)
        .where(Theme.consultation_id == consultation.id)
        .order_by(Theme.position, ThemePart.position, Subtopic.position)
    ).all()
    grouped = {}
    for theme, subtopic in rows:
        grouped.setdefault(theme, []).append(subtopic)
    return [ThemeChoice(theme=theme, subtopics=tuple(subtopics)) for theme, subtopics in grouped.items()]


def question_to_dict(question):
    """Return what open data shows of a published question: never its author, original text or moderation."""
    answered = question.is_answered
    return {
        "reference": question.reference,
        "url": url_for("public.question", reference=question.reference, _external=True),
        "department": {"code": question.department.code, "name": question.department.name},
        "forum_id": question.forum_id,
        "theme": {"code": question.theme.code, "title": question.theme.title},
        "subtopic": {"code": question.subtopic.code, "title": question.subtopic.title},
        "text": question.public_text,
        "published_at": iso(published_at(question)),
        "support_count": question.support_count,
        "answer": question.answer_text if answered else None,
        "answer_html": str(render_markdown(question.answer_text)) if answered else None,
        "answered_at": iso(question.answered_at),
        "addressed_forum_id": question.addressed_forum_id,
        "addressed_at": iso(question.addressed_at),
    }
