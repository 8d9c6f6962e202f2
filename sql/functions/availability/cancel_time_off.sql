create or replace function app.cancel_time_off(p_actor bigint, p_time_off bigint)
returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'mechanic');
    update app.mechanic_time_off t set status = 'cancelled'
    from app.mechanics m
    where t.id = p_time_off and t.mechanic_id = p_actor and m.id = t.mechanic_id
      and t.status <> 'cancelled' and t.end_date >= (app.app_now() at time zone m.timezone)::date;
    if not found then
        raise exception using errcode = 'UN001',
            message = format('time off %s is not current time off of mechanic %s', p_time_off, p_actor);
    end if;
end
$$;
comment on function app.cancel_time_off(bigint, bigint) is
    'Cancels one of the acting mechanic''s time off entries that has not ended yet: its days are bookable '
    'again at once. Raises UP001, and UN001 for someone else''s, an unknown, a cancelled or an ended entry.';
grant execute on function app.cancel_time_off(bigint, bigint) to autodoctor_app;
