"""A large, realistic world for the benchmarks: 20 workshops in six zones, 300 mechanics of all three types
with weekly blocks and time off, 20,000 customers, over a million bookings across a year (six months back, six
forward) plus live holds, and what happened to them: a session for every booking (completed, no-show,
cancelled, or still to come), some thousands of Book Now sessions with their offers, the money of each (payments,
refunds, account credit, payouts and the policy outcomes of SPEC §9, adding up: app.money_audit() is empty),
and waitlist entries of every outcome. Set-based SQL: a few minutes on 2 cores."""
import time

import psycopg

ZONES = ["America/Toronto", "America/Vancouver", "America/Halifax", "America/Edmonton", "America/Winnipeg",
         "America/Regina"]
MECHANICS = 300
CUSTOMERS = 20_000
WORKSHOPS = 20
IMMEDIATE = 6_000  # Book Now sessions over the past six months
WAITLIST = 6_000  # waitlist entries besides those that led to a Book Now session

# Why a session was cancelled, by who cancelled it: the policy outcome's decided_by is read back from it
CANCELLED_BY = {"customer": "Plans changed", "mechanic": "The mechanic could not make it",
                "workshop": "The workshop is closed that day", "admin": "Cancelled by Auto Doctor"}

# When a booking was made: a lead time before its start drawn from x, a hash of the booking (20 min – 2 h: 8%,
# 2–24 h: 29%, 1–3 days: 26%, 3–7 days: 20%, 1–2 weeks: 11%, 2–6 weeks: 6%). A booking of the months ahead
# that this would place after NOW was made on a day of the six months before NOW instead.
BOOKED_AT = """
    case when h.start - make_interval(secs => l.lead) <= %(now)s::timestamptz
         then h.start - make_interval(secs => l.lead)
         else %(now)s::timestamptz - make_interval(secs => 60 + ((h.x >> 30) & 16777215) %% 15724800) end"""
LEAD_SECONDS = """
    select case when h.x & 1023 < 80 then 1200 + f * 6000 when h.x & 1023 < 380 then 7200 + f * 79200
                when h.x & 1023 < 650 then 86400 + f * 172800 when h.x & 1023 < 850 then 259200 + f * 345600
                when h.x & 1023 < 960 then 604800 + f * 604800 else 1209600 + f * 2419200 end as lead
    from (select ((h.x >> 10) & 1048575) / 1048576.0 as f) r"""
# A share is paid out on the Monday after the week that follows the one it was earned in; later ones are due.
PAID_OUT = """case when {at} < date_trunc('week', %(now)s::timestamptz) - interval '7 days'
                   then least(date_trunc('week', {at}) + interval '14 days 10 hours', %(now)s::timestamptz) end"""
# Who is paid for a mechanic's work (app.session_payee, SPEC §1)
PAYEE = "case app.mechanic_type_of(m.workshop_id, m.account_type) when 'workshop_affiliated' then 'workshop' else 'mechanic' end"
PAYEE_WORKSHOP = "case app.mechanic_type_of(m.workshop_id, m.account_type) when 'workshop_affiliated' then m.workshop_id end"


def step(conn, label, statement, params=None):
    began = time.perf_counter()
    rows = conn.execute(statement, params or []).rowcount
    print(f"  {label}: {rows:,} rows in {time.perf_counter() - began:.1f} s", flush=True)


def build(dsn, now):
    began = time.perf_counter()
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
        # one booking an hour at most, 07:00-20:00 local but noon, on about 73% of the hours: over 1M in the year;
        # one in eight is the 45-minute plan (its 15-minute buffer still ends at the next hour), and each was
        # made (held 4 minutes, then paid) a lead time before its start (BOOKED_AT)
        step(conn, "bookings", f"""
            insert into app.slot_reservations (mechanic_id, customer_id, workshop_id, service_type, plan_code,
                                               starts_at, ends_at, buffer_minutes, status, confirmed_at, created_at)
            select m.id, c.first + (hashint8(m.id * 100003 + h.n) & 2147483647) %% %(customers)s,
                   case when h.n %% 5 = 0 and m.workshop_id is not null then m.workshop_id end,
                   case when h.n %% 5 = 0 and m.workshop_id is not null then 'in_person' else 'online' end,
                   case when (h.x >> 54) & 7 = 0 then 'extended' else 'standard' end, h.start,
                   h.start + case when (h.x >> 54) & 7 = 0 then interval '45 minutes' else interval '30 minutes' end,
                   15, 'confirmed', b.at, b.at - interval '4 minutes'
            from app.mechanics m
            cross join (select min(id) as first from app.customers) c
            cross join lateral (
                select n, start, hashint8extended(m.id * 15485863 + n, 0) as x
                from (
                    select row_number() over () as n, (day + make_time(hour, 0, 0)) at time zone m.timezone as start
                    from generate_series(((%(now)s::timestamptz) - interval '182 days')::date::timestamp,
                                         ((%(now)s::timestamptz) + interval '182 days')::date::timestamp, interval '1 day') day,
                         generate_series(7, 20) hour
                    where hour <> 12 and (hashint8(m.id * 7919 + extract(epoch from day)::bigint + hour) & 1023) < 750
                ) g
            ) h
            cross join lateral ({LEAD_SECONDS}) l
            cross join lateral (select {BOOKED_AT} as at) b
            on conflict do nothing""", {"customers": CUSTOMERS, "now": now})
        step(conn, "live holds", """
            insert into app.slot_reservations (mechanic_id, customer_id, service_type, plan_code, starts_at, ends_at,
                                               buffer_minutes, status, expires_at)
            select m.id, (select min(id) from app.customers) + (m.id * 31 + h) %% %s, 'online', 'standard',
                   date_trunc('hour', %s::timestamptz) + make_interval(hours => h),
                   date_trunc('hour', %s::timestamptz) + make_interval(hours => h, mins => 30),
                   15, 'reserved', %s::timestamptz + interval '10 minutes'
            from app.mechanics m, generate_series(3, 72) h
            on conflict do nothing""", [CUSTOMERS, now, now, now])
        activity(conn, now)
        step_began = time.perf_counter()
        conn.execute("vacuum analyze")
        print(f"  vacuum analyze in {time.perf_counter() - step_began:.1f} s", flush=True)
        step_began = time.perf_counter()
        unbalanced = conn.execute("select count(*) from app.money_audit()").fetchone()[0]
        print(f"  money_audit(): {unbalanced} sessions whose money does not add up "
              f"({time.perf_counter() - step_began:.1f} s)", flush=True)
        print(f"  built in {time.perf_counter() - began:.0f} s", flush=True)
        return conn.execute("select count(*) from app.slot_reservations").fetchone()[0]


def activity(conn, now):
    """What became of the bookings, Book Now and the waitlist, with their money, as the app's functions would
    have written it (SPEC §7–§10). One transaction; triggers (the event log, notifications, foreign-key checks)
    are skipped with session_replication_role = replica: a synthetic world written in final states has no
    transitions to log or check, and the rows are consistent by construction (money_audit checks the money)."""
    p = {"now": now, "customers": CUSTOMERS, "immediate": IMMEDIATE, "waitlist": WAITLIST}
    reasons = ", ".join(f"('{by}', '{text}')" for by, text in CANCELLED_BY.items())
    with conn.transaction():
        conn.execute("set local session_replication_role = replica")
        # Past bookings: 6% cancelled (6% of those by the mechanic, 2% by the platform, 8% of the in-person ones
        # by the workshop, the rest by the customer, 4 days to 25 minutes before the start), 5% no-shows, the
        # rest completed. Bookings to come: 3% already cancelled, the rest scheduled. A cancelled booking's claim
        # is released.
        step(conn, "sessions (scheduled)", f"""
            with fate as (
                select r.*, pl.duration_minutes, x & 1023 as a, (x >> 10) & 1023 as b,
                       ((x >> 20) & 1048575) / 1048576.0 as f
                from app.slot_reservations r
                join app.plans pl on pl.code = r.plan_code
                cross join lateral (select hashint8extended(r.id, 7) as x) h
                where r.status = 'confirmed'
            ), decided as (
                select d.*,
                       case when d.starts_at < %(now)s::timestamptz
                            then case when d.a < 60 then 'cancelled' when d.a < 112 then 'no_show' else 'completed' end
                            else case when d.a < 30 then 'cancelled' else 'scheduled' end end as status_,
                       case when d.b < 64 then 'mechanic' when d.b < 80 then 'admin'
                            when d.b < 160 and d.service_type = 'in_person' then 'workshop' else 'customer' end as by_
                from fate d
            )
            insert into app.sessions (customer_id, mechanic_id, kind, service_type, plan_code, duration_minutes,
                                      status, scheduled_for, reservation_id, workshop_id, concern_category, concern,
                                      created_at, accepted_at, started_at, ended_at, cancelled_at, no_show_at,
                                      cancel_reason, summary, policy_version)
            select d.customer_id, d.mechanic_id, 'scheduled', d.service_type, d.plan_code, d.duration_minutes,
                   d.status_, d.starts_at, d.id, d.workshop_id,
                   (array['diagnostic', 'repair', 'maintenance', 'brakes', 'noise', 'warning_light'])[1 + (d.b %% 6)::integer],
                   'A grinding noise from the front when braking.', d.confirmed_at, d.confirmed_at,
                   case when d.status_ = 'completed' then d.starts_at + make_interval(mins => (d.b %% 4)::integer) end,
                   case when d.status_ = 'completed' then d.starts_at + make_interval(mins => (d.b %% 4)::integer + d.duration_minutes) end,
                   case when d.status_ <> 'cancelled' then null
                        when d.starts_at < %(now)s::timestamptz
                        then greatest(d.confirmed_at + interval '10 minutes', d.starts_at - (array[
                                interval '4 days', interval '36 hours', interval '10 hours', interval '5 hours',
                                interval '90 minutes', interval '25 minutes'])[1 + (d.a %% 6)::integer])
                        else d.confirmed_at + (%(now)s::timestamptz - d.confirmed_at) * (0.1 + 0.8 * d.f) end,
                   case when d.status_ = 'no_show' then d.starts_at + interval '15 minutes' end,
                   case when d.status_ = 'cancelled' then w.reason end,
                   case when d.status_ = 'completed' then 'Front pads worn to 2 mm; replace them soon.' end, 1
            from decided d
            join (values {reasons}) w(by_, reason) on w.by_ = d.by_""", p)
        step(conn, "claims of cancelled sessions released", """
            update app.slot_reservations r set status = 'cancelled', released_at = s.cancelled_at
            from app.sessions s
            where s.reservation_id = r.id and s.status = 'cancelled'""")
        # Book Now over the past six months, in the daytime: 76% taken (accepted_at 4 s to 10 min after, most
        # within a minute or two) and completed, 2% taken then cancelled by the customer, 15% never taken
        # (expired at 10 minutes), 7% cancelled by the customer while waiting; and three still waiting now.
        step(conn, "sessions (Book Now)", """
            with mechanics as (
                select array_agg(id order by id) as ids, count(*)::integer as n from app.mechanics
            ), drawn as (
                select k.n, k.x,
                       date_trunc('day', %(now)s::timestamptz - make_interval(days => k.n %% 182))
                           + make_interval(hours => (12 + (k.x & 1023) %% 12)::integer, secs => ((k.x >> 10) & 4095) %% 3600) as created,
                       (k.x >> 22) & 127 as a, ((k.x >> 39) & 1023) / 1024.0 as f, (k.x >> 29) & 1023 as speed
                from (select n, hashint8extended(n, 11) as x from generate_series(1, %(immediate)s) n) k
            ), fate as (
                select d.*, pl.code as plan, pl.duration_minutes,
                       c.first + ((d.x >> 12) & 1048575) %% %(customers)s as customer,
                       case when d.a < 100 then m.ids[(1 + ((d.x >> 49) & 1023) %% m.n)::integer] end as mechanic,
                       case when d.a < 100 then d.created + make_interval(secs => case
                            when d.speed < 300 then 4 + d.f * 26 when d.speed < 560 then 30 + d.f * 30
                            when d.speed < 770 then 60 + d.f * 60 when d.speed < 920 then 120 + d.f * 180
                            else 300 + d.f * 290 end) end as accepted
                from drawn d
                cross join mechanics m
                cross join (select min(id) as first from app.customers) c
                join app.plans pl on pl.code = (array['standard', 'standard', 'extended', 'premium'])[(1 + ((d.x >> 59) & 3))::integer]
                where d.created < %(now)s::timestamptz - interval '1 hour'
            )
            insert into app.sessions (customer_id, mechanic_id, kind, service_type, plan_code, duration_minutes,
                                      status, concern_category, concern, created_at, accepted_at, started_at,
                                      ended_at, cancelled_at, expired_at, cancel_reason, summary, policy_version)
            select f.customer, f.mechanic, 'immediate', 'online', f.plan, f.duration_minutes,
                   case when f.a < 97 then 'completed' when f.a < 116 and f.a >= 100 then 'expired' else 'cancelled' end,
                   'warning_light', 'The check-engine light came on this morning.', f.created, f.accepted,
                   case when f.a < 97 then f.accepted + interval '90 seconds' end,
                   case when f.a < 97 then f.accepted + make_interval(secs => 90, mins => f.duration_minutes) end,
                   case when f.a between 97 and 99 then f.accepted + interval '40 seconds'
                        when f.a >= 116 then f.created + make_interval(secs => 30 + f.f * 500) end,
                   case when f.a between 100 and 115 then f.created + interval '10 minutes' end,
                   case when f.a >= 97 and not f.a between 100 and 115 then 'Plans changed' end,
                   case when f.a < 97 then 'Loose gas cap; the light goes off after a few drives.' end, 1
            from fate f
            union all
            select (select min(id) from app.customers) + n, null, 'immediate', 'online', 'standard', 30, 'pending',
                   'noise', 'A squeal when I turn the wheel.', %(now)s::timestamptz - make_interval(mins => 2 + 3 * n),
                   null, null, null, null, null, null, null, 1
            from generate_series(1, 3) n""", p)
        # each offered by name to three mechanics (the winner first) and broadcast to everyone online
        step(conn, "offers (Book Now)", """
            with mechanics as (
                select array_agg(id order by id) as ids, count(*)::integer as n from app.mechanics
            )
            insert into app.session_offers (session_id, mechanic_id, kind, status, score, created_at, responded_at)
            select s.id, case when j = 0 and s.mechanic_id is not null then s.mechanic_id
                              else m.ids[(1 + ((hashint8extended(s.id, 13) & 1023) + j * 97) %% m.n)::integer] end,
                   'targeted',
                   case when s.accepted_at is not null then case when j = 0 then 'accepted' else 'withdrawn' end
                        when s.status = 'expired' then 'expired' when s.status = 'cancelled' then 'withdrawn'
                        else 'open' end,
                   90 - 7 * j, s.created_at, coalesce(s.accepted_at, s.expired_at, s.cancelled_at)
            from app.sessions s cross join mechanics m cross join generate_series(0, 2) j
            where s.kind = 'immediate'
            union all
            select s.id, null, 'broadcast',
                   case when s.accepted_at is not null or s.status = 'cancelled' then 'withdrawn'
                        when s.status = 'expired' then 'expired' else 'open' end,
                   null, s.created_at, coalesce(s.accepted_at, s.expired_at, s.cancelled_at)
            from app.sessions s
            where s.kind = 'immediate'
            on conflict do nothing""")
        # SPEC §9: the full price online (immediate or scheduled), the $15 deposit in person, paid in the
        # transaction that created the session; the balance of a completed visit after the service
        step(conn, "payments", """
            insert into app.payments (customer_id, reservation_id, session_id, kind, session_kind, plan_code,
                                      amount_cents, status, payment_method, idempotency_key, intent_id,
                                      policy_version, created_at, succeeded_at)
            select s.customer_id, s.reservation_id, s.id,
                   case when s.service_type = 'in_person' then 'deposit' else 'full' end, s.kind, s.plan_code,
                   case when s.service_type = 'in_person' then c.deposit_cents else pl.price_cents end,
                   'succeeded', 'pm_card_visa', 'bench-booking-' || s.id, 'pi_bench_' || s.id, s.policy_version,
                   s.created_at - interval '1 minute', s.created_at
            from app.sessions s
            join app.plans pl on pl.code = s.plan_code
            join app.cancellation_policies c on c.version = s.policy_version""")
        step(conn, "balance payments", """
            insert into app.payments (customer_id, session_id, kind, session_kind, plan_code, amount_cents, status,
                                      payment_method, idempotency_key, intent_id, policy_version, created_at, succeeded_at)
            select s.customer_id, s.id, 'balance', s.kind, s.plan_code, pl.price_cents - c.deposit_cents, 'succeeded',
                   'pm_card_visa', 'bench-balance-' || s.id, 'pi_bench_balance_' || s.id, s.policy_version,
                   s.ended_at + interval '5 minutes', s.ended_at + interval '6 minutes'
            from app.sessions s
            join app.plans pl on pl.code = s.plan_code
            join app.cancellation_policies c on c.version = s.policy_version
            where s.status = 'completed' and s.service_type = 'in_person'""")
        # completed: 70 / 30 (the policy's commission) between the payee of SPEC §1 and the platform, when the
        # session ended (online) or its balance was paid (in person), as settle_completed_session shares it
        step(conn, "payouts (completed)", f"""
            insert into app.payouts (session_id, payee, mechanic_id, workshop_id, amount_cents, reason, created_at, paid_out_at)
            select s.id, y.payee, y.mechanic_id, y.workshop_id, y.amount, 'completed', t.at, {PAID_OUT.format(at='t.at')}
            from app.sessions s
            join app.plans pl on pl.code = s.plan_code
            join app.cancellation_policies c on c.version = s.policy_version
            join app.mechanics m on m.id = s.mechanic_id
            cross join lateral (select s.ended_at + case when s.service_type = 'in_person' then interval '6 minutes'
                                                         else interval '0' end as at,
                                       pl.price_cents - pl.price_cents * (100 - c.commission_percent) / 100 as platform) t
            cross join lateral (values ({PAYEE}, m.id, {PAYEE_WORKSHOP}, pl.price_cents - t.platform),
                                       ('platform', null::bigint, null::bigint, t.platform)) y(payee, mechanic_id, workshop_id, amount)
            where s.status = 'completed'""", p)
        conn.execute("analyze app.sessions, app.payments")  # policy_outcome looks up each session's payments
        # cancellations, no-shows and Book Now requests nobody took: the outcome is app.policy_outcome's own
        # answer for who ended the session and when (what apply_policy_outcome records)
        step(conn, "policy outcomes", f"""
            insert into app.policy_outcomes (session_id, tier, decided_by, charged_cents, refund_cents, credit_cents,
                                             payee_cents, platform_cents, decided_at)
            select (e.s).id, o.tier, e.by_, o.charged_cents, o.refund_cents, o.credit_cents, o.payee_cents,
                   o.platform_cents, e.at
            from (
                select s, case s.status when 'no_show' then 'no_show' when 'expired' then 'customer' else w.by_ end as by_,
                       coalesce(s.cancelled_at, s.no_show_at, s.expired_at) as at
                from app.sessions s
                left join (values {reasons}) w(by_, reason) on w.reason = s.cancel_reason
                where s.status in ('cancelled', 'no_show', 'expired')
            ) e
            cross join lateral app.policy_outcome(e.s, e.by_, e.at) o""")
        # to the card that paid (give_back), sent by the gateway 1–30 minutes later: those decided in the last
        # minutes before NOW are still pending
        step(conn, "refunds", """
            insert into app.refunds (payment_id, session_id, amount_cents, reason, status, idempotency_key,
                                     gateway_refund_id, attempts, created_at, completed_at)
            select y.id, o.session_id, o.refund_cents,
                   case o.tier when 'not_accepted' then 'not_accepted'
                        when 'provider_cancelled' then o.decided_by || '_cancelled' else 'customer_cancelled' end,
                   case when t.sent <= %(now)s::timestamptz then 'succeeded' else 'pending' end,
                   'refund-' || y.id || '-1', case when t.sent <= %(now)s::timestamptz then 're_bench_' || y.id end,
                   case when t.sent <= %(now)s::timestamptz then 1 else 0 end, o.decided_at,
                   case when t.sent <= %(now)s::timestamptz then t.sent end
            from app.policy_outcomes o
            join app.payments y on y.session_id = o.session_id and y.kind <> 'balance'
            cross join lateral (select o.decided_at + make_interval(secs => 60 + o.session_id %% 1740) as sent) t
            where o.refund_cents > 0""", p)
        step(conn, "account credit", """
            insert into app.credit_entries (customer_id, amount_cents, reason, session_id, created_at)
            select s.customer_id, o.credit_cents, case when o.tier = 'no_show' then 'no_show' else 'late_cancellation' end,
                   o.session_id, o.decided_at
            from app.policy_outcomes o join app.sessions s on s.id = o.session_id
            where o.credit_cents > 0""")
        step(conn, "payouts (cancellations, no-shows)", f"""
            insert into app.payouts (session_id, payee, mechanic_id, workshop_id, amount_cents, reason, created_at, paid_out_at)
            select o.session_id, y.payee, y.mechanic_id, y.workshop_id, y.amount,
                   case when o.tier = 'no_show' then 'no_show' else 'customer_cancelled' end, o.decided_at,
                   {PAID_OUT.format(at='o.decided_at')}
            from app.policy_outcomes o
            join app.sessions s on s.id = o.session_id
            left join app.mechanics m on m.id = s.mechanic_id
            cross join lateral (values ({PAYEE}, m.id, {PAYEE_WORKSHOP}, o.payee_cents),
                                       ('platform', null::bigint, null::bigint, o.platform_cents)) y(payee, mechanic_id, workshop_id, amount)
            where y.amount > 0""", p)
        # SPEC §10: a quarter of the Book Now sessions taken followed a waitlist notice minutes before
        # (converted); other entries were notified without booking, expired, left, or wait now
        step(conn, "waitlist", """
            with mechanics as (
                select array_agg(id order by id) as ids, count(*)::integer as n from app.mechanics
            ), drawn as (
                select k.n, k.x, (k.x >> 22) & 127 as a,
                       date_trunc('day', %(now)s::timestamptz - make_interval(days => 1 + k.n %% 182))
                           + make_interval(hours => (12 + (k.x & 1023) %% 12)::integer, secs => ((k.x >> 10) & 4095) %% 3600) as created
                from (select n, hashint8extended(n, 5) as x from generate_series(1, %(waitlist)s) n) k
            )
            insert into app.customer_waitlist (customer_id, plan_code, concern, status, created_at, expires_at,
                                               notified_at, notified_for, cancelled_at)
            select s.customer_id, s.plan_code, s.concern, 'notified', t.created, t.created + interval '2 hours',
                   s.created_at - make_interval(mins => 1 + (s.id %% 8)::integer), s.mechanic_id, null
            from app.sessions s
            cross join lateral (select s.created_at - make_interval(mins => 10 + (s.id %% 80)::integer) as created) t
            where s.kind = 'immediate' and s.mechanic_id is not null and s.id %% 4 = 0
            union all
            select c.first + ((d.x >> 30) & 1048575) %% %(customers)s, 'standard', 'A rattle at idle.',
                   case when d.a < 45 then 'notified' when d.a < 96 then 'expired' else 'cancelled' end,
                   d.created, d.created + interval '2 hours',
                   case when d.a < 45 then d.created + make_interval(mins => 5 + (d.n %% 105)::integer) end,
                   case when d.a < 45 then m.ids[(1 + ((d.x >> 50) & 1023) %% m.n)::integer] end,
                   case when d.a >= 96 then d.created + make_interval(mins => 3 + (d.n %% 97)::integer) end
            from drawn d cross join mechanics m cross join (select min(id) as first from app.customers) c
            union all
            select (select min(id) from app.customers) + 100 + n, 'standard', 'No power steering.', 'pending',
                   %(now)s::timestamptz - make_interval(mins => 5 + 9 * n), %(now)s::timestamptz - make_interval(mins => 5 + 9 * n) + interval '2 hours',
                   null, null, null
            from generate_series(1, 12) n""", p)
