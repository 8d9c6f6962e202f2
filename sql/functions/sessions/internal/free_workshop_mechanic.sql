create or replace function app.free_workshop_mechanic(p_session app.sessions, p_start timestamptz) returns bigint
language plpgsql volatile
as $$
declare
    v_found bigint;
begin
    begin
        -- judged as if the visit's own claim were gone: it steps aside, the workshop's mechanics are asked,
        -- and the raise below undoes the step (a local variable keeps its value through the rollback)
        update app.slot_reservations set status = 'cancelled', released_at = app.app_now()
        where id = p_session.reservation_id;
        select m.id into v_found
        from app.mechanics m
        cross join lateral app.evaluate_slots(m.id, array[p_start], make_interval(mins => p_session.duration_minutes),
                                              'in_person', p_session.customer_id) e
        where m.workshop_id = p_session.workshop_id and e.reason is null
        order by m.id = p_session.mechanic_id desc, m.id
        limit 1;
        raise exception using errcode = 'UX000';
    exception when sqlstate 'UX000' then
        null;
    end;
    return v_found;
end
$$;
comment on function app.free_workshop_mechanic(app.sessions, timestamptz) is
    'A mechanic of the visit''s workshop free for the visit at p_start (its own mechanic first), within the '
    'workshop''s hours and capacity, as if the visit were not booked yet; null when none is. Changes nothing.';
