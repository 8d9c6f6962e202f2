create or replace function app.check_slot_query(
    p_mechanic bigint,
    p_from date,
    p_to date,
    p_plan text,
    p_service_type text,
    p_viewer_tz text
) returns table (duration interval, lo timestamptz, hi timestamptz)
language plpgsql stable rows 1
as $$
declare
    v_duration interval := app.plan_duration(p_plan);
begin
    if p_service_type is null or p_service_type not in ('online', 'in_person') then
        raise exception using errcode = 'UV001', column = 'service_type', message = 'service type is online or in_person';
    end if;
    if p_from is null or p_to is null or p_to < p_from then
        raise exception using errcode = 'UV004', column = 'to', message = 'the range ends before it starts';
    end if;
    if p_to - p_from > 61 then
        raise exception using errcode = 'UV005', column = 'to', message = 'a range covers at most 62 days';
    end if;
    if not exists (select 1 from app.time_zones where name = p_viewer_tz) then
        raise exception using errcode = 'UV006', column = 'tz', message = format('unknown time zone %L', p_viewer_tz);
    end if;
    if not exists (select 1 from app.mechanics m join app.users u on u.id = m.id
                   where m.id = p_mechanic and u.deactivated_at is null) then
        raise exception using errcode = 'UN002', message = format('no mechanic %s', p_mechanic);
    end if;
    return query select v_duration, p_from::timestamp at time zone p_viewer_tz, (p_to + 1)::timestamp at time zone p_viewer_tz;
end
$$;
comment on function app.check_slot_query(bigint, date, date, text, text, text) is
    'Validates a slot-list request and returns the plan''s duration and the instants the viewer''s dates span. '
    'Raises UV003 (plan), UV001 (service type), UV004 (to before from), UV005 (over 62 days), UV006 (zone), '
    'UN002 (unknown or deactivated mechanic).';
