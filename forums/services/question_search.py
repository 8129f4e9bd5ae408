"""Finding published questions: filters, orders, pages and full-text search, alike on SQLite and PostgreSQL.

Both databases index ``questions.search_text``, the terms ``synthesis.french`` derives from the
public text (stems, accents folded, stop words removed). A query goes through the same function,
so "Cambriolages", "cambriolage" and "CAMBRIOLAGE" find the same questions everywhere; the last
term is matched as a prefix, so that "camb" already finds "cambriolages". User text never reaches
the database as query syntax: each term is quoted and bound as a parameter.

At national scale a list never counts or pages through everything: it counts up to a reach
(``LIST_REACH`` questions, ``SEARCH_REACH`` for a text search), says "more than" beyond it and
offers only the pages within it, so that every request does bounded work. Pages read the ids in
order from the partial indexes of published questions, then load the rows of one page only.
"""
import re
from dataclasses import dataclass
from math import ceil

from flask import url_for
from sqlalchemy import func, literal_column, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import joinedload

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


def full_text_condition(terms):
    """Return the WHERE condition matching questions whose public text holds every term."""
    if db.session.get_bind().dialect.name == "sqlite":
        matching = sql_text("SELECT rowid FROM questions_fts WHERE questions_fts MATCH :fts_query").bindparams(
            fts_query=fts5_query(terms)
        ).columns(rowid=db.Integer)
        return Question.id.in_(matching)
    # The stored vector, indexed for published questions: a recheck does not parse the text again.
    return SEARCH_VECTOR.op("@@", is_comparison=True)(func.to_tsquery(literal_column("'simple'"), tsquery(terms)))


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
    if terms:
        conditions.append(full_text_condition(terms))

    ordering = [_recent_key().desc(), Question.id.desc()]
    if order == "supported":
        ordering.insert(0, Question.support_count.desc())
    reach = SEARCH_REACH if terms else LIST_REACH
    # Counted up to the reach. A list in its order: the ordered index alone answers. A search in no
    # order: the full-text index gives its matches and the count stops after reach + 1 of them,
    # whatever the word (in order, a word in one question of thirty walks 30,000 index rows).
    counted_rows = select(Question.id).where(*conditions)
    if not terms:
        counted_rows = counted_rows.order_by(*ordering)
    counted = db.session.scalar(select(func.count()).select_from(counted_rows.limit(reach + 1).subquery()))
    total = min(counted, reach)
    pages = max(1, ceil(total / per_page))
    items = ()
    # Past the last page there is nothing to fetch (and no huge OFFSET to send).
    if total and page <= pages:
        # The page's ids first, skipped over in the index alone; then only their rows are read.
        page_ids = (select(Question.id).where(*conditions).order_by(*ordering)
                    .limit(min(per_page, total - (page - 1) * per_page)).offset((page - 1) * per_page).subquery())
        items = tuple(db.session.scalars(
            select(Question).join(page_ids, page_ids.c.id == Question.id)
            .options(*public_question_options()).order_by(*ordering)
        ))
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
