"""How money and instants are shown, in pages (the `money` and `localtime` filters), flash messages and emails;
and the mark of a refusal's code on the element that shows it (the `data_code` filter)."""
from zoneinfo import ZoneInfo

from flask import g
from markupsafe import Markup


def format_money(cents, currency="CAD"):
    return f"${cents / 100:,.2f} {currency}"


def format_local_time(moment, pattern="%a %-d %b %Y, %-I:%M %p %Z", zone=None):
    """A UTC instant shown in the viewer's zone (or the one given), the zone's abbreviation included."""
    if moment is None:
        return ""
    zone = zone or (g.user["timezone"] if g.get("user") else "America/Toronto")
    return moment.astimezone(ZoneInfo(zone)).strftime(pattern)


# what each session status is called wherever a page shows one (a badge, a table cell), never the raw code
SESSION_STATUS_LABELS = {"requested": "Awaiting the mechanic", "scheduled": "Confirmed", "pending": "Waiting room open",
                         "live": "Live now", "completed": "Completed", "cancelled": "Cancelled", "no_show": "Missed",
                         "expired": "Expired"}


def status_label(status):
    """A session status in words (the `status_label` filter); an unknown code in plain words, never raw."""
    return SESSION_STATUS_LABELS.get(status) or str(status).replace("_", " ").capitalize()


def with_article(word):
    """'a standard', 'an extended': the indefinite article the word's sound takes (the `with_article` filter)."""
    text = str(word)
    return f"{'an' if text[:1].lower() in 'aeiou' else 'a'} {text}"


def data_code(messages):
    """` data-code="..."` for an element showing a message or a list of messages (a field's errors): the codes of
    those that are refusals (db.Coded), space-separated; nothing when none is. What users read is unchanged."""
    messages = [messages] if isinstance(messages, str) else messages or []
    codes = [message.code for message in messages if getattr(message, "code", None)]
    return Markup(' data-code="{}"').format(" ".join(dict.fromkeys(codes))) if codes else ""
