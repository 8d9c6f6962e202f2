create or replace function app.confirm_visit(p_actor bigint, p_session bigint) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_actor(p_actor);
    perform app.visit_for_workshop(p_actor, p_session);
    perform app.set_actor(p_actor, 'confirmed by the workshop');
    update app.sessions set status = 'scheduled' where id = p_session and status = 'requested';
    if not found then
        raise exception using errcode = 'UR001', message = format('visit %s is not waiting for an answer', p_session);
    end if;
end
$$;
comment on function app.confirm_visit(bigint, bigint) is
    'The workshop confirms a requested in-person visit at the time asked (SPEC §11): requested → scheduled, the '
    'customer told (tg_sessions__notify), an open counter-offer withdrawn (tg_sessions__close_offers). Raises UP001, UN001 (not their '
    'workshop''s visit), UR001 (not a request).';
grant execute on function app.confirm_visit(bigint, bigint) to autodoctor_app;
