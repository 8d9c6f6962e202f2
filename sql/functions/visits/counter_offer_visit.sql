create or replace function app.counter_offer_visit(p_actor bigint, p_session bigint, p_start timestamptz,
                                                   p_note text default null)
returns app.visit_counter_offers
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_session app.sessions;
    v_mechanic bigint;
    v_offer app.visit_counter_offers;
    v_reasons text[];
begin
    perform app.require_actor(p_actor);
    v_session := app.visit_for_workshop(p_actor, p_session);
    if v_session.status not in ('requested', 'scheduled') then
        raise exception using errcode = 'UR001', message = format('visit %s is %s: it cannot move', p_session, v_session.status);
    end if;
    if p_start is null or p_start = v_session.scheduled_for then
        raise exception using errcode = 'UV001', column = 'start', message = 'propose another time';
    end if;
    if p_start < app.app_now() + interval '2 hours' then
        raise exception using errcode = 'UR060', column = 'start', message = 'propose a time at least 2 hours ahead';
    end if;
    v_mechanic := app.free_workshop_mechanic(v_session, p_start);
    if v_mechanic is null then
        -- when every mechanic of the workshop is unavailable for one reason that is not a booking (too far ahead,
        -- closed, outside the hours ...), that reason is the answer
        select array_agg(distinct e.reason) into v_reasons
        from app.mechanics m
        cross join lateral app.evaluate_slots(m.id, array[p_start], make_interval(mins => v_session.duration_minutes),
                                              'in_person', null) e
        where m.workshop_id = v_session.workshop_id;
        if cardinality(v_reasons) = 1 and v_reasons[1] not in ('booked', 'workshop_full') then
            raise exception using errcode = 'UR002', column = 'start', detail = v_reasons[1],
                hint = app.availability_reason_message(v_reasons[1], v_session.mechanic_id, p_start),
                message = format('no mechanic of workshop %s can take %s: %s', v_session.workshop_id, p_start, v_reasons[1]);
        end if;
        raise exception using errcode = 'UC060', column = 'start',
            message = format('no mechanic of workshop %s is free at %s', v_session.workshop_id, p_start);
    end if;
    update app.visit_counter_offers set status = 'withdrawn' where session_id = p_session and status = 'pending';
    insert into app.visit_counter_offers (session_id, proposed_start, mechanic_id, proposed_by, note, created_at)
    values (p_session, p_start, v_mechanic, p_actor, left(nullif(btrim(p_note), ''), 500), app.app_now())
    returning * into v_offer;
    perform app.notify(v_session.customer_id, 'visit_counter_offer',
                       jsonb_build_object('session_id', p_session, 'offer_id', v_offer.id, 'proposed_start', p_start,
                                          'note', v_offer.note, 'audience', 'customer'),
                       p_session, format('counter-offer-%s', v_offer.id));
    return v_offer;
end
$$;
comment on function app.counter_offer_visit(bigint, bigint, timestamptz, text) is
    'The workshop proposes another time for a requested or confirmed in-person visit (SPEC §11), at least 2 h '
    'ahead, with a mechanic of the workshop free then (within hours and capacity); an earlier open proposal is '
    'withdrawn and the customer is told. Raises UP001, UN001, UR001 (visit not movable), UV001 (no or same '
    'time), UR060 (too soon), UR002 (every mechanic of the workshop unavailable then for one reason other than '
    'bookings, such as too_far, in DETAIL; its sentence in HINT), UC060 (nobody free then).';
grant execute on function app.counter_offer_visit(bigint, bigint, timestamptz, text) to autodoctor_app;
