create or replace function app.is_slot_available(
    p_mechanic bigint,
    p_start timestamptz,
    p_end timestamptz,
    p_service_type text default 'online',
    p_customer bigint default null
) returns boolean
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    return (select s.available from app.slot_availability(p_mechanic, p_start, p_end, p_service_type, p_customer) s);
end
$$;
comment on function app.is_slot_available(bigint, timestamptz, timestamptz, text, bigint) is
    'True when [start, end) is free for the mechanic (SPEC §5); slot_availability says why not.';
grant execute on function app.is_slot_available(bigint, timestamptz, timestamptz, text, bigint) to autodoctor_app;
