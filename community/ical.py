"""iCalendar output: the only module that knows the icalendar library."""

from urllib.parse import urlparse

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

PRODID = "-//ILEAnet//Network calendar//EN"


def _uid(event) -> str:
    return f"event-{event.pk}@{urlparse(settings.SITE_URL).hostname or 'ileanet'}"


def calendar_ics(events, *, name: str) -> bytes:
    """A VCALENDAR of ``events`` (already filtered by the visibility rule)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    now = timezone.now()
    for event in events:
        entry = VEvent()
        entry.add("uid", _uid(event))
        entry.add("dtstamp", now)
        entry.add("dtstart", event.starts_at)
        entry.add("dtend", event.ends_at)
        entry.add("summary", event.title)
        if event.description:
            entry.add("description", event.description)
        if event.location:
            entry.add("location", event.location)
        entry.add("url", settings.SITE_URL + reverse("community:event-detail", args=[event.pk]))
        entry.add("sequence", event.sequence)
        entry.add("last-modified", event.updated_at)
        entry.add("status", "CANCELLED" if event.cancelled_at else "CONFIRMED")
        calendar.add_component(entry)
    return calendar.to_ical()
