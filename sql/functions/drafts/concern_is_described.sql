create or replace function app.concern_is_described(p_concern text, p_is_urgent boolean, p_immediate boolean)
returns boolean
language sql immutable
as $$
    -- as Python's str.strip; an urgent immediate concern (someone stuck at the roadside) may be short
    select length(btrim(coalesce(p_concern, ''), E' \t\n\r\f\x0b'))
           >= case when p_is_urgent and p_immediate then 5 else 10 end;
$$;
comment on function app.concern_is_described(text, boolean, boolean) is
    'Whether a concern says enough to book on (SPEC §3.1, §3.2): at least 10 characters, 5 when an immediate '
    '(Book Now) one is urgent, spaces around not counted. draft_describe_concern and check_booking_input refuse '
    'with UV009 when it is not; the Schedule wizard asks again for a carried concern that is not.';
grant execute on function app.concern_is_described(text, boolean, boolean) to autodoctor_app;
