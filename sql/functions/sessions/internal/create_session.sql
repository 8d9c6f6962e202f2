create or replace function app.create_session(
    p_actor bigint,
    p_kind text,
    p_plan text,
    p_service_type text default 'online',
    p_vehicle_id bigint default null,
    p_advice_only boolean default false,
    p_request_type text default 'general',
    p_concern_category text default null,
    p_concern text default null,
    p_is_urgent boolean default false,
    p_hold_id bigint default null,
    p_intake jsonb default '{}',
    p_policy_version integer default null
) returns bigint
language plpgsql volatile
as $$
declare
    v_duration interval := app.plan_duration(p_plan);
    v_now timestamptz := app.app_now();
    v_policy integer := coalesce(p_policy_version, app.current_policy());
    v_make text;
    v_hold app.slot_reservations;
    v_instant boolean;
    v_session bigint;
begin
    v_make := app.check_booking_input(p_actor, p_kind, p_plan, p_service_type, p_vehicle_id, p_advice_only,
                                      p_request_type, p_concern, p_is_urgent,
                                      (select h.mechanic_id from app.slot_reservations h where h.id = p_hold_id));
    perform app.set_actor(p_actor, 'booked');

    if p_kind = 'immediate' then
        insert into app.sessions (customer_id, kind, service_type, request_type, plan_code, duration_minutes, vehicle_id,
                                  advice_only, status, concern_category, concern, is_urgent, intake, created_at, policy_version)
        values (p_actor, 'immediate', 'online', p_request_type, p_plan, extract(epoch from v_duration) / 60, p_vehicle_id,
                p_advice_only, 'pending', p_concern_category, btrim(p_concern), p_is_urgent, coalesce(p_intake, '{}'), v_now, v_policy)
        returning id into v_session;
        perform app.attach_files(v_session, p_actor, p_intake);
        perform app.send_offers(v_session, v_make);
        return v_session;
    end if;

    if p_hold_id is null then
        raise exception using errcode = 'UV011', column = 'hold_id', message = 'a scheduled session needs a held time';
    end if;
    v_hold := app.confirm_reservation(p_hold_id, p_actor);
    if v_hold.plan_code <> p_plan then
        raise exception using errcode = 'UV001', column = 'plan', message = 'the plan differs from the held slot''s';
    end if;
    select s.instant_booking into v_instant from app.mechanic_settings s where s.mechanic_id = v_hold.mechanic_id;
    insert into app.sessions (customer_id, mechanic_id, kind, service_type, request_type, plan_code, duration_minutes,
                              vehicle_id, advice_only, status, scheduled_for, reservation_id, workshop_id,
                              concern_category, concern, is_urgent, intake, created_at, accepted_at, policy_version)
    values (p_actor, v_hold.mechanic_id, 'scheduled', v_hold.service_type, p_request_type, p_plan,
            extract(epoch from v_duration) / 60, p_vehicle_id, p_advice_only,
            case when v_instant then 'scheduled' else 'requested' end, v_hold.starts_at, v_hold.id, v_hold.workshop_id,
            p_concern_category, btrim(p_concern), false, coalesce(p_intake, '{}'), v_now,
            case when v_instant then v_now end, v_policy)
    returning id into v_session;
    perform app.attach_files(v_session, p_actor, p_intake);
    return v_session;
end
$$;
comment on function app.create_session(bigint, text, text, text, bigint, boolean, text, text, text, boolean, bigint, jsonb, integer) is
    'The only way a session is born (SPEC §7), called once its payment is in (complete_payment). Immediate: pending, online, offers sent to the best online '
    'mechanics. Scheduled: confirms the customer''s live hold and takes its mechanic and time; scheduled, or '
    'requested when the mechanic has instant booking off. Raises UP001, UV001/UV003/UV008/UV009/UV010/UV011 '
    '(bad input), UN001 (vehicle or hold not the customer''s), UR003 (hold expired), and '
    'sessions_one_active_immediate (23505) for a second active immediate session. The session keeps the '
    'cancellation policy it was sold under (default: the one in force).';
