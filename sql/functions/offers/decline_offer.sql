create or replace function app.decline_offer(p_actor bigint, p_session bigint) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_now timestamptz := app.app_now();
begin
    perform app.require_role(p_actor, 'mechanic');
    update app.session_offers set status = 'declined', responded_at = v_now
    where session_id = p_session and mechanic_id = p_actor and status = 'open';
    if found then
        return;
    end if;
    if exists (select 1 from app.session_offers o
               where o.session_id = p_session and o.kind = 'broadcast' and o.mechanic_id is null and o.status = 'open') then
        insert into app.session_offers (session_id, mechanic_id, kind, status, created_at, responded_at)
        values (p_session, p_actor, 'broadcast', 'declined', v_now, v_now)
        on conflict (session_id, mechanic_id) do nothing;
        return;
    end if;
    raise exception using errcode = 'UN001', message = format('no open offer of session %s for mechanic %s', p_session, p_actor);
end
$$;
comment on function app.decline_offer(bigint, bigint) is
    'The acting mechanic declines an offer (targeted, or the broadcast for themselves). No penalty: nothing is '
    'counted against them (SPEC §1). Raises UN001 when there is no open offer for them.';
grant execute on function app.decline_offer(bigint, bigint) to autodoctor_app;
