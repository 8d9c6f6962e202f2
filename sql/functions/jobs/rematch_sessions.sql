create or replace function app.rematch_sessions() returns integer
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_rematch app.session_rematches;
    v_session app.sessions;
    v_moved app.sessions;
    v_candidate bigint;
    v_make text;
    v_count integer := 0;
begin
    perform app.set_actor(null, 're-match: the booked mechanic cancelled');
    for v_rematch in
        select * from app.session_rematches r where r.resolved_at is null
        order by r.requested_at, r.id
        for update skip locked
    loop
        select * into v_session from app.sessions s where s.id = v_rematch.session_id for update;
        v_moved := null;
        if v_session.status <> 'scheduled' then
            -- the customer cancelled, or the session moved on, before the job came
            update app.session_rematches set resolved_at = app.app_now(), outcome = 'skipped' where id = v_rematch.id;
            v_count := v_count + 1;
            continue;
        end if;
        if v_session.scheduled_for > app.app_now() then
            -- the cancelled mechanic's claim steps aside first, so that the customer counts as free for the others
            update app.slot_reservations set status = 'cancelled', released_at = app.app_now()
            where id = v_session.reservation_id;
            select v.make into v_make from app.vehicles v where v.id = v_session.vehicle_id;
            for v_candidate in
                select m.mechanic_id
                from app.match_mechanics_at(v_session.customer_id, v_session.scheduled_for, v_session.plan_code,
                                            v_session.service_type, v_make, v_session.concern,
                                            v_session.request_type, 20) m
                join app.mechanics mm on mm.id = m.mechanic_id
                where m.mechanic_id not in (select x.from_mechanic_id from app.session_rematches x
                                            where x.session_id = v_session.id)
                  and (v_session.service_type = 'online' or mm.workshop_id = v_session.workshop_id)
            loop
                begin
                    v_moved := app.move_session_claim(v_session, v_candidate, v_session.scheduled_for);
                    exit;
                exception when sqlstate 'UC001' or sqlstate 'UR002' then
                    null;  -- taken a moment ago by someone else: the next best
                end;
            end loop;
        end if;

        if v_moved.id is null then
            -- nobody is free (or the start has passed): everything back to the customer, who is told
            update app.sessions
            set status = 'cancelled',
                cancel_reason = 'Your mechanic had to cancel and no other mechanic is free at that time.'
            where id = v_session.id
            returning * into v_session;
            perform app.apply_policy_outcome(v_session, 'mechanic');
            update app.session_rematches set resolved_at = app.app_now(), outcome = 'cancelled' where id = v_rematch.id;
        else
            update app.session_rematches set resolved_at = app.app_now(), outcome = 'rematched', to_mechanic_id = v_candidate
            where id = v_rematch.id;
        end if;
        v_count := v_count + 1;
    end loop;
    return v_count;
end
$$;
comment on function app.rematch_sessions() is
    'The re-match job (SPEC §8, §13): each session whose booked mechanic cancelled goes to the best-ranked '
    'other mechanic free at its time (same workshop when in person), with a confirmed claim, a new invite '
    'sequence and everyone told; when nobody is free, or the start has passed, it is cancelled with a full '
    'refund and the customer is told. Each request is resolved once, even with concurrent runners. Returns '
    'how many were resolved.';
