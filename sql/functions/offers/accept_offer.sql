create or replace function app.accept_offer(p_actor bigint, p_session bigint) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_session app.sessions;
    v_now timestamptz := app.app_now();
begin
    perform app.require_role(p_actor, 'mechanic');
    -- concurrent acceptances queue on the session row; the first one to get it wins
    select * into v_session from app.sessions where id = p_session for update;
    -- a session never offered to this mechanic is answered as a missing one, whatever became of it: no probing
    -- ids for which sessions exist or were taken
    if not found or v_session.kind <> 'immediate'
       or not (exists (select 1 from app.session_offers o
                       where o.session_id = p_session and o.mechanic_id = p_actor and o.kind = 'targeted')
               or (exists (select 1 from app.session_offers o
                           where o.session_id = p_session and o.kind = 'broadcast' and o.mechanic_id is null)
                   and exists (select 1 from app.mechanics m join app.users u on u.id = m.id
                               where m.id = p_actor and m.currently_on_shift and u.deactivated_at is null)))
    then
        raise exception using errcode = 'UN001', message = format('no immediate session %s offered to mechanic %s', p_session, p_actor);
    end if;
    if v_session.mechanic_id is not null or v_session.status <> 'pending' then
        raise exception using errcode = 'UC003', message = format('session %s is already taken or over', p_session);
    end if;
    if app.answer_deadline(v_session) <= v_now then
        raise exception using errcode = 'UR012', message = format('session %s was not taken in time', p_session);
    end if;
    if not exists (select 1 from app.session_offers o
                   where o.session_id = p_session and o.mechanic_id = p_actor and o.kind = 'targeted' and o.status = 'open')
       and not (exists (select 1 from app.session_offers o
                        where o.session_id = p_session and o.kind = 'broadcast' and o.mechanic_id is null and o.status = 'open')
                and not exists (select 1 from app.session_offers o
                                where o.session_id = p_session and o.mechanic_id = p_actor and o.status = 'declined'))
    then
        raise exception using errcode = 'UR004', message = format('session %s was not offered to mechanic %s', p_session, p_actor);
    end if;

    update app.sessions set mechanic_id = p_actor, accepted_at = v_now where id = p_session;
    update app.session_offers set status = 'withdrawn', responded_at = v_now
    where session_id = p_session and status = 'open';
    insert into app.session_offers (session_id, mechanic_id, kind, status, created_at, responded_at)
    values (p_session, p_actor, 'broadcast', 'accepted', v_now, v_now)
    on conflict (session_id, mechanic_id) do update set status = 'accepted', responded_at = v_now;
    insert into app.session_events (session_id, actor_id, from_status, to_status, reason, at)
    values (p_session, p_actor, 'pending', 'pending', 'accepted by the mechanic', v_now);
end
$$;
comment on function app.accept_offer(bigint, bigint) is
    'The acting mechanic takes an immediate session offered to them (targeted, or the broadcast while they are '
    'online and not deactivated). Exactly one mechanic wins: the others'' offers are withdrawn. Raises UP001 '
    '(not a mechanic), UN001 (no such immediate session, or one never offered to them: the same answer, so that '
    'ids cannot be probed), UC003 (already taken or over), UR012 (not taken in time), UR004 (their offer is no '
    'longer open: they declined it).';
grant execute on function app.accept_offer(bigint, bigint) to autodoctor_app;
