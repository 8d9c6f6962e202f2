create or replace function app.add_time_off(p_actor bigint, p_start_date date, p_end_date date, p_reason text default null)
returns table (time_off_id bigint, booked_sessions integer, start_date date, end_date date, joined integer)
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_zone text;
    v_today date;
    v_reason text := nullif(btrim(p_reason), '');
    v_id bigint;
    v_start date;
    v_end date;
    v_joined integer;
    v_problems text[] := '{}'::text[];
begin
    perform app.require_role(p_actor, 'mechanic');
    select m.timezone into v_zone from app.mechanics m where m.id = p_actor;
    v_today := (app.app_now() at time zone v_zone)::date;
    if p_start_date is null then
        v_problems := v_problems || 'UV001:start_date'::text;
    end if;
    if p_end_date is null then
        v_problems := v_problems || 'UV001:end_date'::text;
    end if;
    if p_end_date < p_start_date then
        v_problems := v_problems || 'UV023:end_date'::text;
    end if;
    if p_start_date < v_today then
        v_problems := v_problems || 'UV024:start_date'::text;
    end if;
    -- a slip of the year (2026 to 2099) is refused, not saved: at most 90 days, starting within a year
    if p_end_date - p_start_date + 1 > 90 then
        v_problems := v_problems || 'UV029:end_date'::text;
    end if;
    if p_start_date > v_today + 365 then
        v_problems := v_problems || 'UV030:start_date'::text;
    end if;
    if length(v_reason) > 200 then
        v_problems := v_problems || 'UV025:reason'::text;
    end if;
    perform app.refuse_fields(v_problems);  -- every refused field at once

    -- entries never overlap (mechanic_time_off_no_overlap): what the new dates overlap or continue joins the
    -- first such entry, which takes the whole period; one mechanic's time off is changed by one call at a time
    perform app.take_turn(4, p_actor);
    select least(min(t.start_date), p_start_date), greatest(max(t.end_date), p_end_date),
           (array_agg(t.id order by t.start_date, t.id))[1], count(*)
    into v_start, v_end, v_id, v_joined
    from app.mechanic_time_off t
    where t.mechanic_id = p_actor and t.status <> 'cancelled'
      and t.start_date <= p_end_date + 1 and t.end_date >= p_start_date - 1;
    if v_end - v_start + 1 > 90 then
        raise exception using errcode = 'UV029', column = 'end_date',
            message = format('time off of mechanic %s would run from %s to %s with the time off it joins', p_actor, v_start, v_end);
    end if;
    if v_id is null then
        insert into app.mechanic_time_off (mechanic_id, start_date, end_date, reason, status, created_at)
        values (p_actor, p_start_date, p_end_date, v_reason, 'approved', app.app_now())
        returning id into v_id;
    else
        update app.mechanic_time_off t set status = 'cancelled'
        where t.mechanic_id = p_actor and t.status <> 'cancelled' and t.id <> v_id
          and t.start_date <= p_end_date + 1 and t.end_date >= p_start_date - 1;
        update app.mechanic_time_off t
        set start_date = v_start, end_date = v_end, status = 'approved', reason = coalesce(t.reason, v_reason)
        where t.id = v_id;
    end if;
    -- sessions already booked in that period stay booked: the mechanic decides whether to cancel them
    return query select v_id, count(*)::integer, v_start, v_end, v_joined
                 from app.time_off_sessions(p_actor, v_start, v_end);
end
$$;
comment on function app.add_time_off(bigint, date, date, text) is
    'Adds approved time off for the acting mechanic: local dates of their zone, both included, from today on, '
    'starting within 365 days, at most 90 days long, with an optional reason (at most 200 characters). Time off '
    'it overlaps or continues (the day before or after) is joined into one entry: the first of them takes the '
    'whole period (keeping its reason, or this one), the others are cancelled. No slot in it is offered from '
    'then on; sessions already booked in it stay booked. Returns the entry, its period, how many entries it '
    'joined, and the count of booked sessions in it so the mechanic can decide about them. Raises UP001, '
    'then every refused field at once (refuse_fields: UV000 listing them when several, else the one code): '
    'UV001 (a date missing), UV023 (ends before it starts), UV024 (starts in the past), UV029 (longer than 90 '
    'days), UV030 (starts more than 365 days ahead), UV025 (reason too long); then UV029 when the joined '
    'period would be longer than 90 days.';
grant execute on function app.add_time_off(bigint, date, date, text) to autodoctor_app;
