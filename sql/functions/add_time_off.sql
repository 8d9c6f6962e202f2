create or replace function app.add_time_off(p_actor bigint, p_start_date date, p_end_date date, p_reason text default null)
returns table (time_off_id bigint, booked_sessions integer)
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_zone text;
    v_reason text := nullif(btrim(p_reason), '');
    v_id bigint;
begin
    perform app.require_role(p_actor, 'mechanic');
    select m.timezone into v_zone from app.mechanics m where m.id = p_actor;
    if p_start_date is null then
        raise exception using errcode = 'UV001', column = 'start_date', message = 'time off needs its first day';
    end if;
    if p_end_date is null then
        raise exception using errcode = 'UV001', column = 'end_date', message = 'time off needs its last day';
    end if;
    if p_end_date < p_start_date then
        raise exception using errcode = 'UV023', column = 'end_date', message = 'time off ends before it starts';
    end if;
    if p_start_date < (app.app_now() at time zone v_zone)::date then
        raise exception using errcode = 'UV024', column = 'start_date', message = 'time off starts in the past';
    end if;
    if length(v_reason) > 200 then
        raise exception using errcode = 'UV025', column = 'reason', message = 'the reason is longer than 200 characters';
    end if;
    insert into app.mechanic_time_off (mechanic_id, start_date, end_date, reason, status, created_at)
    values (p_actor, p_start_date, p_end_date, v_reason, 'approved', app.app_now())
    returning id into v_id;
    -- sessions already booked in that period stay booked: the mechanic decides whether to cancel them
    return query select v_id, count(*)::integer from app.time_off_sessions(p_actor, p_start_date, p_end_date);
end
$$;
comment on function app.add_time_off(bigint, date, date, text) is
    'Adds approved time off for the acting mechanic: local dates of their zone, both included, from today on, '
    'with an optional reason (at most 200 characters). No slot in it is offered from then on; sessions already '
    'booked in it stay booked, and their count is returned so the mechanic can decide about them. Raises UP001, '
    'UV001 (a date missing), UV023 (ends before it starts), UV024 (starts in the past), UV025 (reason too long).';
grant execute on function app.add_time_off(bigint, date, date, text) to autodoctor_app;
