create or replace function app.nearest_free_starts(
    p_mechanic bigint,
    p_start timestamptz,
    p_plan text,
    p_service_type text default 'online',
    p_customer bigint default null,
    p_count integer default 3
) returns setof timestamptz
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
declare
    v_zone text := (select timezone from app.mechanics where id = p_mechanic);
begin
    if v_zone is null then
        raise exception using errcode = 'UN002', message = format('no mechanic %s', p_mechanic);
    end if;
    return query
        select s.slot_start
        from app.available_slots(p_mechanic, (p_start at time zone v_zone)::date - 3, (p_start at time zone v_zone)::date + 3,
                                 p_plan, p_service_type, v_zone, p_customer) s
        where s.available
        order by abs(extract(epoch from s.slot_start - p_start)), s.slot_start
        limit greatest(p_count, 0);
end
$$;
comment on function app.nearest_free_starts(bigint, timestamptz, text, text, bigint, integer) is
    'The free starts of the mechanic closest to a wanted one (within three days either side): the '
    'alternatives offered when a time was just taken.';
grant execute on function app.nearest_free_starts(bigint, timestamptz, text, text, bigint, integer) to autodoctor_app;
