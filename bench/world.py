"""A large, realistic world for the benchmarks: 20 workshops in six zones, 300 mechanics of all three types
with weekly blocks and time off, 20,000 customers, and over a million bookings across a year (six months
back, six forward) plus live holds. Set-based SQL: a few minutes on 2 cores."""
import time

import psycopg

ZONES = ["America/Toronto", "America/Vancouver", "America/Halifax", "America/Edmonton", "America/Winnipeg",
         "America/Regina"]
MECHANICS = 300
CUSTOMERS = 20_000
WORKSHOPS = 20


def step(conn, label, statement, params=None):
    began = time.perf_counter()
    rows = conn.execute(statement, params or []).rowcount
    print(f"  {label}: {rows:,} rows in {time.perf_counter() - began:.1f} s", flush=True)


def build(dsn, now):
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("select app.set_app_clock(%s)", [now])
        step(conn, "workshops", """
            insert into app.workshops (name, street, city, province, postal_code, timezone)
            select 'Workshop ' || n, n || ' Main St', 'City ' || n, 'ON', 'M5V 2T6', (%s::text[])[1 + n %% 6]
            from generate_series(1, %s) n""", [ZONES, WORKSHOPS])
        step(conn, "workshop hours", """
            insert into app.workshop_availability (workshop_id, weekday, is_closed, opens_at, closes_at, break_start, break_end, capacity)
            select w.id, d, d = 7, case when d < 7 then time '07:00' end, case when d < 7 then time '21:00' end,
                   case when d < 6 then time '12:00' end, case when d < 6 then time '12:30' end, 3 + w.id %% 4
            from app.workshops w, generate_series(1, 7) d""")
        step(conn, "users", """
            insert into app.users (email, password_hash, role, name, timezone)
            select 'mechanic' || n || '@bench.example', repeat('x', 40), 'mechanic', 'Mechanic ' || n, (%s::text[])[1 + n %% 6]
            from generate_series(1, %s) n
            union all
            select 'customer' || n || '@bench.example', repeat('x', 40), 'customer', 'Customer ' || n, (%s::text[])[1 + n %% 6]
            from generate_series(1, %s) n""", [ZONES, MECHANICS, ZONES, CUSTOMERS])
        step(conn, "customers", "insert into app.customers (id) select id from app.users where role = 'customer'")
        # a third virtual only, a sixth independent workshop owners, the rest workshop employees
        step(conn, "mechanics", """
            insert into app.mechanics (id, workshop_id, account_type, partnership_type, timezone, years_experience,
                                       rating, specialties, brands, currently_on_shift, last_seen_at)
            select u.id,
                   case when k.n %% 6 in (0, 1) then null else (select min(id) from app.workshops) + k.n %% %s end,
                   case when k.n %% 6 = 2 then 'individual_mechanic' when k.n %% 6 in (0, 1) then 'individual_mechanic'
                        else 'workshop_mechanic' end,
                   case when k.n %% 6 in (0, 1) then 'none' when k.n %% 6 = 2 then 'owner' else 'employee' end,
                   coalesce((select w.timezone from app.workshops w
                             where w.id = (select min(id) from app.workshops) + k.n %% %s and k.n %% 6 not in (0, 1)),
                            u.timezone),
                   k.n %% 25, 3.5 + (k.n %% 16) / 10.0, array['engine', 'brakes'], array['Toyota', 'Ford'],
                   k.n %% 10 = 0, %s::timestamptz
            from (select id, row_number() over (order by id) as n from app.users where role = 'mechanic') k
            join app.users u on u.id = k.id""", [WORKSHOPS, WORKSHOPS, now])
        step(conn, "settings", "insert into app.mechanic_settings (mechanic_id) select id from app.mechanics")
        step(conn, "weekly blocks", """
            insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time)
            select m.id, d, s, e
            from app.mechanics m, generate_series(1, 7) d,
                 (values (time '07:00', time '12:00'), (time '12:30', time '21:00')) b(s, e)
            where m.account_type = 'individual_mechanic' and (d < 7 or m.id %% 2 = 0)""")
        step(conn, "time off", """
            insert into app.mechanic_time_off (mechanic_id, start_date, end_date, reason)
            select m.id, (%s::timestamptz)::date + o, (%s::timestamptz)::date + o + (m.id %% 5)::int, 'Vacation'
            from app.mechanics m, (values (-150), (-40), (25), (90)) v(o)""", [now, now])
        # one booking an hour at most, 07:00-20:00 local but noon, on about 73% of the hours: over 1M in the year
        step(conn, "bookings", """
            insert into app.slot_reservations (mechanic_id, customer_id, workshop_id, service_type, plan_code,
                                               starts_at, ends_at, buffer_minutes, status, confirmed_at)
            select m.id, c.first + (hashint8(m.id * 100003 + h.n) & 2147483647) %% %s,
                   case when h.n %% 5 = 0 and m.workshop_id is not null then m.workshop_id end,
                   case when h.n %% 5 = 0 and m.workshop_id is not null then 'in_person' else 'online' end,
                   'standard', h.start, h.start + interval '30 minutes', 15, 'confirmed', h.start - interval '3 days'
            from app.mechanics m
            cross join (select min(id) as first from app.customers) c
            cross join lateral (
                select row_number() over () as n, (day + make_time(hour, 0, 0)) at time zone m.timezone as start
                from generate_series(((%s::timestamptz) - interval '182 days')::date::timestamp,
                                     ((%s::timestamptz) + interval '182 days')::date::timestamp, interval '1 day') day,
                     generate_series(7, 20) hour
                where hour <> 12 and (hashint8(m.id * 7919 + extract(epoch from day)::bigint + hour) & 1023) < 750
            ) h
            on conflict do nothing""", [CUSTOMERS, now, now])
        step(conn, "live holds", """
            insert into app.slot_reservations (mechanic_id, customer_id, service_type, plan_code, starts_at, ends_at,
                                               buffer_minutes, status, expires_at)
            select m.id, (select min(id) from app.customers) + (m.id * 31 + h) %% %s, 'online', 'standard',
                   date_trunc('hour', %s::timestamptz) + make_interval(hours => h),
                   date_trunc('hour', %s::timestamptz) + make_interval(hours => h, mins => 30),
                   15, 'reserved', %s::timestamptz + interval '10 minutes'
            from app.mechanics m, generate_series(3, 72) h
            on conflict do nothing""", [CUSTOMERS, now, now, now])
        began = time.perf_counter()
        conn.execute("vacuum analyze")
        print(f"  vacuum analyze in {time.perf_counter() - began:.1f} s", flush=True)
        return conn.execute("select count(*) from app.slot_reservations").fetchone()[0]
