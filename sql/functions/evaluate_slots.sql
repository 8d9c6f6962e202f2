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
begin
    return query
        with slots as (
            select distinct s as slot_start, s + p_duration as slot_end, tstzrange(s, s + p_duration) as span
            from unnest(p_starts) s
        ),
        bounds as (
            select min(slot_start) as lo, max(slot_end) as hi from slots
        ),
        w as (
            select sw.*, app.app_now() as now
            from bounds, app.schedule_window(p_mechanic, bounds.lo, bounds.hi) sw
        ),
        -- live claims of the mechanic (confirmed, or held and not expired), as the constraint compares them
        booked as (
            select coalesce(range_agg(tstzrange(r.starts_at, r.blocked_until)), '{}') as ranges
            from w, bounds, app.slot_reservations r
            where r.mechanic_id = p_mechanic and r.status in ('reserved', 'confirmed')
              and (r.status = 'confirmed' or r.expires_at > w.now)
              and tstzrange(r.starts_at, r.blocked_until) && tstzrange(bounds.lo, bounds.hi + w.buffer)
        ),
        busy as (
            select coalesce(range_agg(tstzrange(r.starts_at, r.ends_at)), '{}') as ranges
            from w, bounds, app.slot_reservations r
            where r.customer_id = p_customer and r.status in ('reserved', 'confirmed')
              and (r.status = 'confirmed' or r.expires_at > w.now)
              and tstzrange(r.starts_at, r.ends_at) && tstzrange(bounds.lo, bounds.hi)
        ),
        -- live in-person claims at the workshop, for its capacity
        shop_claims as (
            select tstzrange(r.starts_at, r.ends_at) as span
            from w, bounds, app.slot_reservations r
            where p_service_type = 'in_person' and r.workshop_id = w.workshop_id
              and r.status in ('reserved', 'confirmed') and (r.status = 'confirmed' or r.expires_at > w.now)
              and tstzrange(r.starts_at, r.ends_at) && tstzrange(bounds.lo, bounds.hi)
        )
        select s.slot_start, s.slot_end,
            case
                -- starts lie on the mechanic's local grid, counted in real minutes from local midnight
                when extract(epoch from s.slot_start - (s.slot_start at time zone w.zone)::date::timestamp at time zone w.zone)::bigint
                     % extract(epoch from w.grid)::bigint <> 0 then 'off_grid'
                when s.slot_start < w.now + w.notice then 'too_soon'
                when s.slot_start > w.now + w.advance then 'too_far'
                when w.time_off && s.span then 'time_off'
                when p_service_type = 'in_person' and w.workshop_id is null then 'workshop_closed'
                when (p_service_type = 'in_person' or w.kind <> 'virtual_only') and w.workshop_closed && s.span then 'workshop_closed'
                when not w.source @> s.span then 'outside_hours'
                when (p_service_type = 'in_person' or w.kind <> 'virtual_only') and w.workshop_breaks && s.span then 'break'
                when booked.ranges && tstzrange(s.slot_start, s.slot_end + w.buffer) then 'booked'
                -- the most claims at one moment of the slot: the count only rises where a claim starts
                when p_service_type = 'in_person'
                     and (select coalesce(max((select count(*) from shop_claims c where c.span @> moment)), 0)
                          from (select s.slot_start as moment
                                union select lower(c.span) from shop_claims c
                                where lower(c.span) > s.slot_start and lower(c.span) < s.slot_end) moments) >= coalesce(
                         (select h.capacity from app.workshop_availability h
                          where h.workshop_id = w.workshop_id
                            and h.weekday = extract(isodow from s.slot_start at time zone w.workshop_zone)), 0)
                    then 'workshop_full'
                when busy.ranges && s.span then 'customer_busy'
            end
        from slots s, w, booked, busy
        order by s.slot_start;
end
$$;
comment on function app.evaluate_slots(bigint, timestamptz[], interval, text, bigint) is
    'The one implementation of SPEC §5: for each start, the slot [start, start + duration) and the first rule '
    'it breaks (off_grid, too_soon, too_far, time_off, workshop_closed, outside_hours, break, booked, '
    'workshop_full, customer_busy), or null when it is free. Set-based: the schedule and the claims are read '
    'once for all the starts. No rows for an unknown mechanic.';
