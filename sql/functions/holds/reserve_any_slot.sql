create or replace function app.reserve_any_slot(
    p_actor bigint,
    p_start timestamptz,
    p_plan text,
    p_service_type text default 'online',
    p_make text default null,
    p_concern text default null,
    p_request_type text default 'general',
    p_replace_hold bigint default null
) returns table (hold_id bigint, mechanic_id bigint, starts_at timestamptz, ends_at timestamptz, expires_at timestamptz)
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_candidate record;
begin
    perform app.require_role(p_actor, 'customer');
    -- the hold this one replaces steps aside first (it may overlap the new time); a refusal below undoes that
    update app.slot_reservations set status = 'cancelled', released_at = app.app_now()
    where id = p_replace_hold and customer_id = p_actor and status = 'reserved';
    for v_candidate in
        select m.mechanic_id from app.match_mechanics_at(p_actor, p_start, p_plan, p_service_type, p_make, p_concern, p_request_type, 5) m
    loop
        begin
            return query select * from app.reserve_slot(p_actor, v_candidate.mechanic_id, p_start, p_plan, p_service_type);
            return;
        exception when sqlstate 'UC001' then
            null;  -- taken a moment ago by someone else: the next best
        end;
    end loop;
    raise exception using errcode = 'UC001', detail = 'booked', message = format('no mechanic is free at %s', p_start);
end
$$;
comment on function app.reserve_any_slot(bigint, timestamptz, text, text, text, text, text, bigint) is
    '"Any available mechanic": holds the slot with the best-scoring mechanic free at that time, trying the '
    'next best when one is taken meanwhile (capacity is guaranteed at booking). Raises UC001 when nobody is '
    'free, and as reserve_slot.';
grant execute on function app.reserve_any_slot(bigint, timestamptz, text, text, text, text, text, bigint) to autodoctor_app;
