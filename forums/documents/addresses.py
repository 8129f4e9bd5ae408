"""Where each source of a synthesis can be opened: the address a footnote's link leads to.

Renderers take a ``links`` function (SourceRef → address or None, see :mod:`.content`). These are
the site's: a question's public page, a forum's public page, its minutes in the agents' space
(or, inside a ZIP bundle, the annexed file), a departmental synthesis on the ministry's pages,
and a figure's row in the document's own tables. Addresses are absolute, read from
FORUMS_PUBLIC_URL when set, so that a downloaded document still leads to the site; a command run
without it nor a request names the site's sources in words only.
"""
from flask import current_app, has_request_context

from synthesis import sources as refs
from synthesis.figure_tables import figure_anchor

from ..extensions import db
from ..models import Proposal
from ..services.mail import external_url


class SiteAddresses:
    """The addresses of a consultation's sources; ``annex_files`` (forum id → relative path) for a ZIP bundle."""

    def __init__(self, consultation, annex_files=None):
        self.consultation = consultation
        self.annex_files = annex_files or {}
        self._proposal_forums = None

    def __call__(self, ref):
        """Return the address of ``ref``, or None when it has none a reader may open."""
        if ref.kind == refs.FIGURE:
            anchor = figure_anchor(ref.key)
            return f"#{anchor}" if anchor else None
        if ref.kind == refs.QUESTION:
            return self._site("public.question", reference=ref.key)
        if ref.kind == refs.FORUM:
            return self._site("public.forum", forum_id=int(ref.key))
        if ref.kind == refs.MINUTES:
            return self._minutes(int(ref.key))
        if ref.kind == refs.PROPOSAL:
            forum_id = self._proposal_forum(int(ref.key))
            return self._minutes(forum_id) if forum_id is not None else None
        if ref.kind == refs.DEPARTMENT:
            values = {} if self.consultation.is_current else {"consultation": self.consultation.slug}
            return self._site("ministry.department_synthesis_page", code=ref.key, **values)
        return None

    def _minutes(self, forum_id):
        if forum_id in self.annex_files:
            return self.annex_files[forum_id]
        return self._site("minutes.show", forum_id=forum_id)

    @staticmethod
    def _site(endpoint, **values):
        if not (has_request_context() or current_app.config.get("PUBLIC_URL")):
            return None
        return external_url(endpoint, **values)

    def _proposal_forum(self, proposal_id):
        # One query for every proposal of the consultation, the first time one is cited.
        if self._proposal_forums is None:
            self._proposal_forums = dict(db.session.execute(
                db.select(Proposal.id, Proposal.forum_id).where(Proposal.consultation_id == self.consultation.id)
            ).all())
        return self._proposal_forums.get(proposal_id)
