create or replace function app.release_reservation(p_actor bigint, p_hold_id bigint) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_actor(p_actor);
    update app.slot_reservations
    set status = 'cancelled', released_at = app.app_now()
    where id = p_hold_id and customer_id = p_actor and status = 'reserved';
    if not found then
        raise exception using errcode = 'UN001', message = format('no hold %s of user %s to release', p_hold_id, p_actor);
    end if;
end
$$;
comment on function app.release_reservation(bigint, bigint) is
    'The acting customer gives back one of their holds. Raises UN001 when it is missing, someone else''s, '
    'or no longer a hold.';
grant execute on function app.release_reservation(bigint, bigint) to autodoctor_app;
