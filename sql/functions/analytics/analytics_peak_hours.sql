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
    perform app.require_actor(p_actor);
    select * into q from app.analytics_request(p_actor, p_from, p_to, p_zone, p_mechanic, p_workshop);
    return query
        with placed as (
            select extract(isodow from f.day)::integer as weekday, f.hour, f.immediate, f.scheduled
            from app.analytics_read_hours(p_zone, p_from, p_to, q.mechanics, q.platform) f
        )
        select d, h, coalesce(sum(p.immediate + p.scheduled), 0)::integer, coalesce(sum(p.immediate), 0)::integer,
               coalesce(sum(p.scheduled), 0)::integer
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
