create or replace function app.schedule_window(p_mechanic bigint, p_lo timestamptz, p_hi timestamptz)
returns table (
    kind text, zone text, workshop_id bigint, workshop_zone text,
    buffer interval, notice interval, advance interval, grid interval,
    own tstzmultirange, workshop_hours tstzmultirange, workshop_breaks tstzmultirange,
    workshop_closed tstzmultirange, time_off tstzmultirange, source tstzmultirange
)
language plpgsql stable rows 1
as $$
#variable_conflict use_column
begin
    return query
        with m as (
            select mc.id, app.mechanic_type_of(mc.workshop_id, mc.account_type) as kind, mc.timezone as zone,
                   mc.workshop_id, w.timezone as workshop_zone,
                   make_interval(mins => s.buffer_minutes) as buffer,
                   make_interval(mins => s.min_notice_minutes) as notice,
                   make_interval(hours => 24 * s.max_advance_days) as advance,
                   make_interval(mins => s.slot_interval_minutes) as grid
            from app.mechanics mc
            join app.mechanic_settings s on s.mechanic_id = mc.id
            left join app.workshops w on w.id = mc.workshop_id
            where mc.id = p_mechanic
        ),
        -- the local dates the window touches, in the mechanic's zone and in the workshop's
        own_days as (
            select d::date as day
            from m, generate_series((p_lo at time zone m.zone)::date::timestamp,
                                    (p_hi at time zone m.zone)::date::timestamp, interval '1 day') d
        ),
        shop_days as (
            select d::date as day, h.is_closed is not false or c.closed_on is not null as closed,
                   h.opens_at, h.closes_at, h.break_start, h.break_end
            from m
            cross join generate_series((p_lo at time zone m.workshop_zone)::date::timestamp,
                                       (p_hi at time zone m.workshop_zone)::date::timestamp, interval '1 day') d
            left join app.workshop_availability h on h.workshop_id = m.workshop_id and h.weekday = extract(isodow from d)
            left join app.workshop_closures c on c.workshop_id = m.workshop_id and c.closed_on = d::date
            where m.workshop_id is not null
        ),
        ranges as (
            select
                (select range_agg(tstzrange((d.day + b.start_time) at time zone m.zone, (d.day + b.end_time) at time zone m.zone))
                 from own_days d join app.mechanic_availability b on b.mechanic_id = m.id and b.weekday = extract(isodow from d.day)
                ) as own,
                (select range_agg(tstzrange((d.day + d.opens_at) at time zone m.workshop_zone, (d.day + d.closes_at) at time zone m.workshop_zone))
                 from shop_days d where not d.closed) as workshop_hours,
                (select range_agg(tstzrange((d.day + d.break_start) at time zone m.workshop_zone, (d.day + d.break_end) at time zone m.workshop_zone))
                 from shop_days d where not d.closed and d.break_start is not null) as workshop_breaks,
                (select range_agg(tstzrange(d.day::timestamp at time zone m.workshop_zone, (d.day + 1)::timestamp at time zone m.workshop_zone))
                 from shop_days d where d.closed) as workshop_closed,
                (select range_agg(tstzrange(t.start_date::timestamp at time zone m.zone, (t.end_date + 1)::timestamp at time zone m.zone))
                 from app.mechanic_time_off t
                 where t.mechanic_id = m.id and t.status = 'approved'
                   and t.end_date >= (p_lo at time zone m.zone)::date and t.start_date <= (p_hi at time zone m.zone)::date
                ) as time_off
            from m
        )
        select m.kind, m.zone, m.workshop_id, m.workshop_zone, m.buffer, m.notice, m.advance, m.grid,
               coalesce(r.own, '{}'), coalesce(r.workshop_hours, '{}'), coalesce(r.workshop_breaks, '{}'),
               coalesce(r.workshop_closed, '{}'), coalesce(r.time_off, '{}'),
               case m.kind
                   when 'virtual_only' then coalesce(r.own, '{}')
                   when 'independent_workshop' then coalesce(r.own, '{}') * coalesce(r.workshop_hours, '{}')
                   else coalesce(r.workshop_hours, '{}')
               end
        from m, ranges r;
end
$$;
comment on function app.schedule_window(bigint, timestamptz, timestamptz) is
    'A mechanic''s schedule over the local dates a window touches, as instants: own weekly blocks (mechanic''s '
    'zone), workshop hours, breaks and closed days (workshop''s zone), approved time off, and the availability '
    'source of SPEC §1 (own blocks; own blocks ∩ workshop hours; workshop hours). Wall-clock times are '
    'converted per date, so they stay fixed across DST changes. No row for an unknown mechanic.';
