create or replace function app.remove_vehicle(p_actor bigint, p_vehicle_id bigint) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'customer');
    delete from app.vehicles where id = p_vehicle_id and customer_id = p_actor;
    if not found then
        raise exception using errcode = 'UN001', message = format('vehicle %s is not one of customer %s', p_vehicle_id, p_actor);
    end if;
end
$$;
comment on function app.remove_vehicle(bigint, bigint) is
    'Deletes one of the acting customer''s vehicles. Raises UN001 when it is missing or someone else''s.';
grant execute on function app.remove_vehicle(bigint, bigint) to autodoctor_app;
