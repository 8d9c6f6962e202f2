create or replace function app.analytics_peak_hours(
    p_actor bigint,
    p_from date,
    p_to date,
    p_zone text,
    p_mechanic bigint default null,
    p_workshop bigint default null
) returns table (weekday integer, hour integer, bookings integer, immediate integer, scheduled integer)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    q record;
begin
    select * into q from app.analytics_request(p_actor, p_from, p_to, p_zone, p_mechanic, p_workshop);
    return query
        with made as (
            -- sessions_mechanic_created_idx for both branches; the second only for the whole platform
            select s.created_at, s.kind
            from app.sessions s
            where s.mechanic_id = any(q.mechanics) and s.created_at >= q.lo and s.created_at < q.hi
            union all
            select s.created_at, s.kind
            from app.sessions s
            where q.platform and s.mechanic_id is null and s.created_at >= q.lo and s.created_at < q.hi
        ), placed as (
            select extract(isodow from m.created_at at time zone p_zone)::integer as weekday,
                   extract(hour from m.created_at at time zone p_zone)::integer as hour, m.kind
            from made m
        )
        select d, h, count(p.kind)::integer, count(p.kind) filter (where p.kind = 'immediate')::integer,
               count(p.kind) filter (where p.kind = 'scheduled')::integer
        from generate_series(1, 7) d
        cross join generate_series(0, 23) h
        left join placed p on p.weekday = d and p.hour = h
        group by d, h
        order by d, h;
end
$$;
comment on function app.analytics_peak_hours(bigint, date, date, text, bigint, bigint) is
    'Peak booking hours (SPEC §15), a heat map: the sessions (Book Now and scheduled, whatever became of them) '
    'created on the local dates p_from..p_to of zone p_zone, counted by ISO weekday (1 = Monday … 7 = Sunday) '
    'and hour of day (0–23) in that zone: all 168 cells, zeros included, with the immediate and scheduled '
    'parts. A mechanic''s sessions are those assigned to them; Book Now requests nobody took count only for a '
    'platform admin viewing the whole platform (analytics_request). Raises UP001, UV004, UV090, UV006, UN001.';
grant execute on function app.analytics_peak_hours(bigint, date, date, text, bigint, bigint) to autodoctor_app;
