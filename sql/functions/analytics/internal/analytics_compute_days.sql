create or replace function app.analytics_compute_days(
    p_zone text, p_days date[], p_mechanics bigint[] default null, p_facts text[] default null)
returns table (
    day date, mechanic_id bigint, available_minutes numeric, booked_minutes numeric, bookings integer,
    lead_times integer[], charged_cents bigint, refunded_cents bigint, credited_cents bigint,
    platform_cents bigint, payee_cents bigint
)
language plpgsql stable
set search_path = app, pg_temp
set plan_cache_mode = force_custom_plan  -- each span read with its own bounds, through the indexes
as $$
#variable_conflict use_column
declare
    v_lo timestamptz;
    v_hi timestamptz;
begin
    for v_lo, v_hi in select s.lo, s.hi from app.analytics_spans(p_zone, p_days) s loop
        return query
        with days as (
            select d as day, tstzrange(d::timestamp at time zone p_zone, (d + 1)::timestamp at time zone p_zone) as r
            from unnest(p_days) d
            where d::timestamp at time zone p_zone >= v_lo and d::timestamp at time zone p_zone < v_hi
        ), mechanics as (
            select m.id from app.mechanics m where p_mechanics is null or m.id = any(p_mechanics)
        ), wanted as (
            -- the facts asked for (null: all): a measure computing its own skips the others' work
            select coalesce('minutes' = any(p_facts), true) as minutes, coalesce('leads' = any(p_facts), true) as leads,
                   coalesce('money' = any(p_facts), true) as money
        ), open as (
            -- bookable time as the booking engine and the week calendar see it (SPEC §5), and the confirmed claims
            -- within it (the predicate of the no-overlap constraint's index)
            select m.id, (w.source - w.workshop_breaks - w.workshop_closed - w.time_off) * tstzmultirange(tstzrange(v_lo, v_hi))
                   as open,
                   c.claimed, c.starts
            from mechanics m
            cross join lateral app.schedule_window(m.id, v_lo, v_hi) w
            cross join lateral (
                select coalesce(range_agg(tstzrange(x.starts_at, x.ends_at)), '{}') as claimed,
                       coalesce(array_agg(x.starts_at), '{}') as starts
                from app.slot_reservations x
                where x.mechanic_id = m.id and x.status = 'confirmed'
                  and tstzrange(x.starts_at, x.blocked_until) && tstzrange(v_lo, v_hi)
            ) c
            where (select w.minutes from wanted w)
        ), pieces as (
            -- the bookable and the booked time as ranges, each cut at the local midnights it crosses
            select o.id, x as r, true as bookable from open o, unnest(o.open) x
            union all
            select o.id, x, false from open o, unnest(o.claimed * o.open) x
        ), minutes as (
            select d.day, p.id as mechanic_id,
                   coalesce(sum(app.multirange_minutes(tstzmultirange(p.r * d.r))) filter (where p.bookable), 0) as available,
                   coalesce(sum(app.multirange_minutes(tstzmultirange(p.r * d.r))) filter (where not p.bookable), 0) as booked,
                   0 as bookings
            from pieces p
            cross join lateral generate_series((lower(p.r) at time zone p_zone)::date::timestamp,
                                               (upper(p.r) at time zone p_zone)::date::timestamp, interval '1 day') g
            join days d on d.day = g::date and d.r && p.r
            group by d.day, p.id
            union all
            select (t at time zone p_zone)::date, o.id, 0, 0, count(*)::integer
            from open o, unnest(o.starts) t
            where t >= v_lo and t < v_hi
            group by 1, 2
        ), leads as (
            -- scheduled bookings made that day (a scheduled session always has a mechanic), by lead time
            select (s.created_at at time zone p_zone)::date as day, s.mechanic_id,
                   array[count(*) filter (where b.bucket = 1), count(*) filter (where b.bucket = 2),
                         count(*) filter (where b.bucket = 3), count(*) filter (where b.bucket = 4),
                         count(*) filter (where b.bucket = 5), count(*) filter (where b.bucket = 6)]::integer[] as buckets
            from mechanics m
            join app.sessions s on s.mechanic_id = m.id and s.created_at >= v_lo and s.created_at < v_hi
            cross join lateral (select app.lead_time_bucket(s.scheduled_for - s.created_at) as bucket) b
            where s.kind = 'scheduled' and (select w.leads from wanted w)
            group by 1, 2
        ), money as (
            -- each ledger by the time its money moved: a refund once the gateway sent it; credit granted for a
            -- booking (credit a failed payment gives back was never charged)
            select p.succeeded_at as at, p.session_id, p.amount_cents + p.credit_cents as charged, 0 as refunded,
                   0 as credited, 0 as platform, 0 as payee
            from app.payments p
            where p.succeeded_at >= v_lo and p.succeeded_at < v_hi and p.status = 'succeeded'
            union all
            select r.completed_at, r.session_id, 0, r.amount_cents, 0, 0, 0
            from app.refunds r
            where r.completed_at >= v_lo and r.completed_at < v_hi and r.status = 'succeeded'
            union all
            select c.created_at, c.session_id, 0, 0, c.amount_cents, 0, 0
            from app.credit_entries c
            where c.created_at >= v_lo and c.created_at < v_hi and c.amount_cents > 0 and c.reason <> 'payment_failed'
            union all
            select y.created_at, y.session_id, 0, 0, 0,
                   case when y.payee = 'platform' then y.amount_cents else 0 end,
                   case when y.payee <> 'platform' then y.amount_cents else 0 end
            from app.payouts y
            where y.created_at >= v_lo and y.created_at < v_hi
        ), moved as (
            -- money belongs to its session's mechanic; money of no mechanic's session only to the whole platform
            select (x.at at time zone p_zone)::date as day, s.mechanic_id, sum(x.charged)::bigint as charged,
                   sum(x.refunded)::bigint as refunded, sum(x.credited)::bigint as credited,
                   sum(x.platform)::bigint as platform, sum(x.payee)::bigint as payee
            from money x
            cross join lateral (select (select s.mechanic_id from app.sessions s where s.id = x.session_id) as mechanic_id) s
            where ((p_mechanics is null and s.mechanic_id is null) or s.mechanic_id in (select m.id from mechanics m))
              and (select w.money from wanted w)
            group by 1, 2
        ), facts as (
            select m.day, m.mechanic_id, m.available, m.booked, m.bookings, null::integer[] as buckets,
                   0::bigint as charged, 0::bigint as refunded, 0::bigint as credited, 0::bigint as platform, 0::bigint as payee
            from minutes m
            union all
            select l.day, l.mechanic_id, 0, 0, 0, l.buckets, 0, 0, 0, 0, 0 from leads l
            union all
            select v.day, v.mechanic_id, 0, 0, 0, null, v.charged, v.refunded, v.credited, v.platform, v.payee from moved v
        )
        -- one row per day and mechanic with anything to count (leads is already one row per day and mechanic)
        select f.day, f.mechanic_id, sum(f.available), sum(f.booked), sum(f.bookings)::integer,
               coalesce(max(f.buckets), array_fill(0, array[6])), sum(f.charged)::bigint, sum(f.refunded)::bigint,
               sum(f.credited)::bigint, sum(f.platform)::bigint, sum(f.payee)::bigint
        from facts f
        group by f.day, f.mechanic_id;
    end loop;
end
$$;
comment on function app.analytics_compute_days(text, date[], bigint[], text[]) is
    'The daily facts of the analytics (SPEC §15), computed from the rows: for each local day of p_days in zone '
    'p_zone and each mechanic (p_mechanics, or every mechanic and, as mechanic null, the money of sessions of no '
    'mechanic), the bookable minutes (app.schedule_window less breaks, closed days and time off), the minutes of '
    'confirmed claims within them, the confirmed claims starting that day, the scheduled sessions booked that '
    'day counted in the six lead-time buckets of lead_time_bucket, and the money moved that day: charged '
    '(payments that succeeded, card and credit), refunded (refunds sent), credited (account credit granted for a '
    'booking), platform and payee (the payout ledger). refresh_analytics stores them in analytics_days; '
    'analytics_read_days answers with the stored ones for the days summed and these for the rest. p_facts names '
    'the facts to compute (minutes, leads, money; null: all); the others are zero.';
