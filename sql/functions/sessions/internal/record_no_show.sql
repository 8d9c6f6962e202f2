create or replace function app.record_no_show(p_session bigint) returns boolean
language plpgsql volatile
as $$
declare
    v_session app.sessions;
begin
    update app.sessions s set status = 'no_show' where s.id = p_session and s.status in ('scheduled', 'pending')
    returning * into v_session;
    if not found then
        if exists (select 1 from app.sessions s where s.id = p_session and s.status = 'no_show') then
            return false;
        end if;
        raise exception using errcode = 'UR001', message = format('session %s cannot become a no-show', p_session);
    end if;
    perform app.apply_policy_outcome(v_session, 'no_show');
    return true;
end
$$;
comment on function app.record_no_show(bigint) is
    'Turns a scheduled or pending session into a no-show once, with the money of SPEC §9 (online: half as '
    'account credit, half to the payee; in person: the deposit to the payee). False when it already was one; '
    'UR001 for any other status. Used by mark_no_show and by the no-show job.';
