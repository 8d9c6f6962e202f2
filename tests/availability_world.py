"""Building schedules for availability tests: mechanics of each type, workshops, time off and claims, with
times written as local wall-clock strings."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from psycopg.types.json import Jsonb

import offline_gateway


_emails = iter(range(10**6))


def local(zone, text):
    """An aware datetime for a local wall-clock time, e.g. local('America/Toronto', '2026-11-24 09:00')."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


class World:
    """Arranges rows through the owner connection of a test database (or of an open transaction)."""

    def __init__(self, conn):
        self.conn = conn

    def value(self, query, params=()):
        return next(iter(self.conn.execute(query, params).fetchone().values()))

    def workshop(self, zone="America/Toronto", hours=None, capacity=5, closures=()):
        """hours: {weekday: (opens, closes, break_start, break_end) or None for closed}."""
        workshop = self.value("insert into app.workshops (name, street, city, province, postal_code, timezone) "
                              "values ('Shop', '1 Main St', 'Toronto', 'ON', 'M5V 2T6', %s) returning id", [zone])
        for weekday, spec in (hours or {}).items():
            if spec is None:
                self.conn.execute("insert into app.workshop_availability (workshop_id, weekday, is_closed, capacity) "
                                  "values (%s, %s, true, %s)", [workshop, weekday, capacity])
            else:
                opens, closes, break_start, break_end = (tuple(spec) + (None, None))[:4]
                self.conn.execute(
                    "insert into app.workshop_availability (workshop_id, weekday, opens_at, closes_at, break_start, "
                    "break_end, capacity) values (%s, %s, %s, %s, %s, %s, %s)",
                    [workshop, weekday, opens, closes, break_start, break_end, capacity])
        for day in closures:
            self.conn.execute("insert into app.workshop_closures (workshop_id, closed_on) values (%s, %s)", [workshop, day])
        return workshop

    def mechanic(self, zone="America/Toronto", blocks=None, workshop=None, partnership=None, **settings):
        """blocks: {weekday: [(start, end), ...]}; settings: columns of mechanic_settings."""
        email = f"mechanic{next(_emails)}@example.com"
        mechanic = self.value(
            "select app.create_staff_account(p_role => 'mechanic', p_email => %s, p_password => %s, "
            "p_name => 'Mechanic', p_timezone => %s, p_workshop_id => %s, p_partnership_type => %s)",
            [email, "x" * 40, zone, workshop, partnership])
        for weekday, spans in (blocks or {}).items():
            for start, end in spans:
                self.conn.execute("insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time) "
                                  "values (%s, %s, %s, %s)", [mechanic, weekday, start, end])
        for column, value in settings.items():
            self.conn.execute(f"update app.mechanic_settings set {column} = %s where mechanic_id = %s", [value, mechanic])
        return mechanic

    def customer(self):
        return self.value(
            "select app.sign_up_customer(p_email => %s, p_password => %s, p_name => 'C', p_timezone => 'UTC')",
            [f"customer{next(_emails)}@example.com", "x" * 40])

    def book(self, customer, mechanic, start, reminders=None, service="online", plan="standard"):
        """A scheduled session paid as the app pays for it (hold, checkout, the test gateway's charge)."""
        return self.pay(customer, mechanic, start, reminders, service, plan)["session_id"]

    def pay(self, customer, mechanic, start, reminders=None, service="online", plan="standard", card="pm_card_visa",
            gateway=None):
        """Holds the time and pays for it with `card` as the app does; returns the payment row (a declined card's
        has no session; one that credit paid in full goes to no gateway)."""
        payment = self.checkout(customer, mechanic, start, reminders, service, plan, card)
        return self.charge(payment, gateway) if payment["status"] == "pending" else payment

    def checkout(self, customer, mechanic, start, reminders=None, service="online", plan="standard", card="pm_card_visa"):
        """Holds the time and begins its checkout as the app does; returns the payment row, not yet charged."""
        hold = self.value("select hold_id from app.reserve_slot(%s, %s, %s, %s, %s)", [customer, mechanic, start, plan, service])
        intake = {} if reminders is None else {"reminders": reminders}
        return self.conn.execute(
            "select * from app.begin_checkout(p_actor => %s, p_kind => 'scheduled', p_plan => %s, "
            "p_payment_method => %s, p_hold_id => %s, p_advice_only => true, "
            "p_concern => 'A noise from the brakes.', p_intake => %s)", [customer, plan, card, hold, Jsonb(intake)]).fetchone()

    def charge(self, payment, gateway=None):
        """Charges a payment through a test gateway (a new one unless given) and applies the answer."""
        intent = (gateway or offline_gateway.TestGateway()).charge(
            amount_cents=payment["amount_cents"], currency="CAD", payment_method=payment["payment_method"],
            idempotency_key=payment["idempotency_key"], metadata={"payment_id": payment["id"]}, description="test")
        return self.conn.execute("select * from app.apply_payment_intent(%s, %s)", [Jsonb(intent), payment["id"]]).fetchone()

    def send_refunds(self):
        """What the send_refunds job does when the gateway takes every refund: each pending refund recorded as sent
        (a test that moves the clock on past money_overdue's threshold has its refunds sent, as production would)."""
        for refund in self.conn.execute("select refund_id from app.pending_refunds(1000)").fetchall():
            self.conn.execute("select app.record_refund(%s, %s)", [refund["refund_id"], Jsonb(
                {"id": f"re_test_{refund['refund_id']}", "object": "refund", "status": "succeeded"})])

    def time_off(self, mechanic, first, last, status="approved"):
        self.conn.execute("insert into app.mechanic_time_off (mechanic_id, start_date, end_date, status) "
                          "values (%s, %s, %s, %s)", [mechanic, first, last, status])

    def claim(self, mechanic, customer, start, minutes=30, status="confirmed", service="online", workshop=None,
              buffer=None, expires_at=None):
        """A slot_reservations row, as holds and bookings will be written."""
        if buffer is None:
            buffer = self.value("select buffer_minutes from app.mechanic_settings where mechanic_id = %s", [mechanic])
        if status == "reserved" and expires_at is None:
            expires_at = self.value("select app.app_now() + interval '15 minutes'")
        return self.value(
            "insert into app.slot_reservations (mechanic_id, customer_id, workshop_id, service_type, plan_code, "
            "starts_at, ends_at, buffer_minutes, status, expires_at) values (%s, %s, %s, %s, 'standard', %s, %s, %s, "
            "%s, %s) returning id",
            [mechanic, customer, workshop, service, start, start + timedelta(minutes=minutes), buffer, status,
             expires_at])

    def reason(self, mechanic, start, minutes=30, service="online", customer=None):
        row = self.conn.execute("select * from app.slot_availability(%s, %s, %s, %s, %s)",
                                [mechanic, start, start + timedelta(minutes=minutes), service, customer]).fetchone()
        assert row["available"] == (row["reason"] is None)
        return row["reason"]

    def slots(self, mechanic, first, last, plan="standard", service="online", viewer="America/Toronto", customer=None):
        return self.conn.execute("select * from app.available_slots(%s, %s, %s, %s, %s, %s, %s)",
                                 [mechanic, first, last, plan, service, viewer, customer]).fetchall()




class Shop:
    """A workshop open all day, its admin, and two employees bookable at any time (the first only by request,
    its instant booking off), for the tests of in-person visits."""

    def __init__(self, world, name="desk"):
        self.world = world
        self.id = world.workshop(hours={d: ("00:00", "24:00") for d in range(1, 8)})
        self.admin = world.value(
            "select app.create_staff_account(p_role => 'workshop_admin', p_email => %s, p_password => %s, "
            "p_name => 'Desk', p_timezone => 'America/Toronto', p_workshop_id => %s)", [f"{name}@example.com", "x" * 40, self.id])
        self.mechanics = [world.mechanic(blocks={d: [("00:00", "24:00")] for d in range(1, 8)}, workshop=self.id,
                                         partnership="employee", min_notice_minutes=0) for _ in range(2)]
        world.conn.execute("update app.mechanic_settings set instant_booking = false where mechanic_id = %s", [self.mechanics[0]])

    def visit(self, start, mechanic=1, name="Casey Customer"):
        """A paid visit (the $15 deposit) of a new customer with a phone; mechanic 0 makes it a request."""
        customer = self.world.customer()
        self.world.conn.execute("update app.users set name = %s, phone = '+1 416 555 0100' where id = %s", [name, customer])
        return customer, self.world.book(customer, self.mechanics[mechanic], start, service="in_person")
