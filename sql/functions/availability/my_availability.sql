create or replace function app.my_availability(p_actor bigint)
returns table (
    mechanic_type text, timezone text, workshop text, workshop_timezone text,
    buffer_minutes smallint, min_notice_minutes integer, max_advance_days smallint, instant_booking boolean,
    blocks jsonb, workshop_hours jsonb
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'mechanic');
    return query
        select app.mechanic_type_of(m.workshop_id, m.account_type), m.timezone, w.name, w.timezone,
               s.buffer_minutes, s.min_notice_minutes, s.max_advance_days, s.instant_booking,
               coalesce((select jsonb_agg(jsonb_build_object(
                             'weekday', b.weekday, 'start', to_char(b.start_time, 'HH24:MI'),
                             'end', to_char(b.end_time, 'HH24:MI')) order by b.weekday, b.start_time)
                         from app.mechanic_availability b where b.mechanic_id = m.id), '[]'),
               coalesce((select jsonb_agg(jsonb_build_object(
                             'weekday', h.weekday, 'closed', h.is_closed,
                             'opens', to_char(h.opens_at, 'HH24:MI'), 'closes', to_char(h.closes_at, 'HH24:MI'),
                             'break_start', to_char(h.break_start, 'HH24:MI'), 'break_end', to_char(h.break_end, 'HH24:MI'))
                             order by h.weekday)
                         from app.workshop_availability h where h.workshop_id = m.workshop_id), '[]')
        from app.mechanics m
        join app.mechanic_settings s on s.mechanic_id = m.id
        left join app.workshops w on w.id = m.workshop_id
        where m.id = p_actor;
end
$$;
comment on function app.my_availability(bigint) is
    'The acting mechanic''s availability editor: type (SPEC §1), schedule zone, workshop, booking settings, '
    'weekly blocks ([{weekday, start, end}], local HH:MI, 24:00 closing a day) and their workshop''s opening '
    'hours ([{weekday, closed, opens, closes, break_start, break_end}], in the workshop''s zone; a weekday '
    'without a row is closed). Raises UP001 for non-mechanics.';
grant execute on function app.my_availability(bigint) to autodoctor_app;
