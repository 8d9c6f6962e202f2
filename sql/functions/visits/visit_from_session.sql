create or replace function app.visit_from_session(p_actor bigint, p_session bigint) returns jsonb
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_session app.sessions;
    v_draft app.booking_drafts;
begin
    perform app.require_role(p_actor, 'customer');
    select * into v_session from app.sessions s where s.id = p_session and s.customer_id = p_actor;
    if not found then
        raise exception using errcode = 'UN001', message = format('session %s is not one of user %s', p_session, p_actor);
    end if;
    if v_session.service_type <> 'online' or v_session.status <> 'completed' then
        raise exception using errcode = 'UR001',
            message = format('session %s is not a completed online session: no in-person visit follows from it', p_session);
    end if;
    -- a fresh start: whatever was entered before in Schedule (its hold and files included) gives way
    perform app.clear_draft(p_actor, 'schedule');
    insert into app.booking_drafts (customer_id, flow, service_type, vehicle_id, advice_only, concern_category, concern,
                                    from_session_id, another, updated_at)
    values (p_actor, 'schedule', 'in_person', v_session.vehicle_id, case when v_session.advice_only then true end,
            v_session.concern_category,
            left(concat_ws(E'\n\n', v_session.concern, 'The mechanic''s summary: ' || v_session.summary), 4000),
            v_session.id, true, app.app_now())
    returning * into v_draft;
    return app.draft_json(v_draft);
end
$$;
comment on function app.visit_from_session(bigint, bigint) is
    'The customer books an in-person visit after one of their completed online sessions (SPEC §3.3, §11): a fresh '
    'Schedule draft (the earlier one cleared, its hold given back) pre-filled with the in-person service, the '
    'session''s vehicle (or Just Advice), concern category, concern followed by the mechanic''s summary, and from_session. Returns the draft. '
    'Raises UP001, UN001 (not their session), UR001 (not a completed online session).';
grant execute on function app.visit_from_session(bigint, bigint) to autodoctor_app;
