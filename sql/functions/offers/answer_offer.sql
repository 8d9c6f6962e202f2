create or replace function app.answer_offer(p_actor bigint, p_session bigint, p_accept boolean)
returns text
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_kind text;
begin
    perform app.require_role(p_actor, 'mechanic');
    select s.kind into v_kind from app.sessions s
    where s.id = p_session and s.mechanic_id = p_actor and s.status in ('scheduled', 'pending', 'live');
    if p_accept and found then
        -- a second Accept (a double click, a stale page) of what is already theirs changes nothing
        return case v_kind when 'immediate' then 'live_now' else 'request' end;
    end if;
    if exists (select 1 from app.sessions s where s.id = p_session and s.mechanic_id = p_actor and s.status = 'requested') then
        perform app.respond_to_request(p_actor, p_session, p_accept);
        return 'request';
    end if;
    if p_accept then
        perform app.accept_offer(p_actor, p_session);
    else
        perform app.decline_offer(p_actor, p_session);
    end if;
    return 'live_now';
end
$$;
comment on function app.answer_offer(bigint, bigint, boolean) is
    'The acting mechanic answers an item of their offers inbox (mechanic_offers): a booking request '
    '(respond_to_request: accepted → scheduled, declined → cancelled with a full refund) or an immediate '
    'session (accept_offer / decline_offer); accepting what is already theirs changes nothing. Declining carries no penalty: nothing about the mechanic changes. '
    'Returns the kind answered: request or live_now. Raises what those raise: UP001, UN001 (not offered to '
    'them or unknown), UC003 (already taken), UR004 (not offered to them).';
grant execute on function app.answer_offer(bigint, bigint, boolean) to autodoctor_app;
