create or replace function app.set_on_shift(p_actor bigint, p_online boolean) returns boolean
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'mechanic');
    update app.mechanics set currently_on_shift = p_online, last_seen_at = app.app_now() where id = p_actor;
    return p_online;
end
$$;
comment on function app.set_on_shift(bigint, boolean) is
    'Go online / go offline for the acting mechanic (currently_on_shift, last_seen_at). Raises UP001 for others.';
grant execute on function app.set_on_shift(bigint, boolean) to autodoctor_app;
