create or replace function app.analytics_waitlist(
    p_actor bigint,
    p_from date,
    p_to date,
    p_zone text,
    p_mechanic bigint default null,
    p_workshop bigint default null
) returns table (outcome text, entries integer, share numeric, conversion_rate numeric)
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
        with outcomes (outcome, rank) as (
            values ('pending', 1), ('notified', 2), ('converted', 3), ('expired', 4), ('cancelled', 5)
        ), joined as (
            -- customer_waitlist_created_idx; a mechanic's entries are those their coming online woke
            select case
                       when w.status = 'notified' and exists (
                               select 1 from app.sessions s
                               where s.customer_id = w.customer_id and s.kind = 'immediate'
                                 and s.created_at >= w.notified_at and s.created_at <= w.notified_at + interval '2 hours')
                           then 'converted'
                       -- past its two hours it no longer waits, even before the job has run
                       when w.status = 'pending' and w.expires_at <= v_now then 'expired'
                       else w.status
                   end as outcome
            from app.customer_waitlist w
            where w.created_at >= q.lo and w.created_at < q.hi
              and (q.platform or w.notified_for = any(q.mechanics))
        ), counted as (
            select o.outcome, o.rank, count(j.outcome) as entries
            from outcomes o
            left join joined j on j.outcome = o.outcome
            group by o.outcome, o.rank
        )
        select c.outcome, c.entries::integer,
               case when sum(c.entries) over () > 0 then round(c.entries / sum(c.entries) over (), 4) end,
               case when sum(c.entries) filter (where c.outcome in ('notified', 'converted')) over () > 0
                    then round(sum(c.entries) filter (where c.outcome = 'converted') over ()
                               / sum(c.entries) filter (where c.outcome in ('notified', 'converted')) over (), 4) end
        from counted c
        order by c.rank;
end
$$;
comment on function app.analytics_waitlist(bigint, date, date, text, bigint, bigint) is
    'Waitlist conversion (SPEC §10, §15): the waitlist entries created on the local dates p_from..p_to of zone '
    'p_zone by outcome, all five rows in this order: pending (still waiting), notified (told a mechanic is '
    'online, no booking), converted (the customer created a Book Now session within 2 h of being notified), '
    'expired (pending for its 2 h, whether or not the job has run), cancelled (left the waitlist); each with '
    'its share of the entries, and conversion_rate = converted ÷ (notified + converted), the same on every row '
    '(null when nobody was notified). A platform admin viewing the whole platform sees every entry; otherwise '
    'an entry belongs to the mechanic whose coming online notified it (customer_waitlist.notified_for), so '
    'only notified and converted entries can show (analytics_request). Raises UP001, UV004, UV090, UV006, '
    'UN001.';
grant execute on function app.analytics_waitlist(bigint, date, date, text, bigint, bigint) to autodoctor_app;
