create or replace function app.join_session(p_actor bigint, p_session bigint) returns text
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_now timestamptz := app.app_now();
    v_session app.sessions;
begin
    perform app.require_role(p_actor, 'customer');
    select * into v_session from app.sessions s where s.id = p_session and s.customer_id = p_actor for update;
    if not found then
        raise exception using errcode = 'UN001', message = format('session %s is not one of user %s', p_session, p_actor);
    end if;
    if v_session.kind = 'immediate' and v_session.status in ('pending', 'live') then
        return v_session.status;
    end if;
    if v_session.kind <> 'scheduled' or v_session.service_type <> 'online'
       or v_session.status not in ('scheduled', 'pending', 'live')
       or v_now >= v_session.scheduled_for + make_interval(mins => v_session.duration_minutes) then
        raise exception using errcode = 'UR001', message = format('session %s cannot be joined now', p_session);
    end if;
    if v_now < v_session.scheduled_for - make_interval(mins => app.join_lead_minutes()) then
        raise exception using errcode = 'UR009',
            message = format('session %s opens %s before its start', p_session, app.duration_words(app.join_lead_minutes())),
            hint = format('The session opens %s before its start.', app.duration_words(app.join_lead_minutes()));
    end if;
    if not app.waiver_on_file(p_actor, v_now) then
        raise exception using errcode = 'UR010', message = format('session %s needs a signed waiver first', p_session);
    end if;
    if v_session.status = 'scheduled' then
        perform app.set_actor(p_actor, 'joined');
        update app.sessions set status = 'pending' where id = p_session;
        return 'pending';
    end if;
    return v_session.status;
end
$$;
comment on function app.join_session(bigint, bigint) is
    'The customer enters the session room: an immediate session while it is pending or live; a scheduled '
    'online one from 15 min before its start (join_lead_minutes) with a waiver on file, which moves it from scheduled to pending '
    '(SPEC §7). Returns the status. Raises UP001, UN001 (not theirs), UR001 (not joinable), UR009 (too '
    'early), UR010 (no waiver).';
grant execute on function app.join_session(bigint, bigint) to autodoctor_app;
