"""Loading objects from URLs, scoped to the agent's territory: out of scope reads as not found."""
from flask_login import current_user

from ... import permissions
from ...extensions import db
from ...models import Arrondissement, Department, Forum


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


def visible_department(code, loader=None):
    """Return the department if the current agent may see all of it; 404 otherwise.

    ``loader`` fetches the department (by default a plain primary-key lookup).
    """
    department = loader(code) if loader else db.session.get(Department, code)
    permissions.ensure_visible(
        current_user, department is not None and permissions.can_see_department(current_user, department),
        f"department:{code}",
    )
    return department


def visible_arrondissement(code):
    """Return the arrondissement if the current agent may see it; 404 otherwise."""
    arrondissement = db.session.get(Arrondissement, code)
    permissions.ensure_visible(
        current_user,
        arrondissement is not None and permissions.can_see_arrondissement(current_user, arrondissement),
        f"arrondissement:{code}",
    )
    return arrondissement
