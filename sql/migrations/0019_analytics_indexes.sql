-- More indexes for the analytics and admin pages (issue 15), from bench/analytics.py on the world of bench/world.py
-- (a million sessions, a quarter of a million of them due in a 90-day range): each turns a full read of
-- app.sessions into a read of the range's own rows.

-- Book Now requests created in a range, by the mechanic who took them or by nobody (analytics_offer_acceptance):
-- immediate sessions are about 1% of the rows, which sessions_mechanic_created_idx can only filter one by one
create index sessions_immediate_created_idx on app.sessions (mechanic_id, created_at) where kind = 'immediate';
-- scheduled sessions due in a range that took place or were missed, with their customer
-- (admin_no_shows_by_customer, index-only)
create index sessions_due_customer_idx on app.sessions (scheduled_for) include (customer_id, status)
    where kind = 'scheduled' and status in ('completed', 'no_show');
-- a workshop's in-person visits from a time on (my_workshops, on the header of every workshop page: its upcoming
-- visits; and workshop_bookings_outside_hours, once it names the workshop's mechanics as = any(array(...)) rather
-- than as a subquery correlated with each session)
create index sessions_workshop_due_idx on app.sessions (workshop_id, scheduled_for) where workshop_id is not null;
