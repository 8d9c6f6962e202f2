create or replace function app.decline_visit(p_actor bigint, p_session bigint, p_reason text) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_session app.sessions;
begin
    perform app.require_actor(p_actor);
    v_session := app.visit_for_workshop(p_actor, p_session);
    if nullif(btrim(p_reason), '') is null then
        raise exception using errcode = 'UV060', column = 'reason', message = 'a declined visit needs a reason';
    end if;
    if v_session.status <> 'requested' then
        raise exception using errcode = 'UR001', message = format('visit %s is %s: cancel it instead', p_session, v_session.status);
    end if;
    -- the workshop's side of the policy: everything back to the customer (SPEC §9)
    perform * from app.cancel_session(p_actor, p_session, p_reason);
end
$$;
comment on function app.decline_visit(bigint, bigint, text) is
    'The workshop declines a requested in-person visit with a reason the customer sees (SPEC §11): cancelled, '
    'the deposit refunded in full (refunds sent after commit), both sides told. Raises UP001, UN001, UV060 (no '
    'reason), UR001 (not a request: cancel it instead).';
grant execute on function app.decline_visit(bigint, bigint, text) to autodoctor_app;
