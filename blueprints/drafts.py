"""A customer's draft of a booking wizard, kept on the server (SPEC §3.1): Book Now's (flow 'book', blueprints/
booking.py) and Schedule's (flow 'schedule', blueprints/scheduling/). It is read whole once per request (my_draft);
each step is answered through the step's own SQL function (draft_choose_<step>, draft_describe_concern,
draft_book_another), which checks the answer, forgets the later answers that depended on a changed one, gives back
the hold taken with them and returns the whole draft. The wizards' rules are the database's: a Draft reads and calls.
"""
import functools

from flask import g

import db


class Draft:
    """The logged-in customer's draft of one wizard. Its answers read as a dict's do (draft.get("plan"),
    draft["service_type"], and draft.service_type in a template)."""

    def __init__(self, flow):
        self.flow = flow
        self.actor = g.user["id"]

    @functools.cached_property
    def data(self):
        """The answers (my_draft), read when first asked for; each step's function returns them anew."""
        return db.call_value("my_draft", actor=self.actor, flow=self.flow) or {}

    def __getitem__(self, key):
        return self.data[key]

    def get(self, key, default=None):
        return self.data.get(key, default)

    def answer(self, step, **answer):
        """Answers a step through its function, draft_<step> (choose_plan, choose_time, describe_concern …), and
        keeps the whole draft it returns."""
        self.data = db.call_value(f"draft_{step}", actor=self.actor, flow=self.flow, **answer)
        return self

    def clear(self):
        """Forgets the draft with its files and its hold (clear_draft)."""
        db.call("clear_draft", actor=self.actor, flow=self.flow)
        self.data = {}

    def attachments(self):
        return db.call("draft_attachments", actor=self.actor, flow=self.flow)

    @functools.cached_property
    def vehicles(self):
        return db.call("my_vehicles", actor=self.actor)

    @property
    def advice_only(self):
        return self.data.get("advice_only") is True

    @property
    def vehicle(self):
        """The vehicle chosen (a row of my_vehicles); None for Just Advice or before the vehicle step."""
        return next((v for v in self.vehicles if v["id"] == self.data.get("vehicle_id")), None)

    @property
    def make(self):
        return None if self.advice_only or self.vehicle is None else self.vehicle["make"]


def files_limit():
    """How many photos or videos one booking may carry (draft_files_limit)."""
    return db.call_value("draft_files_limit")


@functools.lru_cache(maxsize=256)
def concern_is_described(concern, immediate=False, is_urgent=None):
    """Whether a concern says enough to book on, by the database's rule (concern_is_described, which depends on
    its arguments alone: kept per process)."""
    return db.call_value("concern_is_described", concern=concern, is_urgent=is_urgent, immediate=immediate)
