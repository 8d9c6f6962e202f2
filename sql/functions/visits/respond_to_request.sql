create or replace function app.respond_to_request(p_actor bigint, p_session bigint, p_accept boolean, p_reason text default null)
returns text
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_session app.sessions;
begin
    perform app.require_role(p_actor, 'mechanic');
    perform app.set_actor(p_actor, coalesce(p_reason, case when p_accept then 'accepted by the mechanic' else 'declined by the mechanic' end));
    select * into v_session from app.sessions s where s.id = p_session and s.mechanic_id = p_actor and s.status = 'requested';
    if p_accept and app.answer_deadline(v_session) <= app.app_now() then
        raise exception using errcode = 'UR012', message = format('request %s was not answered in time', p_session);
    end if;
    update app.sessions
    set status = case when p_accept then 'scheduled' else 'cancelled' end,
        cancel_reason = case when p_accept then cancel_reason else coalesce(p_reason, 'declined by the mechanic') end
    where id = p_session and mechanic_id = p_actor and status = 'requested'
    returning * into v_session;
    if not found then
        raise exception using errcode = 'UN001', message = format('no booking request %s for mechanic %s', p_session, p_actor);
    end if;
    if not p_accept then
        perform app.apply_policy_outcome(v_session, 'mechanic');
    end if;
    return v_session.status;
end
$$;
comment on function app.respond_to_request(bigint, bigint, boolean, text) is
    'The mechanic accepts (→ scheduled) or declines (→ cancelled, the time given back) a booking request; '
    'declining carries no penalty and refunds the customer in full. Raises UN001 when it is not their pending request.';
grant execute on function app.respond_to_request(bigint, bigint, boolean, text) to autodoctor_app;
