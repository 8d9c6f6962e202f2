create or replace function app.analytics_offer_acceptance(
    p_actor bigint,
    p_from date,
    p_to date,
    p_zone text,
    p_mechanic bigint default null,
    p_workshop bigint default null
) returns table (
    bucket integer, label text, min_seconds integer, max_seconds integer, sessions integer, share numeric,
    offered integer, accepted integer, never_accepted integer, cancelled_unanswered integer, waiting integer,
    never_accepted_share numeric, p50_seconds numeric, p90_seconds numeric
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    q record;
    v_now timestamptz := app.app_now();
begin
    perform app.require_actor(p_actor);
    select * into q from app.analytics_request(p_actor, p_from, p_to, p_zone, p_mechanic, p_workshop);
    return query
        with buckets (bucket, label, min_seconds, max_seconds) as (
            values (1, '< 30 s', 0, 30), (2, '30 s – 1 min', 30, 60), (3, '1–2 min', 60, 120),
                   (4, '2–5 min', 120, 300), (5, '5–10 min', 300, 600), (6, '10 min or more', 600, null::integer)
        ), asked as (
            -- taken by a mechanic in view (sessions_mechanic_created_idx)
            select s.created_at, s.accepted_at, s.status,
                   case when s.status = 'pending' and s.accepted_at is null then app.answer_deadline(s) end as deadline
            from app.sessions s
            where s.mechanic_id = any(q.mechanics) and s.kind = 'immediate'
              and s.created_at >= q.lo and s.created_at < q.hi
            union all
            -- nobody took it: every such request for the whole platform, else those offered by name to a
            -- mechanic in view (session_offers_mechanic_created_idx)
            select s.created_at, s.accepted_at, s.status,
                   case when s.status = 'pending' and s.accepted_at is null then app.answer_deadline(s) end as deadline
            from app.sessions s
            where q.platform and s.mechanic_id is null and s.kind = 'immediate'
              and s.created_at >= q.lo and s.created_at < q.hi
            union all
            select s.created_at, s.accepted_at, s.status,
                   case when s.status = 'pending' and s.accepted_at is null then app.answer_deadline(s) end as deadline
            from app.sessions s
            where not q.platform and s.mechanic_id is null and s.id in (
                select o.session_id from app.session_offers o
                where o.mechanic_id = any(q.mechanics) and o.kind = 'targeted'
                  and o.created_at >= q.lo and o.created_at < q.hi)
              and s.created_at >= q.lo and s.created_at < q.hi
        ), sorted as (
            select a.accepted_at is not null as was_accepted,
                   extract(epoch from a.accepted_at - a.created_at) as seconds,
                   case
                       when a.accepted_at is not null then 'accepted'
                       -- past its answer deadline nobody can take it, even before the job has run
                       when a.status = 'expired' or (a.status = 'pending' and a.deadline <= v_now) then 'never'
                       when a.status = 'cancelled' then 'cancelled'
                       else 'waiting'
                   end as outcome
            from asked a
        ), summary as (
            select count(*) as offered,
                   count(*) filter (where x.outcome = 'accepted') as accepted,
                   count(*) filter (where x.outcome = 'never') as never,
                   count(*) filter (where x.outcome = 'cancelled') as cancelled,
                   count(*) filter (where x.outcome = 'waiting') as waiting,
                   percentile_cont(0.5) within group (order by x.seconds) filter (where x.was_accepted) as p50,
                   percentile_cont(0.9) within group (order by x.seconds) filter (where x.was_accepted) as p90
            from sorted x
        ), counted as (
            select b.bucket, b.label, b.min_seconds, b.max_seconds, count(x.seconds) as sessions
            from buckets b
            left join sorted x on x.was_accepted
                and 1 + width_bucket(x.seconds, array[30, 60, 120, 300, 600]::numeric[]) = b.bucket
            group by b.bucket, b.label, b.min_seconds, b.max_seconds
        )
        select c.bucket, c.label, c.min_seconds, c.max_seconds, c.sessions::integer,
               case when m.accepted > 0 then round(c.sessions::numeric / m.accepted, 4) end,
               m.offered::integer, m.accepted::integer, m.never::integer, m.cancelled::integer, m.waiting::integer,
               case when m.accepted + m.never > 0 then round(m.never::numeric / (m.accepted + m.never), 4) end,
               round(m.p50::numeric, 1), round(m.p90::numeric, 1)
        from counted c
        cross join summary m
        order by c.bucket;
end
$$;
comment on function app.analytics_offer_acceptance(bigint, date, date, text, bigint, bigint) is
    'How fast Book Now requests are taken (SPEC §8, §15), for the immediate sessions created on the local dates '
    'p_from..p_to of zone p_zone: six rows, one per bucket of accepted_at − created_at, each [min_seconds, '
    'max_seconds): < 30 s, 30 s – 1 min, 1–2 min, 2–5 min, 5–10 min, 10 min or more (no max), with its count '
    'and share of the accepted; and on every row the same summary: offered (sessions counted), accepted, '
    'never_accepted (expired, or past the 10-minute answer deadline), cancelled_unanswered (the customer left '
    'first), waiting (still within the deadline), never_accepted_share = never_accepted ÷ (accepted + '
    'never_accepted), and the median and 90th percentile of the seconds to accept (null when none were '
    'accepted). A platform admin viewing the whole platform sees every request; otherwise the requests taken by '
    'a mechanic in view and those offered by name (a targeted offer) to one of them that nobody took '
    '(analytics_request). Raises UP001, UV004, UV090, UV006, UN001.';
grant execute on function app.analytics_offer_acceptance(bigint, date, date, text, bigint, bigint) to autodoctor_app;
