"""What the public sees: never drafts; forums of a commune through its cantons or itself."""
from forums.extensions import db as _db
from forums.models import Commune, ForumStatus
from forums.services.public import forums_for_commune, public_forum, public_forums_query


def test_drafts_never_appear(db, consultation, create_forum):
    draft = create_forum(status=ForumStatus.DRAFT)
    shown = [create_forum(status=status, animator_name=status.value, venue_name=status.value)
             for status in (ForumStatus.PUBLISHED, ForumStatus.POSTPONED, ForumStatus.HELD, ForumStatus.CANCELLED)]

    listed = db.session.scalars(public_forums_query(consultation)).all()

    assert {forum.id for forum in listed} == {forum.id for forum in shown}
    assert public_forum(draft.id) is None
    assert public_forum(shown[0].id).id == shown[0].id


def test_forums_of_a_commune_come_from_its_cantons_or_itself(db, consultation, create_forum):
    in_canton = create_forum(cantons=["1305"], status=ForumStatus.PUBLISHED)
    create_forum(cantons=["1306"], status=ForumStatus.PUBLISHED, animator_name="Autre", venue_name="Autre")
    martinique = create_forum(department="972", commune="97209", cantons=[], communes=["97209"],
                              status=ForumStatus.PUBLISHED)

    rognac = _db.session.get(Commune, "13062")
    fort_de_france = _db.session.get(Commune, "97209")

    assert [f.id for f in forums_for_commune(consultation, rognac)] == [in_canton.id]
    assert [f.id for f in forums_for_commune(consultation, fort_de_france)] == [martinique.id]
