create or replace function app.update_mechanic_settings(
    p_actor bigint,
    p_buffer_minutes integer,
    p_min_notice_minutes integer,
    p_max_advance_days integer,
    p_instant_booking boolean
) returns table (buffer_minutes smallint, min_notice_minutes integer, max_advance_days smallint, instant_booking boolean)
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_problems text[] := '{}'::text[];
begin
    perform app.require_role(p_actor, 'mechanic');
    -- the same ranges as the mechanic_settings_* constraints, said field by field, all at once
    if p_buffer_minutes is null or p_buffer_minutes not between 0 and 240 then
        v_problems := v_problems || 'UV026:buffer_minutes'::text;
    end if;
    if p_min_notice_minutes is null or p_min_notice_minutes not between 0 and 20160 then
        v_problems := v_problems || 'UV027:min_notice_minutes'::text;
    end if;
    if p_max_advance_days is null or p_max_advance_days not between 1 and 365 then
        v_problems := v_problems || 'UV028:max_advance_days'::text;
    end if;
    if p_instant_booking is null then
        v_problems := v_problems || 'UV001:instant_booking'::text;
    end if;
    perform app.refuse_fields(v_problems);
    return query
        update app.mechanic_settings s
        set buffer_minutes = p_buffer_minutes, min_notice_minutes = p_min_notice_minutes,
            max_advance_days = p_max_advance_days, instant_booking = p_instant_booking
        where s.mechanic_id = p_actor
        returning s.buffer_minutes, s.min_notice_minutes, s.max_advance_days, s.instant_booking;
end
$$;
comment on function app.update_mechanic_settings(bigint, integer, integer, integer, boolean) is
    'Sets the acting mechanic''s booking settings (SPEC §4): buffer between sessions (0-240 min), minimum '
    'notice (0-20160 min), maximum advance (1-365 days), instant booking (off: each booking is a request). '
    'They apply to slots and bookings from then on; existing bookings keep theirs. Raises UP001, then every '
    'refused field at once (refuse_fields: UV000 listing them when several, else the one code with its column): '
    'UV026 (buffer), UV027 (notice), UV028 (advance), UV001 (instant booking missing).';
grant execute on function app.update_mechanic_settings(bigint, integer, integer, integer, boolean) to autodoctor_app;
