create or replace function app.complete_visit(p_actor bigint, p_session bigint) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_actor(p_actor);
    perform app.visit_for_workshop(p_actor, p_session);
    perform app.set_actor(p_actor, 'completed by the workshop');
    -- a checked-in visit whose work is done goes through live to completed (SPEC §7's path)
    update app.sessions set status = 'live' where id = p_session and status = 'pending';
    update app.sessions set status = 'completed' where id = p_session and status = 'live';
    if not found then
        raise exception using errcode = 'UR062', message = format('visit %s is not checked in', p_session);
    end if;
    perform app.settle_completed_session(p_session);
end
$$;
comment on function app.complete_visit(bigint, bigint) is
    'The workshop marks a checked-in (or running) in-person visit complete (SPEC §11); the balance is charged '
    'next (begin_balance_payment), and the money is shared once it is paid. Raises UP001, UN001, UR062 (not '
    'checked in).';
grant execute on function app.complete_visit(bigint, bigint) to autodoctor_app;
