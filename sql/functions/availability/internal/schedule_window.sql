create or replace function app.schedule_window(p_mechanic bigint, p_lo timestamptz, p_hi timestamptz)
returns table (
    kind text, zone text, workshop_id bigint, workshop_zone text,
    buffer interval, notice interval, advance interval, grid interval,
    own tstzmultirange, workshop_hours tstzmultirange, workshop_breaks tstzmultirange,
    workshop_closed tstzmultirange, time_off tstzmultirange, source tstzmultirange
)
language plpgsql stable rows 1
as $$
declare
    m record;
    v_own tstzmultirange;
    v_hours tstzmultirange := '{}'::tstzmultirange;
    v_breaks tstzmultirange := '{}'::tstzmultirange;
    v_closed tstzmultirange := '{}'::tstzmultirange;
    v_off tstzmultirange;
begin
    select mc.id, app.mechanic_type_of(mc.workshop_id, mc.account_type) as kind, mc.timezone as zone,
           mc.workshop_id, w.timezone as workshop_zone,
           make_interval(mins => s.buffer_minutes) as buffer, make_interval(mins => s.min_notice_minutes) as notice,
           make_interval(hours => 24 * s.max_advance_days) as advance, make_interval(mins => s.slot_interval_minutes) as grid
    into m
    from app.mechanics mc
    join app.mechanic_settings s on s.mechanic_id = mc.id
    join app.users u on u.id = mc.id
    left join app.workshops w on w.id = mc.workshop_id
    where mc.id = p_mechanic
      and u.deactivated_at is null;  -- a deactivated mechanic has no schedule: no slot, hold or booking
    if not found then
        return;
    end if;

    -- weekly blocks on each local date of the mechanic's zone that the window touches
    select coalesce(range_agg(tstzrange((d::date + b.start_time) at time zone m.zone, (d::date + b.end_time) at time zone m.zone)), '{}')
    into v_own
    from generate_series((p_lo at time zone m.zone)::date::timestamp, (p_hi at time zone m.zone)::date::timestamp, interval '1 day') d
    join app.mechanic_availability b on b.mechanic_id = p_mechanic and b.weekday = extract(isodow from d);

    -- opening hours, breaks and closed days on each local date of the workshop's zone, in one pass
    if m.workshop_id is not null then
        select coalesce(range_agg(tstzrange((d::date + h.opens_at) at time zone m.workshop_zone,
                                            (d::date + h.closes_at) at time zone m.workshop_zone))
                            filter (where not closed), '{}'),
               coalesce(range_agg(tstzrange((d::date + h.break_start) at time zone m.workshop_zone,
                                            (d::date + h.break_end) at time zone m.workshop_zone))
                            filter (where not closed and h.break_start is not null), '{}'),
               coalesce(range_agg(tstzrange(d at time zone m.workshop_zone, (d + interval '1 day') at time zone m.workshop_zone))
                            filter (where closed), '{}')
        into v_hours, v_breaks, v_closed
        from generate_series((p_lo at time zone m.workshop_zone)::date::timestamp,
                             (p_hi at time zone m.workshop_zone)::date::timestamp, interval '1 day') d
        left join app.workshop_availability h on h.workshop_id = m.workshop_id and h.weekday = extract(isodow from d)
        left join app.workshop_closures c on c.workshop_id = m.workshop_id and c.closed_on = d::date
        cross join lateral (select h.is_closed is not false or c.closed_on is not null as closed) x;
    end if;

    -- approved time off: local dates, both ends included
    select coalesce(range_agg(tstzrange(t.start_date::timestamp at time zone m.zone, (t.end_date + 1)::timestamp at time zone m.zone)), '{}')
    into v_off
    from app.mechanic_time_off t
    where t.mechanic_id = p_mechanic and t.status = 'approved'
      and t.end_date >= (p_lo at time zone m.zone)::date and t.start_date <= (p_hi at time zone m.zone)::date;

    return query select m.kind, m.zone, m.workshop_id, m.workshop_zone, m.buffer, m.notice, m.advance, m.grid,
        v_own, v_hours, v_breaks, v_closed, v_off,
        case m.kind when 'virtual_only' then v_own when 'independent_workshop' then v_own * v_hours else v_hours end;
end
$$;
comment on function app.schedule_window(bigint, timestamptz, timestamptz) is
    'A mechanic''s schedule over the local dates a window touches, as instants: own weekly blocks (mechanic''s '
    'zone), workshop hours, breaks and closed days (workshop''s zone), approved time off, and the availability '
    'source of SPEC §1 (own blocks; own blocks ∩ workshop hours; workshop hours). Wall-clock times are '
    'converted per date, so they stay fixed across DST changes. No row for an unknown or deactivated mechanic, '
    'so evaluate_slots finds no free slot for them.';
