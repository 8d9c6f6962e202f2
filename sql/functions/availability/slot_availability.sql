create or replace function app.slot_availability(
    p_mechanic bigint,
    p_start timestamptz,
    p_end timestamptz,
    p_service_type text default 'online',
    p_customer bigint default null
) returns table (available boolean, reason text, message text)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    if p_service_type is null or p_service_type not in ('online', 'in_person') then
        raise exception using errcode = 'UV001', column = 'service_type', message = 'service type is online or in_person';
    end if;
    if p_start is null or p_end is null or p_end <= p_start or p_end - p_start > interval '8 hours' then
        raise exception using errcode = 'UV007', column = 'end', message = 'a slot ends after it starts, within 8 hours';
    end if;
    if not exists (select 1 from app.mechanics m join app.users u on u.id = m.id
                   where m.id = p_mechanic and u.deactivated_at is null) then
        raise exception using errcode = 'UN002', message = format('no mechanic %s', p_mechanic);
    end if;
    return query
        select e.reason is null, e.reason, app.availability_reason_message(e.reason, p_mechanic, p_start)
        from app.evaluate_slots(p_mechanic, array[p_start], p_end - p_start, p_service_type, p_customer) e;
end
$$;
comment on function app.slot_availability(bigint, timestamptz, timestamptz, text, bigint) is
    'Whether [start, end) is free for the mechanic (SPEC §5), with the reason code and its message when not. '
    'Raises UV001 (service type), UV007 (end not after start, or over 8 hours), UN002 (unknown or deactivated mechanic).';
grant execute on function app.slot_availability(bigint, timestamptz, timestamptz, text, bigint) to autodoctor_app;
