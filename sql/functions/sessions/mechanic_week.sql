create or replace function app.mechanic_week(p_actor bigint, p_week date default null)
returns table (
    day date, kind text, starts_local text, ends_local text, all_day boolean,
    starts_at timestamptz, ends_at timestamptz, status text, label text, service_type text,
    session_id bigint, zone text, is_today boolean
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_now timestamptz := app.app_now();
    v_zone text;
    v_today date;
    v_monday date;
    v_lo timestamptz;
    v_hi timestamptz;
    w record;
begin
    perform app.require_role(p_actor, 'mechanic');
    select m.timezone into v_zone from app.mechanics m where m.id = p_actor;
    v_today := (v_now at time zone v_zone)::date;
    -- keeps every date shown within what a page can show and a person could mean
    if abs(p_week - v_today) > 3653 then
        raise exception using errcode = 'UV041', column = 'week',
            message = format('week %s is more than ten years from %s', p_week, v_today);
    end if;
    v_monday := coalesce(p_week, v_today) - (extract(isodow from coalesce(p_week, v_today))::integer - 1);
    v_lo := v_monday::timestamp at time zone v_zone;
    v_hi := (v_monday + 7)::timestamp at time zone v_zone;
    -- the schedule customers book against (SPEC §5), so the calendar shows what they can take
    select * into w from app.schedule_window(p_actor, v_lo, v_hi);

    return query
        with days as (
            select d::date as day, tstzrange(d::date::timestamp at time zone v_zone,
                                             (d::date + 1)::timestamp at time zone v_zone) as span
            from generate_series(v_monday, v_monday + 6, interval '1 day') d
        ), items as (
            select 'block' as kind, r as span, null as status, null as label, null as service_type,
                   null::bigint as session_id
            from unnest(w.source - w.workshop_breaks - w.workshop_closed - w.time_off) r
            union all
            select 'break', r, null, null, null, null
            from unnest(w.source * w.workshop_breaks - w.time_off) r
            union all
            select 'closed', r, null, null, null, null
            from unnest(w.workshop_closed) r
            union all
            -- local dates, both ends included, as schedule_window reads them; pending ones too, marked so
            select 'time_off', tstzrange(t.start_date::timestamp at time zone v_zone,
                                         (t.end_date + 1)::timestamp at time zone v_zone), t.status, t.reason, null, null
            from app.mechanic_time_off t
            where t.mechanic_id = p_actor and t.status <> 'cancelled'
              and t.end_date >= v_monday and t.start_date <= v_monday + 6
            union all
            select 'session', tstzrange(s.scheduled_for, s.scheduled_for + make_interval(mins => s.duration_minutes)),
                   s.status, split_part(u.name, ' ', 1) || ' · ' || pl.name, s.service_type, s.id
            from app.sessions s
            join app.users u on u.id = s.customer_id
            join app.plans pl on pl.code = s.plan_code
            where s.mechanic_id = p_actor and s.kind = 'scheduled' and s.status not in ('cancelled', 'expired')
              and s.scheduled_for < v_hi and s.scheduled_for + make_interval(mins => s.duration_minutes) > v_lo
            union all
            -- a Book Now session from when it started until it ended (a live one: its plan's length, or until now
            -- when it runs over), so time spent in it shows at whatever hour it came
            select 'session', tstzrange(s.started_at, e.ends_at), s.status,
                   split_part(u.name, ' ', 1) || ' · ' || pl.name, s.service_type, s.id
            from app.sessions s
            join app.users u on u.id = s.customer_id
            join app.plans pl on pl.code = s.plan_code
            cross join lateral (select case when s.ended_at is not null
                                            then greatest(s.ended_at, s.started_at + interval '1 minute')
                                            else greatest(s.started_at + make_interval(mins => s.duration_minutes), v_now)
                                       end as ends_at) e
            where s.mechanic_id = p_actor and s.kind = 'immediate' and s.started_at is not null
              and s.started_at < v_hi and e.ends_at > v_lo
            union all
            -- a hold only while it still blocks the time (an expired one is free even before the cleanup job)
            select 'hold', tstzrange(r.starts_at, r.ends_at), r.status, pl.name, r.service_type, null
            from app.slot_reservations r
            join app.plans pl on pl.code = r.plan_code
            where r.mechanic_id = p_actor and r.status = 'reserved' and (r.expires_at > v_now or app.hold_payment_in_doubt(r.id))
              and r.starts_at < v_hi and r.ends_at > v_lo
        ), pieces as (
            select d.day, 'day' as kind, d.span as piece, d.span as day_span,
                   null as status, null as label, null as service_type, null::bigint as session_id
            from days d
            union all
            select d.day, i.kind, i.span * d.span, d.span, i.status, i.label, i.service_type, i.session_id
            from items i
            join days d on d.span && i.span
        )
        select x.day, x.kind, to_char(lower(x.piece) at time zone v_zone, 'HH24:MI'),
               case when upper(x.piece) = upper(x.day_span) then '24:00'
                    else to_char(upper(x.piece) at time zone v_zone, 'HH24:MI') end,
               x.piece = x.day_span, lower(x.piece), upper(x.piece), x.status, x.label, x.service_type,
               x.session_id, v_zone, x.day = v_today
        from pieces x
        order by x.day, x.kind <> 'day', x.piece <> x.day_span, lower(x.piece),
                 array_position(array['day', 'time_off', 'closed', 'block', 'break', 'hold', 'session'], x.kind);
end
$$;
comment on function app.mechanic_week(bigint, date) is
    'The acting mechanic''s week calendar (SPEC §4) in their own zone: the seven days from the Monday of '
    'p_week (default: this week), each as a row of kind day, then one row per item and local day it touches: '
    'block (bookable time, from the same schedule as the slots customers see: own blocks, workshop hours or '
    'their intersection, less breaks, closed days and approved time off), break, closed (the workshop), '
    'time_off (approved or pending, with its reason), hold (a live one) and session (scheduled ones not '
    'cancelled or expired, and Book Now ones from their start to their end, labelled with the customer''s first '
    'name and the plan). Times are the part on that '
    'day, as instants and as local wall-clock HH:MM (24:00 when it runs to midnight), so DST days are right. '
    'Raises UP001 for non-mechanics and UV041 for a week more than ten years from today.';
grant execute on function app.mechanic_week(bigint, date) to autodoctor_app;
