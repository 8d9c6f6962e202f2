create or replace function app.mechanic_overview(p_actor bigint)
returns table (
    id bigint, name text, headline text, mechanic_type text, workshop text, timezone text,
    currently_on_shift boolean, last_seen_at timestamptz, rating numeric, rating_count integer,
    years_experience smallint, specialties text[], brands text[],
    buffer_minutes smallint, min_notice_minutes integer, max_advance_days smallint, instant_booking boolean,
    weekly_blocks jsonb, time_off jsonb
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'mechanic');
    return query
        select m.id, u.name, m.headline, app.mechanic_type_of(m.workshop_id, m.account_type), w.name, m.timezone,
               m.currently_on_shift, m.last_seen_at, m.rating, m.rating_count, m.years_experience,
               m.specialties, m.brands,
               s.buffer_minutes, s.min_notice_minutes, s.max_advance_days, s.instant_booking,
               coalesce((select jsonb_agg(jsonb_build_object(
                             'weekday', b.weekday, 'start', to_char(b.start_time, 'HH24:MI'),
                             'end', to_char(b.end_time, 'HH24:MI')) order by b.weekday, b.start_time)
                         from app.mechanic_availability b where b.mechanic_id = m.id), '[]'),
               coalesce((select jsonb_agg(jsonb_build_object(
                             'start_date', t.start_date, 'end_date', t.end_date, 'reason', t.reason,
                             'status', t.status) order by t.start_date)
                         from app.mechanic_time_off t
                         where t.mechanic_id = m.id and t.status <> 'cancelled'
                           and t.end_date >= (app.app_now() at time zone m.timezone)::date), '[]')
        from app.mechanics m
        join app.users u on u.id = m.id
        join app.mechanic_settings s on s.mechanic_id = m.id
        left join app.workshops w on w.id = m.workshop_id
        where m.id = p_actor;
end
$$;
comment on function app.mechanic_overview(bigint) is
    'The acting mechanic''s profile, settings, weekly blocks and coming time off. Raises UP001 for non-mechanics.';
grant execute on function app.mechanic_overview(bigint) to autodoctor_app;
