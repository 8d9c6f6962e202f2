create or replace function app.set_favorite(p_actor bigint, p_mechanic bigint, p_favorite boolean) returns boolean
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'customer');
    if not exists (select 1 from app.mechanics m join app.users u on u.id = m.id
                   where m.id = p_mechanic and u.deactivated_at is null) then
        raise exception using errcode = 'UN002', message = format('no mechanic %s', p_mechanic);
    end if;
    if p_favorite then
        insert into app.favorites (customer_id, mechanic_id, created_at) values (p_actor, p_mechanic, app.app_now())
        on conflict do nothing;
    else
        delete from app.favorites where customer_id = p_actor and mechanic_id = p_mechanic;
    end if;
    return p_favorite;
end
$$;
comment on function app.set_favorite(bigint, bigint, boolean) is
    'Stars (true) or unstars (false) a mechanic for the acting customer; doing it twice changes nothing. '
    'Raises UP001, UN002 (no such mechanic, or deactivated).';
grant execute on function app.set_favorite(bigint, bigint, boolean) to autodoctor_app;
