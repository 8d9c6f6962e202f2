"""How money and instants are shown, in pages (the `money` and `localtime` filters), flash messages and emails."""
from zoneinfo import ZoneInfo

from flask import g


def format_money(cents, currency="CAD"):
    return f"${cents / 100:,.2f} {currency}"


def format_local_time(moment, pattern="%a %-d %b %Y, %-I:%M %p %Z", zone=None):
    """A UTC instant shown in the viewer's zone (or the one given), the zone's abbreviation included."""
    if moment is None:
        return ""
    zone = zone or (g.user["timezone"] if g.get("user") else "America/Toronto")
    return moment.astimezone(ZoneInfo(zone)).strftime(pattern)
