-- Issue 18, one definition of each thing. The two freeze triggers now run one function,
-- app.tg_refuse_version_change (sql/functions/common/internal/), which recreates both triggers under the names
-- they had: their own functions go, with the triggers that run them, in this same transaction.
drop trigger if exists tg_cancellation_policies__frozen on app.cancellation_policies;
drop function if exists app.tg_cancellation_policies__frozen();
drop trigger if exists tg_waiver_versions__frozen on app.waiver_versions;
drop function if exists app.tg_waiver_versions__frozen();

-- What a row of each table is, where psql's \dt+ and any schema browser show it.
comment on table app.schema_migrations is
    'A migration applied to this database (migrate.py): its number, file name and the SHA-256 of its text.';
comment on table app.app_clock is
    'The one row of the application''s clock: the time app_now() returns while tests or demos freeze it, else null.';
comment on table app.time_zones is
    'An IANA time zone a person, mechanic or workshop may live in (region/city names and UTC).';
comment on table app.users is
    'An account: a customer, mechanic, workshop admin or platform admin, with its log-in email and password hash.';
comment on table app.customers is
    'The customer side of a customer''s account: where they are, for matching and in-person visits.';
comment on table app.vehicles is
    'A customer''s vehicle, which a session may be about.';
comment on table app.workshops is
    'A workshop: where in-person visits take place, with its address, zone and payout account.';
comment on table app.workshop_admins is
    'A person who runs a workshop''s bookings and settings.';
comment on table app.mechanics is
    'The mechanic side of a mechanic''s account: profile, location, type (SPEC §1) and whether on shift.';
comment on table app.mechanic_settings is
    'A mechanic''s booking rules: buffer between sessions, notice, how far ahead, instant booking, slot interval.';
comment on table app.mechanic_availability is
    'One weekly block of a mechanic''s schedule: a local weekday and wall-clock times in the mechanic''s zone.';
comment on table app.mechanic_time_off is
    'A period a mechanic is away: local dates of the mechanic''s zone, both ends included; entries never overlap.';
comment on table app.workshop_availability is
    'A workshop''s opening hours on one weekday, in its zone, with an optional break and its in-person capacity.';
comment on table app.workshop_closures is
    'A local date a workshop is closed outside its weekly hours (a holiday).';
comment on table app.plans is
    'A plan a session is sold under: its price and how long it lasts.';
comment on table app.favorites is
    'A mechanic a customer keeps among their favourites.';
comment on table app.login_attempts is
    'One log-in attempt for an email (and from an address), for rate limiting.';
comment on table app.slot_reservations is
    'A claim on a mechanic''s time: a 15-minute hold while the customer pays, or the confirmed time of a booking.';
comment on table app.sessions is
    'A session between a customer and a mechanic (SPEC §7): immediate or scheduled, online or in person.';
comment on table app.session_events is
    'A status a session took: who moved it, when, from what and why (tg_sessions__log_event).';
comment on table app.session_offers is
    'An offer of an immediate session to a mechanic (targeted) or to any online mechanic (broadcast), and its answer.';
comment on table app.cancellation_policies is
    'A version of the cancellation and no-show policy; a booking keeps the version it was sold under, and versions never change.';
comment on table app.payments is
    'One attempt to take money for a booking: the full price, the deposit or the balance; credit first, the card for the rest.';
comment on table app.refunds is
    'Money going back to a card, written pending where it is decided and sent to the gateway after commit.';
comment on table app.credit_entries is
    'One entry of a customer''s account credit ledger: granted (positive) or spent at checkout (negative).';
comment on table app.payouts is
    'What one payee (the mechanic, the workshop or the platform) earns from one session.';
comment on table app.gateway_events is
    'A payment gateway event already applied, so that its redelivery does nothing.';
comment on table app.waiver_versions is
    'A published version of the waiver text; it never changes, a new text is a new version.';
comment on table app.waiver_signatures is
    'A customer''s signature of one waiver version, drawn (PNG) or typed, online or at the workshop.';
comment on table app.customer_waitlist is
    'A customer waiting for a mechanic to come online (SPEC §10): pending, then notified, expired or cancelled.';
comment on table app.booking_drafts is
    'What a customer has entered so far in one booking wizard, kept on the server.';
comment on table app.attachments is
    'A photo or video of a customer''s concern, uploaded for a session (or a draft of one).';
comment on table app.outbox is
    'A notification to send to a person by email, SMS or in the app, written with its cause; a job delivers it.';
comment on table app.session_rematches is
    'A session whose mechanic cancelled, to be matched with another mechanic (rematch_sessions), and how that ended.';
comment on table app.visit_counter_offers is
    'Another time a workshop proposes for an in-person visit, with its mechanic, and the customer''s answer.';
comment on table app.session_messages is
    'One entry of a session room''s append-only log: a chat message, a photo or a WebRTC signal, numbered by seq.';
comment on table app.session_room_reads is
    'How far one person has read a session room''s chat.';
comment on table app.password_tokens is
    'A link to set a password: the SHA-256 of its token, until it is used, voided or expires.';
comment on table app.policy_outcomes is
    'Which tier of the cancellation and no-show policy settled a session, and the money it moved.';
comment on table app.analytics_summaries is
    'A local day of one zone that refresh_analytics has summed, and when.';
comment on table app.analytics_changes is
    'An instant whose local days must be summed again (tg_sessions__analytics_changes).';
comment on table app.analytics_days is
    'The sums of one local day of one zone for one mechanic (or none): bookable and booked minutes, bookings, money.';
comment on table app.analytics_plan_days is
    'The scheduled sessions of one local day, zone, mechanic and plan that took place, were missed or cancelled.';
comment on table app.analytics_hours is
    'The sessions created in one local hour of one zone, for the whole platform (the peak hours).';
comment on table app.signup_attempts is
    'One sign-up attempt from an address, for rate limiting.';
comment on table app.login_policy is
    'The one row of log-in rules: the bcrypt cost of new hashes and how long a log-in lasts idle and in all.';
comment on table app.actor_signing_key is
    'The one row holding the key that signs an actor binding; it never leaves the database.';
comment on table app.login_sessions is
    'A log-in of a person on one device: the SHA-256 of its token, when it was last seen and when it ends or was revoked.';
