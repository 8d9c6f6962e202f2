create or replace function app.my_time_off(p_actor bigint)
returns table (id bigint, start_date date, end_date date, reason text, booked_starts timestamptz[])
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'mechanic');
    return query
        select t.id, t.start_date, t.end_date, t.reason,
               array(select b.starts_at from app.time_off_sessions(p_actor, t.start_date, t.end_date) b)
        from app.mechanic_time_off t
        join app.mechanics m on m.id = t.mechanic_id
        where t.mechanic_id = p_actor and t.status <> 'cancelled'
          and t.end_date >= (app.app_now() at time zone m.timezone)::date
        order by t.start_date, t.id;
end
$$;
comment on function app.my_time_off(bigint) is
    'The acting mechanic''s time off that has not ended (local dates, both included), each with the starts '
    'of sessions still booked in it (time off does not cancel them). Raises UP001 for non-mechanics.';
grant execute on function app.my_time_off(bigint) to autodoctor_app;
