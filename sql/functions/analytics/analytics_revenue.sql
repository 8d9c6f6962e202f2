create or replace function app.analytics_revenue(
    p_actor bigint,
    p_from date,
    p_to date,
    p_zone text,
    p_mechanic bigint default null,
    p_workshop bigint default null,
    p_bucket text default 'day'
) returns table (
    bucket date, level text, mechanic_id bigint, mechanic_name text, workshop_id bigint, workshop_name text,
    charged_cents bigint, refunded_cents bigint, refund_pending_cents bigint, credited_cents bigint,
    platform_cents bigint, payee_cents bigint
)
language plpgsql stable security definer
set search_path = app, pg_temp
set plan_cache_mode = force_custom_plan  -- a plan for each range: the generic one read every summary row
as $$
#variable_conflict use_column
declare
    q record;
begin
    perform app.require_actor(p_actor);
    select * into q from app.analytics_request(p_actor, p_from, p_to, p_zone, p_mechanic, p_workshop);
    if p_bucket is null or p_bucket not in ('day', 'week') then
        raise exception using errcode = 'UV091', column = 'bucket', message = 'buckets are days or weeks';
    end if;
    return query
        with placed as (
            select case p_bucket when 'day' then f.day else date_trunc('week', f.day)::date end as bucket,
                   f.mechanic_id, m.workshop_id, f.charged_cents as charged, f.refunded_cents as refunded,
                   0::bigint as pending, f.credited_cents as credited, f.platform_cents as platform,
                   f.payee_cents as payee
            from app.analytics_read_days(p_zone, p_from, p_to, q.mechanics, q.platform, '{money}') f
            left join app.mechanics m on m.id = f.mechanic_id
            where (f.charged_cents, f.refunded_cents, f.credited_cents, f.platform_cents, f.payee_cents) <> (0, 0, 0, 0, 0)
            union all
            -- a refund decided but not yet sent is pending (by when it was decided): a state, always from the rows
            select case p_bucket when 'day' then (r.created_at at time zone p_zone)::date
                        else date_trunc('week', r.created_at at time zone p_zone)::date end,
                   s.mechanic_id, m.workshop_id, 0, 0, r.amount_cents, 0, 0, 0
            from app.refunds r
            left join app.sessions s on s.id = r.session_id
            left join app.mechanics m on m.id = s.mechanic_id
            where r.status = 'pending' and r.created_at >= q.lo and r.created_at < q.hi
              and (s.mechanic_id = any(q.mechanics) or (q.platform and s.mechanic_id is null))
        ), sums as (
            select a.bucket, a.mechanic_id, a.workshop_id,
                   grouping(a.mechanic_id, a.workshop_id) as grouped,
                   sum(a.charged)::bigint as charged, sum(a.refunded)::bigint as refunded,
                   sum(a.pending)::bigint as pending, sum(a.credited)::bigint as credited,
                   sum(a.platform)::bigint as platform, sum(a.payee)::bigint as payee
            from placed a
            group by grouping sets ((a.bucket, a.mechanic_id), (a.bucket, a.workshop_id), (a.bucket))
        ), buckets as (
            select distinct case p_bucket when 'day' then d::date else date_trunc('week', d)::date end as bucket
            from generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') d
        )
        select x.bucket, x.level, x.mechanic_id, u.name, x.workshop_id, w.name, x.charged, x.refunded, x.pending,
               x.credited, x.platform, x.payee
        from (
            select s.bucket, case s.grouped when 1 then 'mechanic' else 'workshop' end as level, s.mechanic_id,
                   s.workshop_id, s.charged, s.refunded, s.pending, s.credited, s.platform, s.payee,
                   case s.grouped when 1 then 0 else 1 end as rank
            from sums s
            where (s.grouped = 1 and s.mechanic_id is not null) or (s.grouped = 2 and s.workshop_id is not null)
            union all
            select b.bucket, 'total', null, null, coalesce(s.charged, 0), coalesce(s.refunded, 0), coalesce(s.pending, 0),
                   coalesce(s.credited, 0), coalesce(s.platform, 0), coalesce(s.payee, 0), 2
            from buckets b
            left join sums s on s.bucket = b.bucket and s.grouped = 3
        ) x
        left join app.users u on u.id = x.mechanic_id
        left join app.workshops w on w.id = x.workshop_id
        order by x.bucket, x.rank, u.name, x.mechanic_id, w.name, x.workshop_id;
end
$$;
comment on function app.analytics_revenue(bigint, date, date, text, bigint, bigint, text) is
    'Revenue and payouts (SPEC §15) over the local dates p_from..p_to of zone p_zone, in buckets of p_bucket '
    '(day, or week: bucket is the local day, or the Monday of the ISO week, whose first and last weeks may be '
    'partial): per mechanic (level mechanic), per workshop (level workshop: the money of its mechanics) and in '
    'total (level total, one row for every bucket, zeros included; mechanic and workshop rows only where money '
    'moved). In cents: charged (payments that succeeded, card plus account credit spent, when they succeeded), '
    'refunded (refunds the gateway has sent, when it did), refund_pending (refunds decided but not yet sent, '
    'when they were decided; failed ones are in neither), credited (account credit granted for bookings: late '
    'cancellations, no-shows, money given back as credit), platform (the platform''s share) and payee (the '
    'mechanic''s or workshop''s share) from the payout ledger. Money belongs to its session''s mechanic; a '
    'workshop''s is its mechanics'' (mechanics.workshop_id). Money of no mechanic''s session (a payment that '
    'bought nothing, always given back whole; a Book Now request nobody took) counts only for a platform admin '
    'viewing the whole platform (analytics_request). Raises UP001, UV004, UV090, UV006, UN001, and UV091 for a '
    'bucket other than day or week.';
grant execute on function app.analytics_revenue(bigint, date, date, text, bigint, bigint, text) to autodoctor_app;
