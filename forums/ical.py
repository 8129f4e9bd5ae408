"""iCalendar (RFC 5545) for public forums: one event per forum, calendars for a forum, a department, France.

Plain functions of forums and URLs, with no Flask request inside: the views pass the site's host
(for UIDs) and a function that returns a forum's public page URL.
"""
import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from html.parser import HTMLParser

from icalendar import Calendar, Event, Timezone, vDuration

from .models import Forum, ForumStatus
from .templating import covered_places, places_title, render_markdown
from .timeutils import PARIS, utcnow

PRODID = "-//Ministère de l'Intérieur//Forums de sécurité//FR"
CALENDAR_NAME = "Forums de sécurité"
CATEGORY = "Forum de sécurité"
#: How often subscribed clients should fetch the feed again.
REFRESH_INTERVAL = timedelta(hours=1)

ForumUrl = Callable[[Forum], str]


def forum_uid(forum: Forum, host: str) -> str:
    """Return the forum's UID: the same in every feed, for the forum's whole life."""
    return f"forum-{forum.id}@{host}"


def forum_location(forum: Forum) -> str:
    """Return the venue, address, postal code and commune on one line."""
    place = forum.commune.name if forum.commune else ""
    postal_codes = forum.commune.postal_codes.split() if forum.commune else []
    # Large communes have several postal codes: naming one would often be wrong.
    if place and len(postal_codes) == 1:
        place = f"{postal_codes[0]} {place}"
    return ", ".join(part for part in (forum.venue_name.strip(), forum.address.strip(), place) if part)


def forum_description(forum: Forum, url: str) -> str:
    """Return the plain-text description of the forum: state, text, access, area covered, page."""
    blocks = []
    if forum.status is ForumStatus.CANCELLED:
        reason = forum.cancellation_reason.strip()
        blocks.append("Ce forum est annulé." + (f" Motif : {reason}" if reason else ""))
    elif forum.status is ForumStatus.POSTPONED:
        blocks.append("Ce forum a été reporté : les dates indiquées sont les nouvelles dates.")
    text = markdown_to_text(forum.description)
    if text:
        blocks.append(text)
    details = []
    if forum.accessibility.strip():
        details.append(f"Accessibilité : {forum.accessibility.strip()}")
    places = covered_places(forum)
    if places:
        details.append(f"{places_title(forum, 'concerné')} : " + ", ".join(places))
    if forum.animator_name.strip():
        animator = ", ".join(p for p in (forum.animator_name.strip(), forum.animator_function.strip()) if p)
        details.append(f"Animation : {animator}")
    if details:
        blocks.append("\n".join(details))
    blocks.append(f"Page du forum : {url}")
    return "\n\n".join(blocks)


def forum_event(forum: Forum, host: str, forum_url: ForumUrl) -> Event:
    """Return the VEVENT of a public forum, its times in Europe/Paris."""
    url = forum_url(forum)
    event = Event()
    event.add("uid", forum_uid(forum, host))
    # DTSTAMP is the last change rather than "now": the feed stays byte-identical until a forum
    # changes, and clients still see a newer stamp with every new SEQUENCE.
    event.add("dtstamp", forum.updated_at)
    event.add("sequence", forum.sequence)
    if forum.published_at:
        event.add("created", forum.published_at)
    event.add("last-modified", forum.updated_at)
    event.add("dtstart", forum.starts_at.astimezone(PARIS))
    event.add("dtend", forum.ends_at.astimezone(PARIS))
    # Not every client hides cancelled events of a subscribed feed: the title says it too.
    cancelled = forum.status is ForumStatus.CANCELLED
    event.add("summary", f"Annulé : {forum.title}" if cancelled else forum.title)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("location", forum_location(forum))
    event.add("description", forum_description(forum, url))
    event.add("url", url)
    event.add("categories", [CATEGORY, forum.department.name])
    event.add("class", "PUBLIC")
    event.add("transp", "OPAQUE")
    return event


def forums_calendar(forums: Iterable[Forum], host: str, forum_url: ForumUrl, name: str | None = None,
                    description: str | None = None) -> Calendar:
    """Return a calendar of the forums; with a ``name`` it is a feed meant for subscription."""
    forums = list(forums)
    calendar = _calendar(paris_timezone(forums), name, description)
    for forum in forums:
        calendar.add_component(forum_event(forum, host, forum_url))
    return calendar


def feed_ical(forums: Iterable[Forum], host: str, forum_url: ForumUrl, name: str,
              description: str | None = None) -> bytes:
    """Return the text of a feed, the same as ``forums_calendar(...).to_ical()``, rendered one event at a time.

    A national feed has thousands of forums: ``forums`` may be a stream whose objects are released
    once rendered, and only the events' text is held, a tenth of what the whole calendar's objects take.
    """
    events, years = [], []
    for forum in forums:
        events.append(forum_event(forum, host, forum_url).to_ical())
        years.extend(_years(forum))
    head = _calendar(_paris_timezone(years), name, description).to_ical()
    end = b"END:VCALENDAR\r\n"
    return head.removesuffix(end) + b"".join(events) + end


def _calendar(timezone: Timezone, name: str | None, description: str | None) -> Calendar:
    """Return the calendar's own properties and time zone, without events."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        if description:
            calendar.add("x-wr-caldesc", description)
        calendar.add("x-wr-timezone", "Europe/Paris")
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        # An X- property has no known type: give it the DURATION text, not a timedelta.
        calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL).to_ical().decode())
    calendar.add_component(timezone)
    return calendar


def paris_timezone(forums: Iterable[Forum]) -> Timezone:
    """Return the VTIMEZONE of Europe/Paris for the years the forums take place in."""
    return _paris_timezone([year for forum in forums for year in _years(forum)])


def _years(forum: Forum) -> tuple[int, int]:
    return forum.starts_at.astimezone(PARIS).year, forum.ends_at.astimezone(PARIS).year


def _paris_timezone(years: list[int]) -> Timezone:
    first, last = (min(years), max(years)) if years else (utcnow().astimezone(PARIS).year,) * 2
    # Whole years only: every forum's offset is defined, and the block does not grow with time.
    return Timezone.from_tzid("Europe/Paris", first_date=date(first, 1, 1), last_date=date(last + 1, 1, 1))


def department_calendar_name(department_name: str) -> str:
    """Return the calendar name of a department's feed: « Forums de sécurité — Bouches-du-Rhône »."""
    return f"{CALENDAR_NAME} — {department_name}"


def national_calendar_name() -> str:
    """Return the calendar name of the national feed."""
    return f"{CALENDAR_NAME} — France entière"


def webcal_url(url: str) -> str:
    """Return the subscription (webcal://) form of a feed's http(s) URL."""
    return "webcal://" + url.split("://", 1)[1]


def markdown_to_text(text: str) -> str:
    """Return Markdown as readable plain text: paragraphs, "- " list items, links with their URL."""
    converter = _TextConverter()
    converter.feed(str(render_markdown(text)))
    converter.close()
    return converter.text()


class _TextConverter(HTMLParser):
    """Turn the sanitised HTML of rendered Markdown back into plain text."""

    BLOCKS = {"p", "h2", "h3", "h4", "blockquote", "pre", "ul", "ol", "table", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.counters = []
        self.in_pre = False
        self.href = None
        self.link_text = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        if tag == "pre":
            self.in_pre = True
        elif tag in ("ul", "ol"):
            self.counters.append(0 if tag == "ol" else None)
        elif tag == "li":
            if self.counters and self.counters[-1] is not None:
                self.counters[-1] += 1
                self.parts.append(f"\n{self.counters[-1]}. ")
            else:
                self.parts.append("\n- ")
        elif tag in ("br", "tr"):
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        if tag == "pre":
            self.in_pre = False
        elif tag in ("ul", "ol") and self.counters:
            self.counters.pop()
        elif tag == "a" and self.href:
            label = "".join(self.link_text).strip()
            if self.href not in (label, f"mailto:{label}"):
                self.parts.append(f" ({self.href})")
            self.href = None

    def handle_data(self, data):
        if self.href is not None:
            self.link_text.append(data)
        if self.in_pre:
            self.parts.append(data)
        elif data.strip() or "\n" not in data:
            # Newlines in running text are source wrapping; whitespace-only ones separate tags.
            self.parts.append(data.replace("\n", " "))

    def text(self):
        """Return the text, one blank line between blocks."""
        lines = [line.strip() for line in "".join(self.parts).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
