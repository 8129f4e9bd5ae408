"""French dates and sanitised Markdown."""
from datetime import UTC, date, datetime

from forums.templating import french_date, french_datetime, render_markdown, unbreakable


def test_french_dates(app):
    with app.test_request_context():
        assert french_date(date(2009, 3, 17)) == "mardi 17 mars 2009"
        assert french_date(date(2009, 3, 1)) == "dimanche 1er mars 2009"
        # 17:30 UTC is 18:30 in Paris in winter time, and 20:00 UTC is 22:00 in summer time.
        assert french_datetime(datetime(2009, 3, 17, 17, 30, tzinfo=UTC)) == "mardi 17 mars 2009, 18 h 30"
        assert french_datetime(datetime(2009, 4, 30, 22, 15, tzinfo=UTC)) == "vendredi 1er mai 2009, 0 h 15"


def test_the_ordinal_follows_the_day_in_paris_not_in_utc(app):
    with app.test_request_context():
        assert french_date(datetime(2009, 4, 30, 22, 15, tzinfo=UTC)) == "vendredi 1er mai 2009"
        assert french_date(datetime(2009, 5, 1, 22, 30, tzinfo=UTC)) == "samedi 2 mai 2009"


def test_markdown_keeps_formatting_and_drops_scripts():
    html = render_markdown("**gras** <script>alert(1)</script> [lien](javascript:alert(1)) <img src=x onerror=alert(1)>")
    assert "<strong>gras</strong>" in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html


def test_unbreakable_keeps_a_date_and_a_time_each_on_one_line():
    assert unbreakable("mardi 17 mars 2009, 18 h 30") == "mardi\xa017\xa0mars\xa02009, 18\xa0h\xa030"
