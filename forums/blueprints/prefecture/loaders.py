"""Loading objects from URLs, scoped to the agent's territory: out of scope reads as not found."""
from flask_login import current_user

from ... import permissions
from ...extensions import db
from ...models import Forum


def visible_forum(forum_id, *options):
    """Return the forum if the current agent may see it; 404 otherwise (no existence leak)."""
    query = db.select(Forum).where(Forum.id == forum_id)
    if options:
        query = query.options(*options)
    forum = db.session.scalar(query)
    permissions.ensure_visible(
        current_user, forum is not None and permissions.can_see_forum(current_user, forum), f"forum:{forum_id}"
    )
    return forum
