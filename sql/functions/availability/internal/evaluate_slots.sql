create or replace function app.evaluate_slots(
    p_mechanic bigint,
    p_starts timestamptz[],
    p_duration interval,
    p_service_type text,
    p_customer bigint
) returns table (slot_start timestamptz, slot_end timestamptz, reason text)
language plpgsql stable
as $$
#variable_conflict use_column
declare
    v_lo timestamptz;
    v_hi timestamptz;
    v_now timestamptz := app.app_now();
    w record;
    v_booked tstzmultirange;
    v_busy tstzmultirange := '{}'::tstzmultirange;
    v_shop tstzrange[] := '{}'::tstzrange[];
    v_uses_workshop boolean;
begin
    select min(s), max(s) + p_duration into v_lo, v_hi from unnest(p_starts) s;
    select * into w from app.schedule_window(p_mechanic, v_lo, v_hi);
    if not found then
        return;
    end if;
    v_uses_workshop := p_service_type = 'in_person' or w.kind <> 'virtual_only';

    -- live claims of the mechanic (confirmed, or held and not expired, or kept while their payment has no outcome),
    -- as the constraint compares them
    select coalesce(range_agg(tstzrange(r.starts_at, r.blocked_until)), '{}') into v_booked
    from app.slot_reservations r
    where r.mechanic_id = p_mechanic and r.status in ('reserved', 'confirmed')
      and (r.status = 'confirmed' or r.expires_at > v_now or app.hold_payment_in_doubt(r.id))
      and tstzrange(r.starts_at, r.blocked_until) && tstzrange(v_lo, v_hi + w.buffer);
    if p_customer is not null then
        select coalesce(range_agg(tstzrange(r.starts_at, r.ends_at)), '{}') into v_busy
        from app.slot_reservations r
        where r.customer_id = p_customer and r.status in ('reserved', 'confirmed')
          and (r.status = 'confirmed' or r.expires_at > v_now or app.hold_payment_in_doubt(r.id))
          and tstzrange(r.starts_at, r.ends_at) && tstzrange(v_lo, v_hi);
    end if;
    -- live in-person claims at the workshop, for its capacity
    if p_service_type = 'in_person' and w.workshop_id is not null then
        select coalesce(array_agg(tstzrange(r.starts_at, r.ends_at)), '{}') into v_shop
        from app.slot_reservations r
        where r.workshop_id = w.workshop_id and r.status in ('reserved', 'confirmed')
          and (r.status = 'confirmed' or r.expires_at > v_now or app.hold_payment_in_doubt(r.id))
          and tstzrange(r.starts_at, r.ends_at) && tstzrange(v_lo, v_hi);
    end if;

    return query
        select s.slot_start, s.slot_end,
            case
                -- starts lie on the mechanic's local grid, counted in real minutes from local midnight
                when extract(epoch from s.slot_start - (s.slot_start at time zone w.zone)::date::timestamp at time zone w.zone)::bigint
                     % extract(epoch from w.grid)::bigint <> 0 then 'off_grid'
                when s.slot_start < v_now + w.notice then 'too_soon'
                when s.slot_start > v_now + w.advance then 'too_far'
                when w.time_off && s.span then 'time_off'
                when p_service_type = 'in_person' and w.workshop_id is null then 'workshop_closed'
                when v_uses_workshop and w.workshop_closed && s.span then 'workshop_closed'
                when not w.source @> s.span then 'outside_hours'
                when v_uses_workshop and w.workshop_breaks && s.span then 'break'
                when v_booked && tstzrange(s.slot_start, s.slot_end + w.buffer) then 'booked'
                -- the most claims at one moment of the slot: the count only rises where a claim starts
                when p_service_type = 'in_person'
                     and (select coalesce(max((select count(*) from unnest(v_shop) c where c @> moment)), 0)
                          from (select s.slot_start as moment
                                union select lower(c) from unnest(v_shop) c
                                where lower(c) > s.slot_start and lower(c) < s.slot_end) moments) >= coalesce(
                         (select h.capacity from app.workshop_availability h
                          where h.workshop_id = w.workshop_id
                            and h.weekday = extract(isodow from s.slot_start at time zone w.workshop_zone)), 0)
                    then 'workshop_full'
                when v_busy && s.span then 'customer_busy'
            end
        from (select distinct st as slot_start, st + p_duration as slot_end, tstzrange(st, st + p_duration) as span
              from unnest(p_starts) st) s
        order by s.slot_start;
end
$$;
comment on function app.evaluate_slots(bigint, timestamptz[], interval, text, bigint) is
    'The one implementation of SPEC §5: for each start, the slot [start, start + duration) and the first rule '
    'it breaks (off_grid, too_soon, too_far, time_off, workshop_closed, outside_hours, break, booked, '
    'workshop_full, customer_busy), or null when it is free. Set-based: the schedule and the claims are read '
    'once for all the starts. No rows for an unknown mechanic.';
