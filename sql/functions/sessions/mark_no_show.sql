create or replace function app.mark_no_show(p_actor bigint, p_session bigint) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_session app.sessions;
begin
    perform app.require_actor(p_actor);
    select * into v_session from app.sessions s where s.id = p_session;
    if not found or app.session_actor_side(v_session, p_actor) is distinct from 'mechanic' then
        raise exception using errcode = 'UN001', message = format('session %s is not assigned to mechanic %s', p_session, p_actor);
    end if;
    if v_session.scheduled_for is null
       or app.app_now() < v_session.scheduled_for + make_interval(mins => app.no_show_grace_minutes()) then
        raise exception using errcode = 'UR007',
            message = format('session %s: a no-show can be marked from %s after the start', p_session,
                             app.duration_words(app.no_show_grace_minutes())),
            hint = format('A no-show can be marked from %s after the start.', app.duration_words(app.no_show_grace_minutes()));
    end if;
    perform app.set_actor(p_actor, 'the customer did not show up');
    perform app.record_no_show(p_session);
end
$$;
comment on function app.mark_no_show(bigint, bigint) is
    'The assigned mechanic marks the customer absent, from 10 minutes after the start (no_show_grace_minutes; SPEC §13): no_show, '
    'with the money of SPEC §9. Raises UN001 (not theirs), UR007 (too early), UR001 (not scheduled or pending).';
grant execute on function app.mark_no_show(bigint, bigint) to autodoctor_app;
